"""Dense search candidates at several sizes: recall@10 against exact search, single-query time
as a ratio to HNSW32 over float vectors, bytes a vector on disk and in RSS, build and open time.

    python -m bench.dense --data ../shared/data --cache DIR [--store DIR]
        [--chunks 53447 200000 1000000] [--rounds 3]

Vectors: bench/query.py's set (``read_archive``, ``cached_vectors``, ``scale``): the real
MiniLM vectors of the Reuters/BBC chunks (cached in ``--cache``, never re-embedded here) and
perturbed copies up to each size; kept in ``--store`` with the built indexes, so a second run
builds nothing. Queries: bench/query.py's 73 development questions and 100 titles, embedded.

Each index is read back as a served index is (``faiss.IO_FLAG_MMAP_IFC``) and each search
asks for the top 50 of one query on one faiss thread. Timing is interleaved: every query is
searched by every configuration in turn (the order rotating), ``--rounds`` times after an
untimed pass, in passes that hold one setting of each index (so that no search runs in caches
the same query warmed on the same index) and the reference, HNSW32 over float vectors at
efSearch 192, searched in a copy of its file (so that its caches are its own). A
configuration's ratio is the median over queries of its median time over the reference's in
its pass. Recall@10 is that of the top 50's first 10 against exact search (ties at the 10th
place counted as found). RSS is measured in a fresh process that opens the index and searches
every query once.

``--threads`` then times the search that follows an ONNX embedding of each query (as a served
search does) with faiss on one thread and on two, interleaved.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from bench.query import DEV_SET, cached_vectors, cpu_flags, cpu_model, read_archive, scale
from corpus import ChunkingConfig, bundled_articles_dir, load_articles
from index import EmbedderKind, make_embedder

TOP = 50
RECALL_AT = 10
REFERENCE = "HNSW32,Flat ef192"
REFERENCE_COPY = "reference"


@dataclass(frozen=True)
class Candidate:
    """A faiss index to build (``factory`` string; ``{lists}`` is filled in with 4 sqrt(n))
    and the search settings to try on it (efSearch for HNSW, nprobe for IVF; ``None``: exact)."""

    factory: str
    settings: tuple[int | None, ...]
    build_breadth: int = 40  # efConstruction (faiss's default)

    def name(self, vectors: int) -> str:
        return self.factory.format(lists=_lists(vectors))


CANDIDATES = (
    Candidate("Flat", (None,)),
    Candidate("HNSW32,Flat", (64, 128, 192, 256)),
    Candidate("HNSW32,SQ8", (64, 96, 128, 192, 256, 384)),
    Candidate("HNSW16,SQfp16", (128, 192, 256, 384)),
    Candidate("HNSW24,SQfp16", (128, 192, 256)),
    Candidate("IVF{lists},SQ8", (None,)),  # nprobe a tenth of the lists, as index.vectors had
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache", type=Path, required=True, help="bench/query.py's cache")
    parser.add_argument("--store", type=Path, default=Path("/tmp/dense-cache"))
    parser.add_argument("--chunks", type=int, nargs="+", default=[53_447, 200_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="factory strings to run (default: all)")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--threads",
        action="store_true",
        help="also time each query's embedding and top-50 search on 1 and 2 faiss threads",
    )
    args = parser.parse_args()
    args.store.mkdir(parents=True, exist_ok=True)
    candidates = [c for c in CANDIDATES if not args.only or c.factory in args.only]
    queries = query_vectors(args.data, args.cache, args.store)
    print(f"# bench.dense: {len(queries)} queries; CPU: {cpu_model()}, {os.cpu_count()} CPUs")
    print(f"# {cpu_flags()}; faiss {faiss.__version__}, {faiss.omp_get_max_threads()} threads")
    for count in args.chunks:
        vectors = vector_set(args.data, args.cache, args.store, count)
        built = {c.name(count): build(args.store, c, vectors) for c in candidates}
        if args.build_only:
            continue
        truth = exact_neighbours(vectors, queries)
        del vectors
        report(args.store, count, candidates, built, queries, truth, args.rounds)
        if args.threads:
            threads(args.data, built, args.rounds)
    return 0


def threads(data: Path, built: dict[str, dict[str, Any]], rounds: int) -> None:
    """Each query embedded (ONNX, as a served search does) then searched, top 50, with faiss
    on 1 and on 2 threads, interleaved: the p50 of the search alone."""
    archive = read_archive(data)
    questions = [
        json.loads(line)["question"] for line in DEV_SET.read_text("utf-8").splitlines()[1:] if line
    ]
    texts = questions + [a.title for a in random.Random(1).sample(archive, 100) if a.title]
    embedder = make_embedder(EmbedderKind.MINILM)
    embedder.embed(texts[:2])
    indexes = {
        name: faiss.read_index(b["path"], faiss.IO_FLAG_MMAP_IFC)
        for name, b in built.items()
        if name in ("Flat", "HNSW32,SQ8")
    }
    configs = {
        (name, count): search_fn(index, 128 if name.startswith("HNSW") else None)
        for name, index in indexes.items()
        for count in (1, 2)
    }
    times: dict[tuple[str, int], list[float]] = {config: [] for config in configs}
    labels = list(configs)
    for r in range(rounds + 1):
        for q, text in enumerate(texts):
            turn = (q + r) % len(labels)
            for label in labels[turn:] + labels[:turn]:
                row = embedder.embed([text]).reshape(1, -1)
                faiss.omp_set_num_threads(label[1])
                started = time.perf_counter()
                configs[label](row)
                if r:
                    times[label].append(1000 * (time.perf_counter() - started))
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    print(
        "\n| search after an embed | faiss threads | p50 ms | p95 ms |\n| --- | --- | --- | --- |"
    )
    for (name, count), values in times.items():
        ordered = sorted(values)
        p95 = ordered[int(0.95 * len(ordered))]
        print(
            f"| {name} (ef128 for HNSW) | {count} | {statistics.median(values):.2f} | {p95:.2f} |"
        )
    sys.stdout.flush()


def query_vectors(data: Path, cache: Path, store: Path) -> np.ndarray:
    """bench/query.py's queries (development questions, then 100 titles), embedded once."""
    path = store / "queries.npy"
    if path.exists():
        return np.load(path)
    archive = read_archive(data)
    questions = [
        json.loads(line)["question"] for line in DEV_SET.read_text("utf-8").splitlines()[1:] if line
    ]
    sampled = random.Random(1).sample(archive, 100)
    titles = [a.title for a in sampled if a.title]
    vectors = make_embedder(EmbedderKind.MINILM).embed(questions + titles)
    np.save(path, vectors)
    return vectors


