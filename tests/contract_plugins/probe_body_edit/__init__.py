"""Edits every body after the reader, as a citation or numbering plugin does."""

from pelican import signals


def edit(generator):
    for article in generator.articles:
        article._content = article._content + '<p class="edited-by-plugin">edited</p>'


def register():
    signals.article_generator_finalized.connect(edit)
