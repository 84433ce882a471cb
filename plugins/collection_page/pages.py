"""The Pelican side: read the data file, join the posts, move the post list for a home
collection, and write one page per collection."""

import logging
import os
from itertools import chain

from pelican.generators import Generator

from .config import Config, read_config, unknown_settings
from .data import DataFile, read_data
from .join import Collection, Joiner

logger = logging.getLogger(__name__)
CONTEXT_KEY = "collections"


def check_settings(pelican) -> None:
    for name in unknown_settings(pelican.settings):
        logger.error("unknown setting %s (collection_page knows COLLECTIONS_FILE, COLLECTION_URL, "
                     "COLLECTION_SAVE_AS, COLLECTION_POSTS_URL)", name)


def _load(config: Config) -> DataFile | None:
    """The data file's collections, or None when there is no data file (a site without collections)."""
    if not os.path.exists(config.data_path):
        if config.data_file_set:
            logger.error("%s: COLLECTIONS_FILE names a file that does not exist", os.path.relpath(config.data_path))
        return None
    with open(config.data_path, encoding="utf-8") as data_file:
        return read_data(data_file.read())


def join_collections(generator) -> None:
    """Every collection with its posts, in the shared context; a home collection takes the root URL."""
    config = read_config(generator.settings)
    data = _load(config)
    generator.context[CONTEXT_KEY] = []
    if data is None:
        return
    where = os.path.relpath(config.data_path)
    for problem in data.problems:
        logger.error("%s:%d: %s", where, problem.line, problem.message)
    published = [a for a in chain(generator.articles, generator.hidden_articles) if a.status == "published"]
    joiner = Joiner(data, config, generator.settings["PATH"])
    collections = joiner.join(published, list(generator.drafts))
    for problem in joiner.problems:
        logger.error("%s", problem)
    for warning in joiner.warnings:
        logger.warning("%s", warning)
    generator.context[CONTEXT_KEY] = collections
    home = next((c for c in collections if c.home), None)
    if home is not None:
        _move_post_list(generator, home, config.posts_url)
    _add_to_menu(generator.context, collections)


def _move_post_list(generator, home: Collection, posts_url: str) -> None:
    """The home collection is written at the root: Pelican's post list moves to `posts_url`, and a
    menu entry that pointed at the root now points there."""
    # Read by generate_direct_templates (settings) and by templates (context) when pages are written.
    for target in (generator.settings, generator.context):
        target["INDEX_SAVE_AS"] = posts_url + "index.html"
        target["INDEX_URL"] = posts_url
    generator.context["MENUITEMS"] = tuple(
        (label, posts_url if path == "" else path) for label, path in generator.context.get("MENUITEMS", ())
    )


def _add_to_menu(context: dict, collections: list[Collection]) -> None:
    """The home collection first in the menu (its `menu` label, else its title); then every other
    collection that has a `menu` label."""
    entries = [(c.menu or c.title, c.url) for c in collections if c.home]
    entries += [(c.menu, c.url) for c in collections if c.menu and not c.home]
    context["MENUITEMS"] = tuple(entries) + tuple(context.get("MENUITEMS", ()))


class CollectionPagesGenerator(Generator):
    """One page per collection (template `collection.html`), like Pelican's tag pages."""

    def generate_output(self, writer) -> None:
        template = self.get_template("collection")
        for collection in self.context.get(CONTEXT_KEY, []):
            writer.write_file(
                collection.save_as, template, self.context, self.settings["RELATIVE_URLS"],
                url=collection.url, collection=collection,
            )


def provide_generator(pelican):
    return CollectionPagesGenerator
