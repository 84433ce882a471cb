"""Lists every page of the build it is told about, into <CACHE_PATH>/written.txt, as a sitemap does."""

import os

from pelican import signals


def start(pelican):
    pelican.settings["PROBE_WRITTEN"] = []


def written(path, context):
    context["PROBE_WRITTEN"].append(path)


def save(pelican):
    os.makedirs(pelican.settings["CACHE_PATH"], exist_ok=True)
    with open(os.path.join(pelican.settings["CACHE_PATH"], "written.txt"), "w", encoding="utf-8") as out:
        out.write("\n".join(sorted(pelican.settings["PROBE_WRITTEN"])))


def register():
    signals.initialized.connect(start)
    signals.content_written.connect(written)
    signals.finalized.connect(save)
