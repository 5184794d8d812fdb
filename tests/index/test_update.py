"""Adding, replacing and removing articles without re-embedding the others: each update is a
segment beside the base generation, until a merge folds the segments into a new base."""

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from corpus import Article, Chunk, make_article
from index import (
    ChunkIndex,
    HashEmbedder,
    IndexDirectory,
    UnknownArticleError,
    build_index,
    open_index,
    update_index,
)
from index.merge import merge_segments

NEW = make_article(
    "kharkiv-1", "Russia launched 40 drones at Kharkiv overnight. Three people were hurt."
)


class CountingEmbedder(HashEmbedder):
    """The stand-in embedder, counting the texts it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.embedded += len(texts)
        return super().embed(texts)


@pytest.fixture
def built(tmp_path: Path, bundled_articles: tuple[Article, ...]) -> Path:
    build_index(bundled_articles, tmp_path, HashEmbedder())
    return tmp_path


def live_positions(index: ChunkIndex) -> list[int]:
    """The positions of the chunks a search can return: not those of removed articles."""
    hidden = set(index.bm25.hidden.tolist())
    return [p for p in range(len(index.chunks)) if p not in hidden]


def live_chunks(index: ChunkIndex) -> list[Chunk]:
    return [index.chunks[p] for p in live_positions(index)]


def vectors_by_chunk(index_dir: Path) -> dict[tuple[str, int], bytes]:
    index = open_index(index_dir, HashEmbedder())
    positions = live_positions(index)
    stored = index.vectors.reconstruct(positions)
    return {
        (index.chunks[p].doc_id, index.chunks[p].start): stored[i].tobytes()
        for i, p in enumerate(positions)
    }


def test_adding_embeds_only_the_new_article(built: Path) -> None:
    before = vectors_by_chunk(built)
    embedder = CountingEmbedder()
    report = update_index(built, embedder, add=[NEW])
    assert report.added == ("kharkiv-1",)
    assert report.embedded_chunks == len(NEW.chunks(report.index.manifest.chunking))
    # and its story profile (title and lead), one more text
    assert embedder.embedded == report.embedded_chunks + 1
    after = vectors_by_chunk(built)
    assert {k: v for k, v in after.items() if k[0] != "kharkiv-1"} == before
    assert open_index(built, HashEmbedder()).articles["kharkiv-1"] == NEW


def test_the_update_is_what_a_full_build_would_give(
    built: Path, tmp_path_factory: pytest.TempPathFactory, bundled_articles: tuple[Article, ...]
) -> None:
    update_index(built, HashEmbedder(), add=[NEW], remove=["001_9eba8f048c7db6ee"])
    fresh = tmp_path_factory.mktemp("fresh")
    expected = [a for a in bundled_articles if a.doc_id != "001_9eba8f048c7db6ee"] + [NEW]
    build_index(expected, fresh, HashEmbedder())
    assert vectors_by_chunk(built) == vectors_by_chunk(fresh)
    updated, rebuilt = open_index(built, HashEmbedder()), open_index(fresh, HashEmbedder())
    assert dict(updated.articles) == dict(rebuilt.articles) == {a.doc_id: a for a in expected}
    assert live_chunks(updated) == list(rebuilt.chunks)
    assert updated.chunk_count == rebuilt.chunk_count
    query = np.asarray(HashEmbedder().embed(["drones launched at Kharkiv"])[0])
    for question in ["drones Kharkiv", "missiles launched", "people were hurt"]:
        assert [(updated.chunks[i], s) for i, s in updated.bm25_top(question, 5)] == [
            (rebuilt.chunks[i], s) for i, s in rebuilt.bm25_top(question, 5)
        ]
    assert [updated.chunks[i] for i, _ in updated.dense_top(query, 3)] == [
        rebuilt.chunks[i] for i, _ in rebuilt.dense_top(query, 3)
    ]


def test_replacing_keeps_one_copy(built: Path, bundled_articles: tuple[Article, ...]) -> None:
    update_index(built, HashEmbedder(), add=[NEW])
    replaced = dataclasses.replace(NEW, text=NEW.text + " Two schools were damaged.")
    report = update_index(built, HashEmbedder(), add=[replaced])
    assert report.index.articles["kharkiv-1"].text.endswith("Two schools were damaged.")
    assert len(report.index.articles) == len(bundled_articles) + 1
    assert sum(c.doc_id == "kharkiv-1" for c in live_chunks(report.index)) == len(
        replaced.chunks(report.index.manifest.chunking)
    )
    hits = [report.index.chunks[p] for p, _ in report.index.bm25_top("drones Kharkiv hurt", 50)]
    found = [c for c in hits if c.doc_id == "kharkiv-1"]
    assert found == replaced.chunks(report.index.manifest.chunking), "never the replaced text"


def test_each_update_is_a_segment_beside_the_same_base_until_a_merge(built: Path) -> None:
    directory = IndexDirectory(built)
    base = directory.live_generation()
    first = update_index(built, HashEmbedder(), remove=["004_72ab227803a444ef"])
    second = update_index(built, HashEmbedder(), add=[NEW])
    state = directory.live_state()
    assert state.base == base and base.is_dir()
    assert [s.name for s in state.segments] == [first.index.version, second.index.version]
    assert all(s.name.startswith("seg-") and s.is_dir() for s in state.segments)
    assert (built / "CURRENT").read_text().split() == [base.name, *state.names()[1:]]
    assert directory.live_version() == second.index.version != first.index.version
    index = open_index(built, HashEmbedder())
    assert index.version == second.index.version and index.generation == base
    assert "004_72ab227803a444ef" not in index.articles and "kharkiv-1" in index.articles

    report = merge_segments(built, HashEmbedder())
    assert report is not None and report.segments == 2
    merged_state = directory.live_state()
    assert merged_state.segments == () and merged_state.base == report.generation != base
    assert not base.exists() and not any(s.exists() for s in state.segments)
    merged = open_index(built, HashEmbedder())
    assert merged.version == report.generation.name
    assert dict(merged.articles) == dict(index.articles)
    assert list(merged.chunks) == live_chunks(index) and report.chunks == index.chunk_count
    assert merged.manifest.store == index.manifest.store, "a merge keeps the article store"
    assert merge_segments(built, HashEmbedder()) is None, "nothing left to merge"


def test_a_version_loaded_before_a_merge_still_answers_after_its_folders_go(built: Path) -> None:
    update_index(built, HashEmbedder(), add=[NEW])
    old = open_index(built, HashEmbedder())
    expected = [(old.chunks[p], s) for p, s in old.bm25_top("drones Kharkiv", 5)]
    assert merge_segments(built, HashEmbedder()) is not None
    update_index(built, HashEmbedder(), remove=["kharkiv-1"])
    assert not old.generation.exists() and not any(s.path.exists() for s in old.segments)
    assert [(old.chunks[p], s) for p, s in old.bm25_top("drones Kharkiv", 5)] == expected
    assert old.articles["kharkiv-1"] == NEW
    assert "kharkiv-1" not in open_index(built, HashEmbedder()).articles


def test_removing_an_unknown_article_changes_nothing(
    built: Path, published: Callable[[Path], set[str]]
) -> None:
    before = published(built)
    current = (built / "CURRENT").read_text()
    with pytest.raises(UnknownArticleError, match="no-such-doc"):
        update_index(built, HashEmbedder(), remove=["no-such-doc"])
    assert (built / "CURRENT").read_text() == current
    assert published(built) == before


def test_the_last_article_cannot_be_removed(tmp_path: Path) -> None:
    build_index([NEW], tmp_path, HashEmbedder())
    current = (tmp_path / "CURRENT").read_text()
    with pytest.raises(ValueError, match="no articles"):
        update_index(tmp_path, HashEmbedder(), remove=["kharkiv-1"])
    assert (tmp_path / "CURRENT").read_text() == current
    assert list(open_index(tmp_path, HashEmbedder()).articles) == ["kharkiv-1"]
