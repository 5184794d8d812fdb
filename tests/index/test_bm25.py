"""BM25 ranking agrees with rank-bm25's BM25Okapi scores."""

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.bm25 import Bm25Scorer

CHUNKS = [
    ["drone", "attack", "kyiv"],
    ["missil", "launch", "drone", "drone"],
    ["embassi", "damag"],
    ["missil", "intercept"],
    ["kyiv", "mayor", "hospit"],
]


def test_top_matches_reference_scores_and_order() -> None:
    query = ["drone", "missil"]
    reference = BM25Okapi(CHUNKS).get_scores(query)
    top = Bm25Scorer(CHUNKS).top(query, 10)
    matching = [i for i, chunk in enumerate(CHUNKS) if set(chunk) & set(query)]
    assert sorted(i for i, _ in top) == matching
    assert [s for _, s in top] == pytest.approx(sorted(reference[matching], reverse=True))
    for i, score in top:
        assert score == pytest.approx(reference[i])


def test_n_limits_and_unknown_terms_find_nothing() -> None:
    scorer = Bm25Scorer(CHUNKS)
    assert len(scorer.top(["drone", "missil", "kyiv"], 2)) == 2
    assert scorer.top(["tank"], 5) == []
    assert scorer.top([], 5) == []


def test_repeated_query_terms_count_once() -> None:
    scorer = Bm25Scorer(CHUNKS)
    assert scorer.top(["drone", "drone"], 5) == scorer.top(["drone"], 5)


def test_ties_break_by_chunk_order() -> None:
    scorer = Bm25Scorer([["a"], ["b"], ["a"], ["a"]])
    assert [i for i, _ in scorer.top(["a"], 3)] == [0, 2, 3]
    assert len({s for _, s in scorer.top(["a"], 3)}) == 1


def test_empty_corpus_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one chunk"):
        Bm25Scorer([])


def test_scores_are_finite_on_a_one_chunk_corpus() -> None:
    top = Bm25Scorer([["a", "b"]]).top(["a"], 1)
    assert [i for i, _ in top] == [0] and np.isfinite(top[0][1])
