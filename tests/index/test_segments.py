"""Ingests and deletes as segments: scores stay those of a full build over the same articles,
a merge makes that full build, and nothing is lost when a writer dies."""

import os
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import Article, ChunkingConfig, make_article
from index import HashEmbedder, IndexDirectory, build_index, open_index, tokenize, update_index
from index.bm25 import Bm25Scorer
from index.bm25_top import Bm25Kernel
from index.chunk_index import ChunkIndex
from index.layers import LayeredBm25, Removed
from index.merge import merge_segments
from index.sparse import SparseBm25

QUESTIONS = [
    "how many missiles were launched",
    "how many people were injured in Kyiv",
    "drones intercepted by air defence",
    "ferry passengers rescued",
    "a word no article has: zyzzyva",
]
ROOT = Path(__file__).resolve().parents[2]

# Articles: lists of chunks, each a list of terms from a small vocabulary (ties, repeated
# terms and negative IDFs are common).
terms = st.lists(st.sampled_from(list("abcdefg")), min_size=1, max_size=10)
articles = st.lists(st.lists(terms, min_size=1, max_size=4), min_size=2, max_size=12)


@settings(max_examples=200, deadline=None)
@given(articles, st.data())
def test_layered_scores_are_rank_bm25_on_the_union(
    base: list[list[list[str]]], data: st.DataObject
) -> None:
    removed = data.draw(st.sets(st.integers(0, len(base) - 1), max_size=len(base) - 1))
    added = data.draw(st.lists(st.lists(terms, min_size=1, max_size=3), max_size=4))
    base_chunks = [chunk for article in base for chunk in article]
    owner = [a for a, article in enumerate(base) for _ in article]
    gone = [chunk for a in sorted(removed) for chunk in base[a]]
    frequencies = Counter(term for chunk in gone for term in set(chunk))
    hidden = np.array([p for p, a in enumerate(owner) if a in removed], dtype=np.int64)
    new_chunks = [chunk for article in added for chunk in article]
    layered = LayeredBm25(
        SparseBm25.from_terms(base_chunks),
        new_chunks,
        Removed(len(gone), sum(len(c) for c in gone), dict(frequencies)),
        hidden,
    )
    union = [c for c, a in zip(base_chunks, owner, strict=True) if a not in removed] + new_chunks
    live = [p for p in range(len(base_chunks) + len(new_chunks)) if p not in set(hidden.tolist())]
    reference = Bm25Scorer(union)
    query = data.draw(st.lists(st.sampled_from(list("abcz")), min_size=1, max_size=4))
    expected = reference._model.get_scores(list(dict.fromkeys(query)))
    scores = layered.scores(query)[live]
    if removed:
        # The floor for negative IDFs is a mean summed in another order: equal to the last bits.
        np.testing.assert_allclose(scores, expected, rtol=1e-12, atol=1e-12)
    else:
        assert np.array_equal(scores, expected)
    top = layered.top(query, 5)
    assert {p for p, _ in top} <= set(live)
    assert len(top) == len(reference.top(query, 5))
    assert layered.size == len(union)


@pytest.mark.parametrize("kernel", list(Bm25Kernel))
@settings(max_examples=150, deadline=None)
@given(articles, st.data())
def test_layered_top_k_skips_hidden_chunks_and_ranks_ties_by_position(
    kernel: Bm25Kernel, base: list[list[list[str]]], data: st.DataObject
) -> None:
    removed = data.draw(st.sets(st.integers(0, len(base) - 1), max_size=len(base) - 1))
    added = [
        c
        for a in data.draw(st.lists(st.lists(terms, min_size=1, max_size=3), max_size=4))
        for c in a
    ]
    base_chunks = [chunk for article in base for chunk in article]
    owner = [a for a, article in enumerate(base) for _ in article]
    gone = [chunk for a in sorted(removed) for chunk in base[a]]
    hidden = np.array([p for p, a in enumerate(owner) if a in removed], dtype=np.int64)
    frequencies = dict(Counter(term for chunk in gone for term in set(chunk)))
    removal = Removed(len(gone), sum(len(c) for c in gone), frequencies)
    layered = LayeredBm25(SparseBm25.from_terms(base_chunks), added, removal, hidden)
    query = data.draw(st.lists(st.sampled_from(list("abcz")), min_size=1, max_size=4))
    n = data.draw(st.integers(1, 60))
    scores = layered.scores(query)
    matched = [
        p
        for p, chunk in enumerate(base_chunks + added)
        if p not in set(hidden.tolist()) and set(chunk) & set(query)
    ]
    expected = sorted(((p, float(scores[p])) for p in matched), key=lambda h: (-h[1], h[0]))
    assert layered.top(query, n, kernel) == expected[:n]


