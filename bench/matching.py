"""Choose the similarity thresholds of ``retrieval.matching`` on the development pairs.

    python -m bench.matching [--qa qa/news_dev.jsonl] [--index-dir DIR] [--embedder minilm]

Indexes the QA file's corpus (or reuses an up-to-date index in ``--index-dir``), then answers
every numeric pair once per pair of thresholds (``NOUN_SIMILARITY``, ``ACTION_SIMILARITY``) and
prints figure recall, the wrong-figure rate and the share of pairs passed for each. Figures are
read once: only matching is repeated. Never run it on the held-out check pairs.
"""

import argparse
import itertools
import tempfile
from pathlib import Path

from bot.evaluation.pairs import QASet, read_qa_file
from bot.evaluation.runner import LocalAnswerer, evaluate
from corpus import load_articles
from index import EmbedderKind, build_index, make_embedder, open_index
from retrieval import AnswerEngine, matching

NOUN_GRID = (0.4, 0.45, 0.5, 0.6, 1.01)
ACTION_GRID = (0.4, 0.5, 0.6, 1.01)


def main() -> None:
    """Print the grid."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", type=Path, default=Path("qa/news_dev.jsonl"))
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--embedder", default="minilm")
    args = parser.parse_args()
    qa = read_qa_file(args.qa)
    if qa.corpus is None:
        raise SystemExit(f"{args.qa} names no corpus in its header")
    numeric = QASet(tuple(p for p in qa.pairs if p.expect.figures), qa.thresholds, qa.corpus)
    embedder = make_embedder(EmbedderKind(args.embedder))
    index_dir = args.index_dir or Path(tempfile.mkdtemp(prefix="bench-matching-"))
    build_index(load_articles([qa.corpus]).articles, index_dir, embedder, progress=True)
    index = open_index(index_dir, embedder)
    engine = AnswerEngine(index, embedder)
    answerer = LocalAnswerer(index, engine)
    print(f"{len(numeric.pairs)} pairs with figures from {args.qa}")
    print(f"{'noun':>5} {'action':>6} {'recall':>7} {'wrong':>6} {'passed':>7}")
    for noun, action in itertools.product(NOUN_GRID, ACTION_GRID):
        matching.NOUN_SIMILARITY, matching.ACTION_SIMILARITY = noun, action
        summary = evaluate(numeric, answerer).summary
        print(
            f"{noun:5.2f} {action:6.2f} {summary['figure_recall'] or 0:7.3f} "
            f"{summary['wrong_figure_rate'] or 0:6.3f} {summary['passed'] or 0:7.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
