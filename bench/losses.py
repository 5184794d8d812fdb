"""Where the expected figures of a QA file are lost, by the step that loses them.

    python -m bench.losses qa/news_dev.jsonl --index-dir DIR [--id PAIR ...]

For every expected figure an answer misses, the figure is looked up in the sentence that states
it (the pair's quote, else the first figure of that value in its documents) and followed through
the answer: not read at all ("not read": the reader gives no figure of that value there), in an
article outside the answer's story or its passages, classified as no answer or only related (with
the noun and action relations that decided), moved aside as of another time or place, or dropped
by a later step (``retrieval.choosing``). Prints one line per lost figure, then the count per
step. Run it on the development pairs only: the check pairs are for reporting.

The index must hold the QA file's corpus (``crosscheck eval QA_FILE --index-dir DIR`` builds it).
"""

import argparse
import collections
import sys
from pathlib import Path

from bot.evaluation.pairs import ExpectedFigure, QAPair, read_qa_file
from index import ChunkIndex, make_embedder, open_index
from index.embedders import EmbedderKind
from retrieval import AnswerEngine
from retrieval.figures import Figure
from retrieval.matching import Role, classify, off_place, off_time
from retrieval.question import analyse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("qa_file", type=Path)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--id", action="append", default=[], help="only these pairs (repeat)")
    args = parser.parse_args(argv)
    embedder = make_embedder(EmbedderKind.MINILM)
    index = open_index(args.index_dir, embedder)
    engine = AnswerEngine(index, embedder)
    steps: collections.Counter[str] = collections.Counter()
    for pair in read_qa_file(args.qa_file).pairs:
        if (args.id and pair.id not in args.id) or not pair.expect.figures:
            continue
        for expected, step, detail in _losses(engine, index, pair):
            steps[step] += 1
            print(f"{pair.id} [{expected.value:g}] {step}: {detail}")
    print()
    for step, count in steps.most_common():
        print(f"{count:4d}  {step}")
    return 0


def _losses(
    engine: AnswerEngine, index: ChunkIndex, pair: QAPair
) -> list[tuple[ExpectedFigure, str, str]]:
    answer = engine.ask(pair.question, pair.turns).to_json()
    given = {float(f["value"]) for f in answer["figures"] if f["value"] is not None}
    asked = analyse(pair.question, pair.turns)
    story_docs = set(answer["story"]["articles"]) if answer["story"] else set()
    passages = {p.doc_id for p in engine.passages(pair.question, pair.turns)}
    lost = []
    for expected in pair.expect.figures:
        if expected.value in given:
            continue
        figure = _stated(engine, index, expected)
        if figure is None:
            lost.append((expected, "not read", expected.quote or ""))
            continue
        if figure.doc_id not in story_docs:
            lost.append((expected, "another story", figure.sentence.text[:120]))
            continue
        if figure.doc_id not in passages:
            lost.append((expected, "not in the passages", figure.sentence.text[:120]))
            continue
        # The engine's own similarity and stored figures: this diagnostic reads its internals.
        similarity = engine._phrase_similarity(
            [asked.noun or "", *asked.actions[:2], figure.noun or "", *figure.actions]
        )
        role = classify(figure, asked, similarity)
        why = (
            f"question {asked.noun!r} {asked.actions} {asked.dimension}; figure {figure.noun!r} "
            f"{figure.actions} {figure.dimension} ({figure.sentence.text[:80]!r})"
        )
        if role is not Role.ANSWER:
            lost.append((expected, f"classified {role.value}", why))
        elif off_time(figure, asked, index.articles[figure.doc_id].date):
            lost.append((expected, "another time", why))
        elif off_place(figure, asked):
            lost.append((expected, "another place", why))
        else:
            lost.append((expected, "dropped by a later step", why))
    return lost


def _stated(engine: AnswerEngine, index: ChunkIndex, expected: ExpectedFigure) -> Figure | None:
    """The figure of the expected value in the sentence that states it."""
    for doc_id in expected.docs:
        if doc_id not in index.articles:
            continue
        text = index.articles[doc_id].text
        at = text.find(expected.quote[:50]) if expected.quote else -1
        for figures in engine._article_figures(doc_id).values():
            for figure in figures:
                inside = at < 0 or figure.sentence.start <= at + 10 <= figure.sentence.end
                if figure.value == expected.value and inside:
                    return figure
    return None


if __name__ == "__main__":
    sys.exit(main())
