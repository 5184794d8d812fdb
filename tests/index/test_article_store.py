"""The article store: versions that each see their own rows, pages by doc id, and writes that
land whole or not at all."""

from pathlib import Path

import numpy as np
import pytest

from corpus import make_article
from index.article_store import ArticleStore, NewArticle
from index.errors import IndexDamagedError, IndexWriteError
from index.manifest import AnnotatorStamp
from index.stories import Story

STAMP = AnnotatorStamp("figures", "7")


def _new(doc_id: str, text: str, annotation: str | None = None) -> NewArticle:
    return NewArticle(
        make_article(doc_id, text, source="Wire"),
        np.ones(4, dtype=np.float32),
        frozenset({"kyiv"}),
        annotation,
    )


def test_each_version_sees_the_rows_of_its_sequence_numbers(tmp_path: Path) -> None:
    store = ArticleStore.create(tmp_path / "store-000001.sqlite")
    a, b = store.write(1, add=[_new("a", "Ten drones."), _new("b", "Two ships.")])
    store.write(2, add=[_new("a", "Eleven drones.")], remove=[a])
    store.write(3, remove=[b])
    first, second, third = store.visible(1), store.visible(2), store.visible(3)
    assert first["a"].text == "Ten drones." and second["a"].text == "Eleven drones."
    assert "b" in second and "b" not in third
    assert [len(first), len(second), len(third)] == [2, 2, 1]
    assert list(third) == ["a"]
    # A chunk of a replaced article is still read by key from the version that holds it.
    assert first.by_key(a).text == "Ten drones."
    assert second.removed_since(1) == [(a, 1)] and third.removed_since(2) == [(b, 1)]


def test_pages_go_by_doc_id_and_hold_every_article_once(tmp_path: Path) -> None:
    store = ArticleStore.create(tmp_path / "store-000001.sqlite")
    doc_ids = [f"doc-{n:03d}" for n in range(25)]
    store.write(1, add=[_new(d, f"Article {d} reports {n} drones.") for n, d in enumerate(doc_ids)])
    version = store.visible(1)
    seen, after = [], None
    while page := version.page(after, 10):
        seen.extend(a.doc_id for a in page)
        after = page[-1].doc_id
    assert seen == sorted(doc_ids)
    assert version.page("doc-999", 10) == []


def test_annotations_are_read_only_for_their_annotator_and_content(tmp_path: Path) -> None:
    store = ArticleStore.create(tmp_path / "store-000001.sqlite")
    store.write(1, add=[_new("a", "Ten drones.", '{"figures": [10]}')], annotator=STAMP)
    version = store.visible(1)
    assert version.annotation("a", STAMP) == {"figures": [10]}
    assert version.annotation("a", AnnotatorStamp("figures", "8")) is None
    assert version.reusable_annotation(make_article("a", "Ten drones.", source="Wire"), STAMP)
    assert version.reusable_annotation(make_article("a", "Nine drones."), STAMP) is None
    assert version.annotated(STAMP) == 1


def test_stories_are_versioned_like_articles(tmp_path: Path) -> None:
    store = ArticleStore.create(tmp_path / "store-000001.sqlite")
    store.write(1, add=[_new("a", "Ten drones."), _new("b", "Two ships.")])
    store.write(
        1, stories=[Story("s-a", "Drones", ("a",), ("Wire",)), Story("s-b", "Ships", ("b",), ())]
    )
    store.write(
        2, stories=[Story("s-a", "Drones", ("a", "b"), ("Wire",))], retire_stories=["s-a", "s-b"]
    )
    assert {s.id: s.articles for s in store.visible(1).stories().stories} == {
        "s-a": ("a",),
        "s-b": ("b",),
    }
    assert [s.articles for s in store.visible(2).story_records(1)] == [("a", "b")]
    assert store.visible(2).retired_stories(1) == {"s-a", "s-b"}


def test_rows_of_an_unpublished_write_are_taken_out(tmp_path: Path) -> None:
    store = ArticleStore.create(tmp_path / "store-000001.sqlite")
    (a,) = store.write(1, add=[_new("a", "Ten drones.")])
    store.write(2, add=[_new("b", "Two ships.")], remove=[a])
    store.discard_after(1)
    assert list(store.visible(5)) == ["a"] and store.last_sequence() == 1


def test_a_failed_write_changes_nothing(tmp_path: Path) -> None:
    store = ArticleStore.create(tmp_path / "store-000001.sqlite")
    store.write(1, add=[_new("a", "Ten drones.")])
    bad = NewArticle(make_article("b", "Two ships."), np.ones(4, dtype=np.float32), frozenset())
    with pytest.raises((IndexWriteError, TypeError)):
        # A story whose articles are not a sequence of text fails mid-transaction.
        store.write(2, add=[bad], stories=[Story("s", "S", (object(),), ())])  # type: ignore[arg-type]
    assert list(store.visible(9)) == ["a"]


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store-000001.sqlite"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(IndexDamagedError, match="unreadable"):
        len(ArticleStore(path).visible(1))
    with pytest.raises(IndexDamagedError):
        len(ArticleStore(tmp_path / "missing.sqlite").visible(1))