def vector_set(data: Path, cache: Path, store: Path, count: int) -> np.ndarray:
    """bench/query.py's vectors scaled to ``count`` chunks (made once, kept in ``store``)."""
    path = store / f"vectors-{count}.npy"
    if path.exists():
        return np.load(path, mmap_mode="r")
    seeds = list(load_articles([bundled_articles_dir()]).articles)
    archive = read_archive(data)
    real = [c for a in seeds + archive for c in a.chunks(ChunkingConfig())]
    embedder = make_embedder(EmbedderKind.MINILM)
    vectors, rate = cached_vectors(cache, real, embedder)
    if rate is not None:
        raise SystemExit(f"{cache} held no vectors of these {len(real):,} chunks")
    articles = {a.doc_id: a for a in seeds + archive}
    if count <= len(real):
        scaled = vectors[:count]
    else:
        scaled = scale(real, vectors, articles, len(seeds), count)[2]
    np.save(path, np.ascontiguousarray(scaled, dtype=np.float32))
    return np.load(path, mmap_mode="r")


def _lists(vectors: int) -> int:
    return max(1, int(4 * np.sqrt(vectors)))


def build(store: Path, candidate: Candidate, vectors: np.ndarray) -> dict[str, Any]:
    """Build (or find built) ``candidate`` over ``vectors``; its file and build seconds."""
    count = len(vectors)
    name = candidate.name(count)
    path = store / f"{name.replace(',', '_')}-{count}.faiss"
    facts = path.with_suffix(".json")
    if path.exists() and facts.exists():
        return {"path": str(path), **json.loads(facts.read_text())}
    print(f"building {name} over {count:,} vectors", file=sys.stderr)
    data = np.ascontiguousarray(vectors, dtype=np.float32)
    started = time.perf_counter()
    index = faiss.index_factory(data.shape[1], name, faiss.METRIC_INNER_PRODUCT)
    if name.startswith("HNSW"):
        faiss.downcast_index(index).hnsw.efConstruction = candidate.build_breadth
    if not index.is_trained:
        if name.startswith("IVF"):  # as index.vectors trains it: 40 vectors a list
            sample = min(count, _lists(count) * 40)
            rows = np.sort(np.random.default_rng(0).choice(count, size=sample, replace=False))
            index.train(data[rows])
        else:
            index.train(data)
    index.add(data)
    seconds = time.perf_counter() - started
    faiss.write_index(index, str(path))
    facts.write_text(json.dumps({"build_seconds": seconds}))
    print(f"  {seconds:.1f} s", file=sys.stderr)
    return {"path": str(path), "build_seconds": seconds}


