"""The plugin's settings, read once from Pelican's with documented defaults (see plugins/README.md)."""

from dataclasses import dataclass

NUMERIC, AUTHOR_YEAR = "numeric", "author-year"
STYLES = (NUMERIC, AUTHOR_YEAR)

DEFAULTS = {
    "style": NUMERIC,  # how in-post citations look: "numeric" [1] or "author-year" (Vaswani et al., 2017)
    "bib_paths": ["refs"],  # folders under PATH whose *.bib files every post can cite from
    # The absolute site URL for BibTeX and meta tags when SITEURL is not absolute (dev builds).
    "siteurl": None,
    "post_bib_save_as": "posts/{slug}/cite.bib",  # a post's own entry; {slug} and {key} are filled in
    "site_bib_save_as": "bibliography.bib",  # every post's entry
    "entry_type": "online",  # the BibTeX type of a post's entry
    "cite_posts": True,  # a "Cite this post" block on every post that does not say `Citation: no`
}


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    style: str
    bib_paths: tuple[str, ...]
    siteurl: str | None  # absolute, without a trailing slash; None when no absolute URL is known
    post_bib_save_as: str
    site_bib_save_as: str
    entry_type: str
    cite_posts: bool
    site_name: str
    default_author: str


def read_config(settings: dict) -> Config:
    options = dict(settings.get("CITE_BIBTEX") or {})
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"CITE_BIBTEX has unknown key(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    options = {**DEFAULTS, **options}
    if options["style"] not in STYLES:
        raise ConfigError(f"CITE_BIBTEX style {options['style']!r}: use one of {', '.join(STYLES)}")
    if "{slug}" not in options["post_bib_save_as"] and "{key}" not in options["post_bib_save_as"]:
        raise ConfigError("CITE_BIBTEX post_bib_save_as needs {slug} or {key}: every post gets its own file")
    return Config(
        style=options["style"],
        bib_paths=tuple(options["bib_paths"]),
        siteurl=absolute_siteurl(settings.get("SITEURL") or "", options["siteurl"]),
        post_bib_save_as=options["post_bib_save_as"],
        site_bib_save_as=options["site_bib_save_as"],
        entry_type=options["entry_type"],
        cite_posts=bool(options["cite_posts"]),
        site_name=settings.get("SITENAME") or "",
        default_author=settings.get("AUTHOR") or "",
    )


def absolute_siteurl(siteurl: str, fallback: str | None) -> str | None:
    """SITEURL when it is absolute (publish builds), else the fallback (dev builds use relative URLs)."""
    for candidate in (siteurl, fallback or ""):
        if candidate.startswith(("https://", "http://")):
            return candidate.rstrip("/")
    return None
