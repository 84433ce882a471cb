"""Sets `article.probe` from content/probe.txt: data that no post's source holds."""

import os

from pelican import signals

FRONT_MATTER_KEYS = ("probe_key",)


def set_probe(generator):
    with open(os.path.join(generator.settings["PATH"], "probe.txt"), encoding="utf-8") as source:
        value = source.read().strip()
    for article in generator.articles + generator.drafts:
        article.probe = {"value": value, "neighbour": generator.articles[0]}


def register():
    signals.article_generator_finalized.connect(set_probe)
