"""responsive_images: content images as WebP/AVIF variants in several widths, with srcset, sizes,
width and height; lazy below the first screen. See plugins/README.md."""

from pelican import signals

from .images import provide_generator, rewrite_images


def register():
    # all_generators_finalized: every body is read and every static file (the originals, with the
    # address each is published at) is known; no page is written yet.
    signals.all_generators_finalized.connect(rewrite_images)
    # Its generator copies the variants to output/ only once the build goes on to write (a build
    # stopped by content errors writes nothing), and removes those of images that are gone.
    signals.get_generators.connect(provide_generator)
