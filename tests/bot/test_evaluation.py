"""The evaluation harness: metrics on cases worked out by hand, the file format, the gate, and a
deliberately wrong answer engine that must score low and fail the gate."""

import json
import math
from pathlib import Path
from typing import Any

import pytest

from bot.evaluation import (
    EvalFormatError,
    Expectation,
    ExpectedFigure,
    LocalAnswerer,
    QAPair,
    evaluate,
    read_qa_file,
    score_answer,
    summarize,
)
from bot.evaluation.report import gate
from index import ChunkIndex, HashEmbedder
from retrieval import AnswerEngine, HybridSearcher, find_numbers

DEV_SET = Path(__file__).resolve().parents[2] / "qa" / "dev.jsonl"
TEXT = {"a": "Five drones hit Kyiv. 539 drones and 11 missiles were launched.", "b": "Six drones."}


def cite(doc: str, start: int, end: int, n: int = 1) -> dict[str, Any]:
    return {"n": n, "doc_id": doc, "quote": TEXT[doc][start:end], "start": start, "end": end}


def pair(id: str = "q", **expect: Any) -> QAPair:
    return QAPair(id, "How many?", (), Expectation(**expect), ("counts",))


def answer(
    figures: list[tuple[float, list[dict[str, Any]]]], conflict: bool = False
) -> dict[str, Any]:
    return {
        "figures": [{"value": v, "citations": c} for v, c in figures],
        "related": [],
        "citations": [c for _, cs in figures for c in cs],
        "conflict": conflict,
    }


def score(p: QAPair, a: dict[str, Any], retrieved: tuple[str, ...] = ()) -> Any:
    return score_answer(p, a, TEXT.get, 10.0, retrieved)


def test_a_right_answer_passes() -> None:
    p = pair(figures=(ExpectedFigure(5, ("a",), 1),), forbid=(6,), conflict=False)
    s = score(p, answer([(5, [cite("a", 0, 21)])]))
    assert s.passed and s.figures_found == 1 and s.wrong == ()
    assert (s.citations_exact, s.figure_citations_holding) == (2, 1)


def test_missing_documents_wrong_values_and_the_conflict_flag_are_each_caught() -> None:
    p = pair(
        figures=(ExpectedFigure(5, ("a", "b"), 2), ExpectedFigure(7, ("b",), 1)),
        forbid=(6,),
        conflict=False,
    )
    s = score(p, answer([(5, [cite("a", 0, 21)]), (6, [cite("b", 0, 11)])], conflict=True))
    assert s.figures_found == 0
    assert s.wrong == (6.0,)
    assert s.problems == (
        "figure 5 cites 1 of 2 documents (missing ['b'])",
        "missing figure 7",
        "gave wrong figure 6",
        "conflict is True, expected False",
    )


def test_a_quote_that_does_not_match_its_offsets_is_not_exact() -> None:
    bad = {**cite("a", 0, 21), "quote": "Five drones hit Lviv."}
    s = score(pair(figures=(ExpectedFigure(5, ("a",), 1),)), answer([(5, [bad])]))
    assert s.citations_exact == 0 and s.figure_citations_holding == 1
    assert "2 citations do not match their offsets" in s.problems


def test_a_total_is_held_by_its_parts() -> None:
    s = score(pair(figures=(ExpectedFigure(550, ("a",), 1),)), answer([(550, [cite("a", 22, 63)])]))
    assert s.figure_citations_holding == 1


def test_no_answer_and_quotes() -> None:
    silent = score(pair(no_answer=True), answer([]))
    talkative = score(pair(no_answer=True), answer([(5, [cite("a", 0, 21)])]))
    quoted = score(pair(quote_has=("hit Kyiv",), docs=("a",)), answer([(5, [cite("a", 0, 21)])]))
    assert silent.passed and not talkative.passed and talkative.wrong == (5.0,)
    assert quoted.quote_ok is True


