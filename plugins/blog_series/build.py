"""The plugin's signal handlers: the series of a build, and the links into them."""

from itertools import chain

from .catalog import build_catalog
from .links import Resolver, link_companions, resolve_references

CATALOG_KEY = "series_catalog"  # in the shared context: lookups for page references


def build_series(generator) -> None:
    """Series, parts, numbered sections, companions and references of the articles."""
    catalog = build_catalog(generator)
    resolver = Resolver(catalog)
    articles = [*generator.articles, *generator.hidden_articles, *generator.drafts]
    link_companions(articles, resolver, generator.context)
    resolve_references([*articles, *catalog.series], resolver)
    generator.context[CATALOG_KEY] = catalog
    generator.context["series_list"] = catalog.series


def resolve_page_references(generator) -> None:
    """`{series}` links in pages (About, ...), against the catalog the articles made."""
    catalog = generator.context.get(CATALOG_KEY)
    if catalog is not None:
        pages = chain(generator.pages, generator.hidden_pages, generator.draft_pages)
        resolve_references(pages, Resolver(catalog))
