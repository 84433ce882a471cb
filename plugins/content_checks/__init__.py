"""content_checks: fails the build on content that would publish wrongly. See plugins/README.md."""

from pelican import signals

from .checks import check_content


def register():
    # After every generator has read its content (so {static}/{attach} targets are registered as
    # static files), before any output: StaticGenerator copies in generate_output, which comes later.
    signals.all_generators_finalized.connect(check_content)