# A wider vocabulary: two terms in most chunks (their IDF is rank-bm25's positive floor) and
# thirty rare ones, so IDFs are positive and the compiled kernel prunes the common terms.
wide_terms = st.lists(
    st.sampled_from(["a"] * 8 + ["b"] * 4 + [f"t{i}" for i in range(30)]), min_size=1, max_size=12
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(wide_terms, min_size=1, max_size=4), min_size=2, max_size=40), st.data())
def test_the_pruned_top_k_equals_scoring_every_chunk(
    base: list[list[list[str]]], data: st.DataObject
) -> None:
    removed = data.draw(st.sets(st.integers(0, len(base) - 1), max_size=len(base) - 1))
    added = [c for c in data.draw(st.lists(wide_terms, max_size=8))]
    base_chunks = [chunk for article in base for chunk in article]
    owner = [a for a, article in enumerate(base) for _ in article]
    gone = [chunk for a in sorted(removed) for chunk in base[a]]
    hidden = np.array([p for p, a in enumerate(owner) if a in removed], dtype=np.int64)
    frequencies = dict(Counter(term for chunk in gone for term in set(chunk)))
    removal = Removed(len(gone), sum(len(c) for c in gone), frequencies)
    layered = LayeredBm25(SparseBm25.from_terms(base_chunks), added, removal, hidden)
    vocabulary = ["a", "b", "z"] + [f"t{i}" for i in range(30)]
    query = data.draw(st.lists(st.sampled_from(vocabulary), min_size=1, max_size=8))
    scores = layered.scores(query)
    matched = [
        p
        for p, chunk in enumerate(base_chunks + added)
        if p not in set(hidden.tolist()) and set(chunk) & set(query)
    ]
    expected = sorted(((p, float(scores[p])) for p in matched), key=lambda h: (-h[1], h[0]))
    # From one chunk to more than the query matches.
    n = data.draw(st.integers(1, len(matched) + 3))
    assert layered.top(query, n, Bm25Kernel.COMPILED) == expected[:n]
    assert layered.top(query, n, Bm25Kernel.NUMPY) == expected[:n]


def test_the_pruned_top_k_equals_scoring_every_chunk_on_long_posting_lists() -> None:
    # Thousands of chunks over a Zipf vocabulary: common terms hold far more postings than the
    # chunks still in reach, so the kernel looks those chunks up one by one (binary search),
    # in the base and in the added layer, around removed articles.
    rng = np.random.default_rng(7)
    vocabulary = [f"w{i}" for i in range(400)]
    weights = 1.0 / np.arange(1, len(vocabulary) + 1)
    weights /= weights.sum()

    def chunks(count: int) -> list[list[str]]:
        sizes = rng.integers(3, 40, size=count)
        return [list(rng.choice(vocabulary, size=int(size), p=weights)) for size in sizes]

    base, added = chunks(6000), chunks(1500)
    gone = set(rng.choice(len(base), size=300, replace=False).tolist())
    frequencies = dict(Counter(t for p in sorted(gone) for t in set(base[p])))
    removal = Removed(len(gone), sum(len(base[p]) for p in gone), frequencies)
    hidden = np.array(sorted(gone), dtype=np.int64)
    layered = LayeredBm25(SparseBm25.from_terms(base), added, removal, hidden)
    for _ in range(150):
        query = list(rng.choice(vocabulary[:60], size=int(rng.integers(2, 9))))
        query += list(rng.choice(vocabulary, size=2, p=weights))
        for n in (1, 10, 100):
            numpy_top = layered.top(query, n, Bm25Kernel.NUMPY)
            assert layered.top(query, n, Bm25Kernel.COMPILED) == numpy_top, (query, n)


def _union_articles(index: ChunkIndex) -> list[Article]:
    """The live articles in the order a full build over them would take."""
    seen: dict[str, Article] = {}
    for position in range(len(index.chunks)):
        if position in set(index.bm25.hidden.tolist()):
            continue
        chunk = index.chunks[position]
        seen.setdefault(chunk.doc_id, index.articles[chunk.doc_id])
    return list(seen.values())


