"""Where the answering passage ranks, fused and per retriever, for questions over an index.

    python -m bench.retrieval_ranks [--questions tests/data/retrieval_questions.jsonl]
                                    [--index-dir DIR] [--embedder minilm|hash]

Each question line holds ``question`` and ``answer_contains``: a passage answers when its text
contains one of those strings. Prints, per question, the rank of the first answering passage in
the hybrid (fused), BM25-only and dense-only rankings ("-" when not in the top ``depth``).
"""

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Settings
from corpus import bundled_articles_dir, load_articles
from index import build_index, make_embedder, open_index
from retrieval import HybridSearcher, Retriever

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "retrieval_questions.jsonl"


@dataclass(frozen=True)
class Question:
    """A question and the strings any answering passage contains."""

    question: str
    answer_contains: tuple[str, ...]


@dataclass(frozen=True)
class Ranks:
    """1-based rank of the first answering passage per ranking; None when absent."""

    question: str
    hybrid: int | None
    bm25: int | None
    dense: int | None


def read_questions(path: Path) -> list[Question]:
    """Read a questions file (JSONL)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        Question(r["question"], tuple(r["answer_contains"]))
        for r in map(json.loads, filter(str.strip, lines))
    ]


def answer_ranks(
    searcher: HybridSearcher, questions: Sequence[Question], depth: int = 50
) -> list[Ranks]:
    """The rank of the first answering passage for each question, in each ranking."""
    results = []
    for q in questions:
        ranks = {}
        for retriever in Retriever:
            passages = searcher.search(q.question, depth, retriever)
            ranks[retriever] = next(
                (
                    n
                    for n, p in enumerate(passages, 1)
                    if any(s in p.text for s in q.answer_contains)
                ),
                None,
            )
        results.append(
            Ranks(
                q.question, ranks[Retriever.HYBRID], ranks[Retriever.BM25], ranks[Retriever.DENSE]
            )
        )
    return results


def format_table(rows: Sequence[Ranks]) -> str:
    """A plain-text table of ranks with a summary line per ranking."""
    width = max(len(r.question) for r in rows)
    lines = [f"{'question':<{width}}  hybrid  bm25  dense"]
    for r in rows:
        cells = [str(x) if x is not None else "-" for x in (r.hybrid, r.bm25, r.dense)]
        lines.append(f"{r.question:<{width}}  {cells[0]:>6}  {cells[1]:>4}  {cells[2]:>5}")
    for name in ("hybrid", "bm25", "dense"):
        ranks = [getattr(r, name) for r in rows]
        top5 = sum(1 for x in ranks if x is not None and x <= 5)
        mrr = sum(1 / x for x in ranks if x is not None) / len(ranks)
        lines.append(f"{name}: answer in top 5 for {top5}/{len(ranks)}, MRR {mrr:.3f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--embedder", default=None)
    args = parser.parse_args()
    environ = dict(os.environ)
    if args.embedder:
        environ["CROSSCHECK_EMBEDDER"] = args.embedder
    settings = Settings.from_environ(environ)
    index_dir = args.index_dir or settings.index_dir
    embedder = make_embedder(settings.embedder)
    build_index(load_articles([bundled_articles_dir()]).articles, index_dir, embedder)
    searcher = HybridSearcher(open_index(index_dir, embedder), embedder)
    print(format_table(answer_ranks(searcher, read_questions(args.questions))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
