"""Milvus Lite against the embedded index at the same size (issue 15): query and ingest latency.

    python -m bench.milvus --data ../shared/data [--chunks 100000] [--queries 200]
        [--ingests 20] [--cache DIR] [--index-root DIR] [--json FILE] [--annotate]

Corpus: the Reuters-21578 and BBC articles in ``--data`` and the five bundled articles, cut or
copied whole to about ``--chunks`` chunks as bench/ingest.py does (``replicate``: copy r of an
article is ``<doc id>.copy<r>``, with the same text), with bench/ingest.py's cached stories and
annotations (``--cache``). Embedder: the hash embedder (``EmbedderKind.HASH``, 64 dimensions),
so that embedding costs next to nothing and the times are the backends' own.

Both backends hold the same archive, in one run:

- embedded: the index directory, written as bench/ingest.py writes it (``write_generation``
  into ``IndexDirectory.replace_with``), opened with ``open_index`` and searched in this process;
- Milvus Lite: ``python -m milvus_lite server`` on a free port of 127.0.0.1 (a process of its
  own, reached over gRPC), loaded from the embedded index by ``index.milvus.migrate`` (what a
  user runs to move an index into Milvus: the same articles, chunks, vectors, stories and
  annotations, nothing embedded again, then every collection flushed into sealed segments),
  then opened with ``MilvusArchive.open``.

Queries: the development questions and then article titles, ``--queries`` in all. Each query
is asked of both backends in turn (which one goes first alternates from query to query), stage
by stage: BM25 top 50 (``bm25_top``), dense top 50 (``dense_top``, the query vector embedded
once, outside the timings) and hybrid top 10 (``HybridSearcher.search``, which Milvus answers
with one ``hybrid_search``, RRF k = 60, and the embedded index with its own BM25 and dense
searches fused here). A few other titles warm both backends first, untimed. The top 10 hybrid
passages of the two are compared: the share of their doc ids in common, and of their original
articles (a copy's doc id counts as its original's: copies tie with their original, and a tie
may be broken either way).

Writes: ``--ingests`` one-article ingests of bench/ingest.py's two-sentence article, each
through ``update_index`` (embedded) and ``update_archive`` (Milvus), alternating, then the
deletes of the same articles, alternating. Times are p50 and p95 (nearest rank) and the median
of the per-query (per-write) ratios Milvus/embedded. The server is stopped and every folder
removed at the end.
"""

import argparse
import contextlib
import dataclasses
import datetime as dt
import importlib.metadata
import json
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from bench.build import cpu_line
from bench.ingest import _annotations, _stories, _titles, article, replicate, write_index
from bench.load import percentile, questions, rss_kib
from bench.query import read_archive
from corpus import Article, bundled_articles_dir, load_articles, make_article
from index import EmbedderKind, make_embedder, open_index, update_index
from index.milvus import MilvusArchive, migrate, update_archive
from retrieval import FigureAnnotator, HybridSearcher, Retriever

EMBEDDER = EmbedderKind.HASH
TOP = 50  # candidates of the BM25 and dense stages
HITS = 10  # passages of the hybrid stage
WARM = 10  # titles asked of both backends, untimed, before the timed queries
STARTUP = 120.0  # seconds Milvus Lite may take to say it listens
STAGES = ("bm25", "dense", "hybrid", "ingest", "delete")
STAGE_NAMES = {
    "bm25": f"BM25 top {TOP}",
    "dense": f"dense top {TOP}",
    "hybrid": f"hybrid top {HITS}",
    "ingest": "ingest",
    "delete": "delete",
}
BACKENDS = ("embedded", "milvus")
BACKEND_NAMES = {"embedded": "embedded", "milvus": "Milvus Lite"}
LABEL = 44  # width of the row names


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--chunks", type=int, default=100_000, help="chunks of the archive")
    parser.add_argument("--queries", type=int, default=200, help="queries asked of each backend")
    parser.add_argument("--ingests", type=int, default=20, help="ingests (and deletes) of each")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "xc-bench")
    parser.add_argument("--index-root", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--annotate",
        action="store_true",
        help="annotate the articles if the cache holds no annotations of this annotator version",
    )
    args = parser.parse_args(argv)
    seeds = list(load_articles([bundled_articles_dir()]).articles)
    archive = read_archive(args.data)
    command = "python -m bench.milvus " + shlex.join(sys.argv[1:] if argv is None else argv)
    options = Options(
        chunks=args.chunks,
        queries=args.queries,
        ingests=args.ingests,
        cache=args.cache,
        index_root=args.index_root,
        json=args.json,
        annotate=args.annotate,
    )
    # A SIGTERM unwinds like Ctrl-C, so that the server is stopped and the folders removed.
    signal.signal(signal.SIGTERM, _terminated)
    run(seeds, archive, options, command, sys.stdout)
    return 0


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(f"bench.milvus: stopped by signal {signum}")


