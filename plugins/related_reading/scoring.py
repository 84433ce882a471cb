"""Related posts: a score from shared tags and a shared series, highest first, ties newest first.

score(a, b) = (tags a and b share) + series_weight if both belong to the same series.
Only posts with a positive score are related. Pure functions over plain data (no Pelican).

A common tag is shared by hundreds of posts, so scoring every candidate one by one costs most of a
warm build at 1,000 posts. Instead each tag is a bitmask over the posts (bit i: the i-th post,
newest first), and a post's scores for all candidates at once are kept as bit-sliced counters:
plane k holds bit k of every candidate's score. Adding a tag's mask is a binary addition across
the planes; the best candidates are then the lowest bits of the highest score's mask.
"""

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """What scoring needs to know about a post."""

    key: Hashable  # anything unique
    tags: frozenset[str]  # tag slugs
    series: str  # series slug, "" when none
    order: tuple  # smaller is preferred on a tie: (-timestamp, source path)


def add_mask(planes: list[int], mask: int) -> None:
    """Adds one to the score of every candidate whose bit is set in `mask`."""
    carry = mask
    for k, plane in enumerate(planes):
        planes[k], carry = plane ^ carry, plane & carry
        if not carry:
            return
    planes.append(carry)


def with_score(planes: list[int], score: int, everyone: int) -> int:
    """The mask of the candidates whose score is exactly `score`."""
    mask = everyone
    for k, plane in enumerate(planes):
        mask &= plane if score >> k & 1 else ~plane
    return mask


def best_positions(planes: list[int], everyone: int, count: int) -> list[int]:
    """Up to `count` positions, highest score first, lowest position first on a tie."""
    found = []
    for score in range((1 << len(planes)) - 1, 0, -1):
        mask = with_score(planes, score, everyone)
        while mask and len(found) < count:
            lowest = mask & -mask
            found.append(lowest.bit_length() - 1)
            mask ^= lowest
        if len(found) == count:
            break
    return found


def related(pool: Sequence[Candidate], readers: Sequence[Candidate], count: int,
            series_weight: int) -> dict[Hashable, list[Hashable]]:
    """{reader key: the keys of its `count` most related posts of `pool`, best first}."""
    ranked = sorted(pool, key=lambda post: post.order)  # position in this list = rank on a tie
    position_of = {post.key: position for position, post in enumerate(ranked)}
    by_tag, by_series = defaultdict(int), defaultdict(int)
    for position, post in enumerate(ranked):
        for tag in post.tags:
            by_tag[tag] |= 1 << position
        if post.series:
            by_series[post.series] |= 1 << position
    all_posts = (1 << len(ranked)) - 1
    result = {}
    for post in readers:
        planes: list[int] = []
        for tag in post.tags:
            add_mask(planes, by_tag.get(tag, 0))
        for _ in range(series_weight if post.series else 0):
            add_mask(planes, by_series.get(post.series, 0))
        others = all_posts & ~(1 << position_of[post.key]) if post.key in position_of else all_posts
        result[post.key] = [ranked[position].key for position in best_positions(planes, others, count)]
    return result
