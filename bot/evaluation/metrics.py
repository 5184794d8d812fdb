"""Metrics: each answer scored against its pair, then summed up over a set (and per tag).

Definitions (every ratio is over the questions or items it applies to; None when none do):

- ``figure_recall``: expected figures found, each citing at least ``min_docs`` of its documents.
- ``wrong_figure_rate``: questions giving a forbidden value, or (where figures are expected) a
  value not expected, or (where the articles do not answer) any value, as an answer.
- ``conflict_accuracy``, ``conflict_precision``, ``conflict_recall``: the conflict flag against
  the expected one; precision and recall are those of ``conflict: true``.
- ``citation_exactness``: citations whose offsets reproduce their quote in the article.
- ``citation_holds_figure``: figure citations whose quote states the figure's value (or parts
  that add up to it).
- ``no_answer_accuracy``: questions the articles do not answer that get no figure.
- ``quote_accuracy``: non-numeric questions with a cited quote holding an expected phrase.
- ``entity_quote_accuracy``: ``quote_accuracy`` over the questions tagged ``who``, ``where`` or
  ``when`` (people and organisations, places, times).
- ``recall@5``, ``recall@10``, ``mrr``, ``ndcg@10``: the documents of the retrieved passages (in
  order, each once) against the expected documents, computed with ir-measures.
- ``latency_p50_ms``, ``latency_p95_ms``: time to answer.
"""

import itertools
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ir_measures
from ir_measures import MRR, R, nDCG

from bot.evaluation.pairs import QAPair
from retrieval import find_numbers

# Metrics where lower is better; the gate treats their thresholds as maxima.
LOWER_IS_BETTER = frozenset({"wrong_figure_rate", "latency_p50_ms", "latency_p95_ms"})
# Tags of the questions ``entity_quote_accuracy`` is measured on.
ENTITY_TAGS = frozenset({"who", "where", "when"})


@dataclass(frozen=True)
class QuestionScore:
    """How one answer did against its pair."""

    id: str
    tags: tuple[str, ...]
    figures_expected: int
    figures_found: int
    wrong: tuple[float, ...]
    conflict_expected: bool | None
    conflict_given: bool
    citations: int
    citations_exact: int
    figure_citations: int
    figure_citations_holding: int
    no_answer_expected: bool
    figures_given: tuple[float, ...]
    quote_ok: bool | None
    latency_ms: float
    retrieved: tuple[str, ...]
    relevant: frozenset[str]
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Whether the answer is right in every respect the pair checks."""
        return not self.problems


def score_answer(
    pair: QAPair,
    answer: Mapping[str, Any],
    article_text: Callable[[str], str | None],
    latency_ms: float,
    retrieved: Sequence[str],
) -> QuestionScore:
    """Score ``answer`` (the answer JSON) for ``pair``; ``article_text(doc_id)`` gives an
    article's text (None if unknown) to check citation offsets."""
    expect = pair.expect
    problems: list[str] = []
    # A vague amount ("thousands") has a null value: a range, never a figure given.
    figures = [f for f in answer.get("figures", []) if f.get("value") is not None]
    given = tuple(float(f["value"]) for f in figures)
    found = 0
    for expected in expect.figures:
        matching = [f for f in figures if float(f["value"]) == expected.value]
        cited = {c["doc_id"] for f in matching for c in f["citations"]}
        have = len(cited & set(expected.docs))
        if not matching:
            problems.append(f"missing figure {expected.value:g}")
        elif have < expected.min_docs:
            missing = sorted(set(expected.docs) - cited)
            problems.append(
                f"figure {expected.value:g} cites {have} of {expected.min_docs} documents "
                f"(missing {missing})"
            )
        else:
            found += 1
    expected_values = {f.value for f in expect.figures}
    wrong = tuple(
        v
        for v in dict.fromkeys(given)
        if v in expect.forbid or expect.no_answer or (expected_values and v not in expected_values)
    )
    problems.extend(f"gave wrong figure {v:g}" for v in wrong)
    conflict_given = bool(answer.get("conflict"))
    if expect.conflict is not None and conflict_given != expect.conflict:
        problems.append(f"conflict is {conflict_given}, expected {expect.conflict}")
    all_citations = list(answer.get("citations", [])) + [
        c for f in figures + list(answer.get("related", [])) for c in f["citations"]
    ]
    exact = sum(1 for c in all_citations if _reproduces(c, article_text))
    if exact < len(all_citations):
        problems.append(f"{len(all_citations) - exact} citations do not match their offsets")
    figure_citations = [(f, c) for f in figures for c in f["citations"]]
    holding = sum(1 for f, c in figure_citations if _holds(c["quote"], float(f["value"])))
    quote_ok = None
    if expect.quote_has:
        docs = set(expect.docs) or None
        quote_ok = any(
            phrase in c["quote"]
            for c in answer.get("citations", [])
            if docs is None or c["doc_id"] in docs
            for phrase in expect.quote_has
        )
        if not quote_ok:
            problems.append(f"no cited quote holds any of {list(expect.quote_has)}")
    return QuestionScore(
        id=pair.id,
        tags=pair.tags,
        figures_expected=len(expect.figures),
        figures_found=found,
        wrong=wrong,
        conflict_expected=expect.conflict,
        conflict_given=conflict_given,
        citations=len(all_citations),
        citations_exact=exact,
        figure_citations=len(figure_citations),
        figure_citations_holding=holding,
        no_answer_expected=expect.no_answer,
        figures_given=given,
        quote_ok=quote_ok,
        latency_ms=latency_ms,
        retrieved=tuple(dict.fromkeys(retrieved)),
        relevant=expect.relevant_docs,
        problems=tuple(problems),
    )


