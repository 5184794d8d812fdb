"""The inverted-index BM25 scorer gives rank-bm25's scores and rankings, exactly."""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import Article, ChunkingConfig
from index import tokenize
from index.bm25 import Bm25Scorer
from index.bm25_top import COMPILED_FROM, Accumulators, Bm25Kernel
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


@pytest.mark.parametrize("kernel", list(Bm25Kernel))
def test_scores_equal_rank_bm25_on_the_seed_articles(
    seed_terms: list[list[str]], kernel: Bm25Kernel
) -> None:
    reference, fast = Bm25Scorer(seed_terms), SparseBm25.from_terms(seed_terms)
    for question in QUESTIONS:
        terms = tokenize(question)
        expected = reference._model.get_scores(list(dict.fromkeys(terms)))
        assert np.array_equal(fast.scores(terms), expected), question
        assert fast.top(terms, 10, kernel) == reference.top(terms, 10), question
        assert fast.top(terms, 1000, kernel) == reference.top(terms, 1000), question
    for term in {t for terms in seed_terms for t in terms} | {"zyzzyva"}:
        assert fast.idf(term) == reference.idf(term)


@pytest.mark.parametrize("kernel", list(Bm25Kernel))
@settings(max_examples=200, deadline=None)
@given(chunk_terms, st.lists(st.sampled_from(["a", "b", "c", "z"]), max_size=5), st.integers(1, 50))
def test_top_k_equals_rank_bm25_on_any_corpus(
    kernel: Bm25Kernel, chunks: list[list[str]], query: list[str], n: int
) -> None:
    # n up to 50 is often more than the chunks the query matches: then all of them, no more.
    assert SparseBm25.from_terms(chunks).top(query, n, kernel) == Bm25Scorer(chunks).top(query, n)


def test_the_compiled_kernel_ranks_ties_by_position() -> None:
    # Equal chunks score equally; the ones in between do not match.
    chunks = [["a", "b"], ["c"], ["a", "b"], ["a", "b"], ["c"], ["b", "a"]]
    top = SparseBm25.from_terms(chunks).top(["b", "a"], 3, Bm25Kernel.COMPILED)
    assert [p for p, _ in top] == [0, 2, 3]
    assert len({s for _, s in top}) == 1


def test_the_compiled_kernel_scores_frequent_terms_and_long_chunks() -> None:
    chunks = [["a"] * 20 + ["b"], ["a", "b"] * 600, ["a"] * 15, ["b", "c"], ["c"] * 1100]
    for query in (["a"], ["b", "a"], ["c", "b"]):
        top = SparseBm25.from_terms(chunks).top(query, 5, Bm25Kernel.COMPILED)
        assert top == Bm25Scorer(chunks).top(query, 5), query


def test_queries_answered_at_once_from_threads_rank_as_one_at_a_time(
    seed_terms: list[list[str]],
) -> None:
    fast = SparseBm25.from_terms(seed_terms)
    queries = [tokenize(q) for q in QUESTIONS] * 40
    alone = [fast.top(q, 25, Bm25Kernel.COMPILED) for q in queries]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda q: fast.top(q, 25, Bm25Kernel.COMPILED), queries))
    assert together == alone
    assert together[0] == Bm25Scorer(seed_terms).top(queries[0], 25)


def test_a_burst_of_queries_at_once_leaves_only_a_few_score_buffers_kept() -> None:
    pool = Accumulators(1000, kept=2)
    burst = [pool.take() for _ in range(6)]  # six queries at once: six sets
    assert len({id(scores) for scores, _ in burst}) == 6
    for buffers in burst:
        pool.give(buffers)
    assert pool.free == 2  # the other four are dropped, not held for good
    reused = pool.take()
    assert any(reused[0] is scores for scores, _ in burst[:2])


ASK_ONCE = """
import json, sys
from index.bm25_top import COMPILED_FROM, asking_once
from index.sparse import SparseBm25
index = SparseBm25.from_terms([[f"t{i % 97}", f"u{i % 13}"] for i in range(COMPILED_FROM)])
asking_once()
print(json.dumps({"top": index.top(["t5", "u3"], 5), "numba": "numba" in sys.modules}))
"""


def test_a_process_asking_once_ranks_a_large_index_without_loading_the_compiled_kernel() -> None:
    # A one-off `crosscheck ask` would pay about a second to load numba's kernel for one query.
    done = subprocess.run([sys.executable, "-c", ASK_ONCE], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["numba"] is False
    large = SparseBm25.from_terms([[f"t{i % 97}", f"u{i % 13}"] for i in range(COMPILED_FROM)])
    assert [tuple(hit) for hit in printed["top"]] == large.top(["t5", "u3"], 5)


def test_the_default_kernel_follows_the_index_size() -> None:
    assert Bm25Kernel.for_positions(99_999) is Bm25Kernel.NUMPY
    assert Bm25Kernel.for_positions(100_000) is Bm25Kernel.COMPILED


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
