"""Query speed and memory at a million chunks: BM25 reference vs inverted index, dense exact vs
HNSW over 8-bit codes (with recall), fusion, answer, end to end.

    python -m bench.query --data ../shared/data [--chunks 1000000] [--cache DIR]
        [--articles N]

Corpus: the Reuters-21578 and BBC articles in ``--data`` (never copied into the repository; the
first ``--articles`` of them for a quick run), chunked as crosscheck chunks, plus the five
bundled articles, so the development set's questions (qa/dev.jsonl) have their answers somewhere
in the archive. Real chunks are embedded with the default model (all-MiniLM-L6-v2, ONNX int8);
the vectors are cached in ``--cache``.

Scaling to ``--chunks``: each Reuters/BBC chunk is copied until the count is reached (the seed
articles are not copied). Copy r of chunk i is filed under a new doc id; its BM25 terms are the
original's with 15% of the positions replaced by terms drawn from another random chunk j, and
its vector is normalise(0.85 v_i + 0.15 v_j + 0.05 g) with g a standard normal vector per
copy, so copies are near, not equal, to their original and to each other.

Articles, figures and entities are stored as a real index stores them: every article, copies
included, in an SQLite article store (``index.article_store``) with its annotation
(``retrieval.figure_store``) as JSON text; the story profiles are zeros (stories are not built at
this scale). The index is assembled in memory from that store, the chunk table and the search
structures built here (``index.loading.assemble``), as ``open_index`` assembles a loaded one.
The real articles are annotated once with spaCy and the annotations kept in ``--cache`` under
the annotator's version (an interrupted run resumes). A copy's article is its original under a
new doc id, with the same text and so the same sentences, figures and entities at the same
offsets: its annotation is the original's (checked on sampled copies, read back from the store,
against annotating the copy itself).

Queries: the 73 development-set questions and 100 Reuters/BBC titles. Each stage is timed per
query (warm: after one untimed pass), and the table gives p50 and p95 in milliseconds. ``ask``
is timed on the development questions over two indexes, turn about: without stored annotations
(sentences parsed when first read, as before) and with them; each as a question new to an
engine that has answered the questions before it, then asked again, then on a fresh engine
with nothing cached. The rank-bm25 reference takes seconds a query at this size, so it runs on
the first ``--reference-queries`` queries only, whose top 50 must equal the fast scorer's.
"""

import argparse
import cProfile
import ctypes
import dataclasses
import gc
import gzip
import json
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corpus import Article, Chunk, ChunkingConfig, bundled_articles_dir, load_articles
from corpus.article import make_article
from corpus.errors import ArticleFileError
from index import (
    CachedEmbedder,
    ChunkIndex,
    EmbedderKind,
    Manifest,
    build_index,
    make_embedder,
    open_index,
    tokenize,
)
from index.annotations import ANNOTATE_BATCH, stamp_of
from index.article_store import ArticleStore, NewArticle, StoreVersion, store_files
from index.bm25 import Bm25Scorer
from index.chunk_index import Base
from index.chunk_table import chunk_rows
from index.loading import assemble
from index.manifest import AnnotatorStamp
from index.sparse import SparseBm25
from index.store import LiveState
from index.stories import StoryMap
from index.tokenizer import TOKENIZER_VERSION
from index.vectors import SEARCH_BREADTH, VectorIndex
from retrieval import AnswerEngine
from retrieval.figure_store import FigureAnnotator, figures_from
from retrieval.figures import read_figures
from retrieval.fusion import reciprocal_rank_fusion

