"""The inverted-index BM25 scorer gives rank-bm25's scores and rankings, exactly."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import Article, ChunkingConfig
from index import tokenize
from index.bm25 import Bm25Scorer
from index.errors import IndexDamagedError
from index.sparse import SPARSE_FILES, SparseBm25

QUESTIONS = [
    "how many missiles were launched",
    "how many people were injured in Kyiv",
    "drones intercepted by air defence",
    "embassy damaged",
    "Zelensky Trump Patriot",
    "a word no article has: zyzzyva",
]

# Small vocabularies make ties, repeated terms and negative IDFs (terms in most chunks) common.
chunk_terms = st.lists(
    st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]), min_size=0, max_size=12),
    min_size=1,
    max_size=40,
).filter(any)  # rank-bm25 itself divides by zero when no chunk has any term


@pytest.fixture(scope="module")
def seed_terms(bundled_articles: tuple[Article, ...]) -> list[list[str]]:
    return [tokenize(chunk.text) for a in bundled_articles for chunk in a.chunks(ChunkingConfig())]


def test_scores_equal_rank_bm25_on_the_seed_articles(seed_terms: list[list[str]]) -> None:
    reference, fast = Bm25Scorer(seed_terms), SparseBm25.from_terms(seed_terms)
    for question in QUESTIONS:
        terms = tokenize(question)
        expected = reference._model.get_scores(list(dict.fromkeys(terms)))
        assert np.array_equal(fast.scores(terms), expected), question
        assert fast.top(terms, 10) == reference.top(terms, 10), question
        assert fast.top(terms, 1000) == reference.top(terms, 1000), question
    for term in {t for terms in seed_terms for t in terms} | {"zyzzyva"}:
        assert fast.idf(term) == reference.idf(term)


@settings(max_examples=200, deadline=None)
@given(chunk_terms, st.lists(st.sampled_from(["a", "b", "c", "z"]), max_size=5), st.integers(1, 8))
def test_top_k_equals_rank_bm25_on_any_corpus(
    chunks: list[list[str]], query: list[str], n: int
) -> None:
    assert SparseBm25.from_terms(chunks).top(query, n) == Bm25Scorer(chunks).top(query, n)


def test_saved_index_loads_with_the_same_scores(
    seed_terms: list[list[str]], tmp_path: Path
) -> None:
    fast = SparseBm25.from_terms(seed_terms)
    assert fast.save(tmp_path) == list(SPARSE_FILES)
    loaded = SparseBm25.load(tmp_path, len(seed_terms))
    for question in QUESTIONS:
        terms = tokenize(question)
        assert loaded.top(terms, 20) == fast.top(terms, 20)
    assert loaded.postings == fast.postings > len(seed_terms)


def test_a_damaged_saved_index_is_refused(seed_terms: list[list[str]], tmp_path: Path) -> None:
    SparseBm25.from_terms(seed_terms).save(tmp_path)
    with pytest.raises(IndexDamagedError, match="does not match"):
        SparseBm25.load(tmp_path, len(seed_terms) + 1)
    (tmp_path / "bm25_tfs.npy").write_bytes(b"not numpy")
    with pytest.raises(IndexDamagedError, match="unreadable"):
        SparseBm25.load(tmp_path, len(seed_terms))


def test_postings_outside_the_chunks_are_found_by_verifying(
    seed_terms: list[list[str]], tmp_path: Path
) -> None:
    SparseBm25.from_terms(seed_terms).save(tmp_path)
    SparseBm25.load(tmp_path, len(seed_terms)).verify()
    chunks = np.load(tmp_path / "bm25_chunks.npy")
    chunks[-1] = len(seed_terms)
    np.save(tmp_path / "bm25_chunks.npy", chunks)
    loaded = SparseBm25.load(tmp_path, len(seed_terms))  # loading reads no posting
    with pytest.raises(IndexDamagedError, match="postings point outside the chunks"):
        loaded.verify()


def test_no_chunks_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one chunk"):
        SparseBm25.from_terms([])
