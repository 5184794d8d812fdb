"""Query speed and memory at a million chunks: BM25 reference vs inverted index, dense exact vs
IVF-SQ8 (with recall), fusion, answer, end to end.

    python -m bench.query --data ../shared/data [--chunks 1000000] [--cache DIR]

Corpus: the Reuters-21578 and BBC articles in ``--data`` (never copied into the repository),
chunked as crosscheck chunks, plus the five bundled articles, so the development set's questions
(qa/dev.jsonl) have their answers somewhere in the archive. Real chunks are embedded with the
default model (all-MiniLM-L6-v2, ONNX int8); the vectors are cached in ``--cache``.

Scaling to ``--chunks``: each Reuters/BBC chunk is copied until the count is reached (the seed
articles are not copied). Copy r of chunk i is filed under a new doc id; its BM25 terms are the
original's with 15% of the positions replaced by terms drawn from another random chunk j, and
its vector is normalise(0.85 v_i + 0.15 v_j + 0.05 g) with g a standard normal vector per
copy, so copies are near, not equal, to their original and to each other.

Queries: the 73 development-set questions and 100 Reuters/BBC titles. Each stage is timed per
query (warm: after one untimed pass), and the table gives p50 and p95 in milliseconds. The
rank-bm25 reference takes seconds a query at this size, so it runs on the first
``--reference-queries`` queries only, whose top 50 must equal the fast scorer's.
"""