def _changed_index(tmp_path: Path, bundled: tuple[Article, ...]) -> ChunkIndex:
    """The bundled articles, then one added, one replaced and one deleted, each a segment."""
    embedder = HashEmbedder()
    build_index(bundled, tmp_path, embedder)
    added = make_article(
        "ferry",
        "A ferry carrying 212 passengers sank off the coast on Sunday. Coast guards said 180 "
        "passengers were rescued and 14 were missing. Drones searched the water overnight.",
        title="Ferry sinks",
        source="Coast Herald",
        date="2025-07-06",
    )
    update_index(tmp_path, embedder, add=[added])
    first = bundled[0]
    replaced = make_article(
        first.doc_id,
        first.text + " Officials later said 30 people were injured and 12 missiles launched.",
        title=first.title,
        source=first.source,
        date=first.date,
    )
    update_index(tmp_path, embedder, add=[replaced])
    update_index(tmp_path, embedder, remove=[bundled[1].doc_id])
    return open_index(tmp_path, embedder)


def test_segments_score_as_a_full_build_and_a_merge_is_one(
    tmp_path: Path, bundled_articles: tuple[Article, ...]
) -> None:
    embedder = HashEmbedder()
    index = _changed_index(tmp_path / "segments", bundled_articles)
    assert [s.name for s in index.segments] == ["seg-000002", "seg-000003", "seg-000004"]
    union = _union_articles(index)
    assert [a.doc_id for a in union] == [
        *(a.doc_id for a in bundled_articles[2:]),
        "ferry",
        bundled_articles[0].doc_id,
    ]
    build_index(union, tmp_path / "full", embedder)
    full = open_index(tmp_path / "full", embedder)
    live = [p for p in range(len(index.chunks)) if p not in set(index.bm25.hidden.tolist())]
    assert [index.chunks[p] for p in live] == list(full.chunks)
    assert index.chunk_count == full.chunk_count == len(live)
    reference = Bm25Scorer([tokenize(c.text) for c in full.chunks])
    for question in QUESTIONS:
        query = tokenize(question)
        expected = reference._model.get_scores(list(dict.fromkeys(query)))
        assert np.array_equal(index.bm25.scores(query)[live], expected), question
        assert np.array_equal(full.bm25.scores(query), expected), question
        ranked = [(live[p], s) for p, s in full.bm25_top(question, 10)]
        assert index.bm25_top(question, 10) == ranked, question
        vector = embedder.embed([question])[0]
        assert index.dense_top(vector, 5) == [(live[p], s) for p, s in full.dense_top(vector, 5)]
    for term in {t for c in full.chunks for t in tokenize(c.text)}:
        assert index.term_weight(term) == full.term_weight(term), term

    report = merge_segments(tmp_path / "segments", embedder)
    assert report is not None and report.segments == 3
    merged = open_index(tmp_path / "segments", embedder)
    assert merged.segments == () and merged.version == report.generation.name
    assert list(merged.chunks) == list(full.chunks)
    for question in QUESTIONS:
        query = tokenize(question)
        assert np.array_equal(merged.bm25.scores(query), full.bm25.scores(query)), question
        vector = embedder.embed([question])[0]
        assert merged.dense_top(vector, 5) == full.dense_top(vector, 5)
    assert dict(merged.articles.content_hashes()) == {a.doc_id: a.content_hash() for a in union}
    assert not (tmp_path / "segments" / "gen-000001").exists()
    assert sorted(p.name for p in (tmp_path / "segments").glob("seg-*")) == []


def test_an_ingest_is_a_segment_beside_the_same_base(
    tmp_path: Path, bundled_articles: tuple[Article, ...]
) -> None:
    embedder = HashEmbedder()
    build_index(bundled_articles, tmp_path, embedder)
    before = open_index(tmp_path, embedder)
    base_files = {p.name: p.stat().st_mtime_ns for p in before.generation.iterdir()}
    article = make_article("ferry", "A ferry named Zyzzyva sank off the coast.")
    after = update_index(tmp_path, embedder, add=[article], live=before).index
    assert after.generation == before.generation
    assert {p.name: p.stat().st_mtime_ns for p in after.generation.iterdir()} == base_files
    assert after.version == "seg-000002" and IndexDirectory(tmp_path).live_version() == "seg-000002"
    assert "ferry" in after.articles and "ferry" not in before.articles
    assert len(after.articles) == len(before.articles) + 1
    # The version a reader already holds still reads what it read.
    assert before.chunk_count == sum(len(a.chunks(ChunkingConfig())) for a in bundled_articles)
    assert before.bm25_top("zyzzyva", 3) == []
    assert after.chunks[after.bm25_top("zyzzyva", 1)[0][0]].doc_id == "ferry"