DEV_SET = Path(__file__).resolve().parent.parent / "qa" / "dev.jsonl"
CANDIDATES = 50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "xc-bench")
    parser.add_argument("--reference-queries", type=int, default=5)
    parser.add_argument("--titles", type=int, default=100)
    parser.add_argument(
        "--articles",
        type=int,
        help="read only the first N Reuters/BBC articles (a quick run; default: all)",
    )
    parser.add_argument(
        "--answers",
        type=Path,
        help="write each development question's answer text and figures to this JSON file",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="write cProfile stats of the new and cold asks with stored figures to "
        "PROFILE-new.prof and PROFILE-cold.prof (their timings then include the profiler's)",
    )
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str]] = []
    facts: list[tuple[str, str]] = []

    started = time.perf_counter()
    seeds = list(load_articles([bundled_articles_dir()]).articles)
    archive = read_archive(args.data)[: args.articles]
    chunking = ChunkingConfig()
    real = [c for a in seeds + archive for c in a.chunks(chunking)]
    facts.append(("articles read (Reuters + BBC + 5 seeds)", f"{len(archive) + len(seeds):,}"))
    facts.append(("real chunks", f"{len(real):,}"))
    facts.append(("reading and chunking", f"{time.perf_counter() - started:.1f} s"))

    embedder = make_embedder(EmbedderKind.MINILM)
    vectors, rate = cached_vectors(args.cache, real, embedder)
    if rate is not None:
        facts.append(("embedding real chunks (ONNX int8)", f"{rate:,.0f} chunks/s"))

    started = time.perf_counter()
    articles = {a.doc_id: a for a in seeds + archive}
    chunks, terms, all_vectors = scale(real, vectors, articles, len(seeds), args.chunks)
    facts.append(("chunks after replication", f"{len(chunks):,}"))
    facts.append(("replicating", f"{time.perf_counter() - started:.1f} s"))

    started = time.perf_counter()
    sparse = SparseBm25.from_terms(terms)
    seconds = time.perf_counter() - started
    facts.append(("inverted BM25 build", f"{seconds:.1f} s ({len(terms) / seconds:,.0f} chunks/s)"))
    started = time.perf_counter()
    exact = VectorIndex.from_vectors(all_vectors, approximate_from=len(chunks) + 1)
    facts.append(("faiss flat build", f"{time.perf_counter() - started:.1f} s"))
    started = time.perf_counter()
    approximate_index = VectorIndex.from_vectors(all_vectors)
    seconds = time.perf_counter() - started
    facts.append(("faiss HNSW32-SQ8 build", f"{seconds:.1f} s ({approximate_index.approximate=})"))
    del all_vectors

    with tempfile.TemporaryDirectory(dir=args.cache) as folder:
        sparse_bytes = sum(os.path.getsize(Path(folder) / n) for n in sparse.save(Path(folder)))
        approximate_index.save(Path(folder) / "vectors.faiss")
        dense_bytes = os.path.getsize(Path(folder) / "vectors.faiss")
        exact.save(Path(folder) / "flat.faiss")
        flat_bytes = os.path.getsize(Path(folder) / "flat.faiss")
        (Path(folder) / "flat.faiss").unlink()
        loaded_rss = serving_rss(Path(folder), len(chunks))
    n = len(chunks)
    facts.append(
        (
            "RSS added by loading + querying BM25 + HNSW",
            f"{loaded_rss:,.0f} MB ({loaded_rss * 2**20 / n:,.0f} B/chunk)",
        )
    )
    facts.append(
        (
            "on disk: BM25 postings",
            f"{sparse_bytes / 2**20:,.0f} MB ({sparse_bytes / n:.0f} B/chunk)",
        )
    )
    facts.append(
        (
            "on disk: HNSW32-SQ8 vectors",
            f"{dense_bytes / 2**20:,.0f} MB ({dense_bytes / n:.0f} B/chunk)",
        )
    )
    facts.append(
        (
            "on disk: flat vectors (for comparison)",
            f"{flat_bytes / 2**20:,.0f} MB ({flat_bytes / n:.0f} B/chunk)",
        )
    )
    facts.append(
        ("search index per chunk (BM25 + HNSW32-SQ8)", f"{(sparse_bytes + dense_bytes) / n:.0f} B")
    )

    questions = [
        json.loads(line)["question"] for line in DEV_SET.read_text("utf-8").splitlines()[1:] if line
    ]
    sampled = random.Random(1).sample(archive, min(args.titles, len(archive)))
    titles = [a.title for a in sampled if a.title]
    queries = questions + titles

    replica_articles = replicas_of(articles, chunks)
    annotator = FigureAnnotator()
    stored, annotate_seconds, annotated = cached_annotations(args.cache, seeds + archive, annotator)
    how = "this run" if annotated else "cached; measured when made"
    facts.append(
        (
            "annotating the real articles (spaCy)",
            f"{annotate_seconds:,.0f} s, {len(articles) / annotate_seconds:.1f} articles/s, "
            f"{len(real) / annotate_seconds:.0f} chunks/s ({how})",
        )
    )
    generation = tempfile.TemporaryDirectory(dir=args.cache)
    folder = Path(generation.name)
    stamp = stamp_of(annotator)
    started = time.perf_counter()
    store, keys = write_replica_store(
        folder / STORE_FILE, replica_articles, stored, stamp, embedder.dimension
    )
    stored_count = len(keys)
    facts.append(
        (
            "writing the article store (+ annotations)",
            f"{time.perf_counter() - started:.1f} s ({stored_count:,} articles)",
        )
    )
    # The index reads the articles from the store, not from these.
    table = chunk_rows(chunks, keys)
    del chunks, keys, replica_articles
    gc.collect()
    facts.append(("chunk table in memory", f"{table.nbytes / n:.0f} B/chunk"))
    size = sum(path.stat().st_size for path in store_files(store.path) if path.exists())
    facts.append(
        (
            "on disk: article store (SQLite)",
            f"{size / 2**20:,.0f} MB ({size / stored_count:,.0f} B/article: text, metadata, "
            "zero profile vector, annotation)",
        )
    )
    size = annotation_bytes(store)
    facts.append(
        (
            "  of which figures + entities (JSON)",
            f"{size / 2**20:,.0f} MB ({size / n:.0f} B/chunk, "
            f"{size / stored_count:,.0f} B/article)",
        )
    )
    figure_bytes, entity_bytes = annotation_parts(stored.values())
    facts.append(
        (
            "  of which figures / entities (real articles)",
            f"{figure_bytes / len(real):.0f} / {entity_bytes / len(real):.0f} B/chunk",
        )
    )

    plain = Manifest(
        model=embedder.name,
        dimension=embedder.dimension,
        tokenizer=TOKENIZER_VERSION,
        chunking=chunking,
        store=store.path.name,
        covers=SEQUENCE,
        article_count=stored_count,
        chunk_count=n,
        files={},
        created="",
    )
    with_figures = dataclasses.replace(plain, annotator=stamp)
    # As before stored annotations (sentences parsed when first read), and as a user's index
    # is built now (figures and entities stored).
    indexes = {
        BEFORE: replica_index(folder, plain, store, table, sparse, approximate_index),
        AFTER: replica_index(folder, with_figures, store, table, sparse, approximate_index),
    }
    facts.append(
        ("stored = fresh read, sampled copies", copies_read_alike(indexes[AFTER].articles, stamp))
    )
    engines = {kind: AnswerEngine(index, embedder) for kind, index in indexes.items()}

    timings: dict[str, list[float]] = {}
    recalls: list[float] = []
    query_vectors = embedder.embed(queries)
    for warm in (False, True):
        for q, query in enumerate(queries):
            clock = Clock(timings, warm)
            query_terms = tokenize(query)
            bm25 = sparse.top(query_terms, CANDIDATES)
            clock.lap("BM25 inverted index, top 50")
            embedder.embed([query])
            clock.lap("embed query (ONNX int8)")
            vector = query_vectors[q]
            clock.lap()
            flat = exact.top(vector, CANDIDATES)
            clock.lap("dense exact (flat), top 50")
            approx = approximate_index.top(vector, CANDIDATES)
            clock.lap("dense HNSW32-SQ8, top 50")
            reciprocal_rank_fusion([[p for p, _ in bm25], [p for p, _ in approx]])
            clock.lap("fusion (RRF)")
            if warm:
                truth = {p for p, _ in flat[:10]}
                recalls.append(len(truth & {p for p, _ in approx[:10]}) / max(1, len(truth)))

    # The spaCy pipeline and the ONNX session load on first use: not part of any answer.
    for index in indexes.values():
        AnswerEngine(index, embedder).ask(titles[0] or "warm up")
    answers: dict[str, dict[str, Any]] = {kind: {} for kind in indexes}
    # Each question on engines that have answered the questions before it (their caches hold
    # those passages' sentences and figures), new to them; then asked again; then on fresh
    # engines, nothing cached. Which setup answers first turns question by question.
    profilers = {label: cProfile.Profile() for label in (ASK_NEW, ASK_COLD)}
    kinds = list(indexes)
    for label in (ASK_NEW, ASK_AGAIN, ASK_COLD):
        for q, question in enumerate(questions):
            for kind in kinds[q % 2 :] + kinds[: q % 2]:
                engine = engines[kind]
                if label == ASK_COLD:
                    engine = AnswerEngine(indexes[kind], CachedEmbedder(embedder))
                profiler = profilers.get(label) if args.profile and kind == AFTER else None
                if profiler is not None:
                    profiler.enable()
                started = time.perf_counter()
                answer = engine.ask(question)
                timings.setdefault(f"{label}, {kind}", []).append(
                    1000 * (time.perf_counter() - started)
                )
                if profiler is not None:
                    profiler.disable()
                answers[kind].setdefault(question, answer)
            if label == ASK_AGAIN:
                started = time.perf_counter()
                engines[AFTER].passages(question)
                timings.setdefault(ANSWER_SEARCH, []).append(1000 * (time.perf_counter() - started))
    if args.profile is not None:
        for label, profiler in profilers.items():
            profiler.dump_stats(f"{args.profile}-{'new' if label == ASK_NEW else 'cold'}.prof")
    alike = sum(
        figures_of(answers[BEFORE][q]) == figures_of(answers[AFTER][q])
        and answers[BEFORE][q].answer == answers[AFTER][q].answer
        for q in questions
    )
    facts.append(("answers equal, stored figures vs parsed", f"{alike}/{len(questions)}"))
    for stage in (
        "BM25 inverted index, top 50",
        "embed query (ONNX int8)",
        "dense exact (flat), top 50",
        "dense HNSW32-SQ8, top 50",
        "fusion (RRF)",
        *(
            f"{label}, {kind}"
            for label in (ASK_NEW, ASK_AGAIN, ASK_COLD)
            for kind in (BEFORE, AFTER)
        ),
        ANSWER_SEARCH,
    ):
        values = timings[stage]
        rows.append((stage, f"{percentile(values, 0.5):.2f}", f"{percentile(values, 0.95):.2f}"))
    facts.append(
        (
            "dense recall@10, HNSW32-SQ8 vs exact",
            f"{statistics.mean(recalls):.3f} over {len(recalls)} queries",
        )
    )
    if approximate_index.approximate:
        truths = [{p for p, _ in exact.top(v, 10)} for v in query_vectors]
        for breadth in (32, 64, 96, 128, 192, 256):
            probe = VectorIndex(approximate_index._index, breadth)
            t = time.perf_counter()
            found = [{p for p, _ in probe.top(v, 10)} for v in query_vectors]
            ms = 1000 * (time.perf_counter() - t) / len(query_vectors)
            recall = statistics.mean(len(a & b) / 10 for a, b in zip(truths, found, strict=True))
            facts.append((f"  efSearch {breadth}: recall@10, mean ms", f"{recall:.3f}, {ms:.2f}"))
        facts.append(("  default efSearch", str(SEARCH_BREADTH)))

    same = same_answers(seeds, embedder, answers[AFTER])
    if args.answers is not None:
        write_answers(args.answers, answers[AFTER])
    facts.append(("dev-set answers with the same figures as over the seeds alone", same))

    rss = peak_rss_mb()
    facts.append(
        (
            "peak RSS before the reference",
            f"{rss:,.0f} MB ({rss * 2**20 / n:,.0f} B/chunk, all Python objects included)",
        )
    )

    if args.reference_queries:
        started = time.perf_counter()
        reference = Bm25Scorer(terms)
        facts.append(("rank-bm25 BM25Okapi build", f"{time.perf_counter() - started:.1f} s"))
        ref_times, fast_times, equal = [], [], 0
        for query in queries[: args.reference_queries]:
            query_terms = tokenize(query)
            t = time.perf_counter()
            expected = reference.top(query_terms, CANDIDATES)
            ref_times.append(1000 * (time.perf_counter() - t))
            t = time.perf_counter()
            got = sparse.top(query_terms, CANDIDATES)
            fast_times.append(1000 * (time.perf_counter() - t))
            equal += got == expected
        rows.insert(
            0,
            (
                "BM25 rank-bm25 reference, top 50",
                f"{percentile(ref_times, 0.5):.0f}",
                f"{percentile(ref_times, 0.95):.0f}",
            ),
        )
        speedup = statistics.median(ref_times) / statistics.median(fast_times)
        facts.append(
            (
                "BM25 speed-up, same queries, same run",
                f"{speedup:,.0f}x ({equal}/{len(ref_times)} top-50 lists identical)",
            )
        )

    del exact, terms
    reference = None
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    engines[AFTER].ask(questions[0])
    facts.append(
        (
            "RSS holding index + engine",
            f"{current_rss_mb():,.0f} MB (build-only data freed; articles in the store)",
        )
    )

    store.close()
    generation.cleanup()
    print(f"\n# bench.query: {n:,} chunks, {len(queries)} queries", end=" ")
    print(f"({len(questions)} dev-set questions, {len(titles)} titles)")
    print(f"# CPU: {cpu_model()}, {os.cpu_count()} CPUs, flags: {cpu_flags()}\n")
    print(f"{'stage':<40} {'p50 ms':>10} {'p95 ms':>10}")
    for stage, p50, p95 in rows:
        print(f"{stage:<40} {p50:>10} {p95:>10}")
    print()
    for name, value in facts:
        print(f"{name:<42} {value}")
    return 0