import argparse
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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpus import Article, Chunk, ChunkingConfig, bundled_articles_dir, load_articles
from corpus.article import make_article
from corpus.errors import ArticleFileError
from index import (
    ChunkIndex,
    EmbedderKind,
    Manifest,
    build_index,
    make_embedder,
    open_index,
    tokenize,
)
from index.bm25 import Bm25Scorer
from index.chunk_table import ChunkTable
from index.sparse import SparseBm25
from index.vectors import VectorIndex
from retrieval import AnswerEngine
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
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str]] = []
    facts: list[tuple[str, str]] = []

    started = time.perf_counter()
    seeds = list(load_articles([bundled_articles_dir()]).articles)
    archive = read_archive(args.data)
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
    ivf = VectorIndex.from_vectors(all_vectors)
    seconds = time.perf_counter() - started
    facts.append(("faiss IVF-SQ8 build", f"{seconds:.1f} s ({ivf.approximate=})"))
    del all_vectors

    with tempfile.TemporaryDirectory(dir=args.cache) as folder:
        sparse_bytes = sum(os.path.getsize(Path(folder) / n) for n in sparse.save(Path(folder)))
        ivf.save(Path(folder) / "vectors.faiss")
        ivf_bytes = os.path.getsize(Path(folder) / "vectors.faiss")
        exact.save(Path(folder) / "flat.faiss")
        flat_bytes = os.path.getsize(Path(folder) / "flat.faiss")
        (Path(folder) / "flat.faiss").unlink()
        loaded_rss = serving_rss(Path(folder), len(chunks))
    n = len(chunks)
    facts.append(
        (
            "RSS added by loading + querying BM25 + IVF",
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
        ("on disk: IVF-SQ8 vectors", f"{ivf_bytes / 2**20:,.0f} MB ({ivf_bytes / n:.0f} B/chunk)")
    )
    facts.append(
        (
            "on disk: flat vectors (for comparison)",
            f"{flat_bytes / 2**20:,.0f} MB ({flat_bytes / n:.0f} B/chunk)",
        )
    )
    facts.append(
        ("search index per chunk (BM25 + IVF-SQ8)", f"{(sparse_bytes + ivf_bytes) / n:.0f} B")
    )

    questions = [
        json.loads(line)["question"] for line in DEV_SET.read_text("utf-8").splitlines()[1:] if line
    ]
    titles = [a.title for a in random.Random(1).sample(archive, args.titles) if a.title]
    queries = questions + titles

    manifest = Manifest(embedder.name, embedder.dimension, "", chunking, {}, n, {}, "")
    replica_articles = replicas_of(articles, chunks)
    table = ChunkTable(chunks, replica_articles)
    del chunks
    facts.append(("chunk table in memory", f"{table.nbytes / n:.0f} B/chunk"))
    index = ChunkIndex(manifest, args.cache, replica_articles, table, sparse, ivf)
    engine = AnswerEngine(index, embedder)

    timings: dict[str, list[float]] = {}
    recalls: list[float] = []
    query_vectors = embedder.embed(queries)
    answers = {}
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
            approx = ivf.top(vector, CANDIDATES)
            clock.lap("dense IVF-SQ8, top 50")
            reciprocal_rank_fusion([[p for p, _ in bm25], [p for p, _ in approx]])
            clock.lap("fusion (RRF)")
            if warm:
                truth = {p for p, _ in flat[:10]}
                recalls.append(len(truth & {p for p, _ in approx[:10]}) / max(1, len(truth)))
            if q < len(questions):
                clock = Clock(timings, True)
                answers[query] = engine.ask(query)
                clock.lap(ANSWER_AGAIN if warm else ANSWER_FIRST)
                if warm:
                    engine.passages(query)
                    clock.lap(ANSWER_SEARCH)
    for stage in (
        "BM25 inverted index, top 50",
        "embed query (ONNX int8)",
        "dense exact (flat), top 50",
        "dense IVF-SQ8, top 50",
        "fusion (RRF)",
        ANSWER_FIRST,
        ANSWER_AGAIN,
        ANSWER_SEARCH,
    ):
        values = timings[stage]
        rows.append((stage, f"{percentile(values, 0.5):.2f}", f"{percentile(values, 0.95):.2f}"))
    facts.append(
        (
            "dense recall@10, IVF-SQ8 vs exact",
            f"{statistics.mean(recalls):.3f} over {len(recalls)} queries",
        )
    )
    if ivf.approximate:
        truths = [{p for p, _ in exact.top(v, 10)} for v in query_vectors]
        for nprobe in (16, 32, 64, 128, 256, 512):
            probe = VectorIndex(ivf._index, nprobe)
            t = time.perf_counter()
            found = [{p for p, _ in probe.top(v, 10)} for v in query_vectors]
            ms = 1000 * (time.perf_counter() - t) / len(query_vectors)
            recall = statistics.mean(len(a & b) / 10 for a, b in zip(truths, found, strict=True))
            facts.append((f"  nprobe {nprobe}: recall@10, mean ms", f"{recall:.3f}, {ms:.2f}"))
        default_probe = VectorIndex(ivf._index)._index
        facts.append(("  default nprobe", str(faiss_nprobe(default_probe))))

    same = same_answers(seeds, embedder, answers)
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
    engine.ask(questions[0])
    facts.append(
        (
            "RSS holding index + articles + engine",
            f"{current_rss_mb():,.0f} MB (build-only data freed)",
        )
    )

    print(f"\n# bench.query: {n:,} chunks, {len(queries)} queries", end=" ")
    print(f"({len(questions)} dev-set questions, {len(titles)} titles)\n")
    print(f"{'stage':<40} {'p50 ms':>10} {'p95 ms':>10}")
    for stage, p50, p95 in rows:
        print(f"{stage:<40} {p50:>10} {p95:>10}")
    print()
    for name, value in facts:
        print(f"{name:<42} {value}")
    return 0


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


def replicas_of(articles: dict[str, Article], chunks: Sequence[Chunk]) -> dict[str, Article]:
    """The articles, plus each copy's article: the original under the copy's doc id."""
    everything = dict(articles)
    for chunk in chunks:
        if chunk.doc_id not in everything:
            original = articles[chunk.doc_id.split("~")[0]]
            everything[chunk.doc_id] = dataclasses.replace(original, doc_id=chunk.doc_id)
    return everything


ANSWER_FIRST = "ask end to end, question new"
ANSWER_AGAIN = "ask end to end, asked before"
ANSWER_SEARCH = "  of which hybrid search (60 passages)"


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


def faiss_nprobe(index: Any) -> int:
    import faiss

    return int(faiss.extract_index_ivf(index).nprobe)


SERVING = """
import sys
from pathlib import Path
import numpy as np
from index.sparse import SparseBm25
from index.vectors import VectorIndex
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


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
