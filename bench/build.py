"""Index build speed end to end, per embedder, on real articles; and what storing figures costs.

    python -m bench.build --data ../shared/data [--articles 600] [--embedders minilm,...]
    python -m bench.build --corpus ../shared/data/news_cluster_dev.jsonl.gz [--runs 2]
        [--compare-annotations]

With ``--data``: takes the first ``--articles`` Reuters articles and the first tenth as many BBC
ones from ``--data`` (never copied into the repository) and runs ``build_index`` on them into a
fresh directory with each embedder in turn: chunking, tokenizing, embedding (sorted by length, in
checkpointed batches), the BM25 postings, faiss, and the fsynced write. The model is loaded
before the clock starts (its load time is printed apart). Prints chunks a second end to end.

With ``--corpus``: builds the articles of that file (read in place, as ``crosscheck index``
reads it) with the default embedder ``--runs`` times each way, interleaved: without figures
(``crosscheck index --no-annotations``), with them (``FigureAnnotator``, as ``crosscheck
index``), and with them as they were read before (every sentence parsed in full).
Prints the CPU and its vector instructions (the embedding model runs far faster with
AVX-512), each build's seconds and the ratio of the medians, how many sentences are parsed in
full, for their entities only, or not at all (repeats), the words a second of each kind of
parse, and what storing the annotations costs on disk: the size of the article store
(``store-*.sqlite`` and SQLite's files beside it) built without and with figures, and the bytes
of annotation JSON it holds, a chunk. With ``--compare-annotations`` it also
checks every article's stored figures and entities against a full parse of every sentence.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from resource import RUSAGE_CHILDREN, RUSAGE_SELF, getrusage
from typing import Any

import retrieval.figure_store
from bench.query import annotation_bytes, read_archive
from corpus import Article, load_articles
from corpus.nlp import find_entities, parse, pipeline
from index import Annotator, Embedder, EmbedderKind, build_index, make_embedder
from index.article_store import ArticleStore
from retrieval import FigureAnnotator
from retrieval.figure_store import entities_from, figures_from
from retrieval.figures import _MAY_HOLD_NUMBER as NUMBER_WORD
from retrieval.figures import figures_of, may_hold_figure, parse_form


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--embedders", default="minilm,minilm-fp32,minilm-torch")
    parser.add_argument("--corpus", type=Path, help="measure the cost of figures on this file")
    parser.add_argument("--runs", type=int, default=2, help="builds of each kind (--corpus)")
    parser.add_argument(
        "--compare-annotations",
        action="store_true",
        help="check the stored figures and entities against a full parse (--corpus)",
    )
    args = parser.parse_args()
    if args.corpus is not None:
        return figures_cost(args.corpus, args.runs, args.compare_annotations)
    archive = read_archive(args.data)
    reuters = [a for a in archive if a.doc_id.startswith("reuters")][: args.articles]
    bbc = [a for a in archive if a.doc_id.startswith("bbc")][: max(1, args.articles // 10)]
    articles = reuters + bbc
    rows = []
    for kind in args.embedders.split(","):
        embedder = make_embedder(EmbedderKind(kind))
        started = time.perf_counter()
        embedder.embed(["warm up"])
        load = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as folder:
            report = build_index(articles, Path(folder), embedder)
        rate = report.chunks / report.seconds
        rows.append((kind, embedder.name, report.chunks, report.seconds, rate, load))
    print(f"\n# bench.build: {len(articles)} articles ({len(reuters)} Reuters, {len(bbc)} BBC)\n")
    print(f"{'embedder':<14} {'chunks':>7} {'seconds':>8} {'chunks/s':>9} {'model load s':>13}")
    for kind, _, chunks, seconds, rate, load in rows:
        print(f"{kind:<14} {chunks:>7} {seconds:>8.1f} {rate:>9.0f} {load:>13.1f}")
    return 0


def figures_cost(corpus: Path, runs: int, compare: bool) -> int:
    """Time builds of ``corpus`` without and with figures, interleaved, and print the table."""
    articles = list(load_articles([corpus]).articles)
    embedder = make_embedder(EmbedderKind.MINILM)
    embedder.embed(["warm up"])
    pipeline()  # both kinds of build read the stories' entities with it: loaded before the clock
    print(f"\n# bench.build --corpus {corpus.name}: {len(articles)} articles\n")
    print(cpu_line())
    kinds: dict[str, Callable[[Path], Any]] = {
        "without figures": lambda folder: build_index(articles, folder, embedder),
        "with figures": lambda folder: _annotated_build(articles, folder, embedder),
        "with figures as before": lambda folder: _annotated_build(
            articles, folder, embedder, before=True
        ),
    }
    seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
    cpu: dict[str, list[float]] = {kind: [] for kind in kinds}
    store_bytes: dict[str, int] = {}
    stored = 0
    chunks = 0
    for _ in range(runs):
        for kind, build in kinds.items():
            with tempfile.TemporaryDirectory() as folder:
                before = _cpu_seconds()
                report = build(Path(folder))
                cpu[kind].append(_cpu_seconds() - before)
                seconds[kind].append(report.seconds)
                chunks = report.chunks
                store_bytes[kind], annotations = _store_sizes(Path(folder))
                stored = max(stored, annotations)
    base = statistics.median(seconds["without figures"])
    base_cpu = statistics.median(cpu["without figures"])
    print(
        f"\n{'build':<27} {'runs (s)':<22} {'median s':>9} {'x without':>10} {'CPU s':>7} {'x':>5}"
    )
    for kind, times in seconds.items():
        median = statistics.median(times)
        shown = " ".join(f"{t:.1f}" for t in times)
        used = statistics.median(cpu[kind])
        print(
            f"{kind:<27} {shown:<22} {median:>9.1f} {median / base:>10.2f} {used:>7.1f} "
            f"{used / base_cpu:>5.2f}"
        )
    print(
        "(each row's runs interleaved with the others'; CPU s: median processor time of this "
        "process and its children)"
    )
    bare, annotated = store_bytes["without figures"], store_bytes["with figures"]
    print(
        f"\narticle store on disk (store-*.sqlite*): {bare:,} bytes without figures, "
        f"{annotated:,} with them: {(annotated - bare) / chunks:.0f} bytes a chunk more "
        f"({chunks} chunks)"
    )
    print(f"  annotation JSON in the store: {stored:,} bytes, {stored / chunks:.0f} a chunk")
    _parse_rates(articles)
    if compare:
        return _compare(articles)
    return 0


def cpu_line() -> str:
    """The CPU's model, how many CPUs this process may use, and its AVX2 and AVX-512 support."""
    model, flags = "unknown", set()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    marks = " ".join(f"{flag} {'yes' if flag in flags else 'no'}" for flag in ("avx2", "avx512f"))
    return f"CPU: {model}, {len(os.sched_getaffinity(0))} CPUs; {marks}"


