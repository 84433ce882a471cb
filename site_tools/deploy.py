"""`invoke deploy`: the production build, committed to the gh-pages branch with ghp-import and pushed.

The site that leaves the machine is the site of a commit: the work tree must be clean (no change
to a tracked file, no untracked file that git does not ignore, such as a new post not yet added),
and the gh-pages commit names the source commit it was built from.
"""

import os
import subprocess
import sys
from pathlib import Path

from site_tools.build import BuildResult, build_then_swap

BRANCH = "gh-pages"
REMOTE = "origin"
LISTED_CHANGES = 10  # paths named in the refusal; the rest are counted


class DeployRefused(Exception):
    """Nothing was deployed; the message says why and what to do."""


class BuildFailed(DeployRefused):
    def __init__(self, result: BuildResult):
        super().__init__(f"the production build failed with {len(result.errors)} error(s); "
                         "nothing was deployed and output/ is unchanged.")
        self.result = result


def _git(root: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *arguments], capture_output=True, text=True)


def check_git_repository(root: Path) -> None:
    if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise DeployRefused(f"{root} is not in a git repository; `invoke deploy` commits the site to "
                            f"the {BRANCH} branch of the site's repository (git init, commit, add a remote).")


def uncommitted_changes(root: Path) -> list[str]:
    """`git status` lines for changed tracked files and untracked files git does not ignore."""
    status = _git(root, "status", "--porcelain", "--untracked-files=all")
    if status.returncode != 0:
        raise DeployRefused(f"git status failed in {root}: {status.stderr.strip()}")
    return status.stdout.splitlines()


def check_clean_work_tree(root: Path) -> None:
    changes = uncommitted_changes(root)
    if not changes:
        return
    listed = "\n".join(f"  {line}" for line in changes[:LISTED_CHANGES])
    more = f"\n  ... and {len(changes) - LISTED_CHANGES} more" if len(changes) > LISTED_CHANGES else ""
    raise DeployRefused(f"the work tree has uncommitted changes; commit them (or stash them) first, so "
                        f"that the deployed site is the site of a commit:\n{listed}{more}")


def check_remote(root: Path, remote: str) -> None:
    if _git(root, "remote", "get-url", remote).returncode != 0:
        raise DeployRefused(f"the repository has no remote {remote!r} to push to; add it "
                            f"(git remote add {remote} URL), or use --no-push to update the local "
                            f"{BRANCH} branch only.")


def check_site_url(overrides: dict) -> None:
    """publishconf.py's fallback SITEURL is a placeholder: every link of a site built with it is wrong."""
    if not (overrides.get("SITEURL") or os.environ.get("SITEURL")):
        raise DeployRefused("SITEURL is not set: the production build makes absolute links from it. Set it to "
                            "the address the site is served at, e.g. "
                            "SITEURL=https://USER.github.io/REPO python3 -m invoke deploy")


def head_commit(root: Path) -> str:
    head = _git(root, "rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        raise DeployRefused("the repository has no commit yet; commit the site's sources first.")
    return head.stdout.strip()


def commit_to_branch(root: Path, output: Path, message: str, *, push: bool, remote: str = REMOTE) -> None:
    """ghp-import: replace the branch's tree with output/ (plus .nojekyll) and, with `push`, force-push it."""
    before = _git(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{BRANCH}").stdout.strip()
    command = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--branch", BRANCH, "--remote", remote,
               "--message", message]
    if push:
        # gh-pages holds build output, not history anyone edits: the newest deploy wins.
        command += ["--push", "--force"]
    done = subprocess.run([*command, str(output)], cwd=root, capture_output=True, text=True)
    after = _git(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{BRANCH}").stdout.strip()
    # ghp-import exits 0 even when git fast-import fails: a branch that did not move is the failure.
    if done.returncode != 0 or not after or after == before:
        details = (done.stderr + done.stdout).strip()
        raise DeployRefused(f"ghp-import could not {'push' if push else 'commit'} the site to {BRANCH}:\n{details}")


def deploy(root: Path, settings_file: str, output: Path, *, overrides: dict | None = None,
           push: bool = True, remote: str = REMOTE) -> BuildResult:
    """Check the repository, build with `build_then_swap`, commit output/ to gh-pages, push it."""
    root, overrides = Path(root), overrides or {}
    check_site_url(overrides)
    check_git_repository(root)
    check_clean_work_tree(root)
    if push:
        check_remote(root, remote)
    source = head_commit(root)
    result = build_then_swap(settings_file, os.fspath(output), overrides)
    if not result.ok:
        raise BuildFailed(result)
    commit_to_branch(root, Path(output), f"Site built from {source} by invoke deploy", push=push, remote=remote)
    return result
