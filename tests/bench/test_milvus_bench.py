"""bench/milvus.py end to end on the bundled articles: a real Milvus Lite server, every figure
printed for both backends, the server stopped and the folders removed."""

import io
import json
import re
from pathlib import Path

from bench.milvus import LABEL, Options, run
from corpus import Article

STAGES = ("BM25 top 50", "dense top 50", "hybrid top 10", "ingest", "delete")


def test_prints_every_figure_of_both_backends(
    tmp_path: Path, bundled_articles: tuple[Article, ...]
) -> None:
    seeds, archive = bundled_articles[:2], bundled_articles[2:]
    options = Options(
        chunks=100,  # copies the archive (the five articles hold 62 chunks)
        queries=4,
        ingests=2,
        cache=tmp_path / "cache",
        index_root=tmp_path / "indexes",
        json=tmp_path / "figures.json",
        annotate=True,
    )
    out = io.StringIO()
    figures = run(seeds, archive, options, "python -m bench.milvus test", out)
    printed = out.getvalue()

    assert (figures.chunks, figures.articles) == (110, 9)
    assert (figures.milvus_chunks, figures.milvus_articles) == (110, 9)
    assert "# bench.milvus: python -m bench.milvus test" in printed
    assert "avx2 " in printed and "avx512f " in printed and "load average " in printed
    assert "embedder hash (the hash embedder, 64 dimensions" in printed
    lines = {line[:LABEL].strip(): line[LABEL:].split() for line in printed.splitlines()}
    assert re.search(r"^ +embedded +Milvus Lite$", printed, re.MULTILINE)
    assert lines["articles"] == ["9", "9"] and lines["chunks"] == ["110", "110"]
    for stage in STAGES:
        for share in ("p50", "p95"):
            row = lines[f"{stage} {share}, ms"]
            assert len(row) == 2 and "-" not in row, (stage, share, row)
        ratio = lines[f"ratio {stage}"]
        assert len(ratio) == 1 and ratio[0].endswith("x"), (stage, ratio)
    for row in ("load: bench's writer / migrate, s", "open, s", "on disk, MiB"):
        assert len(lines[row]) == 2 and "-" not in lines[row], row
    assert lines["server RSS after the load, MiB"][0] == "-"
    for overlap in ("overlap by doc id", "overlap by original article"):
        shares = r" +mean [01]\.\d\d +median [01]\.\d\d +all same \d+%$"
        assert re.search(f"^{overlap}{shares}", printed, re.MULTILINE), overlap
    assert [len(figures.embedded.hybrid), len(figures.milvus.hybrid)] == [4, 4]
    assert [len(figures.embedded.ingest), len(figures.milvus.delete)] == [2, 2]
    assert "note: annotations by " in printed

    written = json.loads(options.json.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert set(written["summary"]) == {"bm25", "dense", "hybrid", "ingest", "delete"}
    assert all(v is not None for row in written["summary"].values() for v in row.values())
    assert written["figures"]["milvus"]["ingest"] == figures.milvus.ingest

    assert figures.server_pid is not None
    assert not Path(f"/proc/{figures.server_pid}").exists()
    assert list((tmp_path / "indexes").iterdir()) == []