def write_answers(path: Path, answers: dict[str, Any]) -> None:
    """Each development question's answer text and figures (value, qualifier, documents), as
    JSON, to compare the answers of two runs question by question."""
    written = {
        question: {
            "answer": answer.answer,
            "figures": sorted([v, q, sorted(d)] for v, q, d in figures_of(answer)),
        }
        for question, answer in answers.items()
    }
    path.write_text(json.dumps(written, indent=1, sort_keys=True) + "\n", "utf-8")


def same_answers(seeds: list[Article], embedder: Any, answers: dict[str, Any]) -> str:
    """How many answers give the same figures (value, qualifier, documents) as over the seed
    articles alone. Questions that name no event ("How many people were hurt?") rightly draw
    figures from other stories in an archive, so this is not expected to be all of them."""
    with tempfile.TemporaryDirectory() as folder:
        build_index(seeds, Path(folder), embedder)
        engine = AnswerEngine(open_index(Path(folder), embedder), embedder)
        same = 0
        for question, answer in answers.items():
            alone = engine.ask(question)
            same += figures_of(alone) == figures_of(answer)
    return f"{same}/{len(answers)}"


def figures_of(answer: Any) -> set[tuple[float, str, frozenset[str]]]:
    return {(f.value, f.qualifier, frozenset(f.doc_ids)) for f in answer.figures}


