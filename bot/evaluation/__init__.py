"""The evaluation harness: question-answer pairs, metrics, runs in-process or against a server."""

from bot.evaluation.metrics import QuestionScore, score_answer, summarize
from bot.evaluation.pairs import (
    EvalFormatError,
    Expectation,
    ExpectedFigure,
    QAPair,
    QASet,
    read_qa_file,
)
from bot.evaluation.report import format_table, markdown_report
from bot.evaluation.runner import Answerer, LocalAnswerer, RemoteAnswerer, Run, evaluate

__all__ = [
    "Answerer",
    "EvalFormatError",
    "Expectation",
    "ExpectedFigure",
    "LocalAnswerer",
    "QAPair",
    "QASet",
    "QuestionScore",
    "RemoteAnswerer",
    "Run",
    "evaluate",
    "format_table",
    "markdown_report",
    "read_qa_file",
    "score_answer",
    "summarize",
]
