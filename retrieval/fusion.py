"""Reciprocal rank fusion.

Cormack, Clarke and Büttcher, "Reciprocal Rank Fusion outperforms Condorcet and individual Rank
Learning Methods", SIGIR 2009: score(d) = sum over rankings r of 1 / (k + rank_r(d)), ranks from 1.
The constant k = 60 is the paper's; it damps the weight of the very top ranks so that one
ranker's first place does not outvote agreement lower down.
"""

from collections.abc import Hashable, Sequence
from typing import TypeVar

RRF_K = 60

Key = TypeVar("Key", bound=Hashable)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Key]], k: int = RRF_K
) -> list[tuple[Key, float]]:
    """Fuse ranked lists (best first) into one list of ``(key, score)``, best first.

    A key missing from a ranking contributes nothing for it. Ties keep the order in which keys
    first appear across the rankings, so the result is deterministic.

    Raises:
        ValueError: ``k`` is negative.
    """
    if k < 0:
        raise ValueError(f"the RRF constant k must be >= 0, got {k}")
    scores: dict[Key, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    order = {key: position for position, key in enumerate(scores)}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))
