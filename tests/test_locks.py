"""The locks (requirements*.txt) agree with their inputs (requirements*.in): run `invoke lock` after an edit."""

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from helpers import ROOT

LOCKS = {"requirements.in": "requirements.txt", "requirements-dev.in": "requirements-dev.txt"}


def logical_lines(name: str) -> list[str]:
    """The file's requirement lines, continuations joined, comments and blank lines dropped."""
    text = (ROOT / name).read_text(encoding="utf-8").replace("\\\n", " ")
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def pins(name: str) -> dict[str, str]:
    """{package: version} of the file's `name==version` lines (options such as -r and --hash left out)."""
    found = {}
    for line in logical_lines(name):
        if line.startswith("-"):
            continue
        requirement = Requirement(line.split(" --hash", 1)[0])
        [specifier] = requirement.specifier
        assert specifier.operator == "==", f"{name}: {line!r} is not pinned with =="
        found[canonicalize_name(requirement.name)] = specifier.version
    return found


@pytest.mark.parametrize("source, lock", LOCKS.items())
def test_every_pin_of_the_input_is_in_the_lock(source, lock):
    locked = pins(lock)
    stale = {name: version for name, version in pins(source).items() if locked.get(name) != version}
    assert not stale, f"{lock} is out of date for {stale}: run `python3 -m invoke lock`"


@pytest.mark.parametrize("lock", LOCKS.values())
def test_every_locked_package_has_a_hash(lock):
    without = [line for line in logical_lines(lock) if not line.startswith("-") and "--hash=sha256:" not in line]
    assert not without, f"pip --require-hashes refuses these lines of {lock}: {without}"


def test_the_dev_lock_has_the_runtime_lock_s_versions():
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime
