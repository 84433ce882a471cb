"""content_checks: fails the build on content that would publish wrongly. See plugins/README.md."""

from pelican import signals

from .checks import report_broken_links, report_duplicate_urls


def register():
    # After every generator has read its content, before anything is written.
    signals.all_generators_finalized.connect(report_duplicate_urls)
    signals.all_generators_finalized.connect(report_broken_links)
