"""Related posts: a score from shared tags and a shared series, highest first, ties newest first.

score(a, b) = (tags a and b share) + series_weight if both belong to the same series.
Only posts with a positive score are related. Pure functions over plain data (no Pelican).
"""

import heapq
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


def related(pool: Sequence[Candidate], readers: Sequence[Candidate], count: int,
            series_weight: int) -> dict[Hashable, list[Hashable]]:
    """{reader key: the keys of its `count` most related posts of `pool`, best first}."""
    by_tag, by_series = defaultdict(list), defaultdict(list)
    for index, post in enumerate(pool):
        for tag in post.tags:
            by_tag[tag].append(index)
        if post.series:
            by_series[post.series].append(index)
    result = {}
    for post in readers:
        scores = defaultdict(int)
        for tag in post.tags:
            for other in by_tag.get(tag, ()):
                scores[other] += 1
        for other in by_series.get(post.series, ()) if post.series else ():
            scores[other] += series_weight
        best = heapq.nsmallest(
            count, (other for other, score in scores.items() if score > 0 and pool[other].key != post.key),
            key=lambda other: (-scores[other], pool[other].order),
        )
        result[post.key] = [pool[other].key for other in best]
    return result