def summarize(scores: Sequence[QuestionScore]) -> dict[str, float | None]:
    """Every metric over ``scores`` (see the module docstring)."""
    conflicts = [s for s in scores if s.conflict_expected is not None]
    said_conflict = [s for s in conflicts if s.conflict_given]
    real_conflict = [s for s in conflicts if s.conflict_expected]
    no_answer = [s for s in scores if s.no_answer_expected]
    quoted = [s for s in scores if s.quote_ok is not None]
    entity_quoted = [s for s in quoted if ENTITY_TAGS.intersection(s.tags)]
    latencies = [s.latency_ms for s in scores]
    metrics: dict[str, float | None] = {
        "questions": float(len(scores)),
        "passed": _ratio(sum(s.passed for s in scores), len(scores)),
        "figure_recall": _ratio(
            sum(s.figures_found for s in scores), sum(s.figures_expected for s in scores)
        ),
        "wrong_figure_rate": _ratio(sum(bool(s.wrong) for s in scores), len(scores)),
        "conflict_accuracy": _ratio(
            sum(s.conflict_given == s.conflict_expected for s in conflicts), len(conflicts)
        ),
        "conflict_precision": _ratio(
            sum(bool(s.conflict_expected) for s in said_conflict), len(said_conflict)
        ),
        "conflict_recall": _ratio(sum(s.conflict_given for s in real_conflict), len(real_conflict)),
        "citation_exactness": _ratio(
            sum(s.citations_exact for s in scores), sum(s.citations for s in scores)
        ),
        "citation_holds_figure": _ratio(
            sum(s.figure_citations_holding for s in scores),
            sum(s.figure_citations for s in scores),
        ),
        "no_answer_accuracy": _ratio(sum(not s.figures_given for s in no_answer), len(no_answer)),
        "quote_accuracy": _ratio(sum(bool(s.quote_ok) for s in quoted), len(quoted)),
        "entity_quote_accuracy": _ratio(
            sum(bool(s.quote_ok) for s in entity_quoted), len(entity_quoted)
        ),
        "latency_p50_ms": _percentile(latencies, 0.5),
        "latency_p95_ms": _percentile(latencies, 0.95),
    }
    metrics.update(retrieval_metrics(scores))
    return metrics


def retrieval_metrics(scores: Sequence[QuestionScore]) -> dict[str, float | None]:
    """Recall@5, Recall@10, MRR and nDCG@10 of the retrieved documents, with ir-measures."""
    judged = [s for s in scores if s.relevant]
    names = {"recall@5": R @ 5, "recall@10": R @ 10, "mrr": MRR, "ndcg@10": nDCG @ 10}
    if not judged:
        return dict.fromkeys(names)
    qrels = [ir_measures.Qrel(s.id, doc, 1) for s in judged for doc in s.relevant]
    run = [
        ir_measures.ScoredDoc(s.id, doc, float(len(s.retrieved) - rank))
        for s in judged
        for rank, doc in enumerate(s.retrieved)
    ]
    # A question that retrieved nothing still counts, as zero.
    values = {measure: [] for measure in names.values()}  # type: dict[Any, list[float]]
    for metric in ir_measures.iter_calc(list(names.values()), qrels, run):
        values[metric.measure].append(metric.value)
    return {name: sum(values[measure]) / len(judged) for name, measure in names.items()}


def by_tag(scores: Sequence[QuestionScore]) -> dict[str, dict[str, float | None]]:
    """``summarize`` for the questions of each tag."""
    tags = sorted({t for s in scores for t in s.tags})
    return {tag: summarize([s for s in scores if tag in s.tags]) for tag in tags}


def _reproduces(citation: Mapping[str, Any], article_text: Callable[[str], str | None]) -> bool:
    text = article_text(citation["doc_id"])
    return text is not None and text[citation["start"] : citation["end"]] == citation["quote"]


def _holds(quote: str, value: float) -> bool:
    """Whether ``quote`` states ``value``, or two numbers adding up to it (539 + 11 = 550)."""
    values = [n.value for n in find_numbers(quote)]
    return value in values or any(a + b == value for a, b in itertools.combinations(values, 2))


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _percentile(values: Sequence[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, int(share * len(ordered)))]
        if len(ordered) > 1
        else (statistics.fmean(ordered))
    )