def test_summary_worked_by_hand() -> None:
    right = pair("right", figures=(ExpectedFigure(5, ("a",), 1),), conflict=True)
    wrong = pair(
        "wrong",
        figures=(ExpectedFigure(5, ("a",), 1), ExpectedFigure(6, ("b",), 1)),
        conflict=False,
    )
    scores = [
        score(right, answer([(5, [cite("a", 0, 21)])], conflict=True), ("a", "b")),
        score(
            wrong,
            answer([(5, [cite("a", 0, 21)]), (9, [cite("b", 0, 11)])], conflict=True),
            ("b", "a"),
        ),
        score(pair("none", no_answer=True), answer([]), ()),
    ]
    summary = summarize(scores)
    assert summary["figure_recall"] == pytest.approx(2 / 3)  # 5, 5 found; 6 missing
    assert summary["wrong_figure_rate"] == pytest.approx(1 / 3)  # 9 is not expected
    assert summary["conflict_accuracy"] == pytest.approx(1 / 2)
    assert summary["conflict_precision"] == pytest.approx(1 / 2)  # said twice, right once
    assert summary["conflict_recall"] == pytest.approx(1.0)
    assert summary["no_answer_accuracy"] == 1.0
    assert summary["quote_accuracy"] is None
    # Retrieval over the two judged questions: {a} ranked 1st; {a, b} retrieved as b, a.
    assert summary["recall@5"] == pytest.approx(1.0)
    assert summary["mrr"] == pytest.approx(1.0)
    assert summary["ndcg@10"] == pytest.approx(1.0)


def test_retrieval_metrics_worked_by_hand() -> None:
    p = pair(figures=(ExpectedFigure(5, ("a", "b"), 1),))
    summary = summarize([score(p, answer([]), ("c", "a", "d", "e", "f", "b"))])
    assert summary["recall@5"] == pytest.approx(1 / 2)
    assert summary["recall@10"] == pytest.approx(1.0)
    assert summary["mrr"] == pytest.approx(1 / 2)
    ideal = 1 + 1 / math.log2(3)
    assert summary["ndcg@10"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(7)) / ideal)