@dataclasses.dataclass(frozen=True)
class Options:
    """How ``run`` measures (the command line's options)."""

    chunks: int
    queries: int
    ingests: int
    cache: Path
    index_root: Path
    json: Path | None = None
    annotate: bool = False


@dataclasses.dataclass
class Times:
    """Milliseconds of one backend, by stage; the i-th of a stage is the i-th query (write)."""

    bm25: list[float] = dataclasses.field(default_factory=list)
    dense: list[float] = dataclasses.field(default_factory=list)
    hybrid: list[float] = dataclasses.field(default_factory=list)
    ingest: list[float] = dataclasses.field(default_factory=list)
    delete: list[float] = dataclasses.field(default_factory=list)

    def of(self, stage: str) -> list[float]:
        """The times of ``stage`` (one of ``STAGES``)."""
        times: list[float] = getattr(self, stage)
        return times


@dataclasses.dataclass
class Figures:
    """What was measured; None where it was not."""

    chunks: int = 0
    articles: int = 0
    milvus_chunks: int = 0
    milvus_articles: int = 0
    questions: int = 0
    titles: int = 0
    write: float | None = None  # s: the embedded index, by bench/ingest.py's writer
    open: float | None = None  # s: open_index of it
    load: float | None = None  # s: migrate into Milvus Lite
    milvus_open: float | None = None  # s: MilvusArchive.open
    embedded_bytes: int = 0
    milvus_bytes: int = 0
    milvus_rss: int | None = None  # KiB: the Milvus Lite server, after the load
    milvus_rss_end: int | None = None  # KiB: after the queries and writes
    server_pid: int | None = None
    port: int | None = None
    embedded: Times = dataclasses.field(default_factory=Times)
    milvus: Times = dataclasses.field(default_factory=Times)
    overlap_doc_ids: list[float] = dataclasses.field(default_factory=list)
    overlap_originals: list[float] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)


def run(
    seeds: Sequence[Article],
    archive: Sequence[Article],
    options: Options,
    command: str,
    out: TextIO,
) -> Figures:
    """Build an archive of about ``options.chunks`` chunks from ``seeds`` and copies of
    ``archive`` in both backends, measure them, print the table to ``out`` (and write the
    figures to ``options.json``)."""
    options.cache.mkdir(parents=True, exist_ok=True)
    options.index_root.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    embedder = make_embedder(EMBEDDER)
    real = [*seeds, *archive]
    annotations, annotation_note = _annotations(options.cache, real, options.annotate)
    stories = _stories(options.cache, real, embedder)
    figures = Figures()
    root = Path(tempfile.mkdtemp(prefix="bench-milvus-", dir=options.index_root))
    try:
        folder = root / "embedded"
        folder.mkdir()
        articles, chunks, originals = replicate(seeds, archive, options.chunks)
        figures.chunks, figures.articles = len(chunks), len(articles)
        began = time.perf_counter()
        write_index(folder, articles, chunks, originals, embedder, stories, annotations)
        figures.write = time.perf_counter() - began
        _say(f"embedded index of {figures.chunks:,} chunks written in {figures.write:,.1f} s")
        del articles, chunks
        began = time.perf_counter()
        index = open_index(folder, embedder)
        figures.open = time.perf_counter() - began
        figures.embedded_bytes = _bytes(folder)
        with milvus_lite(root / "milvus", root / "milvus.log") as server:
            figures.server_pid, figures.port = server.process.pid, server.port
            milvus = MilvusArchive(server.uri)
            began = time.perf_counter()
            migrate(index, milvus)
            figures.load = time.perf_counter() - began
            _say(f"loaded into Milvus Lite in {figures.load:,.1f} s")
            began = time.perf_counter()
            milvus_index = milvus.open(embedder.name, embedder.dimension)
            figures.milvus_open = time.perf_counter() - began
            figures.milvus_chunks = milvus_index.chunk_count
            figures.milvus_articles = len(milvus_index.articles)
            figures.milvus_rss = rss_kib(server.process.pid)
            figures.milvus_bytes = _bytes(root / "milvus")
            asked, warm = _queries(index, options.queries, figures)
            measure_queries(index, milvus_index, embedder, asked, warm, originals, figures)
            _say(f"{len(asked)} queries asked of both")
            measure_writes(folder, index, milvus, milvus_index, embedder, options, figures)
            figures.milvus_rss_end = rss_kib(server.process.pid)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    figures.notes.append(annotation_note)
    _print(figures, options, command, started, len(seeds), len(archive), out)
    if options.json is not None:
        options.json.write_text(
            json.dumps(
                {
                    "command": command,
                    "started": started.isoformat(),
                    "cpu": cpu_line(),
                    "load_average": list(os.getloadavg()),
                    "summary": summary(figures),
                    "figures": dataclasses.asdict(figures),
                },
                indent=1,
            ),
            encoding="utf-8",
        )
    return figures