def test_a_merge_keeps_the_writes_made_while_it_ran(
    tmp_path: Path, bundled_articles: tuple[Article, ...]
) -> None:
    embedder = HashEmbedder()
    build_index(bundled_articles, tmp_path, embedder)
    update_index(tmp_path, embedder, add=[make_article("one", "One ferry sank off the coast.")])
    live = open_index(tmp_path, embedder)
    # A write lands after the merge read the index and before it publishes.
    update_index(tmp_path, embedder, add=[make_article("two", "Two drones hit a depot.")])
    report = merge_segments(tmp_path, embedder, live)
    assert report is None or report.segments >= 1
    index = open_index(tmp_path, embedder)
    assert "one" in index.articles and "two" in index.articles
    assert index.chunks[index.bm25_top("drones depot", 1)[0][0]].doc_id == "two"


_MERGE_THEN_HANG = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import index.merge as merge
    from index import HashEmbedder

    real = merge.write_base

    def slow(folder, *args, **kwargs):
        real(folder, *args, **kwargs)
        print("written", flush=True)
        time.sleep(60)

    merge.write_base = slow
    merge.merge_segments(Path(sys.argv[1]), HashEmbedder())
    """
)


def test_a_merge_killed_before_it_publishes_loses_nothing(
    tmp_path: Path, bundled_articles: tuple[Article, ...]
) -> None:
    index = _changed_index(tmp_path, bundled_articles)
    expected = dict(index.articles.content_hashes())
    process = subprocess.Popen(
        [sys.executable, "-c", _MERGE_THEN_HANG, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "written"
        assert any(p.name.startswith("gen-") and ".tmp-" in p.name for p in tmp_path.iterdir())
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
    embedder = HashEmbedder()
    survived = open_index(tmp_path, embedder)
    assert survived.version == index.version and len(survived.segments) == 3
    assert dict(survived.articles.content_hashes()) == expected
    # The next writer clears the dead merge's folder, and a merge then completes.
    update_index(tmp_path, embedder, add=[make_article("late", "A late report of 3 drones.")])
    assert not any(".tmp-" in p.name for p in tmp_path.iterdir())
    assert merge_segments(tmp_path, embedder) is not None
    merged = open_index(tmp_path, embedder)
    assert merged.segments == () and "late" in merged.articles
    assert len(merged.articles) == len(expected) + 1


def test_rows_of_a_write_killed_before_it_published_are_invisible_and_cleared(
    tmp_path: Path, bundled_articles: tuple[Article, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = HashEmbedder()
    build_index(bundled_articles, tmp_path, embedder)

    def die(self: IndexDirectory, temporary: Path) -> None:
        raise KeyboardInterrupt  # as if killed after the store committed its rows

    monkeypatch.setattr(IndexDirectory, "publish_segment", die)
    with pytest.raises(KeyboardInterrupt):
        update_index(tmp_path, embedder, add=[make_article("ghost", "Nine drones flew.")])
    monkeypatch.undo()
    index = open_index(tmp_path, embedder)
    assert "ghost" not in index.articles and index.segments == ()
    assert len(index.articles) == len(bundled_articles)
    real = update_index(tmp_path, embedder, add=[make_article("real", "Nine drones flew.")])
    assert "ghost" not in real.index.articles and "real" in real.index.articles
    rows = real.index.base.store.query("SELECT doc_id FROM articles WHERE doc_id = 'ghost'")
    assert rows == []


def test_a_deleted_article_is_never_found_again(
    tmp_path: Path, bundled_articles: tuple[Article, ...]
) -> None:
    embedder = HashEmbedder()
    build_index(bundled_articles, tmp_path, embedder)
    gone = bundled_articles[0]
    index = update_index(tmp_path, embedder, remove=[gone.doc_id]).index
    assert gone.doc_id not in index.articles
    for question in [gone.title or "", *QUESTIONS]:
        hits = index.bm25_top(question, 50) + index.dense_top(embedder.embed([question])[0], 50)
        assert all(index.chunks[p].doc_id != gone.doc_id for p, _ in hits)
    with pytest.raises(KeyError):
        index.stories.story_of(gone.doc_id)
