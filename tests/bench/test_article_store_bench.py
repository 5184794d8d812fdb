"""bench/article_store.py: format 4's JSONL article file as it was written and read, and every
store of the comparison written and probed on copies of the bundled articles."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bench.article_store import (
    PAGE,
    STORES,
    WRITERS,
    _copied,
    probe,
    read_articles,
    write_articles,
)
from corpus import Article, Boilerplate, BoilerplateKind


def test_the_jsonl_file_is_format_4s_and_reads_back_whole(
    tmp_path: Path, bundled_articles: tuple[Article, ...]
) -> None:
    first = bundled_articles[0]
    marked = replace(
        first,
        source="Example Wire",
        date="2025-03-01",
        url="https://example.com/a",
        boilerplate=(Boilerplate(0, 5, BoilerplateKind.DATE_HEADER),),
    )
    articles = [marked, *bundled_articles[1:]]
    path = tmp_path / "articles.jsonl"

    write_articles(path, articles)

    lines = path.read_text("utf-8").splitlines()
    assert json.loads(lines[0]) == {
        "doc_id": marked.doc_id,
        "source": "Example Wire",
        "date": "2025-03-01",
        "title": marked.title,
        "url": "https://example.com/a",
        "boilerplate": [[0, 5, "date_header"]],
        "text": marked.text,
    }
    assert read_articles(path) == {a.doc_id: a for a in articles}


@pytest.mark.parametrize("store", STORES)
def test_each_store_reads_every_article_and_a_page(
    tmp_path: Path, bundled_articles: tuple[Article, ...], store: str
) -> None:
    articles = list(_copied(bundled_articles, 30))
    doc_ids = sorted(a.doc_id for a in articles)
    assert len(doc_ids) > PAGE + 1
    WRITERS[store](tmp_path, articles)

    # The page is read after the first id asked for: the smallest, so a whole page follows.
    measured = probe(store, tmp_path, [doc_ids[0], *doc_ids[::7]])

    assert set(measured) == {"open", "rss", "p50", "p95", "page"}
    assert all(value >= 0 for key, value in measured.items() if key != "rss")
