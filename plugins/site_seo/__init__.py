"""site_seo: link previews, search-engine hints, sitemap.xml and robots.txt. See plugins/README.md."""

from pelican import signals

from .build import describe_site, finish_build, page_written, start_build

FRONT_MATTER_KEYS = ("image", "robots")


def register():
    signals.initialized.connect(start_build)
    # Static files are known only once every generator has read its content: `Image:` is
    # checked against them there, before any page is written.
    signals.all_generators_finalized.connect(describe_site)
    # page_writer sends this for every page of the build, rendered or unchanged.
    signals.content_written.connect(page_written)
    # After page_writer's own `finalized` handler has rendered the queued pages (site_seo comes
    # after page_writer in PLUGINS, and receivers run in the order they were connected).
    signals.finalized.connect(finish_build)
