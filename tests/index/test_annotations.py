"""Annotations stored with the index: made once per article by an annotator when it is indexed,
kept for unchanged articles by updates, checked like every other file (sizes on load, digests
on verifying)."""

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from corpus import Article, make_article
from index import (
    AnnotatorStamp,
    HashEmbedder,
    IndexDamagedError,
    IndexDirectory,
    Manifest,
    build_index,
    open_index,
    update_index,
    verify_index,
)
from index.annotations import ANNOTATIONS_FILE, Annotations
from index.embedders import Vectors

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


def test_a_build_stores_one_annotation_per_article_listed_in_the_manifest(
    annotated: Path, bundled_articles: tuple[Article, ...]
) -> None:
    index = open_index(annotated, HashEmbedder())
    assert index.manifest.annotator == AnnotatorStamp("length", "1")
    for article in bundled_articles:
        assert index.annotation(article.doc_id) == expected(article)
    assert index.annotation("no-such-doc") is None
    manifest = json.loads((live(annotated) / "manifest.json").read_text())
    assert manifest["annotator"] == {"name": "length", "version": "1"}
    path = live(annotated) / ANNOTATIONS_FILE
    assert manifest["files"][ANNOTATIONS_FILE]["bytes"] == path.stat().st_size
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["doc_id"] for line in lines] == [a.doc_id for a in bundled_articles]
    assert all(set(line) == {"doc_id", "data"} for line in lines)


def test_a_build_without_an_annotator_has_no_annotations(
    tmp_path: Path, bundled_articles: tuple[Article, ...]
) -> None:
    build_index(bundled_articles, tmp_path, HashEmbedder())
    index = open_index(tmp_path, HashEmbedder())
    assert index.manifest.annotator is None and index.annotations is None
    assert index.annotation(bundled_articles[0].doc_id) is None
    assert not (live(tmp_path) / ANNOTATIONS_FILE).exists()
    assert "annotator" in json.loads((live(tmp_path) / "manifest.json").read_text())


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
    assert after.stories == before.stories and list(after.chunks) == list(before.chunks)
    for article in bundled_articles:
        want = None if version is None else expected(article, version)
        assert after.annotation(article.doc_id) == want
    if annotator is not None:
        assert sorted(annotator.seen) == sorted(a.doc_id for a in bundled_articles)


def test_an_update_annotates_only_the_articles_it_adds(
    annotated: Path, bundled_articles: tuple[Article, ...]
) -> None:
    stored = (live(annotated) / ANNOTATIONS_FILE).read_bytes().splitlines()
    annotator = LengthAnnotator()
    update_index(annotated, HashEmbedder(), add=[NEW], annotator=annotator)
    assert annotator.seen == ["kharkiv-1"]
    lines = (live(annotated) / ANNOTATIONS_FILE).read_bytes().splitlines()
    assert lines[: len(stored)] == stored, "kept annotations are copied as they were"
    index = open_index(annotated, HashEmbedder())
    assert index.annotation("kharkiv-1") == expected(NEW)
    assert all(index.annotation(a.doc_id) == expected(a) for a in bundled_articles)

    replaced = dataclasses.replace(NEW, text="Kharkiv was hit again. " + NEW.text)
    update_index(annotated, HashEmbedder(), add=[replaced], annotator=annotator)
    assert annotator.seen == ["kharkiv-1", "kharkiv-1"]
    assert open_index(annotated, HashEmbedder()).annotation("kharkiv-1") == expected(replaced)

    removed = bundled_articles[0].doc_id
    index = update_index(annotated, HashEmbedder(), remove=[removed], annotator=annotator).index
    assert annotator.seen == ["kharkiv-1", "kharkiv-1"]
    assert index.annotation(removed) is None and len(index.annotations or ()) == 5


def test_an_update_by_another_annotator_version_leaves_the_rest_to_the_next_build(
    annotated: Path, bundled_articles: tuple[Article, ...]
) -> None:
    newer = LengthAnnotator("2")
    index = update_index(annotated, HashEmbedder(), add=[NEW], annotator=newer).index
    assert newer.seen == ["kharkiv-1"]
    assert index.manifest.annotator == AnnotatorStamp("length", "2")
    assert index.annotation("kharkiv-1") == expected(NEW, "2")
    assert all(index.annotation(a.doc_id) is None for a in bundled_articles)

    everything = [*bundled_articles, NEW]
    assert build_index(everything, annotated, HashEmbedder(), annotator=newer).built
    assert sorted(newer.seen) == sorted(["kharkiv-1", *(a.doc_id for a in bundled_articles)])
    index = open_index(annotated, HashEmbedder())
    assert all(index.annotation(a.doc_id) == expected(a, "2") for a in everything)