def _store_sizes(index_dir: Path) -> tuple[int, int]:
    """The bytes on disk of the article store a build wrote into ``index_dir`` (the SQLite file
    and any it keeps beside it), and the bytes of annotation JSON text it holds."""
    files = sorted(index_dir.glob("store-*.sqlite*"))
    size = sum(path.stat().st_size for path in files)
    store = ArticleStore(next(p for p in files if p.suffix == ".sqlite"))
    try:
        return size, annotation_bytes(store)
    finally:
        store.close()


def _cpu_seconds() -> float:
    """Processor time used so far by this process and its ended children."""
    own, children = (getrusage(who) for who in (RUSAGE_SELF, RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _annotated_build(
    articles: Sequence[Article], folder: Path, embedder: Embedder, before: bool = False
) -> Any:
    """A build with figures; ``before=True`` parses every sentence in full, as the annotator
    did before it parsed only the sentences that state a number."""
    annotator: Annotator = FigureAnnotator()
    if before:
        retrieval.figure_store.find_entities = parse
    try:
        return build_index(articles, folder, embedder, annotator=annotator)
    finally:
        retrieval.figure_store.find_entities = find_entities


def _parse_rates(articles: Sequence[Article]) -> None:
    """How many sentences each kind of parse reads, and how fast."""
    sentences = [s for article in articles for s in article.sentences()]
    full = list(dict.fromkeys(parse_form(s.text) for s in sentences if may_hold_figure(s.text)))
    parsed = set(full)
    named = [t for t in dict.fromkeys(parse_form(s.text) for s in sentences) if t not in parsed]
    repeats = len(sentences) - len(full) - len(named)
    print(
        f"sentences: {len(sentences):,}; parsed in full (they state a number) {len(full):,}, "
        f"entities only {len(named):,}, repeats not parsed {repeats:,}"
    )
    for label, texts, run in (
        ("full parse", full, parse),
        ("entities only", named, find_entities),
        ("full parse of every sentence (before)", full + named, parse),
    ):
        words = sum(len(text.split()) for text in texts)
        started = time.perf_counter()
        _drain(run(texts))
        took = time.perf_counter() - started
        print(f"  {label}: {words:,} words in {took:.1f} s, {words / took:,.0f} words/s")
    started = time.perf_counter()
    FigureAnnotator().annotate(articles)
    print(f"  FigureAnnotator.annotate, one process: {time.perf_counter() - started:.1f} s")


def _drain(docs: Iterable[Any]) -> None:
    for _ in docs:
        pass


def _compare(articles: Sequence[Article]) -> int:
    """Check the stored figures and entities of every article against a full parse of each of
    its sentences, as they were made before only the sentences stating a number were parsed
    in full: the figures of every sentence with a digit or a number word, the entities of
    every sentence. Print the differences; return 1 if a figure differs."""
    texts = list(dict.fromkeys(parse_form(s.text) for a in articles for s in a.sentences()))
    docs = dict(zip(texts, parse(texts), strict=True))
    annotations = FigureAnnotator().annotate(articles)
    figures = figure_differences = unread = 0
    entities = entity_differences = 0
    shown = []
    for article, annotation in zip(articles, annotations, strict=True):
        sentences = article.sentences()
        expected = []
        for s in sentences:
            read = figures_of(s, docs[parse_form(s.text)])
            if NUMBER_WORD.search(s.text):
                expected.extend(read)
            else:
                unread += len(read)  # "Coke Zero": "zero" is no number word of the pre-test
        figures += len(expected)
        figure_differences += figures_from(annotation, article) != expected
        stored = entities_from(annotation, article)
        for s in sentences:
            ents = docs[parse_form(s.text)].ents
            found = tuple((s.text[e.start_char : e.end_char], e.label_) for e in ents)
            entities += len(found)
            if stored.get(s.start, ()) != found:
                entity_differences += 1
                shown.append((s.text[:80], found, stored.get(s.start, ())))
    print(
        f"\ncompared with a full parse of every sentence: {figures:,} figures, "
        f"{figure_differences} articles whose figures differ; {entities:,} entities, "
        f"{entity_differences} sentences whose entities differ; {unread} figures in sentences "
        "without a digit or number word, read neither before nor now"
    )
    for text, found, kept in shown[:5]:
        print(f"  {text!r}: parse {found}, stored {kept}")
    return 1 if figure_differences else 0


if __name__ == "__main__":
    sys.exit(main())
