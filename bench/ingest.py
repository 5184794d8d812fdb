"""Writes at scale: ingest and delete latency, open time and serving memory (issue 14).

    python -m bench.ingest --data ../shared/data [--chunks 50000,200000,1000000] [--runs 5]
        [--questions 5] [--max-seconds 600] [--cache DIR] [--index-root DIR] [--keep]
        [--model minilm] [--annotate]

Corpus: the Reuters-21578 and BBC articles in ``--data`` (never copied into the repository) and
the five bundled articles, chunked as crosscheck chunks them. Below the real chunk count the
archive is cut (the first articles, in file order, up to ``--chunks``); above it the Reuters and
BBC articles are copied whole, in order, until the count is reached: copy r of an article is the
same text, title, date and chunks under the doc id ``<doc id>.copy<r>``, and each copy of the
archive forms the stories the real articles form (story ``<story id>.copy<r>``), so the stories
stay the size they are. The index is built with the hash embedder (``EmbedderKind.HASH``, 64
dimensions), so that embedding costs nothing; the real model's embedding of the ingested article
is timed apart (``--model``), as a user's ingest would add it.

Each index holds what a user's index holds: BM25 postings, vectors, the chunk table, the
stories and their profiles, and the figures and entities ``FigureAnnotator`` stores. The real
articles' stories (spaCy's entities of each lead) and annotations are made once and kept in
``--cache`` (``bench.query`` makes the same annotations file); a copy's are its original's
under its own doc id. A build of every copy through ``build_index`` would group 380,000 articles
pairwise and parse each copy again, so the bench writes the generation itself
(``write_generation`` into ``IndexDirectory.replace_with``, as ``build_index`` does) from the
cached parts. Without annotations of this annotator version in the cache, annotations of the
same reader version are used (same format and size; the notes say so), else ``--annotate``
makes them (about 2,000 s for the whole archive), else the index has none.

Measured through the write path a user hits, for each ``--chunks``: ``crosscheck serve``
(``python -m bot serve``, this checkout, ``CROSSCHECK_EMBEDDER=hash``) on a free port of
127.0.0.1; open time is from starting the process to the first ``GET /health`` that answers
200 (polled every 20 ms). Then ``--questions`` development questions through ``POST /chat``
(warm-up; their p50 is shown), the server's RSS (``VmRSS`` of ``/proc/PID/status``), ``--runs``
``POST /articles`` of one two-sentence article each (a different one each time, one after the
other), RSS again, and as many ``DELETE /articles/{id}`` of the articles just posted. A stage
starts no new request after ``--max-seconds``, and a request still unanswered after
``--max-seconds`` is abandoned (the server is stopped and the rest of that size is skipped):
the figures then say "did not finish within X s". The server runs with
``CROSSCHECK_MERGE_SEGMENTS=0``, so that its writes stay segments.

Then, in this process, the segments: one-article ingests through ``update_index`` until the index
holds ``--segments`` segments (their p50 is shown, and apart: the write alone, and the models'
reading of the article, which does not depend on the archive: embedding its chunks and lead with the
hash embedder, spaCy's entities of its lead and ``FigureAnnotator``'s figures), ``merge_segments``
folds them into a new base (timed: a server does it in the background), and the development
questions and article titles are searched (``HybridSearcher``, hybrid, top 10) over the index with
its segments and over the merged one, interleaved, so that the ratio of their p50 says what unmerged
segments cost. The index folder is removed after each size unless ``--keep``.
"""

import argparse
import dataclasses
import datetime as dt
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import httpx
import numpy as np

from bench.build import cpu_line
from bench.load import percentile, questions, rss_kib
from bench.query import _annotation_lines, cached_annotations, read_archive
from bench.server import crosscheck_serve
from corpus import (
    Article,
    Chunk,
    ChunkingConfig,
    bundled_articles_dir,
    load_articles,
    make_article,
)
from index import EmbedderKind, IndexDirectory, make_embedder
from index.build import write_generation
from index.embedders import Embedder
from index.stories import Grouping, Profiles, group_articles, lead
from retrieval import FigureAnnotator

