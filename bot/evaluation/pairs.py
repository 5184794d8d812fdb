"""The QA-pairs format (JSONL; see qa/README.md), read and checked line by line.

An optional first line, the header, may hold ``"thresholds": {"figure_recall": 1.0, ...}``, the
regression gate (``crosscheck eval`` exits non-zero when a metric misses its threshold), and
``"corpus": "PATH"``, the articles the pairs are about, relative to the file's folder.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HEADER_FIELDS = ("thresholds", "corpus")


class EvalFormatError(ValueError):
    """A QA file is not in the documented format; the message names the line."""


@dataclass(frozen=True)
class ExpectedFigure:
    """A value that answers, the documents that state it, and how many must be cited;
    ``quote`` is the sentence that states it (verbatim from one of ``docs``), when given."""

    value: float
    docs: tuple[str, ...]
    min_docs: int
    quote: str | None = None


@dataclass(frozen=True)
class Expectation:
    """What a right answer holds."""

    figures: tuple[ExpectedFigure, ...] = ()
    forbid: tuple[float, ...] = ()
    conflict: bool | None = None
    quote_has: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    no_answer: bool = False

    @property
    def relevant_docs(self) -> frozenset[str]:
        """The documents a good retrieval finds: those behind the figures, or the quotes."""
        return frozenset(d for f in self.figures for d in f.docs) | frozenset(self.docs)


@dataclass(frozen=True)
class QAPair:
    """One question with its expectation; ``event`` labels the story it is about (kept to
    split sets by story, never used for scoring)."""

    id: str
    question: str
    turns: tuple[str, ...]
    expect: Expectation
    tags: tuple[str, ...]
    event: str | None = None


@dataclass(frozen=True)
class QASet:
    """The pairs of a file, the thresholds its header sets, and the corpus it names (resolved
    against the file's folder; None when the header names none)."""

    pairs: tuple[QAPair, ...]
    thresholds: dict[str, float]
    corpus: Path | None = None


def read_qa_file(path: Path) -> QASet:
    """Read and check a QA file.

    Raises:
        EvalFormatError: unreadable, not JSONL, a header with an unknown field or a wrong type,
            a pair missing a field or with a wrong type, or a duplicate id; the message names
            the file and line.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise EvalFormatError(f"{path}: cannot read ({error})") from None
    pairs: list[QAPair] = []
    thresholds: dict[str, float] = {}
    corpus: Path | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise EvalFormatError(f"{where}: not valid JSON ({error})") from None
        if not isinstance(record, dict):
            raise EvalFormatError(f"{where}: expected a JSON object")
        if not pairs and any(name in record for name in HEADER_FIELDS):
            unknown = sorted(set(record) - set(HEADER_FIELDS))
            if unknown:
                raise EvalFormatError(
                    f"{where}: unknown header field(s) {unknown} "
                    f"(a header holds {', '.join(HEADER_FIELDS)})"
                )
            thresholds = _thresholds(record.get("thresholds", {}), where)
            if "corpus" in record:
                corpus = path.parent / _header_corpus(record["corpus"], where)
            continue
        pairs.append(_pair(record, where))
    seen: set[str] = set()
    for pair in pairs:
        if pair.id in seen:
            raise EvalFormatError(f"{path}: the id {pair.id!r} is used twice")
        seen.add(pair.id)
    if not pairs:
        raise EvalFormatError(f"{path}: no question-answer pairs")
    return QASet(tuple(pairs), thresholds, corpus)


def _pair(record: dict[str, Any], where: str) -> QAPair:
    try:
        expect = record["expect"]
        figures = tuple(
            ExpectedFigure(
                value=float(f["value"]),
                docs=tuple(str(d) for d in f["docs"]),
                min_docs=int(f.get("min_docs", len(f["docs"]))),
                quote=_text(f["quote"], "quote") if "quote" in f else None,
            )
            for f in expect.get("figures", [])
        )
        conflict = expect.get("conflict")
        if conflict is not None and not isinstance(conflict, bool):
            raise TypeError(f"'conflict' must be true, false or null, got {conflict!r}")
        pair = QAPair(
            id=str(record["id"]),
            question=_text(record["question"], "question"),
            turns=tuple(_text(t, "turns") for t in record.get("turns", [])),
            expect=Expectation(
                figures=figures,
                forbid=tuple(float(v) for v in expect.get("forbid", [])),
                conflict=conflict,
                quote_has=tuple(str(s) for s in expect.get("quote_has", [])),
                docs=tuple(str(d) for d in expect.get("docs", [])),
                no_answer=bool(expect.get("no_answer", False)),
            ),
            tags=tuple(str(t) for t in record.get("tags", [])),
            event=_text(record["event"], "event") if "event" in record else None,
        )
    except KeyError as error:
        raise EvalFormatError(f"{where}: missing field {error}") from None
    except (TypeError, ValueError, AttributeError) as error:
        raise EvalFormatError(f"{where}: {error}") from None
    return pair


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{name!r} must be a non-empty string, got {value!r}")
    return value


def _header_corpus(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise EvalFormatError(f"{where}: 'corpus' must be a non-empty path, got {value!r}")
    return value


def _thresholds(value: Any, where: str) -> dict[str, float]:
    if not isinstance(value, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()
    ):
        raise EvalFormatError(f"{where}: 'thresholds' must map metric names to numbers")
    return {str(k): float(v) for k, v in value.items()}
