"""Gives every article a value with no stable digest (an object whose repr is its address)."""

from pelican import signals


class Opaque:
    __slots__ = ()


def set_opaque(generator):
    for article in generator.articles:
        article.opaque = Opaque()


def register():
    signals.article_generator_finalized.connect(set_opaque)
