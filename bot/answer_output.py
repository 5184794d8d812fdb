"""How the command line prints an answer: from the answer object (``Answer.to_json()``, or
what ``POST /chat`` returns), so an answer asked here and one asked of a server print alike."""

import json
import textwrap
from collections.abc import Mapping
from typing import Any, TextIO


def print_answer(answer: Mapping[str, Any], out: TextIO, *, as_json: bool = False) -> None:
    """Print ``answer`` on ``out``: its text and then its numbered sources, each with where it
    stands and its quote; with ``as_json``, the object itself as indented JSON (characters
    ``out`` cannot show escaped)."""
    if as_json:
        json.dump(answer, out, ensure_ascii=not speaks_unicode(out), indent=2)
        out.write("\n")
        return
    print(answer["answer"], file=out)
    citations = answer["citations"]
    if citations:
        print("\nSources:", file=out)
    for citation in citations:
        named = citation["name"] or citation["doc_id"]
        where = " · ".join(part for part in (named, citation["date"]) if part)
        print(f"[{citation['n']}] {where}, chars {citation['start']}-{citation['end']}", file=out)
        quote = " ".join(citation["quote"].split())
        print(textwrap.indent(textwrap.fill(f"“{quote}”", width=96), "    "), file=out)


def speaks_unicode(stream: TextIO) -> bool:
    """Whether ``stream`` writes UTF-8 or UTF-16, so any character can go out unescaped."""
    return (getattr(stream, "encoding", None) or "").lower().replace("-", "") in {"utf8", "utf16"}
