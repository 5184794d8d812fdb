"""bench/peers.py on a tiny archive made of the bundled articles: every table and every JSON
figure is there, the ratios agree with the p50s, recall is a share, and a peer that is not
installed is named and its part skipped."""

import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.peers import main
from corpus import Article

PEERS = {
    "bm25": ("bm25s_numba", "bm25s_numpy"),
    "dense": ("faiss_hnsw_flat", "faiss_hnsw_sq8"),
    "hybrid": ("txtai",),
}


@pytest.fixture
def data(tmp_path: Path, bundled_articles: tuple[Article, ...]) -> Path:
    """A ``--data`` folder whose Reuters and BBC files hold the bundled articles."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("reuters21578.jsonl.gz", "bbc_news.jsonl.gz"):
        with gzip.open(folder / name, "wt", encoding="utf-8") as handle:
            for number, article in enumerate(bundled_articles):
                record = {"id": str(number), "title": article.title, "text": article.text}
                handle.write(json.dumps(record) + "\n")
    return folder


def run(tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> dict[str, Any]:
    """Run the bench on ``data`` (1,500 chunks, 6 queries); its JSON report."""
    # The bench sets these (nothing may download); set here, they are restored after the test.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    report = tmp_path / "peers.json"
    arguments = ["--data", str(data), "--cache", str(tmp_path / "cache"), "--json", str(report)]
    assert main([*arguments, "--chunks", "1500", "--queries", "6", *extra]) == 0
    return dict(json.loads(report.read_text("utf-8")))


@pytest.mark.model
def test_every_part_prints_and_writes_every_figure(
    tmp_path: Path,
    data: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for peer in ("bm25s", "numba", "txtai"):
        pytest.importorskip(peer, reason=f"{peer} is in the bench extra: pip install -e '.[bench]'")
    report = run(
        tmp_path, data, monkeypatch, "--random-vectors", "--build-chunks", "24", "--runs", "1"
    )
    printed = capsys.readouterr().out

    machine = report["machine"]
    assert machine["cores"] >= 1 and "avx2" in machine["simd"]
    assert re.search(r"^# CPU: .+, \d+ cores; SIMD: avx2 (yes|no), avx512: ", printed, re.M)
    assert "## dense: 1,500 vectors of 384: random clustered unit vectors (--random-vectors)" in (
        printed
    )
    assert "## hybrid: the 186 real chunks (not copied, whatever --chunks says)" in printed
    for part, peers in PEERS.items():
        figures = report[part]
        assert figures["queries"] == 6
        ours = figures["crosscheck_p50_ms"]
        assert ours > 0
        for peer in peers:
            # BM25 runs each peer in its own pair with crosscheck: crosscheck's p50 in that pair.
            ours = figures.get("pairs", {}).get(peer, {}).get("crosscheck_p50_ms", ours)
            theirs = figures[f"{peer}_p50_ms"]
            ratios = figures["ratios"][peer]
            assert theirs > 0
            assert 0 < ratios["min"] <= ratios["median"] <= ratios["max"]
            assert figures["median_ratio"][peer] == ratios["median"]
            # Each query's time is at least min and at most max times the peer's, so are p50s.
            assert ratios["min"] * 0.999 <= ours / theirs <= ratios["max"] * 1.001
            # Printed to 2 places from the unrounded ratios, written to 4: equal within 0.005.
            rows = re.findall(r" (\d+\.\d\d) / (\d+\.\d\d) / (\d+\.\d\d)$", printed, re.M)
            written = (ratios["min"], ratios["median"], ratios["max"])
            assert any(
                all(abs(float(a) - b) <= 0.0051 for a, b in zip(row, written, strict=True))
                for row in rows
            ), (part, peer)
    for name, index in report["dense"]["indexes"].items():
        assert 0 <= index["recall_at_10"] <= 1, name
        assert index["disk_bytes_per_vector"] > 0 and index["build_s"] >= 0
        assert "rss_bytes_per_vector" in index
    assert report["dense"]["indexes"]["crosscheck"]["recall_at_10"] == 1.0  # exact at 1,500
    assert set(report["bm25"]["pairs"]) == set(PEERS["bm25"])
    assert (
        report["bm25"]["crosscheck_p50_ms"]
        == report["bm25"]["pairs"]["bm25s_numba"]["crosscheck_p50_ms"]
    )
    agreement = report["bm25"]["agreement"]
    assert agreement["ranks"] > 0 and agreement["score_share"] == 1.0
    assert report["bm25"]["build"]["ratio"] > 0
    assert 0 <= report["hybrid"]["overlap_at_10"] <= 1
    assert report["hybrid"]["txtai_index"].startswith("IDMap,Flat")  # txtai's own choice: small
    build = report["build"]
    assert build["chunks"] == 24
    for name in ("crosscheck_int8", "crosscheck_fp32", "sentence_transformers"):
        assert build[f"{name}_chunks_per_s"] > 0
    assert build["int8_ratio"] == pytest.approx(
        build["crosscheck_int8_chunks_per_s"] / build["sentence_transformers_chunks_per_s"],
        rel=0.01,
    )
    for label in (
        "crosscheck LayeredBm25.top",
        "bm25s 0.3.16 numba",
        "bm25s 0.3.16 numpy",
        "crosscheck SparseBm25.from_terms",
        "faiss HNSW32,Flat efSearch 192",
        "faiss HNSW32,SQ8 efSearch 192",
        "crosscheck HybridSearcher.search",
        "txtai 9.14.0 Embeddings(hybrid=True)",
        "crosscheck ONNX int8 (default)",
    ):
        assert f"\n{label} " in printed, label


def test_a_missing_peer_is_named_and_its_part_skipped(
    tmp_path: Path, data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes ``import bm25s`` raise ImportError, as if it were not installed.
    monkeypatch.setitem(sys.modules, "bm25s", None)
    monkeypatch.setitem(sys.modules, "txtai", None)
    report = run(tmp_path, data, monkeypatch, "--only", "bm25,hybrid")
    printed = capsys.readouterr().out

    for part, peer in (("bm25", "bm25s"), ("hybrid", "txtai")):
        message = f"{peer} not installed (pip install -e '.[bench]'): {part} part skipped"
        assert report[part] == {"skipped": message}
        assert f"\n## {part}: skipped: {message}\n" in printed
    assert "dense" not in report and "build" not in report