REPO = Path(__file__).resolve().parent.parent
EMBEDDER = EmbedderKind.HASH
POLL = 0.02  # seconds between /health requests while the server opens
# A request given up on: the server is stopped and the size's later stages are skipped.
ABANDONED = -1.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--chunks", default="50000,200000,1000000", help="sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="ingests (and deletes) per size")
    parser.add_argument("--questions", type=int, default=5, help="warm-up questions per size")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="cap of each stage")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "xc-bench")
    parser.add_argument("--index-root", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--keep", action="store_true", help="keep the indexes built")
    parser.add_argument(
        "--segments", type=int, default=100, help="segments searched against the merged index"
    )
    parser.add_argument(
        "--model",
        default=EmbedderKind.MINILM.value,
        help="embedder timed apart on the ingested article (default minilm: ONNX int8)",
    )
    parser.add_argument(
        "--annotate",
        action="store_true",
        help="annotate the articles if the cache holds no annotations of this annotator version",
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.chunks.split(",")]
    seeds = list(load_articles([bundled_articles_dir()]).articles)
    archive = read_archive(args.data)
    command = "python -m bench.ingest " + shlex.join(sys.argv[1:] if argv is None else argv)
    options = Options(
        runs=args.runs,
        questions=args.questions,
        max_seconds=args.max_seconds,
        cache=args.cache,
        index_root=args.index_root,
        keep=args.keep,
        model=EmbedderKind(args.model),
        annotate=args.annotate,
        segments=args.segments,
    )
    run(seeds, archive, sizes, options, command, sys.stdout)
    return 0


@dataclasses.dataclass(frozen=True)
class Options:
    """How ``run`` measures (the command line's options)."""

    runs: int
    questions: int
    max_seconds: float
    cache: Path
    index_root: Path
    keep: bool
    model: EmbedderKind
    annotate: bool
    segments: int = 100


@dataclasses.dataclass
class Figures:
    """What was measured at one size; None where it was not (``notes`` say why)."""

    chunks: int
    articles: int = 0
    build: float | None = None
    open: float | None = None
    rss_ready: int | None = None
    rss_warm: int | None = None
    chat: list[float] = dataclasses.field(default_factory=list)
    ingest: list[float] = dataclasses.field(default_factory=list)
    rss_ingested: int | None = None
    delete: list[float] = dataclasses.field(default_factory=list)
    rss_deleted: int | None = None
    segment_ingest: list[float] = dataclasses.field(default_factory=list)
    segment_models: list[float] = dataclasses.field(default_factory=list)
    segment_write: list[float] = dataclasses.field(default_factory=list)
    segments: int = 0
    merge: float | None = None
    query_segmented: list[float] = dataclasses.field(default_factory=list)
    query_merged: list[float] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)


