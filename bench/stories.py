"""How well index-time stories match labelled events.

    python -m bench.stories [--data PATH] [--embedder minilm|hash] [--build]

Reads the news_cluster_dev corpus in place (320 articles of 63 events; never copied into the
repository), profiles the articles as an index build does (title and lead embedded with the
model, their named entities from spaCy, their dates) and groups them into stories. The ``event``
labels are used only to score the grouping: B-cubed precision, recall and F1 (Amigó et al.,
"A comparison of extrinsic clustering evaluation metrics based on formal constraints", 2009) and
the adjusted Rand index, over all events and over the "dev" and "check" events of
``qa/news_split.json`` (thresholds are tuned on "dev" only). Then it lists the articles whose
story is not the one most of their event's articles are in, and the stories that mix events.
``--build`` also runs ``build_index`` on the articles, to weigh the stories' time against it.
"""

import argparse
import gzip
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus import Article, make_article
from index import EmbedderKind, build_index, make_embedder
from index.stories import StoryConfig, group, profile_articles

DATA = Path("../shared/data/news_cluster_dev.jsonl.gz")
SPLIT = Path(__file__).resolve().parent.parent / "qa" / "news_split.json"


@dataclass(frozen=True)
class BCubed:
    """B-cubed precision, recall and their harmonic mean."""

    precision: float
    recall: float
    f1: float


def bcubed(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> BCubed:
    """B-cubed scores of a clustering against reference classes (Amigó et al. 2009).

    ``predicted[i]`` and ``truth[i]`` are item i's cluster and class. An item's precision is
    the share of its cluster that shares its class, its recall the share of its class that
    shares its cluster; both are averaged over items.

    Raises:
        ValueError: the sequences differ in length or are empty.
    """
    if len(predicted) != len(truth) or not predicted:
        raise ValueError(
            f"bcubed needs two equally long non-empty labellings, got {len(predicted)} and "
            f"{len(truth)} items"
        )
    clusters = Counter(predicted)
    classes = Counter(truth)
    both = Counter(zip(predicted, truth, strict=True))
    precision = sum(both[p, t] / clusters[p] for p, t in zip(predicted, truth, strict=True))
    recall = sum(both[p, t] / classes[t] for p, t in zip(predicted, truth, strict=True))
    precision /= len(predicted)
    recall /= len(predicted)
    return BCubed(precision, recall, 2 * precision * recall / (precision + recall))


@dataclass(frozen=True)
class Labelled:
    """An article of the labelled corpus and its event (ground truth, never an input)."""

    article: Article
    event: str


def read_labelled(path: Path) -> list[Labelled]:
    """The labelled articles, in file order, through ``corpus.make_article``."""
    labelled = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            article = make_article(
                record["doc_id"],
                record["text"],
                source=record.get("source"),
                date=record.get("date"),
                title=record.get("title"),
                url=record.get("url"),
            )
            labelled.append(Labelled(article, record["event"]))
    return labelled


def disagreements(stories: Sequence[int], events: Sequence[str]) -> list[int]:
    """Positions of the items whose story is not the story most of their event is in (ties
    broken towards the story met first)."""
    majority = {
        event: Counter(s for s, e in zip(stories, events, strict=True) if e == event).most_common(
            1
        )[0][0]
        for event in set(events)
    }
    return [i for i, (s, e) in enumerate(zip(stories, events, strict=True)) if majority[e] != s]


def scores(
    stories: Sequence[int], events: Sequence[str], keep: Mapping[str, bool] | None = None
) -> tuple[BCubed, float, int]:
    """B-cubed and ARI over the items whose event ``keep`` marks (all when None), and their
    count."""
    from sklearn.metrics import adjusted_rand_score

    rows = [i for i, e in enumerate(events) if keep is None or keep.get(e, False)]
    predicted = [stories[i] for i in rows]
    truth = [events[i] for i in rows]
    return bcubed(predicted, truth), float(adjusted_rand_score(truth, predicted)), len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--embedder", default="minilm", choices=[k.value for k in EmbedderKind])
    parser.add_argument(
        "--build",
        action="store_true",
        help="also time build_index on the articles, stories included, to set their cost against",
    )
    args = parser.parse_args()
    labelled = read_labelled(args.data)
    articles = [item.article for item in labelled]
    events = [item.event for item in labelled]
    split = json.loads(SPLIT.read_text(encoding="utf-8"))

    embedder = make_embedder(EmbedderKind(args.embedder))
    started = time.perf_counter()
    embedder.embed(["warm up"])
    from corpus.nlp import pipeline

    pipeline()
    load = time.perf_counter() - started

    started = time.perf_counter()
    profiles = profile_articles(articles, embedder)
    profiled = time.perf_counter() - started
    started = time.perf_counter()
    config = StoryConfig()
    rows = group(profiles, config)
    grouped = time.perf_counter() - started
    stories = [0] * len(articles)
    for number, members in enumerate(rows):
        for i in members:
            stories[i] = number

    print(
        f"\n# bench.stories: {len(articles)} articles, {len(set(events))} events, "
        f"{args.embedder} embedder\n"
    )
    print(f"{config}\n")
    print(
        f"{len(rows)} stories; model and spaCy load {load:.1f} s (before the clock), "
        f"profiles {profiled:.2f} s, grouping {grouped:.2f} s\n"
    )
    if args.build:
        with tempfile.TemporaryDirectory() as folder:
            report = build_index(articles, Path(folder), embedder)
        share = profiled + grouped
        print(
            f"build_index: {report.seconds:.1f} s for {report.chunks} chunks, of which about "
            f"{share:.1f} s ({100 * share / report.seconds:.0f}%) is profiling and grouping "
            f"(timed above, outside the build)\n"
        )
    print(f"{'events':<8} {'n':>4} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'ARI':>6}")
    subsets: list[tuple[str, Mapping[str, bool] | None]] = [
        ("all", None),
        ("dev", dict.fromkeys(split["dev"], True)),
        ("check", dict.fromkeys(split["check"], True)),
    ]
    for name, keep in subsets:
        b3, ari, n = scores(stories, events, keep)
        print(f"{name:<8} {n:>4} {b3.precision:>6.3f} {b3.recall:>6.3f} {b3.f1:>6.3f} {ari:>6.3f}")

    story_event = {
        number: Counter(events[i] for i in members).most_common(1)[0][0]
        for number, members in enumerate(rows)
    }
    print("\nArticles whose story is not their event's majority story:\n")
    for i in disagreements(stories, events):
        article = articles[i]
        print(
            f"{article.doc_id} {article.date} {article.source}\n"
            f"    title: {article.title}\n"
            f"    event: {events[i]}\n"
            f"    story: {stories[i]} ({len(rows[stories[i]])} articles, mostly "
            f"{story_event[stories[i]]})"
        )
    print("\nStories holding articles of more than one event:\n")
    for number, members in enumerate(rows):
        counts = Counter(events[i] for i in members)
        if len(counts) > 1:
            print(f"story {number}: " + ", ".join(f"{e} x{n}" for e, n in counts.most_common()))
            for i in members:
                print(
                    f"    {articles[i].doc_id} {articles[i].date} [{events[i]}] {articles[i].title}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