def test_an_update_without_an_annotator_drops_the_annotations(annotated: Path) -> None:
    index = update_index(annotated, HashEmbedder(), add=[NEW]).index
    assert index.manifest.annotator is None and index.annotation("kharkiv-1") is None
    assert not (index.generation / ANNOTATIONS_FILE).exists()


def test_annotations_stay_readable_after_their_generation_is_replaced(annotated: Path) -> None:
    old = open_index(annotated, HashEmbedder())
    update_index(annotated, HashEmbedder(), add=[NEW], annotator=LengthAnnotator())
    assert not old.generation.exists()
    assert old.annotation("kharkiv-1") is None
    assert old.annotation("000_c9b33be09081a972") is not None


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _drop_annotator(path: Path) -> None:
    # Written through ``Manifest.write``, so that its checksum matches and what is read is
    # the inconsistency.
    dataclasses.replace(Manifest.read(path), annotator=None).write(path)


@pytest.mark.parametrize(
    ("file", "damage", "message"),
    [
        (ANNOTATIONS_FILE, _truncate, "annotations.jsonl has .* bytes, the manifest says"),
        (ANNOTATIONS_FILE, Path.unlink, "annotations.jsonl is missing"),
        ("manifest.json", _drop_annotator, "lists annotations without their annotator"),
    ],
)
def test_damaged_annotations_are_refused_with_a_rebuild_hint(
    annotated: Path, file: str, damage: Callable[[Path], object], message: str
) -> None:
    damage(live(annotated) / file)
    with pytest.raises(IndexDamagedError, match=f"{message}.*crosscheck index --rebuild"):
        open_index(annotated, HashEmbedder())


def test_a_changed_byte_in_the_annotations_is_found_by_verifying(annotated: Path) -> None:
    # The size is unchanged: opening does not read the file through, verifying does.
    _flip_byte(live(annotated) / ANNOTATIONS_FILE)
    with pytest.raises(
        IndexDamagedError,
        match=r"annotations\.jsonl does not match its checksum.*crosscheck index --rebuild",
    ):
        verify_index(annotated)


def test_damaged_annotations_are_made_again_by_the_next_build(
    annotated: Path, bundled_articles: tuple[Article, ...]
) -> None:
    _truncate(live(annotated) / ANNOTATIONS_FILE)
    annotator = LengthAnnotator()
    assert build_index(bundled_articles, annotated, HashEmbedder(), annotator=annotator).built
    index = open_index(annotated, HashEmbedder())
    assert all(index.annotation(a.doc_id) == expected(a) for a in bundled_articles)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"doc_id":"a","data":{}}\n{"data":{},"doc_id":"b"}\n', "line 2 does not start"),
        ('{"doc_id":"a","data":{}}\n' * 2, "line 2 annotates 'a', .* annotated before"),
        ('{"doc_id":"z","data":{}}\n', "line 1 annotates 'z', which is not an article"),
        ('{"doc_id":"a","data":{}}\n{"doc_id":"b","data":{}}', "line 2 does not start"),
    ],
    ids=["no doc id first", "twice", "unknown article", "no end of line"],
)
def test_a_malformed_annotations_file_is_refused(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / ANNOTATIONS_FILE
    path.write_text(content)
    with pytest.raises(IndexDamagedError, match=message):
        Annotations.open(path, AnnotatorStamp("length", "1"), {"a": "x", "b": "y"})


def test_a_malformed_line_is_refused_when_read(tmp_path: Path) -> None:
    path = tmp_path / ANNOTATIONS_FILE
    path.write_text('{"doc_id":"a","data":[1]}\n{"doc_id":"b","data":{\n')
    annotations = Annotations.open(path, AnnotatorStamp("length", "1"), {"a": "x", "b": "y"})
    with pytest.raises(IndexDamagedError, match="annotation of 'a' is malformed"):
        annotations.get("a")
    with pytest.raises(IndexDamagedError, match="annotation of 'b' is not JSON"):
        annotations.get("b")


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