def run(
    seeds: Sequence[Article],
    archive: Sequence[Article],
    sizes: Sequence[int],
    options: Options,
    command: str,
    out: TextIO,
) -> list[Figures]:
    """Build an index of each size in ``sizes`` (chunks) from ``seeds`` and copies of
    ``archive``, measure it through a server, and print the table to ``out``."""
    options.cache.mkdir(parents=True, exist_ok=True)
    options.index_root.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    embedder = make_embedder(EMBEDDER)
    real = [*seeds, *archive]
    annotations, annotation_note = _annotations(options.cache, real, options.annotate)
    stories = _stories(options.cache, real, embedder)
    results = []
    for size in sizes:
        figures = Figures(chunks=size)
        folder = Path(tempfile.mkdtemp(prefix=f"ingest-{size}-", dir=options.index_root))
        try:
            articles, chunks, originals = replicate(seeds, archive, size)
            figures.chunks, figures.articles = len(chunks), len(articles)
            began = time.perf_counter()
            write_index(folder, articles, chunks, originals, embedder, stories, annotations)
            figures.build = time.perf_counter() - began
            del articles, chunks, originals
            measure(folder, figures, options)
            if options.segments:
                measure_segments(folder, figures, options, embedder)
        finally:
            if options.keep:
                figures.notes.append(f"index kept in {folder}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
        results.append(figures)
        # Each size as it ends, so that a run stopped early still shows what it measured.
        print(f"measured: {json.dumps(dataclasses.asdict(figures))}", file=sys.stderr, flush=True)
    model = embedding_times(options.model, options.runs)
    _print(results, model, options, command, started, len(seeds), len(archive), out)
    for note in (annotation_note,):
        print(f"note: {note}", file=out)
    return results


def replicate(
    seeds: Sequence[Article], archive: Sequence[Article], target: int
) -> tuple[list[Article], list[Chunk], dict[str, str]]:
    """The seeds and the archive cut or copied to about ``target`` chunks (whole articles):
    the articles, their chunks, and each article's original doc id."""
    chunking = ChunkingConfig()
    articles = list(seeds)
    chunks = [c for a in seeds for c in a.chunks(chunking)]
    originals = {a.doc_id: a.doc_id for a in seeds}
    of_article = [a.chunks(chunking) for a in archive]
    if not archive:
        return articles, chunks, originals
    copy = 0
    while len(chunks) < target:
        for article, own in zip(archive, of_article, strict=True):
            if len(chunks) >= target:
                break
            doc_id = article.doc_id if copy == 0 else f"{article.doc_id}.copy{copy}"
            articles.append(dataclasses.replace(article, doc_id=doc_id))
            chunks.extend(dataclasses.replace(c, doc_id=doc_id) for c in own)
            originals[doc_id] = article.doc_id
        copy += 1
    return articles, chunks, originals


@dataclasses.dataclass(frozen=True)
class Stories:
    """The real articles' stories and profiles (story id, entities, lead vector by doc id)."""

    story: dict[str, str]
    entities: dict[str, frozenset[str]]
    vector: dict[str, np.ndarray]


def _stories(cache: Path, real: Sequence[Article], embedder: Embedder) -> Stories:
    """Group the real articles into stories once (spaCy reads each lead's entities), kept in
    ``cache``; the lead vectors are embedded again (the hash embedder is fast)."""
    path = cache / f"stories-{len(real)}-{embedder.name}.json"
    if path.exists():
        kept = json.loads(path.read_text(encoding="utf-8"))
    else:
        grouping = group_articles(real, embedder)
        kept = {
            doc_id: [story, sorted(entities)]
            for doc_id, story, entities in zip(
                grouping.profiles.doc_ids,
                grouping.story_ids,
                grouping.profiles.entities,
                strict=True,
            )
        }
        path.write_text(json.dumps(kept), encoding="utf-8")
    vectors = embedder.embed([lead(a) for a in real])
    return Stories(
        story={doc_id: story for doc_id, (story, _) in kept.items()},
        entities={doc_id: frozenset(names) for doc_id, (_, names) in kept.items()},
        vector={a.doc_id: vectors[i] for i, a in enumerate(real)},
    )


def _grouping(articles: Sequence[Article], originals: dict[str, str], stories: Stories) -> Grouping:
    """Each article in its original's story; copy r of the archive in stories of its own."""
    doc_ids = tuple(a.doc_id for a in articles)
    story_ids = []
    for doc_id in doc_ids:
        original = originals[doc_id]
        suffix = doc_id[len(original) :]
        story_ids.append(stories.story[original] + suffix)
    profiles = Profiles(
        doc_ids,
        np.stack([stories.vector[originals[d]] for d in doc_ids]).astype(np.float32),
        tuple(stories.entities[originals[d]] for d in doc_ids),
        tuple(a.date for a in articles),
    )
    return Grouping(profiles, tuple(story_ids))


class CachedAnnotations:
    """``FigureAnnotator``'s name and version with annotations made before: each article gets
    its original's (a copy has its original's text, so the same figures at the same offsets)."""

    name = FigureAnnotator.name

    def __init__(self, lines: dict[str, bytes], originals: dict[str, str]) -> None:
        self.version = FigureAnnotator().version
        self._lines = lines
        self._originals = originals

    def annotate(self, articles: Sequence[Article]) -> list[dict[str, Any]]:
        """The cached annotation of each article's original."""
        # A cached line's data ends with the line's closing brace.
        return [json.loads(self._lines[self._originals[a.doc_id]][:-1]) for a in articles]


def _annotations(
    cache: Path, real: Sequence[Article], annotate: bool
) -> tuple[dict[str, bytes] | None, str]:
    """The cached annotations of the real articles, and a note saying which they are."""
    version = FigureAnnotator().version
    exact = cache / f"annotations-{len(real)}-{version}.jsonl"
    if exact.exists() or annotate:
        lines, seconds, _ = cached_annotations(cache, real, FigureAnnotator())
        return lines, f"annotations by {version}, made in {seconds:,.0f} s (cached in {cache})"
    reader = version.split("-")[0]
    older = sorted(cache.glob(f"annotations-{len(real)}-{reader}-*.jsonl"))
    if older:
        return _annotation_lines(older[-1]), (
            f"annotations from {older[-1].name} (reader version {reader}, as now; an older "
            f"digest of the code) stored as {version}: same format, same size"
        )
    return None, "no annotations cached (pass --annotate to make them): the indexes have none"


def write_index(
    folder: Path,
    articles: Sequence[Article],
    chunks: Sequence[Chunk],
    originals: dict[str, str],
    embedder: Embedder,
    stories: Stories,
    annotations: dict[str, bytes] | None,
) -> None:
    """Publish a generation of ``articles`` in the index directory ``folder``, as
    ``build_index`` would, from the real articles' vectors, stories and annotations."""
    real = {c.text for c in chunks if originals[c.doc_id] == c.doc_id}
    texts = sorted(real)
    row = {text: i for i, text in enumerate(texts)}
    embedded = embedder.embed(texts)
    vectors = embedded[[row[c.text] for c in chunks]]
    grouping = _grouping(articles, originals, stories)
    annotator = None if annotations is None else CachedAnnotations(annotations, originals)
    IndexDirectory(folder).replace_with(
        lambda generation: write_generation(
            generation,
            articles,
            chunks,
            vectors,
            embedder,
            ChunkingConfig(),
            grouping,
            annotator=annotator,
        )
    )


def article(number: int) -> dict[str, str]:
    """The ``POST /articles`` body of the ``number``-th ingested article: two sentences."""
    return {
        "doc_id": f"bench-ingest-{number}",
        "title": f"Ferry strikes pier in Harbour Town {number}",
        "date": "2026-11-30",
        "source": "bench.example",
        "text": (
            f"A ferry struck the pier of Harbour Town {number} on Monday, injuring "
            f"{12 + number} people, the port authority said. Officials said {3 + number} of "
            "them were taken to hospital and the pier would stay closed until Friday."
        ),
    }


def measure(folder: Path, figures: Figures, options: Options) -> None:
    """Serve the index in ``folder`` and fill in ``figures``."""
    cap = options.max_seconds
    with crosscheck_serve(
        REPO, _environment(folder), cap=cap, poll=POLL, must_be_ready=False
    ) as served:
        process, url, opened = served.process, served.url, served.ready_after
        if opened is None:
            figures.notes.append(f"{figures.chunks:,} chunks: did not open within {cap:.0f} s")
            return
        figures.open = opened
        figures.rss_ready = rss_kib(process.pid)
        with httpx.Client(base_url=url, timeout=cap) as client:
            for question in questions()[: options.questions]:
                began = time.perf_counter()
                client.post("/chat", json={"message": question}).raise_for_status()
                figures.chat.append(1000 * (time.perf_counter() - began))
            figures.rss_warm = rss_kib(process.pid)
            posted: list[str] = []
            for number in range(options.runs):
                body = article(number)
                took = _timed(client, "POST", "/articles", body, figures, "ingest", cap)
                if took is ABANDONED:
                    return
                if took is None:
                    break
                figures.ingest.append(took)
                posted.append(body["doc_id"])
            figures.rss_ingested = rss_kib(process.pid)
            for doc_id in posted:
                took = _timed(client, "DELETE", f"/articles/{doc_id}", None, figures, "delete", cap)
                if took is ABANDONED:
                    return
                if took is None:
                    break
                figures.delete.append(took)
            figures.rss_deleted = rss_kib(process.pid)


def measure_segments(folder: Path, figures: Figures, options: Options, embedder: Embedder) -> None:
    """Write one-article segments until there are ``options.segments``, merge them, and search
    both versions, interleaved; fill in ``figures``."""
    from index import open_index, update_index
    from index.merge import merge_segments
    from retrieval import HybridSearcher, Retriever

    index = open_index(folder, embedder)
    number = 10_000
    while len(index.segments) < options.segments:
        body = article(number)
        posted = make_article(body["doc_id"], body["text"], title=body["title"], date=body["date"])
        began = time.perf_counter()
        report = update_index(
            folder, embedder, add=[posted], annotator=FigureAnnotator(), live=index
        )
        took = 1000 * (time.perf_counter() - began)
        index = report.index
        figures.segment_ingest.append(took)
        figures.segment_models.append(1000 * report.model_seconds)
        figures.segment_write.append(took - 1000 * report.model_seconds)
        number += 1
    figures.segments = len(index.segments)
    began = time.perf_counter()
    merge_segments(folder, embedder, index)
    figures.merge = time.perf_counter() - began
    merged = open_index(folder, embedder)
    searchers = [HybridSearcher(index, embedder), HybridSearcher(merged, embedder)]
    asked = [*questions(), *_titles(index, 200)]
    for searcher in searchers:  # warm both: the first searches page in the files
        for question in asked[:20]:
            searcher.search(question, 10, Retriever.HYBRID)
    for question in asked:
        for searcher, times in zip(
            searchers, (figures.query_segmented, figures.query_merged), strict=True
        ):
            began = time.perf_counter()
            searcher.search(question, 10, Retriever.HYBRID)
            times.append(1000 * (time.perf_counter() - began))


def _titles(index: Any, count: int) -> list[str]:
    """Titles of ``count`` articles of ``index`` (a page of its article store)."""
    return [a.title for a in index.articles.page(None, count) if a.title]


def _timed(
    client: httpx.Client,
    method: str,
    path: str,
    body: dict[str, str] | None,
    figures: Figures,
    stage: str,
    cap: float,
) -> float | None:
    """Milliseconds ``method path`` took; None (with a note) once the stage has run ``cap``
    seconds, ``ABANDONED`` (with a note) if the request did not finish within ``cap``."""
    times = figures.ingest if stage == "ingest" else figures.delete
    if sum(times) / 1000 >= cap:
        figures.notes.append(
            f"{figures.chunks:,} chunks: {stage} stopped after {len(times)} runs "
            f"({sum(times) / 1000:.0f} s, cap {cap:.0f} s)"
        )
        return None
    began = time.perf_counter()
    try:
        response = client.request(method, path, json=body)
    except httpx.TimeoutException:
        figures.notes.append(
            f"{figures.chunks:,} chunks: one {stage} did not finish within {cap:.0f} s"
        )
        return ABANDONED
    took = 1000 * (time.perf_counter() - began)
    response.raise_for_status()
    return took


def _environment(folder: Path) -> dict[str, str]:
    """The server's environment: this checkout's code over ``folder``, no rate limit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSCHECK_")}
    env.update(
        PYTHONPATH=str(REPO),
        CROSSCHECK_INDEX_DIR=str(folder),
        CROSSCHECK_EMBEDDER=EMBEDDER.value,
        CROSSCHECK_RATE_LIMIT="0",
        CROSSCHECK_MERGE_SEGMENTS="0",
    )
    return env


def embedding_times(kind: EmbedderKind, runs: int) -> list[float]:
    """Milliseconds ``kind``'s model takes to embed what an ingest embeds of one article (its
    chunks, then its lead), model loaded first; ``runs`` articles."""
    embedder = make_embedder(kind)
    embedder.embed(["warm up"])
    times = []
    for number in range(max(1, runs)):
        body = article(number + 1000)
        posted = make_article(body["doc_id"], body["text"], title=body["title"], date=body["date"])
        began = time.perf_counter()
        embedder.embed([c.text for c in posted.chunks(ChunkingConfig())])
        embedder.embed([lead(posted)])
        times.append(1000 * (time.perf_counter() - began))
    return times


def _print(
    results: Sequence[Figures],
    model: Sequence[float],
    options: Options,
    command: str,
    started: dt.datetime,
    seeds: int,
    archive: int,
    out: TextIO,
) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n# bench.ingest: {command}", file=out)
    print(f"# {started:%Y-%m-%d %H:%M} UTC; {cpu_line()}; load average {load}", file=out)
    print(
        f"# corpus: {archive:,} Reuters/BBC + {seeds} bundled articles, archive copied whole "
        f"as '<doc id>.copy<r>'; embedder {EMBEDDER.value}; {options.runs} ingests and deletes "
        f"of a two-sentence article through HTTP, one at a time; cap {options.max_seconds:.0f} "
        "s a stage\n",
        file=out,
    )
    rows: list[tuple[str, list[str]]] = [
        ("articles", [f"{f.articles:,}" for f in results]),
        ("build (bench's writer), s", [_num(f.build, 1) for f in results]),
        ("open: start to /health 200, s", [_num(f.open, 2) for f in results]),
        ("RSS at ready, MiB", [_mib(f.rss_ready) for f in results]),
        (f"RSS warm ({options.questions} questions), MiB", [_mib(f.rss_warm) for f in results]),
        ("RSS warm per chunk, B", [_per_chunk(f.rss_warm, f.chunks) for f in results]),
        ("chat p50 (warm-up questions), ms", [_p(f.chat, 0.5) for f in results]),
        ("ingest p50, ms", [_p(f.ingest, 0.5) for f in results]),
        ("ingest p95, ms", [_p(f.ingest, 0.95) for f in results]),
        ("ingests done", [str(len(f.ingest)) for f in results]),
        ("RSS after the ingests, MiB", [_mib(f.rss_ingested) for f in results]),
        ("delete p50, ms", [_p(f.delete, 0.5) for f in results]),
        ("delete p95, ms", [_p(f.delete, 0.95) for f in results]),
        ("deletes done", [str(len(f.delete)) for f in results]),
        ("RSS after the deletes, MiB", [_mib(f.rss_deleted) for f in results]),
        ("segment ingest p50 (in-process), ms", [_p(f.segment_ingest, 0.5) for f in results]),
        ("segment ingest p95 (in-process), ms", [_p(f.segment_ingest, 0.95) for f in results]),
        ("  the write alone p50, ms", [_p(f.segment_write, 0.5) for f in results]),
        ("  the write alone p95, ms", [_p(f.segment_write, 0.95) for f in results]),
        ("  models reading it p50, ms", [_p(f.segment_models, 0.5) for f in results]),
        ("segments N", [str(f.segments) for f in results]),
        ("merge of the N segments, s", [_num(f.merge, 1) for f in results]),
        ("search p50 with N segments, ms", [_p(f.query_segmented, 0.5) for f in results]),
        ("search p50 merged, ms", [_p(f.query_merged, 0.5) for f in results]),
        ("search ratio segments/merged", [_ratio(f) for f in results]),
    ]
    header = [f"{f.chunks:,} chunks" for f in results]
    print(f"{'':<36}" + "".join(f"{h:>18}" for h in header), file=out)
    for name, cells in rows:
        print(f"{name:<36}" + "".join(f"{c:>18}" for c in cells), file=out)
    print(
        f"\nembedding the article with {options.model.value} (apart from the write): "
        f"p50 {_p(model, 0.5)} ms, p95 {_p(model, 0.95)} ms over {len(model)} articles",
        file=out,
    )
    for figures in results:
        for note in figures.notes:
            print(f"note: {note}", file=out)


def _ratio(figures: Figures) -> str:
    if not figures.query_segmented or not figures.query_merged:
        return "-"
    segmented = percentile(figures.query_segmented, 0.5)
    return f"{segmented / percentile(figures.query_merged, 0.5):.2f}x"


def _num(value: float | None, places: int) -> str:
    return "-" if value is None else f"{value:,.{places}f}"


def _mib(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:,.0f}"


def _per_chunk(kib: int | None, chunks: int) -> str:
    return "-" if kib is None else f"{kib * 1024 / chunks:,.0f}"


def _p(values: Sequence[float], share: float) -> str:
    return "-" if not values else f"{percentile(list(values), share):,.1f}"


if __name__ == "__main__":
    sys.exit(main())
