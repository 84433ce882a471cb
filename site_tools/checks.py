"""`invoke check`: the Nu HTML validator, an offline link check, and the workflow linters."""

from pathlib import Path


def _commands(root: Path, output: Path) -> dict[str, str]:
    vnu = root / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    workflows = root / ".github" / "workflows"
    return {
        "HTML validation (Nu)": f"java -jar {vnu} --errors-only --skip-non-html {output}",
        "internal links (lychee)": (
            f"lychee --offline --no-progress --include-fragments --index-files index.html "
            f"--root-dir {output} '{output}/**/*.html'"
        ),
        # The whole .github folder: the workflows and dependabot.yml.
        "workflow security (zizmor)": f"zizmor --offline --no-progress {workflows.parent}",
        "workflow syntax (actionlint)": f"actionlint {workflows}/*.yml",
    }


def run_checks(c, root: Path, output: Path) -> list[str]:
    """Run every check, even after one fails; return the names of those that failed."""
    failures = []
    for name, command in _commands(root, output.resolve()).items():
        print(f"\n== {name}")
        if not c.run(command, warn=True, pty=False).ok:
            failures.append(name)
    return failures
