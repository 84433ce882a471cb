"""`invoke deploy`: refusals by message, and the gh-pages branch it writes, in real git repositories."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lxml import html as lxml_html

from helpers import FIXTURE_SITE, PUBLISH_SETTINGS, ROOT, text_of
from site_tools.deploy import BuildFailed, DeployRefused, deploy

KATEX_ERRORS = Path(__file__).parent / "bad_input" / "katex_errors"
SITE_URL = "https://blog.example.test"


def git(repo: Path, *arguments: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *arguments], capture_output=True, text=True, check=True)
    return done.stdout


def make_repository(folder: Path, content: Path) -> Path:
    """A site repository: content/ copied from `content`, output/ and .cache/ ignored, one commit."""
    repo = folder / "site"
    shutil.copytree(content, repo / "content")
    (repo / ".gitignore").write_text("/output/\n/.cache/\n")
    git(repo.parent, "init", "--quiet", "--initial-branch=main", str(repo))
    git(repo, "config", "user.name", "A Writer")
    git(repo, "config", "user.email", "writer@example.test")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "The site's sources")
    return repo


def deploy_repository(repo: Path, push: bool = False):
    overrides = {"PATH": str(repo / "content"), "CACHE_PATH": str(repo / ".cache")}
    return deploy(repo, PUBLISH_SETTINGS, repo / "output", overrides=overrides, push=push)


def branch_files(repo: Path, branch: str = "gh-pages") -> list[str]:
    return git(repo, "ls-tree", "-r", "--name-only", branch).splitlines()


def branches(repo: Path) -> list[str]:
    return git(repo, "branch", "--format=%(refname:short)").split()


@pytest.fixture(autouse=True)
def site_url(monkeypatch):
    monkeypatch.setenv("SITEURL", SITE_URL)


@pytest.fixture
def repo(tmp_path) -> Path:
    return make_repository(tmp_path, FIXTURE_SITE)


# --- Deploying --------------------------------------------------------------------------------------

def test_no_push_commits_the_site_to_a_local_gh_pages_branch(repo):
    result = deploy_repository(repo)
    assert result.ok
    files = branch_files(repo)
    assert "index.html" in files and ".nojekyll" in files
    assert "posts/eulers-identity-carefully/index.html" in files
    built = [path.relative_to(repo / "output").as_posix() for path in (repo / "output").rglob("*") if path.is_file()]
    assert sorted(files) == sorted([*built, ".nojekyll"])
    assert not [name for name in files if "draft" in name]
    index = lxml_html.fromstring(git(repo, "show", "gh-pages:index.html"))
    assert f"{SITE_URL}/posts/eulers-identity-carefully/" in index.xpath("//a/@href")
    source = git(repo, "rev-parse", "--short", "HEAD").strip()
    assert git(repo, "log", "-1", "--format=%s", "gh-pages").strip() == f"Site built from {source} by invoke deploy"
    # The writer's branch and work tree are untouched.
    assert git(repo, "branch", "--show-current").strip() == "main"
    assert git(repo, "status", "--porcelain") == ""


def test_no_draft_reaches_the_branch(repo):
    deploy_repository(repo)
    # tests/site/posts/draft.md: "Title: A draft", so its slug is a-draft.
    for name in branch_files(repo):
        assert "draft" not in name
        text = git(repo, "show", f"gh-pages:{name}") if name.endswith((".html", ".xml")) else ""
        assert "a-draft" not in text, name
        if name.endswith(".html"):
            assert "A draft" not in text_of(lxml_html.fromstring(text)), name


def test_push_updates_gh_pages_on_the_remote(repo, tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    deploy_repository(repo, push=True)
    first = git(remote, "rev-parse", "gh-pages").strip()
    assert "index.html" in branch_files(remote)

    about = repo / "content" / "pages" / "about.md"
    about.write_text(about.read_text() + "\nOne more line, deployed second.\n")
    git(repo, "commit", "--quiet", "--all", "--message", "Edit the About page")
    deploy_repository(repo, push=True)
    assert git(remote, "rev-parse", "gh-pages^").strip() == first
    about_page = lxml_html.fromstring(git(remote, "show", "gh-pages:about/index.html"))
    assert "One more line, deployed second." in text_of(about_page.cssselect("main")[0])


# --- Refusals: nothing built, nothing committed -----------------------------------------------------

def test_refuses_uncommitted_content(repo):
    (repo / "content" / "posts" / "new-idea.md").write_text("Title: New idea\nDate: 2026-08-01\n\nSoon.\n")
    euler = repo / "content" / "posts" / "euler.md"
    euler.write_text(euler.read_text() + "\nAn edit not yet committed.\n")
    with pytest.raises(DeployRefused) as refusal:
        deploy_repository(repo)
    message = str(refusal.value)
    assert message.startswith("the work tree has uncommitted changes; commit them")
    assert " M content/posts/euler.md" in message
    assert "?? content/posts/new-idea.md" in message
    assert "gh-pages" not in branches(repo)
    assert not (repo / "output").exists()


def test_refuses_when_the_build_fails(tmp_path):
    repo = make_repository(tmp_path, KATEX_ERRORS)
    with pytest.raises(BuildFailed) as refusal:
        deploy_repository(repo)
    assert str(refusal.value) == ("the production build failed with 3 error(s); nothing was deployed "
                                  "and output/ is unchanged.")
    assert "bad-math.md:6: KaTeX parse error" in refusal.value.result.errors[0]
    assert "gh-pages" not in branches(repo)
    assert not (repo / "output").exists()


def test_refuses_outside_a_git_repository(tmp_path):
    shutil.copytree(FIXTURE_SITE, tmp_path / "content")
    with pytest.raises(DeployRefused, match="is not in a git repository"):
        deploy_repository(tmp_path)
    assert not (tmp_path / "output").exists()


def test_refuses_to_push_without_a_remote(repo):
    with pytest.raises(DeployRefused, match="no remote 'origin' to push to.*--no-push"):
        deploy_repository(repo, push=True)
    assert "gh-pages" not in branches(repo)


def test_refuses_without_a_site_url(repo, monkeypatch):
    monkeypatch.delenv("SITEURL")
    with pytest.raises(DeployRefused, match="SITEURL is not set"):
        deploy_repository(repo)
    assert "gh-pages" not in branches(repo)


def test_invoke_deploy_prints_the_refusal_and_exits_non_zero():
    # Refused before anything is built or committed, so it is safe to run in the project itself.
    environment = {name: value for name, value in os.environ.items() if name != "SITEURL"}
    done = subprocess.run([sys.executable, "-m", "invoke", "deploy", "--no-push"], cwd=ROOT,
                          capture_output=True, text=True, env=environment)
    assert done.returncode == 1
    assert "Not deployed: SITEURL is not set" in done.stderr
