"""bench/build.py: what storing the annotations costs on disk, read from the article store a
build writes, and the whole ``--corpus`` report on the bundled articles with the real model."""

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bench.build import _store_sizes, figures_cost
from corpus import Article, bundled_articles_dir
from index import HashEmbedder, build_index


class LengthAnnotator:
    """Annotates each article with the length of its text."""

    name = "length"
    version = "1"

    def annotate(self, articles: Sequence[Article]) -> list[dict[str, Any]]:
        return [{"length": len(a.text)} for a in articles]


def test_store_sizes_are_the_store_files_and_the_annotation_json(
    tmp_path: Path, bundled_articles: tuple[Article, ...], hash_embedder: HashEmbedder
) -> None:
    bare, annotated = tmp_path / "bare", tmp_path / "annotated"
    build_index(bundled_articles, bare, hash_embedder)
    build_index(bundled_articles, annotated, hash_embedder, annotator=LengthAnnotator())
    expected = sum(
        len(json.dumps({"length": len(a.text)}, separators=(",", ":"))) for a in bundled_articles
    )

    for folder, annotation_bytes in ((bare, 0), (annotated, expected)):
        files = sum(p.stat().st_size for p in folder.glob("store-*.sqlite*"))
        assert files > 0
        assert _store_sizes(folder) == (files, annotation_bytes)


@pytest.mark.model
def test_the_corpus_report_gives_the_store_on_disk_without_and_with_figures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert figures_cost(bundled_articles_dir(), 1, False) == 0
    printed = capsys.readouterr().out

    found = re.search(
        r"^article store on disk \(store-\*\.sqlite\*\): ([\d,]+) bytes without figures, "
        r"([\d,]+) with them: (-?\d+) bytes a chunk more \((\d+) chunks\)\n"
        r"  annotation JSON in the store: ([\d,]+) bytes, (\d+) a chunk$",
        printed,
        re.MULTILINE,
    )
    assert found is not None, printed
    bare, annotated, _, chunks, stored, per_chunk = (
        int(g.replace(",", "")) for g in found.groups()
    )
    assert annotated > bare > 0
    assert stored > 0 and per_chunk == round(stored / chunks)
