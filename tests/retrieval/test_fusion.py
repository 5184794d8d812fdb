"""Reciprocal rank fusion on rankings small enough to work out by hand."""

import pytest

from retrieval import reciprocal_rank_fusion


def test_scores_are_sums_of_reciprocal_ranks() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)
    assert fused["d"] == pytest.approx(1 / 62)


def test_agreement_outranks_a_single_first_place() -> None:
    # b is second in both lists: 2/62 = 0.03226 beats a's 1/61 + 1/65 = 0.03177.
    fused = reciprocal_rank_fusion([["a", "b", "c", "d", "e"], ["x", "b", "y", "z", "a"]])
    assert [key for key, _ in fused][:2] == ["b", "a"]


def test_ties_keep_first_appearance_order() -> None:
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "a"]], k=0)
    assert [key for key, _ in fused] == ["a", "b"]
    assert fused[0][1] == fused[1][1] == pytest.approx(1.5)


def test_empty_rankings_fuse_to_nothing() -> None:
    assert reciprocal_rank_fusion([[], []]) == []


def test_negative_constant_is_refused() -> None:
    with pytest.raises(ValueError, match="k must be >= 0, got -1"):
        reciprocal_rank_fusion([["a"]], k=-1)