def read_archive(data: Path) -> list[Article]:
    """The Reuters and BBC articles as crosscheck articles (unparseable ones skipped)."""
    articles = []
    for name in ("reuters21578.jsonl.gz", "bbc_news.jsonl.gz"):
        with gzip.open(data / name, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                record_id = re.sub(r"[^A-Za-z0-9._-]", "-", str(record["id"]))
                doc_id = f"{name.split('.')[0].split('_')[0]}-{record_id}"
                try:
                    articles.append(make_article(doc_id, record["text"], title=record.get("title")))
                except ArticleFileError:
                    continue
    return articles


def cached_vectors(
    cache: Path, chunks: Sequence[Chunk], embedder: Any
) -> tuple[np.ndarray, float | None]:
    path = cache / f"vectors-{len(chunks)}-{embedder.name.replace('/', '_').replace(' ', '_')}.npy"
    if path.exists():
        return np.load(path), None
    started = time.perf_counter()
    vectors = np.zeros((len(chunks), embedder.dimension), dtype=np.float32)
    order = sorted(range(len(chunks)), key=lambda i: len(chunks[i].text))
    for start in range(0, len(order), 256):
        batch = order[start : start + 256]
        vectors[batch] = embedder.embed([chunks[i].text for i in batch])
        if start % 2560 == 0:
            print(f"embedding {start + len(batch):,}/{len(chunks):,}", file=sys.stderr)
    print(file=sys.stderr)
    rate = len(chunks) / (time.perf_counter() - started)
    np.save(path, vectors)
    return vectors, rate


def cached_annotations(
    cache: Path, articles: Sequence[Article], annotator: FigureAnnotator
) -> tuple[dict[str, bytes], float, int]:
    """What ``annotator`` stores for each article, as the bytes after ``"data":`` of its line
    in a JSONL file of ``{"doc_id": ..., "data": ...}`` lines (the data as the index stores it,
    then the line's closing brace); made once and kept in ``cache`` under the annotator's
    version. An interrupted run is resumed. Returns the annotations, the seconds annotating
    took (summed over the runs that made them) and how many articles this run annotated."""
    path = cache / f"annotations-{len(articles)}-{annotator.version}.jsonl"
    partial = path.with_name(path.name + ".partial")
    clock = path.with_name(path.name + ".seconds")
    if not path.exists():
        done = _annotation_lines(partial) if partial.exists() else {}
        todo = [a for a in articles if a.doc_id not in done]
        seconds = float(clock.read_text()) if clock.exists() and done else 0.0
        with open(partial, "ab") as handle:
            for start in range(0, len(todo), ANNOTATE_BATCH):
                began = time.perf_counter()
                batch = todo[start : start + ANNOTATE_BATCH]
                for article, data in zip(batch, annotator.annotate(batch), strict=True):
                    record = {"doc_id": article.doc_id, "data": data}
                    text = json.dumps(
                        record, ensure_ascii=False, separators=(",", ":"), allow_nan=False
                    )
                    handle.write(text.encode("utf-8") + b"\n")
                handle.flush()
                seconds += time.perf_counter() - began
                clock.write_text(f"{seconds:.3f}")
                if start // ANNOTATE_BATCH % 20 == 0:
                    print(
                        f"annotating {len(done) + start + len(batch):,}/{len(articles):,} "
                        f"({seconds:.0f} s)",
                        file=sys.stderr,
                    )
        os.replace(partial, path)
        annotated = len(todo)
    else:
        annotated = 0
    lines = _annotation_lines(path)
    missing = [a.doc_id for a in articles if a.doc_id not in lines]
    if missing:
        raise SystemExit(f"{path} has no annotation of {len(missing)} articles, e.g. {missing[0]}")
    return lines, float(clock.read_text()) if clock.exists() else float("nan"), annotated


def _annotation_lines(path: Path) -> dict[str, bytes]:
    """The data of each whole line of an annotations file by doc id; a last line cut short by
    an interrupted run is dropped from the file."""
    found: dict[str, bytes] = {}
    content = path.read_bytes()
    whole = content.rfind(b"\n") + 1
    if whole < len(content):
        with open(path, "r+b") as handle:
            handle.truncate(whole)
    for line in content[:whole].splitlines():
        doc_id = json.loads(line)["doc_id"]
        prefix = _line_prefix(doc_id)
        if not line.startswith(prefix):
            raise SystemExit(f"{path}: the line of {doc_id!r} is not as cached_annotations writes")
        found[doc_id] = line[len(prefix) :]
    return found


def _line_prefix(doc_id: str) -> bytes:
    return b'{"doc_id":' + json.dumps(doc_id, ensure_ascii=False).encode("utf-8") + b',"data":'


def write_replica_store(
    path: Path,
    articles: dict[str, Article],
    real: dict[str, bytes],
    stamp: AnnotatorStamp,
    dimension: int,
) -> tuple[ArticleStore, dict[str, int]]:
    """An article store at ``path`` holding every article, each with its annotation: a copy
    ("doc~r") has its original's text, so its annotation is the original's (offsets are into
    the text). Written in transactions of ``STORE_BATCH`` articles, as a build writes them;
    profiles are zero vectors of ``dimension`` and no entities (stories are not built here).
    Returns the store, opened read-only as a served index opens it, and each article's key."""
    writer = ArticleStore.create(path)
    profile = np.zeros(dimension, dtype=np.float32)
    doc_ids = list(articles)
    keys: dict[str, int] = {}
    try:
        for start in range(0, len(doc_ids), STORE_BATCH):
            batch = [
                # The cached bytes end with the line's closing brace (see ``cached_annotations``).
                NewArticle(
                    articles[doc_id],
                    profile,
                    frozenset(),
                    real[doc_id.split("~")[0]][:-1].decode("utf-8"),
                )
                for doc_id in doc_ids[start : start + STORE_BATCH]
            ]
            written = writer.write(SEQUENCE, add=batch, annotator=stamp)
            keys.update(zip((new.article.doc_id for new in batch), written, strict=True))
    finally:
        writer.close()
    return ArticleStore(path), keys


def replica_index(
    folder: Path,
    manifest: Manifest,
    store: ArticleStore,
    rows: NDArray[np.int32],
    sparse: SparseBm25,
    vectors: VectorIndex,
) -> ChunkIndex:
    """The index a served generation in ``folder`` over ``store`` would load, made of the
    search structures built here (no stories, no segments)."""
    base = Base(folder, manifest, store, rows, sparse, vectors, StoryMap())
    return assemble(LiveState(folder), base, ())


def annotation_bytes(store: ArticleStore) -> int:
    """Bytes of the annotations' JSON text in ``store`` (without SQLite's own overhead)."""
    rows = store.query("SELECT coalesce(sum(length(CAST(annotation AS BLOB))), 0) FROM articles")
    return int(rows[0][0])


def scale(
    real: Sequence[Chunk],
    vectors: np.ndarray,
    articles: dict[str, Article],
    seeds: int,
    target: int,
) -> tuple[list[Chunk], list[list[str]], np.ndarray]:
    """The real chunks plus perturbed copies of the archive's chunks, up to ``target``."""
    base_terms = [tokenize(c.text) for c in real]
    seed_chunks = sum(1 for c in real if not c.doc_id.startswith(("reuters", "bbc")))
    copyable = list(range(seed_chunks, len(real)))
    rng = np.random.default_rng(0)
    chunks, terms = list(real), list(base_terms)
    extra = max(0, target - len(real))
    sources = np.resize(np.asarray(copyable), extra)
    partners = rng.integers(seed_chunks, len(real), size=extra)
    out = np.zeros((len(real) + extra, vectors.shape[1]), dtype=np.float32)
    out[: len(real)] = vectors
    for k, (i, j) in enumerate(zip(sources.tolist(), partners.tolist(), strict=True)):
        copy = k // len(copyable) + 1
        chunk = real[i]
        chunks.append(dataclasses.replace(chunk, doc_id=f"{chunk.doc_id}~{copy}"))
        mine, other = base_terms[i], base_terms[j]
        if mine and other:
            mine = list(mine)
            for position in rng.integers(0, len(mine), size=max(1, len(mine) * 15 // 100)).tolist():
                mine[position] = other[int(rng.integers(0, len(other)))]
        terms.append(mine)
    for start in range(0, extra, 65536):
        stop = min(extra, start + 65536)
        mixed = 0.85 * vectors[sources[start:stop]] + 0.15 * vectors[partners[start:stop]]
        mixed += 0.05 * rng.standard_normal(mixed.shape, dtype=np.float32)
        mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
        out[len(real) + start : len(real) + stop] = mixed
    return chunks, terms, out


def annotation_parts(lines: Iterable[bytes]) -> tuple[int, int]:
    """Bytes of the figures and of the entities in annotation lines (as ``cached_annotations``
    keeps them), written compactly as ``index.annotations.annotate`` writes them."""
    figures = entities = 0
    for line in lines:
        data = json.loads(line[:-1])
        figures += len(json.dumps(data["figures"], ensure_ascii=False, separators=(",", ":")))
        entities += len(json.dumps(data["entities"], ensure_ascii=False, separators=(",", ":")))
    return figures, entities


def copies_read_alike(articles: StoreVersion, stamp: AnnotatorStamp, sample: int = 20) -> str:
    """How many of ``sample`` copies, read back from the store, have stored the figures and
    entities (by the annotator ``stamp`` names) that annotating the copy itself gives, and the
    figures that reading its sentences now gives."""
    copies = sorted(doc_id for doc_id in articles if "~" in doc_id)
    equal = 0
    chosen = random.Random(2).sample(copies, min(sample, len(copies)))
    for doc_id in chosen:
        article = articles[doc_id]
        data = articles.annotation(doc_id, stamp) or {}
        fresh = FigureAnnotator().annotate([article])[0]
        equal += data == fresh and figures_from(data, article) == read_figures(article.sentences())
    return f"{equal}/{len(chosen)}"


def replicas_of(articles: dict[str, Article], chunks: Sequence[Chunk]) -> dict[str, Article]:
    """The articles, plus each copy's article: the original under the copy's doc id."""
    everything = dict(articles)
    for chunk in chunks:
        if chunk.doc_id not in everything:
            original = articles[chunk.doc_id.split("~")[0]]
            everything[chunk.doc_id] = dataclasses.replace(original, doc_id=chunk.doc_id)
    return everything


# The article store's file in the bench's generation folder, the sequence number its rows are
# added by, and the articles written per transaction (as ``index.build`` writes them).
STORE_FILE = "store-000001.sqlite"
SEQUENCE = 1
STORE_BATCH = 2000
BEFORE = "sentences parsed"
AFTER = "figures stored"
ASK_NEW = "ask, question new"
ASK_AGAIN = "ask, asked before"
ASK_COLD = "ask, new, caches empty"
ANSWER_SEARCH = "  hybrid search of ask (60 passages)"


class Clock:
    """Times consecutive stages of one query; ``lap(stage)`` records the time since the last
    lap (when ``keep``), ``lap()`` just restarts."""

    def __init__(self, timings: dict[str, list[float]], keep: bool) -> None:
        self._timings = timings
        self._keep = keep
        self._last = time.perf_counter()

    def lap(self, stage: str | None = None) -> None:
        now = time.perf_counter()
        if stage is not None and self._keep:
            self._timings.setdefault(stage, []).append(1000 * (now - self._last))
        self._last = time.perf_counter()


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


SERVING = """
import sys
from pathlib import Path
import numpy as np
from index.sparse import SparseBm25
from index.vectors import SEARCH_BREADTH, VectorIndex
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
before = rss()
folder, count = Path(sys.argv[1]), int(sys.argv[2])
sparse = SparseBm25.load(folder, count)
vectors = VectorIndex.load(folder / "vectors.faiss", 384, count)
rng = np.random.default_rng(0)
for query in (["bank", "rate"], ["oil", "price", "opec"], ["kyiv", "missil"], ["elect"]):
    sparse.top(query, 50)
    v = rng.standard_normal(384).astype(np.float32)
    vectors.top(v / np.linalg.norm(v), 50)
print((rss() - before) / 1024)
"""


def serving_rss(folder: Path, count: int) -> float:
    """RSS (MB) a fresh process adds by loading the saved index and querying it, over what its
    imports take."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", SERVING, str(folder), str(count)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip())


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def cpu_flags() -> str:
    """Which of the vector instruction sets faiss and onnxruntime use the CPU has."""
    flags: set[str] = set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    wanted = ("avx2", "avx512f", "avx512_vnni")
    return " ".join(f"{f}={'yes' if f in flags else 'no'}" for f in wanted)


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