def test_the_gate_takes_minima_and_maxima() -> None:
    summary = {"figure_recall": 0.9, "wrong_figure_rate": 0.1, "mrr": None}
    assert gate(summary, {"figure_recall": 0.9, "wrong_figure_rate": 0.1}) == []
    assert gate(summary, {"figure_recall": 0.95, "wrong_figure_rate": 0.0, "mrr": 0.5}) == [
        "figure_recall is 0.900, below the minimum 0.95",
        "wrong_figure_rate is 0.100, above the maximum 0",
        "mrr: not measured on this set (threshold 0.5)",
    ]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["{not json"], "line 1: not valid JSON"),
        (['{"question": "How many?", "expect": {}}'], "line 1: missing field 'id'"),
        (['{"id": "x", "question": " ", "expect": {}}'], "'question' must be a non-empty string"),
        (['{"id": "x", "question": "Q?", "expect": {"conflict": "yes"}}'], "'conflict' must be"),
        (['{"thresholds": {"mrr": "high"}}'], "'thresholds' must map metric names to numbers"),
        (['{"id": "x", "question": "Q?", "expect": {}}'] * 2, "the id 'x' is used twice"),
        ([], "no question-answer pairs"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_line(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(EvalFormatError, match=message):
        read_qa_file(path)


class FirstNumberAnswerer:
    """A deliberately wrong engine: answers with the first number of the top passage."""

    def __init__(self, index: ChunkIndex) -> None:
        self._index = index
        self._searcher = HybridSearcher(index, HashEmbedder())

    def answer(self, pair: QAPair) -> tuple[dict[str, Any], list[str], float]:
        top = self._searcher.search(pair.question, 1)[0]
        numbers = find_numbers(top.text)
        citation = {
            "n": 1,
            "doc_id": top.doc_id,
            "quote": top.text,
            "start": top.start,
            "end": top.end,
        }
        figures = [{"value": numbers[0].value, "citations": [citation]}] if numbers else []
        body = {"figures": figures, "related": [], "citations": [citation], "conflict": False}
        return body, [top.doc_id], 1.0

    def article_text(self, doc_id: str) -> str | None:
        return self._index.articles[doc_id].text


def test_a_wrong_engine_scores_low_and_fails_the_gate(hash_index: ChunkIndex) -> None:
    qa = read_qa_file(DEV_SET)
    wrong = evaluate(qa, FirstNumberAnswerer(hash_index), "first-number")
    right = evaluate(qa, LocalAnswerer(hash_index, AnswerEngine(hash_index, HashEmbedder())))
    assert wrong.summary["figure_recall"] < 0.5 < right.summary["figure_recall"]  # type: ignore[operator]
    assert wrong.summary["wrong_figure_rate"] > 0.3 > right.summary["wrong_figure_rate"]  # type: ignore[operator]
    missed = gate(wrong.summary, qa.thresholds)
    assert any(line.startswith("figure_recall") for line in missed)
    assert any(line.startswith("wrong_figure_rate") for line in missed)


def test_eval_on_another_corpus_writes_reports_and_gates(crosscheck, tmp_path: Path) -> None:
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "odesa-1.txt").write_text(
        "Russia launched 12 drones at Odesa overnight, the navy said. Two people were injured."
    )
    (corpus / "odesa-2.txt").write_text("Officials said at least 3 people were injured in Odesa.")
    qa = tmp_path / "qa.jsonl"
    qa.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"thresholds": {"figure_recall": 1.0}},
                {
                    "id": "drones",
                    "question": "How many drones were launched?",
                    "tags": ["counts"],
                    "expect": {"figures": [{"value": 12, "docs": ["odesa-1"]}], "conflict": False},
                },
                {
                    "id": "hurt",
                    "question": "How many people were injured?",
                    "tags": ["casualties"],
                    "expect": {
                        "figures": [
                            {"value": 2, "docs": ["odesa-1"]},
                            {"value": 3, "docs": ["odesa-2"]},
                        ],
                        "conflict": True,
                    },
                },
            ]
        )
    )
    report, markdown = tmp_path / "report.json", tmp_path / "report.md"
    passing = crosscheck(
        "eval", qa, "--corpus", corpus, "--embedder", "hash", "--retrievers", "bm25,hybrid",
        "--json", report, "--markdown", markdown,
    )  # fmt: skip
    assert passing.returncode == 0, passing.stderr
    assert passing.stdout.splitlines()[0].split() == ["metric", "bm25", "hybrid"]
    body = json.loads(report.read_text())
    assert body["hybrid"]["summary"]["figure_recall"] == 1.0
    assert body["hybrid"]["summary"]["conflict_accuracy"] == 1.0
    assert set(body["hybrid"]["tags"]) == {"counts", "casualties"}
    assert markdown.read_text().startswith("# crosscheck evaluation")
    failing = crosscheck(
        "eval", qa, "--corpus", corpus, "--embedder", "hash", "--min", "ndcg@10=1.5"
    )
    assert failing.returncode == 1
    assert "below threshold: ndcg@10" in failing.stderr


def test_latency_percentiles_are_nearest_rank() -> None:
    p = pair(no_answer=True)
    scores = [score_answer(p, answer([]), TEXT.get, ms, ()) for ms in (40.0, 10.0, 30.0, 20.0)]
    summary = summarize(scores)
    assert (summary["latency_p50_ms"], summary["latency_p95_ms"]) == (30.0, 40.0)


def test_eval_against_a_running_server(crosscheck, live_server, tmp_path: Path) -> None:
    qa = tmp_path / "qa.jsonl"
    qa.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {
                    "id": "injured",
                    "question": "How many people were injured?",
                    "tags": ["casualties"],
                    "expect": {
                        "figures": [
                            {"value": 23, "docs": ["001_9eba8f048c7db6ee"], "min_docs": 1},
                            {"value": 26, "docs": ["000_c9b33be09081a972"], "min_docs": 1},
                        ],
                        "conflict": True,
                    },
                },
                {
                    "id": "killed",
                    "question": "And how many were killed?",
                    "tags": ["follow-up"],
                    "turns": ["How many people were injured in Kyiv?"],
                    "expect": {
                        "figures": [{"value": 1, "docs": ["001_9eba8f048c7db6ee"], "min_docs": 1}],
                        "conflict": False,
                    },
                },
            ]
        )
    )
    result = crosscheck("eval", qa, "--against", live_server.url, "--min", "figure_recall=1")
    assert result.returncode == 0, result.stderr
    rows = dict(line.split(None, 1) for line in result.stdout.splitlines()[1:])
    assert rows["figure_recall"].strip() == "1.000"
    assert rows["citation_exactness"].strip() == "1.000"
