"""Adding, replacing and removing articles without re-embedding the others."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from corpus import Article, make_article
from index import (
    HashEmbedder,
    IndexDirectory,
    UnknownArticleError,
    build_index,
    open_index,
    update_index,
)

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


def vectors_by_chunk(index_dir: Path) -> dict[tuple[str, int], bytes]:
    index = open_index(index_dir, HashEmbedder())
    stored = index.vectors.reconstruct(range(len(index.chunks)))
    return {(c.doc_id, c.start): stored[i].tobytes() for i, c in enumerate(index.chunks)}


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
    assert "kharkiv-1" in open_index(built, HashEmbedder()).articles


def test_the_update_is_what_a_full_build_would_give(
    built: Path, tmp_path_factory: pytest.TempPathFactory, bundled_articles: tuple[Article, ...]
) -> None:
    update_index(built, HashEmbedder(), add=[NEW], remove=["001_9eba8f048c7db6ee"])
    fresh = tmp_path_factory.mktemp("fresh")
    expected = [a for a in bundled_articles if a.doc_id != "001_9eba8f048c7db6ee"] + [NEW]
    build_index(expected, fresh, HashEmbedder())
    assert vectors_by_chunk(built) == vectors_by_chunk(fresh)
    updated, rebuilt = open_index(built, HashEmbedder()), open_index(fresh, HashEmbedder())
    assert updated.manifest.articles == rebuilt.manifest.articles
    query = np.asarray(HashEmbedder().embed(["drones launched at Kharkiv"])[0])
    assert updated.bm25_top("drones Kharkiv", 5) == rebuilt.bm25_top("drones Kharkiv", 5)
    assert [updated.chunks[i] for i, _ in updated.dense_top(query, 3)] == [
        rebuilt.chunks[i] for i, _ in rebuilt.dense_top(query, 3)
    ]


def test_replacing_keeps_one_copy(built: Path) -> None:
    update_index(built, HashEmbedder(), add=[NEW])
    replaced = dataclasses.replace(NEW, text=NEW.text + " Two schools were damaged.")
    report = update_index(built, HashEmbedder(), add=[replaced])
    assert report.index.articles["kharkiv-1"].text.endswith("Two schools were damaged.")
    assert sum(c.doc_id == "kharkiv-1" for c in report.index.chunks) == len(
        replaced.chunks(report.index.manifest.chunking)
    )


def test_each_update_is_a_new_generation_and_the_old_one_goes(built: Path) -> None:
    before = IndexDirectory(built).live_generation()
    update_index(built, HashEmbedder(), remove=["004_72ab227803a444ef"])
    after = IndexDirectory(built).live_generation()
    assert after != before and not before.exists()
    assert "004_72ab227803a444ef" not in open_index(built, HashEmbedder()).articles


def test_removing_an_unknown_article_changes_nothing(built: Path) -> None:
    before = IndexDirectory(built).live_generation()
    with pytest.raises(UnknownArticleError, match="no-such-doc"):
        update_index(built, HashEmbedder(), remove=["no-such-doc"])
    assert IndexDirectory(built).live_generation() == before


def test_the_last_article_cannot_be_removed(tmp_path: Path) -> None:
    build_index([NEW], tmp_path, HashEmbedder())
    with pytest.raises(ValueError, match="no articles"):
        update_index(tmp_path, HashEmbedder(), remove=["kharkiv-1"])
