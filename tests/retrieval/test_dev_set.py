"""The development set (qa/dev.jsonl) through the evaluation harness with the real model, held
to the thresholds in its header: every expected figure found with its documents, no wrong
figure, the conflict flag right, citations exact. Quote-only (non-numeric) pairs are held to the
level reached: choosing the sentence that answers "What is Germany considering buying?"
("Berlin was exploring ... purchasing more Patriot air defence systems") needs knowledge no
rule or small model here has.
"""

from pathlib import Path

import pytest

from bot.evaluation import LocalAnswerer, evaluate, read_qa_file
from bot.evaluation.report import format_table, gate
from index import ChunkIndex
from index.onnx_embedder import OnnxEmbedder
from retrieval import AnswerEngine

pytestmark = pytest.mark.model
DEV_SET = Path(__file__).resolve().parents[2] / "qa" / "dev.jsonl"


def test_the_set_is_large_and_varied() -> None:
    pairs = read_qa_file(DEV_SET).pairs
    tags = {tag for pair in pairs for tag in pair.tags}
    assert len(pairs) >= 40
    assert {"counts", "casualties", "durations", "damage", "non-numeric", "no-answer"} <= tags


def test_the_dev_set_meets_its_thresholds(
    minilm_index: ChunkIndex, minilm_embedder: OnnxEmbedder, capsys: pytest.CaptureFixture[str]
) -> None:
    qa = read_qa_file(DEV_SET)
    run = evaluate(qa, LocalAnswerer(minilm_index, AnswerEngine(minilm_index, minilm_embedder)))
    with capsys.disabled():
        print("\n" + format_table([run]))
    assert gate(run.summary, qa.thresholds) == []
