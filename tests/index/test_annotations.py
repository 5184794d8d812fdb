"""Annotations stored with the index: made once per article by an annotator when it is indexed,
kept in the article store beside the article, reused for unchanged articles, and read back
only when made by the annotator version the base generation's manifest names."""

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from corpus import Article, make_article
from index import (
    AnnotatorStamp,
    ChunkIndex,
    HashEmbedder,
    IndexDamagedError,
    IndexDirectory,
    build_index,
    open_index,
    update_index,
)
from index.embedders import Vectors
from index.merge import merge_segments

NEW = make_article(
    "kharkiv-1", "Russia launched 40 drones at Kharkiv overnight. Three people were hurt."
)


class LengthAnnotator:
    """A stand-in annotator: each article's length and first word, recording what it saw."""

    name = "length"

    def __init__(self, version: str = "1") -> None:
        self.version = version
        self.seen: list[str] = []

    def annotate(self, articles: Sequence[Article]) -> list[dict[str, Any]]:
        self.seen.extend(a.doc_id for a in articles)
        return [expected(a, self.version) for a in articles]


def expected(article: Article, version: str = "1") -> dict[str, Any]:
    return {"length": len(article.text), "first": article.text.split()[0], "version": version}


class CountingEmbedder(HashEmbedder):
    """The stand-in embedder, counting the texts it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.embedded += len(texts)
        return super().embed(texts)


@pytest.fixture
def annotated(tmp_path: Path, bundled_articles: tuple[Article, ...]) -> Path:
    build_index(bundled_articles, tmp_path, HashEmbedder(), annotator=LengthAnnotator())
    return tmp_path


def live(index_dir: Path) -> Path:
    return IndexDirectory(index_dir).live_generation()


def stored(index: ChunkIndex) -> dict[str, tuple[str | None, Any]]:
    """What the article store holds for each article this version sees, whichever annotator
    made it: the annotator ("name/version") and the annotation (None: none)."""
    found = {}
    for doc_id in index.articles:
        row = index.articles.stored(doc_id)
        assert row is not None
        [(annotator, text)] = index.articles.store.query(
            "SELECT annotator, annotation FROM articles WHERE key = ?", [row.key]
        )
        found[doc_id] = (annotator, None if text is None else json.loads(text))
    return found


def test_a_build_stores_one_annotation_per_article_with_its_annotator(
    annotated: Path, bundled_articles: tuple[Article, ...]
) -> None:
    index = open_index(annotated, HashEmbedder())
    assert index.manifest.annotator == AnnotatorStamp("length", "1")
    for article in bundled_articles:
        assert index.annotation(article.doc_id) == expected(article)
    assert index.annotation("no-such-doc") is None
    manifest = json.loads((live(annotated) / "manifest.json").read_text())
    assert manifest["annotator"] == {"name": "length", "version": "1"}
    assert stored(index) == {a.doc_id: ("length/1", expected(a)) for a in bundled_articles}


def test_a_build_without_an_annotator_has_no_annotations(
    tmp_path: Path, bundled_articles: tuple[Article, ...]
) -> None:
    build_index(bundled_articles, tmp_path, HashEmbedder())
    index = open_index(tmp_path, HashEmbedder())
    assert index.manifest.annotator is None
    assert index.annotation(bundled_articles[0].doc_id) is None
    assert stored(index) == {a.doc_id: (None, None) for a in bundled_articles}
    assert json.loads((live(tmp_path) / "manifest.json").read_text())["annotator"] is None


def test_an_annotated_index_is_up_to_date_for_the_same_annotator_version(
    annotated: Path, bundled_articles: tuple[Article, ...]
) -> None:
    annotator = LengthAnnotator()
    before = live(annotated)
    assert not build_index(bundled_articles, annotated, HashEmbedder(), annotator=annotator).built
    assert annotator.seen == [] and live(annotated) == before


@pytest.mark.parametrize("version", ["2", None], ids=["another version", "no annotator"])
def test_new_annotations_are_made_without_embedding_again(
    annotated: Path, bundled_articles: tuple[Article, ...], version: str | None
) -> None:
    before = open_index(annotated, HashEmbedder())
    vectors = before.vectors.reconstruct(range(len(before.chunks)))
    embedder = CountingEmbedder()
    annotator = None if version is None else LengthAnnotator(version)
    report = build_index(bundled_articles, annotated, embedder, annotator=annotator)
    assert report.built and embedder.embedded == 0
    after = open_index(annotated, HashEmbedder())
    assert (after.vectors.reconstruct(range(len(after.chunks))) == vectors).all()
    assert after.stories.stories == before.stories.stories
    assert list(after.chunks) == list(before.chunks)
    for article in bundled_articles:
        want = None if version is None else expected(article, version)
        assert after.annotation(article.doc_id) == want
    if annotator is not None:
        assert sorted(annotator.seen) == sorted(a.doc_id for a in bundled_articles)


def test_an_update_annotates_only_the_articles_it_adds(
    annotated: Path, bundled_articles: tuple[Article, ...]
) -> None:
    kept = stored(open_index(annotated, HashEmbedder()))
    annotator = LengthAnnotator()
    update_index(annotated, HashEmbedder(), add=[NEW], annotator=annotator)
    assert annotator.seen == ["kharkiv-1"]
    index = open_index(annotated, HashEmbedder())
    assert {k: v for k, v in stored(index).items() if k in kept} == kept, "kept as they were"
    assert index.annotation("kharkiv-1") == expected(NEW)
    assert all(index.annotation(a.doc_id) == expected(a) for a in bundled_articles)

    replaced = dataclasses.replace(NEW, text="Kharkiv was hit again. " + NEW.text)
    update_index(annotated, HashEmbedder(), add=[replaced], annotator=annotator)
    assert annotator.seen == ["kharkiv-1", "kharkiv-1"]
    assert open_index(annotated, HashEmbedder()).annotation("kharkiv-1") == expected(replaced)

    removed = bundled_articles[0].doc_id
    index = update_index(annotated, HashEmbedder(), remove=[removed], annotator=annotator).index
    assert annotator.seen == ["kharkiv-1", "kharkiv-1"]
    assert index.annotation(removed) is None
    assert index.articles.annotated(AnnotatorStamp("length", "1")) == len(bundled_articles)


def test_an_update_by_another_annotator_version_is_used_after_the_next_build(
    annotated: Path, bundled_articles: tuple[Article, ...]
) -> None:
    # The index reads the annotations of the annotator its base names: an ingest with a newer
    # version stores one for what it adds, which is used once a build has annotated the rest.
    newer = LengthAnnotator("2")
    index = update_index(annotated, HashEmbedder(), add=[NEW], annotator=newer).index
    assert newer.seen == ["kharkiv-1"]
    assert index.manifest.annotator == AnnotatorStamp("length", "1")
    assert stored(index)["kharkiv-1"] == ("length/2", expected(NEW, "2"))
    assert index.annotation("kharkiv-1") is None
    assert all(index.annotation(a.doc_id) == expected(a) for a in bundled_articles)

    assert merge_segments(annotated, HashEmbedder()) is not None
    everything = [*bundled_articles, NEW]
    embedder = CountingEmbedder()
    assert build_index(everything, annotated, embedder, annotator=newer).built
    assert embedder.embedded == 0
    assert sorted(newer.seen) == sorted(["kharkiv-1", *(a.doc_id for a in bundled_articles)])
    index = open_index(annotated, HashEmbedder())
    assert index.manifest.annotator == AnnotatorStamp("length", "2")
    assert all(index.annotation(a.doc_id) == expected(a, "2") for a in everything)


def test_an_update_without_an_annotator_stores_none_for_what_it_adds(
    annotated: Path, bundled_articles: tuple[Article, ...]
) -> None:
    index = update_index(annotated, HashEmbedder(), add=[NEW]).index
    assert index.manifest.annotator == AnnotatorStamp("length", "1")
    assert index.annotation("kharkiv-1") is None and stored(index)["kharkiv-1"] == (None, None)
    assert all(index.annotation(a.doc_id) == expected(a) for a in bundled_articles)

    assert merge_segments(annotated, HashEmbedder()) is not None
    annotator = LengthAnnotator()
    everything = [*bundled_articles, NEW]
    assert build_index(everything, annotated, HashEmbedder(), annotator=annotator).built
    assert annotator.seen == ["kharkiv-1"]
    index = open_index(annotated, HashEmbedder())
    assert all(index.annotation(a.doc_id) == expected(a) for a in everything)


def test_a_version_keeps_reading_its_annotations_after_updates_and_a_merge(
    annotated: Path, bundled_articles: tuple[Article, ...]
) -> None:
    old = open_index(annotated, HashEmbedder())
    first = bundled_articles[0]
    update_index(annotated, HashEmbedder(), add=[NEW], annotator=LengthAnnotator())
    update_index(annotated, HashEmbedder(), remove=[first.doc_id])
    assert merge_segments(annotated, HashEmbedder()) is not None
    assert not old.generation.exists()
    assert old.annotation("kharkiv-1") is None, "added after it"
    assert old.annotation(first.doc_id) == expected(first), "removed after it"
    now = open_index(annotated, HashEmbedder())
    assert now.annotation("kharkiv-1") == expected(NEW) and now.annotation(first.doc_id) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1]", "the annotation of '{}' is malformed"),
        ('{"length": ', "the annotation of '{}' is not JSON"),
    ],
    ids=["not an object", "not JSON"],
)
def test_a_malformed_stored_annotation_is_refused_when_read(
    annotated: Path,
    bundled_articles: tuple[Article, ...],
    change_store: Callable[..., None],
    text: str,
    message: str,
) -> None:
    damaged, intact = bundled_articles[0], bundled_articles[1]
    change_store(
        annotated, "UPDATE articles SET annotation = ? WHERE doc_id = ?", text, damaged.doc_id
    )
    with pytest.raises(IndexDamagedError, match=message.format(damaged.doc_id)):
        open_index(annotated, HashEmbedder()).annotation(damaged.doc_id)
    assert open_index(annotated, HashEmbedder()).annotation(intact.doc_id) == expected(intact)


def test_lost_annotations_are_made_again_by_the_next_build(
    annotated: Path, bundled_articles: tuple[Article, ...], change_store: Callable[..., None]
) -> None:
    lost = bundled_articles[3]
    change_store(
        annotated,
        "UPDATE articles SET annotator = NULL, annotation = NULL WHERE doc_id = ?",
        lost.doc_id,
    )
    assert open_index(annotated, HashEmbedder()).annotation(lost.doc_id) is None
    annotator, embedder = LengthAnnotator(), CountingEmbedder()
    assert build_index(bundled_articles, annotated, embedder, annotator=annotator).built
    assert annotator.seen == [lost.doc_id] and embedder.embedded == 0
    index = open_index(annotated, HashEmbedder())
    assert all(index.annotation(a.doc_id) == expected(a) for a in bundled_articles)


def test_an_annotator_that_returns_too_few_annotations_changes_nothing(
    annotated: Path, bundled_articles: tuple[Article, ...]
) -> None:
    class Forgetful(LengthAnnotator):
        def annotate(self, articles: Sequence[Article]) -> list[dict[str, Any]]:
            return super().annotate(articles)[1:]

    before = live(annotated)
    with pytest.raises(ValueError, match="annotator 'length' returned 4 annotations for 5"):
        build_index(bundled_articles, annotated, HashEmbedder(), annotator=Forgetful("2"))
    assert live(annotated) == before
    index = open_index(annotated, HashEmbedder())
    assert all(index.annotation(a.doc_id) == expected(a) for a in bundled_articles)
