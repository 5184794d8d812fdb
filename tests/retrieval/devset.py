"""Check answers against the development set (qa/dev.jsonl, the JSONL format of the
evaluation harness): expected figures with their documents, forbidden values, the conflict flag,
quotes for non-numeric questions, questions the articles cannot answer, and exact citations."""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from corpus import Article

DEV_SET = Path(__file__).resolve().parents[2] / "qa" / "dev.jsonl"


def read_pairs(path: Path = DEV_SET) -> list[dict[str, Any]]:
    """The question-answer pairs of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def problems(
    answer: Mapping[str, Any], pair: Mapping[str, Any], articles: Mapping[str, Article]
) -> list[str]:
    """Everything wrong with ``answer`` (the JSON contract) for ``pair``; empty when right."""
    expect = pair["expect"]
    found: list[str] = []
    figures = answer["figures"]
    values = {f["value"] for f in figures}
    for citation in [c for f in figures + answer["related"] for c in f["citations"]] + answer[
        "citations"
    ]:
        text = articles[citation["doc_id"]].text
        if text[citation["start"] : citation["end"]] != citation["quote"]:
            found.append(f"citation [{citation['n']}] does not match its offsets")
    if expect.get("no_answer"):
        if figures:
            found.append(f"gave figures {sorted(values)} for a question the articles do not answer")
        return found
    expected_values = {e["value"] for e in expect.get("figures", [])}
    for expected in expect.get("figures", []):
        match = [f for f in figures if f["value"] == expected["value"]]
        if not match:
            found.append(f"missing figure {expected['value']}")
            continue
        cited = {c["doc_id"] for f in match for c in f["citations"]}
        need = expected.get("min_docs", len(expected["docs"]))
        have = cited & set(expected["docs"])
        if len(have) < need:
            missing = sorted(set(expected["docs"]) - cited)
            found.append(
                f"figure {expected['value']} cites {len(have)} of {need} documents "
                f"(missing {missing})"
            )
    for value in sorted(values - expected_values):
        reason = "forbidden" if value in expect.get("forbid", []) else "unexpected"
        if expected_values or reason == "forbidden":
            found.append(f"gave {reason} figure {value}")
    if expect.get("conflict") is not None and answer["conflict"] != expect["conflict"]:
        found.append(f"conflict is {answer['conflict']}, expected {expect['conflict']}")
    if expect.get("quote_has"):
        docs = set(expect.get("docs") or articles)
        quotes = [c for c in answer["citations"] if c["doc_id"] in docs]
        if not any(s in c["quote"] for c in quotes for s in expect["quote_has"]):
            found.append(f"no quote from {sorted(docs)} holds any of {expect['quote_has']}")
    return found