def exact_neighbours(vectors: np.ndarray, queries: np.ndarray) -> list[np.ndarray]:
    """Each query's exact inner products, best first, down to the 10th (with ties): a found
    position counts when its exact score reaches the 10th best's."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    for start in range(0, len(vectors), 200_000):
        index.add(np.ascontiguousarray(vectors[start : start + 200_000], dtype=np.float32))
    scores, _ = index.search(np.ascontiguousarray(queries, dtype=np.float32), RECALL_AT)
    return [row[-1] for row in scores]


def search_fn(index: Any, setting: int | None) -> Callable[[np.ndarray], Any]:
    """One query's top-50 search of ``index`` with ``setting``."""
    params: Any = None
    inner = faiss.downcast_index(index)
    if isinstance(inner, faiss.IndexHNSW):
        params = faiss.SearchParametersHNSW(efSearch=setting)  # type: ignore[call-arg]
    elif isinstance(inner, faiss.IndexIVF):
        nprobe = setting or max(1, int(np.ceil(0.1 * inner.nlist)))
        params = faiss.SearchParametersIVF(nprobe=nprobe)  # type: ignore[call-arg]

    def search(query: np.ndarray) -> Any:
        return index.search(query, TOP, params=params)

    return search


def report(
    store: Path,
    count: int,
    candidates: Sequence[Candidate],
    built: dict[str, dict[str, Any]],
    queries: np.ndarray,
    truth_floor: list[np.ndarray],
    rounds: int,
) -> None:
    indexes = {n: faiss.read_index(b["path"], faiss.IO_FLAG_MMAP_IFC) for n, b in built.items()}
    flat = indexes.get("Flat")
    configs: dict[str, Callable[[np.ndarray], Any]] = {}
    for c in candidates:
        name = c.name(count)
        for setting in c.settings:
            label = name + ("" if setting is None else f" ef{setting}")
            configs[label] = search_fn(indexes[name], setting)
    rows = [np.ascontiguousarray(q.reshape(1, -1), dtype=np.float32) for q in queries]
    recall: dict[str, float] = {}
    for label, search in configs.items():
        found = []
        for q, row in enumerate(rows):
            scores, ids = search(row)
            # The exact score of each of the first 10 found (reconstructed from the flat index
            # when there is one: approximate scores are of quantized vectors).
            top = ids[0][:RECALL_AT]
            top = top[top >= 0]
            if flat is not None:
                exact = flat.reconstruct_batch(top) @ row[0]
            else:
                exact = scores[0][: len(top)]
            found.append(np.sum(exact >= truth_floor[q] - 1e-6) / RECALL_AT)
        recall[label] = float(np.mean(found))
    # Timed in passes holding one setting of each index, so that no search finds the caches
    # warmed by the same query on the same index; the reference, in every pass, is searched
    # in a copy of its own (another file, mapped alike).
    copy = Path(built[REFERENCE.split(" ")[0]]["path"] + ".copy")
    if not copy.exists():
        shutil.copyfile(copy.with_suffix(""), copy)
    reference_copy = search_fn(faiss.read_index(str(copy), faiss.IO_FLAG_MMAP_IFC), 192)
    passes: list[dict[str, Callable[[np.ndarray], Any]]] = []
    for j in range(max(len(c.settings) for c in candidates)):
        lane = {REFERENCE_COPY: reference_copy}
        for c in candidates:
            if j < len(c.settings):
                label = c.name(count) + ("" if c.settings[j] is None else f" ef{c.settings[j]}")
                lane[label] = configs[label]
        passes.append(lane)
    faiss.omp_set_num_threads(1)
    times: dict[str, list[list[float]]] = {label: [[] for _ in rows] for label in configs}
    ratios: dict[str, list[float]] = {label: [] for label in configs}
    for lane in passes:
        labels = list(lane)
        spent = {label: [[] for _ in rows] for label in labels}
        for r in range(rounds + 1):
            for q, row in enumerate(rows):
                turn = (q + r) % len(labels)
                for label in labels[turn:] + labels[:turn]:
                    started = time.perf_counter()
                    lane[label](row)
                    if r:
                        spent[label][q].append(1000 * (time.perf_counter() - started))
        reference = [statistics.median(t) for t in spent[REFERENCE_COPY]]
        for label in labels[1:]:
            times[label] = spent[label]
            mine = [statistics.median(t) for t in spent[label]]
            ratios[label] = [m / r for m, r in zip(mine, reference, strict=True)]
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    medians = {label: [statistics.median(t) for t in per] for label, per in times.items()}
    labels = list(configs)
    print(f"\n## {count:,} vectors, {len(rows)} queries, top {TOP}, 1 thread, {rounds} rounds\n")
    print("| index | recall@10 | p50 ms | ratio to HNSW32,Flat ef192 | disk B/vector |", end="")
    print(" RSS B/vector | open ms | build s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    served: dict[str, tuple[float, float]] = {}
    for label in labels:
        name = label.split(" ")[0]
        if name not in served:
            served[name] = serving(built[name]["path"], count)
        ratio = statistics.median(ratios[label])
        disk = os.path.getsize(built[name]["path"]) / count
        rss, opened = served[name]
        print(
            f"| {label} | {recall[label]:.3f} | {statistics.median(medians[label]):.2f} "
            f"| {ratio:.2f} | {disk:.0f} | {rss:.0f} | {opened:.0f} "
            f"| {built[name]['build_seconds']:.1f} |"
        )
    sys.stdout.flush()


SERVING = """
import sys, time
import faiss, numpy as np
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
queries = np.load(sys.argv[2])
before = rss()
started = time.perf_counter()
index = faiss.read_index(sys.argv[1], faiss.IO_FLAG_MMAP_IFC)
opened = time.perf_counter() - started
if isinstance(faiss.downcast_index(index), faiss.IndexHNSW):
    faiss.downcast_index(index).hnsw.efSearch = 192
faiss.omp_set_num_threads(1)
for q in queries:
    index.search(q.reshape(1, -1), 50)
print((rss() - before) / index.ntotal, 1000 * opened)
"""


def serving(path: str, count: int) -> tuple[float, float]:
    """RSS bytes a vector a fresh process adds by opening ``path`` and searching every query
    once (HNSW at efSearch 192, IVF at its saved nprobe), and the milliseconds the open took."""
    queries = Path(path).parent / "queries.npy"
    result = subprocess.run(
        [sys.executable, "-c", SERVING, path, str(queries)],
        capture_output=True,
        text=True,
        check=True,
    )
    rss, opened = result.stdout.split()
    return float(rss), float(opened)


if __name__ == "__main__":
    sys.exit(main())
