"""Session fixtures: the fixture site in tests/site, built once with each settings file."""

import pytest

from helpers import FIXTURE_SITE, PAPER_SITE, BuiltSite, build_published, build_site


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> BuiltSite:
    """The fixture site built with the development settings (two posts a page, so it paginates)."""
    built = build_site(FIXTURE_SITE, tmp_path_factory.mktemp("site"), DEFAULT_PAGINATION=2)
    assert built.result.errors == []
    return built


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> BuiltSite:
    """The fixture site built with publishconf.py: absolute URLs and feeds."""
    built = build_published(FIXTURE_SITE, tmp_path_factory.mktemp("published"), "https://blog.example.test/notes")
    assert built.result.errors == []
    return built



@pytest.fixture(scope="session")
def paper_site(tmp_path_factory) -> BuiltSite:
    """tests/paper_site: sidenotes, margin notes, a diagram, kramdown's display rule, math in a title."""
    built = build_site(PAPER_SITE, tmp_path_factory.mktemp("paper"))
    assert built.result.errors == []
    return built
