"""Reports of evaluation runs: a table for the terminal, JSON and Markdown files, and the gate."""

from collections.abc import Mapping, Sequence
from typing import Any

from bot.evaluation.metrics import LOWER_IS_BETTER
from bot.evaluation.runner import Run

METRICS = (
    "questions",
    "passed",
    "figure_recall",
    "wrong_figure_rate",
    "conflict_accuracy",
    "conflict_precision",
    "conflict_recall",
    "citation_exactness",
    "citation_holds_figure",
    "no_answer_accuracy",
    "quote_accuracy",
    "entity_quote_accuracy",
    "recall@5",
    "recall@10",
    "mrr",
    "ndcg@10",
    "latency_p50_ms",
    "latency_p95_ms",
)


def format_table(runs: Sequence[Run]) -> str:
    """Metrics as rows, runs as columns."""
    width = max(len(m) for m in METRICS)
    lines = [f"{'metric':<{width}}" + "".join(f"{r.name:>10}" for r in runs)]
    for metric in METRICS:
        lines.append(f"{metric:<{width}}" + "".join(_cell(r.summary.get(metric)) for r in runs))
    return "\n".join(lines)


def gate(summary: Mapping[str, float | None], thresholds: Mapping[str, float]) -> list[str]:
    """Each threshold the run misses, as a sentence (empty when all are met).

    A threshold is a minimum, except for metrics where lower is better (wrong figures,
    latency), where it is a maximum.
    """
    missed = []
    for metric, limit in thresholds.items():
        value = summary.get(metric)
        if value is None:
            missed.append(f"{metric}: not measured on this set (threshold {limit:g})")
        elif metric in LOWER_IS_BETTER and value > limit:
            missed.append(f"{metric} is {value:.3f}, above the maximum {limit:g}")
        elif metric not in LOWER_IS_BETTER and value < limit:
            missed.append(f"{metric} is {value:.3f}, below the minimum {limit:g}")
    return missed


def json_report(runs: Sequence[Run], failing_details: bool = True) -> dict[str, Any]:
    """Everything measured, per run: summary, per tag, and each failing question."""
    return {
        r.name: {
            "summary": r.summary,
            "tags": r.tags,
            "failing": [
                {"id": s.id, "problems": list(s.problems), "figures_given": list(s.figures_given)}
                for s in r.scores
                if s.problems and failing_details
            ],
        }
        for r in runs
    }


def markdown_report(runs: Sequence[Run], pairs: Mapping[str, Any]) -> str:
    """A Markdown report: the metric table, per-tag figure recall, and failing questions."""
    lines = ["# crosscheck evaluation", "", "| metric | " + " | ".join(r.name for r in runs) + " |"]
    lines.append("| --- |" + " ---: |" * len(runs))
    for metric in METRICS:
        cells = " | ".join(_cell(r.summary.get(metric)).strip() for r in runs)
        lines.append(f"| {metric} | {cells} |")
    for run in runs:
        lines += ["", f"## {run.name}: per tag", "", "| tag | questions | passed | figure recall |"]
        lines.append("| --- | ---: | ---: | ---: |")
        for tag, summary in run.tags.items():
            lines.append(
                f"| {tag} | {_cell(summary['questions']).strip()} | "
                f"{_cell(summary['passed']).strip()} | {_cell(summary['figure_recall']).strip()} |"
            )
        failing = [s for s in run.scores if s.problems]
        lines += ["", f"## {run.name}: failing questions ({len(failing)})", ""]
        for score in failing:
            question = pairs[score.id].question if score.id in pairs else score.id
            lines.append(f"- **{score.id}**: {question}")
            lines.extend(f"  - {problem}" for problem in score.problems)
    return "\n".join(lines) + "\n"


def _cell(value: float | None) -> str:
    if value is None:
        return f"{'-':>10}"
    if value == int(value) and value > 1:
        return f"{int(value):>10}"
    return f"{value:>10.3f}"