@dataclasses.dataclass(frozen=True)
class MilvusLite:
    """A running Milvus Lite server: its process, port and URI."""

    process: "subprocess.Popen[bytes]"
    port: int
    uri: str


@contextlib.contextmanager
def milvus_lite(data: Path, log: Path, cap: float = STARTUP) -> Iterator[MilvusLite]:
    """``python -m milvus_lite server`` over ``data`` on a free port of 127.0.0.1, once its log
    (``log``) says it is listening; stopped on leaving.

    Raises:
        SystemExit: the server exited, or did not listen within ``cap`` seconds; the message
            holds what it printed.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    command = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as written:
        # Unbuffered, so that "listening" reaches the log when it is said.
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(command, stdout=written, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + cap
        while b"listening" not in log.read_bytes():
            if process.poll() is not None:
                raise SystemExit(f"Milvus Lite exited with {process.returncode}:\n{_said(log)}")
            if time.monotonic() > deadline:
                raise SystemExit(f"Milvus Lite did not listen within {cap:g} s:\n{_said(log)}")
            time.sleep(0.05)
        yield MilvusLite(process, port, f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _say(message: str) -> None:
    """Progress on standard error, so that a long run shows where it is."""
    now = dt.datetime.now(dt.UTC)
    print(f"{now:%H:%M:%S} bench.milvus: {message}", file=sys.stderr, flush=True)


def _said(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")


def _queries(index: Any, count: int, figures: Figures) -> tuple[list[str], list[str]]:
    """The timed queries (development questions, then titles; ``count`` in all) and the
    titles that warm up the backends."""
    asked = questions()[:count]
    wanted, page = count - len(asked) + WARM, count + WARM
    titles = list(dict.fromkeys(_titles(index, page)))
    # A copy's title is its original's, and the two are next to each other: page further.
    while len(titles) < wanted and page < figures.articles:
        page *= 2
        titles = list(dict.fromkeys(_titles(index, page)))
    timed_titles = titles[: count - len(asked)]
    figures.questions, figures.titles = len(asked), len(timed_titles)
    warm = titles[len(timed_titles) :][:WARM] or asked[:WARM]
    return [*asked, *timed_titles], warm


def measure_queries(
    index: Any,
    milvus_index: Any,
    embedder: Any,
    asked: Sequence[str],
    warm: Sequence[str],
    originals: dict[str, str],
    figures: Figures,
) -> None:
    """Ask each query of both backends, stage by stage, in turn; fill in ``figures``."""
    indexes = {"embedded": index, "milvus": milvus_index}
    searchers = {name: HybridSearcher(found, embedder) for name, found in indexes.items()}
    for question in warm:
        vector = embedder.embed([question])[0]
        for name in BACKENDS:
            indexes[name].bm25_top(question, TOP)
            indexes[name].dense_top(vector, TOP)
            searchers[name].search(question, HITS, Retriever.HYBRID)
    for number, question in enumerate(asked):
        order = BACKENDS if number % 2 == 0 else BACKENDS[::-1]
        vector = embedder.embed([question])[0]
        stages: dict[str, Callable[[str], Any]] = {
            "bm25": lambda name, q=question: indexes[name].bm25_top(q, TOP),
            "dense": lambda name, v=vector: indexes[name].dense_top(v, TOP),
            "hybrid": lambda name, q=question: searchers[name].search(q, HITS, Retriever.HYBRID),
        }
        passages: dict[str, Any] = {}
        for stage, ask in stages.items():
            for name in order:
                began = time.perf_counter()
                found = ask(name)
                _times(figures, name).of(stage).append(1000 * (time.perf_counter() - began))
                if stage == "hybrid":
                    passages[name] = found
        ids = {name: {p.doc_id for p in passages[name]} for name in BACKENDS}
        figures.overlap_doc_ids.append(_in_common(ids["embedded"], ids["milvus"]))
        origin = {name: {originals.get(d, d) for d in ids[name]} for name in BACKENDS}
        figures.overlap_originals.append(_in_common(origin["embedded"], origin["milvus"]))


def measure_writes(
    folder: Path,
    index: Any,
    milvus: MilvusArchive,
    milvus_index: Any,
    embedder: Any,
    options: Options,
    figures: Figures,
) -> None:
    """Ingest ``options.ingests`` articles into both backends in turn, then delete them in
    turn; fill in ``figures``."""
    annotator = FigureAnnotator()
    live = {"embedded": index, "milvus": milvus_index}

    def write(name: str, add: Sequence[Article] = (), remove: Sequence[str] = ()) -> float:
        began = time.perf_counter()
        if name == "embedded":
            report = update_index(
                folder, embedder, add=add, remove=remove, annotator=annotator, live=live[name]
            )
            live[name] = report.index
        else:
            live[name] = update_archive(
                milvus, live[name], embedder, add=add, remove=remove, annotator=annotator
            )
        return 1000 * (time.perf_counter() - began)

    posted = []
    for number in range(options.ingests):
        body = article(20_000 + number)
        one = make_article(body["doc_id"], body["text"], title=body["title"], date=body["date"])
        for name in BACKENDS if number % 2 == 0 else BACKENDS[::-1]:
            _times(figures, name).ingest.append(write(name, add=[one]))
        posted.append(one.doc_id)
    for number, doc_id in enumerate(posted):
        for name in BACKENDS if number % 2 == 0 else BACKENDS[::-1]:
            _times(figures, name).delete.append(write(name, remove=[doc_id]))
    if options.ingests:
        figures.notes.append(
            f"the embedded index held {len(live['embedded'].segments)} segments after the "
            "writes (a server merges them in the background; not here)"
        )


def _times(figures: Figures, backend: str) -> Times:
    times: Times = getattr(figures, backend)
    return times


def _in_common(one: set[str], other: set[str]) -> float:
    """The share of the doc ids of either that both hold (1 when both are empty)."""
    either = one | other
    return 1.0 if not either else len(one & other) / len(either)


def _bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def summary(figures: Figures) -> dict[str, dict[str, float | None]]:
    """p50 and p95 of each stage of each backend, and the median per-query ratio Milvus over
    embedded (None where nothing was measured)."""
    result: dict[str, dict[str, float | None]] = {}
    for stage in STAGES:
        row: dict[str, float | None] = {}
        for backend in BACKENDS:
            times = _times(figures, backend).of(stage)
            row[f"{backend}_p50"] = percentile(times, 0.5) if times else None
            row[f"{backend}_p95"] = percentile(times, 0.95) if times else None
        pairs = zip(figures.embedded.of(stage), figures.milvus.of(stage), strict=True)
        ratios = [m / e for e, m in pairs if e > 0]
        row["ratio"] = statistics.median(ratios) if ratios else None
        result[stage] = row
    return result


def _print(
    figures: Figures,
    options: Options,
    command: str,
    started: dt.datetime,
    seeds: int,
    archive: int,
    out: TextIO,
) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lite = importlib.metadata.version("milvus-lite")
    client = importlib.metadata.version("pymilvus")
    print(f"\n# bench.milvus: {command}", file=out)
    print(f"# {started:%Y-%m-%d %H:%M} UTC; {cpu_line()}; load average {load}", file=out)
    print(
        f"# corpus: {archive:,} Reuters/BBC + {seeds} bundled articles, cut or copied whole to "
        f"{options.chunks:,} chunks as '<doc id>.copy<r>'; embedder {EMBEDDER.value} (the hash "
        "embedder, 64 dimensions: embedding costs next to nothing, so the times are the "
        "backends')",
        file=out,
    )
    print(
        "# embedded: the index directory, searched in this process; Milvus Lite "
        f"{lite} (pymilvus {client}): its own process on 127.0.0.1:{figures.port}, over gRPC, "
        "loaded from the embedded index by index.milvus.migrate (which flushes at the end)",
        file=out,
    )
    print(
        f"# queries: {figures.questions + figures.titles} ({figures.questions} development "
        f"questions + {figures.titles} article titles), each asked of both in turn (who goes "
        f"first alternating), after {WARM} other titles warmed both up; {options.ingests} "
        "one-article ingests, then deletes, alternating\n",
        file=out,
    )
    columns = [BACKEND_NAMES[b] for b in BACKENDS]
    print(f"{'':<{LABEL}}" + "".join(f"{c:>16}" for c in columns), file=out)
    rows: list[tuple[str, list[str]]] = [
        ("articles", [f"{figures.articles:,}", f"{figures.milvus_articles:,}"]),
        ("chunks", [f"{figures.chunks:,}", f"{figures.milvus_chunks:,}"]),
        ("load: bench's writer / migrate, s", [_num(figures.write, 1), _num(figures.load, 1)]),
        ("open, s", [_num(figures.open, 2), _num(figures.milvus_open, 2)]),
        ("on disk, MiB", [_mib(figures.embedded_bytes), _mib(figures.milvus_bytes)]),
        ("server RSS after the load, MiB", ["-", _mib_k(figures.milvus_rss)]),
        ("server RSS at the end, MiB", ["-", _mib_k(figures.milvus_rss_end)]),
    ]
    figures_of = summary(figures)
    for stage in STAGES:
        for share in ("p50", "p95"):
            cells = [_num(figures_of[stage][f"{b}_{share}"], 1) for b in BACKENDS]
            rows.append((f"{STAGE_NAMES[stage]} {share}, ms", cells))
    for name, cells in rows:
        print(f"{name:<{LABEL}}" + "".join(f"{c:>16}" for c in cells), file=out)
    print("\nratio Milvus Lite / embedded, median of the per-query (per-write) ratios:", file=out)
    for stage in STAGES:
        ratio = figures_of[stage]["ratio"]
        cell = "-" if ratio is None else f"{ratio:,.2f}x"
        print(f"{f'ratio {STAGE_NAMES[stage]}':<{LABEL}}{cell:>16}", file=out)
    print(
        f"\nhybrid top {HITS}, share of doc ids in common (|E & M| / |E | M| of their distinct "
        "doc ids, per query):",
        file=out,
    )
    for name, shares in (
        ("overlap by doc id", figures.overlap_doc_ids),
        ("overlap by original article", figures.overlap_originals),
    ):
        cells = (
            ["-", "-", "-"]
            if not shares
            else [
                f"mean {statistics.fmean(shares):.2f}",
                f"median {statistics.median(shares):.2f}",
                f"all same {sum(s == 1 for s in shares) / len(shares):.0%}",
            ]
        )
        print(f"{name:<{LABEL}}" + "".join(f"{c:>16}" for c in cells), file=out)
    print(
        "  (by original article: a copy '<doc id>.copy<r>' counts as its original; copies tie "
        "with it, and each backend breaks the tie its own way)",
        file=out,
    )
    for note in figures.notes:
        print(f"note: {note}", file=out)


def _num(value: float | None, places: int) -> str:
    return "-" if value is None else f"{value:,.{places}f}"


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f}"


def _mib_k(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:,.0f}"


if __name__ == "__main__":
    sys.exit(main())
