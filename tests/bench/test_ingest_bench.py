"""bench/ingest.py end to end on the bundled articles: a real server, every figure printed."""

import io
import re
from pathlib import Path

from bench.ingest import Options, run
from corpus import Article
from index import EmbedderKind

ROWS = (
    "articles",
    "build (bench's writer), s",
    "open: start to /health 200, s",
    "RSS at ready, MiB",
    "RSS warm (1 questions), MiB",
    "RSS warm per chunk, B",
    "chat p50 (warm-up questions), ms",
    "ingest p50, ms",
    "ingest p95, ms",
    "ingests done",
    "RSS after the ingests, MiB",
    "delete p50, ms",
    "delete p95, ms",
    "deletes done",
    "RSS after the deletes, MiB",
    "segment ingest p50 (in-process), ms",
    "segment ingest p95 (in-process), ms",
    "the write alone p50, ms",
    "the write alone p95, ms",
    "models reading it p50, ms",
    "segments N",
    "merge of the N segments, s",
    "search p50 with N segments, ms",
    "search p50 merged, ms",
    "search ratio segments/merged",
)


def test_prints_every_figure_of_every_size(
    tmp_path: Path, bundled_articles: tuple[Article, ...]
) -> None:
    seeds, archive = bundled_articles[:2], bundled_articles[2:]
    options = _options(tmp_path, runs=2, questions=1, max_seconds=120)
    out = io.StringIO()
    # 20 chunks cuts the archive; 100 copies it (the five articles hold 62).
    results = run(seeds, archive, [20, 100], options, "python -m bench.ingest test", out)
    printed = out.getvalue()

    assert [(f.chunks, f.articles) for f in results] == [(28, 2), (110, 9)]
    assert "# bench.ingest: python -m bench.ingest test" in printed
    assert "avx2 " in printed and "avx512f " in printed
    lines = {line[:36].strip(): line[36:].split() for line in printed.splitlines()}
    assert re.search(r"^ +28 chunks +110 chunks$", printed, re.MULTILINE)
    for row in ROWS:
        assert len(lines[row]) == 2, row
        assert "-" not in lines[row], row
    assert lines["ingests done"] == ["2", "2"] and lines["deletes done"] == ["2", "2"]
    assert lines["segments N"] == ["6", "6"]
    assert "embedding the article with hash (apart from the write): p50 " in printed
    assert "note: annotations by " in printed
    assert "did not" not in printed
    assert list((tmp_path / "indexes").iterdir()) == []


def test_a_stage_over_its_cap_is_cut_short_and_said(
    tmp_path: Path, bundled_articles: tuple[Article, ...]
) -> None:
    options = _options(tmp_path, runs=3, questions=0, max_seconds=0.001)
    out = io.StringIO()
    run(bundled_articles[:2], bundled_articles[2:], [20], options, "capped", out)
    printed = out.getvalue()

    assert "note: 28 chunks: did not open within 0 s" in printed
    lines = {line[:36].strip(): line[36:].split() for line in printed.splitlines()}
    assert lines["ingest p50, ms"] == ["-"]


def _options(tmp_path: Path, runs: int, questions: int, max_seconds: float) -> Options:
    """Options for the bundled articles: the hash embedder, annotated into ``tmp_path``."""
    return Options(
        runs=runs,
        questions=questions,
        max_seconds=max_seconds,
        cache=tmp_path / "cache",
        index_root=tmp_path / "indexes",
        keep=False,
        model=EmbedderKind.HASH,
        annotate=True,
        segments=6,
    )
