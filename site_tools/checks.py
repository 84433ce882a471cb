"""`invoke check`: the Nu HTML validator, an offline link check, feed validation, and the
workflow linters."""

import sys
from pathlib import Path

from site_tools.build import build


def publish_for_checks(root: Path) -> tuple[Path, list[str]]:
    """A production build (absolute URLs, feeds) in .cache/check/, with caches of its own so that
    the development build's records stay valid; (its output folder, its errors)."""
    folder = root / ".cache" / "check"
    result = build(str(root / "publishconf.py"),
                   {"OUTPUT_PATH": str(folder / "output"), "CACHE_PATH": str(folder / "cache")})
    return Path(result.output_path), result.errors


def _commands(root: Path, output: Path, published: Path) -> dict[str, str]:
    vnu = root / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    workflows = root / ".github" / "workflows"
    return {
        "HTML validation (Nu)": f"java -jar {vnu} --errors-only --skip-non-html {output}",
        "internal links (lychee)": (
            f"lychee --offline --no-progress --include-fragments --index-files index.html "
            f"--root-dir {output} '{output}/**/*.html'"
        ),
        "feeds (feedparser, production build)": f"{sys.executable} -m site_tools.feed_check {published}",
        # The whole .github folder: the workflows and dependabot.yml.
        "workflow security (zizmor)": f"zizmor --offline --no-progress {workflows.parent}",
        "workflow syntax (actionlint)": f"actionlint {workflows}/*.yml",
    }


def run_checks(c, root: Path, output: Path) -> list[str]:
    """Run every check, even after one fails; return the names of those that failed."""
    failures = []
    published, errors = publish_for_checks(root)
    if errors:
        print("\n== production build\n" + "\n".join(errors))
        failures.append("production build")
    for name, command in _commands(root, output.resolve(), published).items():
        print(f"\n== {name}")
        if not c.run(command, warn=True, pty=False).ok:
            failures.append(name)
    return failures
