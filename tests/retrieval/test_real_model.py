"""Retrieval quality with the real all-MiniLM-L6-v2 model over the bundled articles."""

import json
from pathlib import Path

import pytest

from bench.retrieval_ranks import QUESTIONS, answer_ranks, format_table, read_questions
from bot.cli import main
from index import ChunkIndex
from index.onnx_embedder import OnnxEmbedder
from retrieval import HybridSearcher

pytestmark = pytest.mark.model


def test_search_json_finds_11_missiles_in_three_articles(
    minilm_index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "search",
        "how many missiles were launched",
        "--json",
        "--index-dir",
        str(minilm_index_dir),
    ]
    assert main(argv, environ={}) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["query"] == "how many missiles were launched"
    assert len(result["passages"]) == 10
    with_figure = {p["doc_id"] for p in result["passages"] if "11 missiles" in p["text"]}
    assert len(with_figure) >= 3, with_figure


def test_answering_passage_is_in_the_fused_top_5_nearly_always(
    minilm_index: ChunkIndex, minilm_embedder: OnnxEmbedder, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = read_questions(QUESTIONS)
    assert len(questions) >= 12
    rows = answer_ranks(HybridSearcher(minilm_index, minilm_embedder), questions)
    with capsys.disabled():  # the report is for the reader of the test run
        print("\nrank of the answering passage (fused, BM25 only, dense only):")
        print(format_table(rows))
    # Since captions are no longer indexed (issue 12), one question's passage ranks 6th: the
    # chunks of 001 were cut differently. Every passage stays in the top 10.
    missed = [(r.question, r.hybrid) for r in rows if r.hybrid is None or r.hybrid > 5]
    assert len(missed) <= 1, missed
    assert all(r.hybrid is not None and r.hybrid <= 10 for r in rows)
