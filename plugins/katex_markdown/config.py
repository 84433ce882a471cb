"""The plugin's settings, read once from Pelican's with documented defaults (see plugins/README.md)."""

import hashlib
import importlib.util
import json
import logging
import os
import sysconfig
from dataclasses import dataclass
from importlib import metadata as package_metadata
from pathlib import Path

from .latex_macros import DEFAULT_MACROS

logger = logging.getLogger(__name__)

DEFAULTS = {
    "typogrify": True,  # smart quotes, dashes, widows on prose; never inside code or math
    "workers": None,  # processes that render bodies in parallel; None: one per CPU core
    "parallel_threshold": 8,  # fewer bodies than this to render: render them in the build process
    "cache": True,  # keep rendered bodies and formulas in CACHE_PATH/katex_markdown.sqlite
    "cache_days": 7,  # a cached body that no build has used for more days than this is deleted
    "sidenotes": True,  # footnotes also shown as sidenotes in the right margin on wide screens
}
PLUGIN_DIR = Path(__file__).resolve().parent
_VERSIONED_PACKAGES = ("markdown", "pygments", "pymdown-extensions", "typogrify", "smartypants")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    """Everything a worker process needs to render a body; plain data, so it pickles."""

    markdown: dict
    macros: dict
    typogrify: bool
    sidenotes: bool
    summary_max_length: int | None
    workers: int
    parallel_threshold: int
    cache_file: str | None
    cache_days: int
    katex_version: str
    fingerprint: str  # changes whenever anything that shapes a rendered body changes


def katex_version() -> str:
    """KaTeX's version, found the way Node's require() would find the package from this folder."""
    for folder in [PLUGIN_DIR, *PLUGIN_DIR.parents]:
        manifest = folder / "node_modules" / "katex" / "package.json"
        if manifest.is_file():
            return json.loads(manifest.read_text())["version"]
    raise ConfigError(
        "KaTeX is not installed: run `npm ci` in the project folder (`invoke setup` does it)."
    )


def _code_fingerprint() -> str:
    digest = hashlib.sha256()
    for source in sorted(PLUGIN_DIR.glob("*.py")) + sorted(PLUGIN_DIR.glob("*.js")):
        digest.update(source.read_bytes())
    for package in _VERSIONED_PACKAGES:
        digest.update(f"{package}={package_metadata.version(package)};".encode())
    return digest.hexdigest()


def _installed_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple({os.path.realpath(paths[name]) + os.sep for name in ("stdlib", "purelib", "platlib")})


def _extension_code_fingerprint(markdown: dict) -> str:
    """The source of every Markdown extension that is not an installed package (a plugin's own
    extension, listed in MARKDOWN): installed ones are covered by their versions, these are not."""
    digest = hashlib.sha256()
    installed = _installed_roots()
    for extension in markdown.get("extensions", []):
        name = extension.partition(":")[0] if isinstance(extension, str) else type(extension).__module__
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue  # Markdown itself reports an extension it cannot load
        if spec is None or not spec.origin or os.path.realpath(spec.origin).startswith(installed):
            continue
        for source in sorted(Path(spec.origin).resolve().parent.glob("*.py")):
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _days(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"KATEX_MARKDOWN's cache_days must be a whole number of days, 0 or more; it is {value!r}")
    return value


def read_config(settings: dict) -> Config:
    options = dict(settings.get("KATEX_MARKDOWN", {}))
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise ConfigError(
            f"KATEX_MARKDOWN has unknown key(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}"
        )
    options = {**DEFAULTS, **options}
    markdown = settings["MARKDOWN"]
    macros = {**DEFAULT_MACROS, **settings.get("KATEX_MACROS", {})}
    version = katex_version()
    workers = options["workers"] or os.cpu_count() or 1
    shaping = {
        "markdown": markdown,
        "macros": macros,
        "typogrify": options["typogrify"],
        "sidenotes": options["sidenotes"],
        "summary": settings.get("SUMMARY_MAX_LENGTH"),
        "katex": version,
        "code": _code_fingerprint(),
        "extension_code": _extension_code_fingerprint(markdown),
    }
    fingerprint = hashlib.sha256(json.dumps(shaping, sort_keys=True, default=repr).encode()).hexdigest()
    cache_file = None
    if options["cache"]:
        cache_file = os.path.join(settings["CACHE_PATH"], "katex_markdown.sqlite")
    return Config(
        markdown=markdown,
        macros=macros,
        typogrify=bool(options["typogrify"]),
        sidenotes=bool(options["sidenotes"]),
        summary_max_length=settings.get("SUMMARY_MAX_LENGTH"),
        workers=int(workers),
        parallel_threshold=int(options["parallel_threshold"]),
        cache_file=cache_file,
        cache_days=_days(options["cache_days"]),
        # The server's options (trust, error colour) shape its output as much as KaTeX's version.
        katex_version=f"{version}+{hashlib.sha256((PLUGIN_DIR / 'katex_server.js').read_bytes()).hexdigest()[:16]}",
        fingerprint=fingerprint,
    )
