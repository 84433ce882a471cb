"""The tags index: every tag by name with its number of posts, and a weight for a tag cloud."""

import logging
import math
from dataclasses import dataclass

from pelican.urlwrappers import Tag

logger = logging.getLogger(__name__)

DEFAULTS = {
    "cloud": False,  # show the tags index as a cloud (font size by weight) rather than a list
}
WEIGHTS = 5  # cloud weights: 1 (fewest posts) .. 5 (most), on a log scale; post-list.css sizes each


@dataclass(frozen=True)
class TagEntry:
    """One line of the tags index."""

    tag: Tag
    count: int  # published posts with this tag
    weight: int  # 1 .. WEIGHTS


def read_options(settings: dict) -> dict:
    options = dict(settings.get("TAG_INDEX", {}))
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        logger.error("TAG_INDEX has unknown key(s) %s; known: %s", ", ".join(unknown), ", ".join(DEFAULTS))
    return {**DEFAULTS, **options}


def weight(count: int, fewest: int, most: int, weights: int) -> int:
    """1 for the rarest tag, `weights` for the most used, logarithmic in between."""
    if most <= fewest:
        return 1
    share = (math.log(count) - math.log(fewest)) / (math.log(most) - math.log(fewest))
    return 1 + math.floor(share * (weights - 1) + 0.5)


def tag_entries(tags: dict, weights: int = WEIGHTS) -> list[TagEntry]:
    """Entries for `tags` ({Tag: [posts]}), sorted by name, case-insensitively."""
    counts = {tag: len(posts) for tag, posts in tags.items() if posts}
    if not counts:
        return []
    fewest, most = min(counts.values()), max(counts.values())
    entries = [TagEntry(tag, count, weight(count, fewest, most, weights)) for tag, count in counts.items()]
    return sorted(entries, key=lambda entry: (entry.tag.name.casefold(), entry.tag.slug))


def publish_index(generator) -> None:
    """`tag_index` and `tag_cloud` in the shared context, for tags.html."""
    options = read_options(generator.settings)
    generator.context["tag_index"] = tag_entries(generator.tags)
    generator.context["tag_cloud"] = bool(options["cloud"])
