"""The plugin's settings, read once per build with documented defaults (see plugins/README.md)."""

import os
from dataclasses import dataclass

DEFAULTS = {
    "COLLECTIONS_FILE": "collections.toml",  # the data file, relative to PATH (the content folder)
    "COLLECTION_URL": "{slug}/",  # a collection that is not the home page
    "COLLECTION_SAVE_AS": "{slug}/index.html",
    "COLLECTION_POSTS_URL": "posts/",  # where the date list of posts moves when a collection is the home page
}
_PREFIXES = ("COLLECTION_", "COLLECTIONS_")


@dataclass(frozen=True)
class Config:
    data_path: str
    data_file_set: bool  # COLLECTIONS_FILE was set: a missing file is an error, not "no collections"
    url: str
    save_as: str
    posts_url: str

    def location(self, slug: str) -> tuple[str, str]:
        return self.url.format(slug=slug), self.save_as.format(slug=slug)


def unknown_settings(settings: dict) -> list[str]:
    return sorted(name for name in settings if name.startswith(_PREFIXES) and name not in DEFAULTS)


def read_config(settings: dict) -> Config:
    values = {name: settings.get(name, default) for name, default in DEFAULTS.items()}
    posts_url = values["COLLECTION_POSTS_URL"].strip("/") + "/"
    return Config(
        data_path=os.path.join(settings["PATH"], values["COLLECTIONS_FILE"]),
        data_file_set="COLLECTIONS_FILE" in settings,
        url=values["COLLECTION_URL"],
        save_as=values["COLLECTION_SAVE_AS"],
        posts_url=posts_url,
    )
