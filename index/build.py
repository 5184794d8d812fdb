"""Build an index from articles (``index.loading`` opens a built one).

Builds are atomic (see ``index.store``) and skipped when nothing changed: the live manifest
already lists the same articles, by content hash, built with the same model, tokenizer and
chunking, and every article is annotated by the same annotator version (or none is asked for).
When only the annotations are out of date, the live generation is written again with its vectors
and stories, and only the articles without a current annotation are annotated.
"""

import datetime as dt
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus import Article, Chunk, ChunkingConfig
from index.annotations import (
    ANNOTATIONS_FILE,
    Annotations,
    Annotator,
    stamp_of,
    write_annotations,
)
from index.checkpoint import EmbeddingCheckpoint
from index.embedders import Embedder, Vectors
from index.errors import IndexDamagedError, IndexMismatchError, IndexNotFoundError
from index.loading import load_generation
from index.manifest import MANIFEST_FILE, Manifest
from index.persist import (
    ARTICLES_FILE,
    CHUNKS_FILE,
    STORY_FILES,
    VECTORS_FILE,
    digest,
    read_grouping,
    verify_files,
    write_articles,
    write_chunks,
    write_stories,
)
from index.sparse import SparseBm25
from index.store import IndexDirectory
from index.stories import Grouping, group_articles, story_map
from index.tokenizer import TOKENIZER_VERSION, tokenize
from index.vectors import VectorIndex

# Chunks are embedded in batches of similar length (less padding) and checkpointed after each,
# so an interrupted build resumes where it stopped.
EMBED_BATCH = 256


@dataclass(frozen=True)
class BuildReport:
    """What a build did: ``built`` is False when the index was already up to date."""

    built: bool
    index_dir: Path
    articles: int
    chunks: int
    seconds: float


def build_index(
    articles: Sequence[Article],
    index_dir: Path,
    embedder: Embedder,
    *,
    chunking: ChunkingConfig = ChunkingConfig(),
    rebuild: bool = False,
    progress: bool = False,
    annotator: Annotator | None = None,
) -> BuildReport:
    """Index ``articles`` into ``index_dir``, replacing its live index atomically: their chunks
    for search, the stories they make (``index.stories``), and what ``annotator`` makes of
    each (``index.annotations``).

    Args:
        articles: the whole corpus of the new index.
        index_dir: the index directory (created if missing).
        embedder: the model that embeds chunks and the articles' story profiles.
        chunking: how articles are cut into chunks.
        rebuild: build even if the live index is already up to date.
        progress: show a progress bar on standard error.
        annotator: annotates each article once, stored with the index; None: no annotations.

    Raises:
        IndexWriteError: the directory is not writable, the disk is full, or another writer
            held the lock too long. The previous index is left as it was.
        ValueError: ``articles`` is empty.
    """
    if not articles:
        raise ValueError("cannot build an index of no articles")
    started = time.monotonic()
    directory = IndexDirectory(index_dir)
    with directory.write_lock():
        live = None if rebuild else _up_to_date_manifest(directory, articles, embedder, chunking)
        if live is not None and _annotations_current(directory, live, annotator):
            seconds = time.monotonic() - started
            return BuildReport(False, index_dir, len(articles), live.chunk_count, seconds)
        if live is not None and _annotate_live(directory, embedder, annotator, progress):
            seconds = time.monotonic() - started
            return BuildReport(True, index_dir, len(articles), live.chunk_count, seconds)
        chunks = [chunk for article in articles for chunk in article.chunks(chunking)]

        checkpoint = EmbeddingCheckpoint(directory.path, embedder)

        def write(folder: Path) -> None:
            vectors = _embed(chunks, embedder, checkpoint, progress)
            write_generation(
                folder,
                articles,
                chunks,
                vectors,
                embedder,
                chunking,
                annotator=annotator,
                progress=progress,
            )

        directory.replace_with(write)
        checkpoint.discard()
    return BuildReport(True, index_dir, len(articles), len(chunks), time.monotonic() - started)


def _embed(
    chunks: Sequence[Chunk], embedder: Embedder, checkpoint: EmbeddingCheckpoint, progress: bool
) -> Vectors:
    """Embed every chunk, reusing vectors an interrupted build checkpointed.

    The progress bar counts only the chunks embedded now, so its rate and time left are real.
    """
    from tqdm import tqdm  # here, not at the top: opening an index draws no bar

    vectors = np.zeros((len(chunks), embedder.dimension), dtype=np.float32)
    saved = checkpoint.load()
    todo: list[int] = []
    for position, chunk in enumerate(chunks):
        vector = saved.get(checkpoint.key(chunk.text))
        if vector is None:
            todo.append(position)
        else:
            vectors[position] = vector
    todo.sort(key=lambda position: len(chunks[position].text))
    with (
        tqdm(
            total=len(todo),
            unit="chunk",
            desc="embedding" if len(todo) == len(chunks) else "embedding (resumed)",
            disable=not progress,
            leave=False,
        ) as bar,
        checkpoint.appender() as append,
    ):
        for start in range(0, len(todo), EMBED_BATCH):
            batch = todo[start : start + EMBED_BATCH]
            texts = [chunks[position].text for position in batch]
            embedded = embedder.embed(texts)
            vectors[batch] = embedded
            append(texts, embedded)
            bar.update(len(batch))
    return vectors


def write_generation(
    folder: Path,
    articles: Sequence[Article],
    chunks: Sequence[Chunk],
    vectors: Vectors,
    embedder: Embedder,
    chunking: ChunkingConfig,
    grouping: Grouping | None = None,
    *,
    annotator: Annotator | None = None,
    previous: Annotations | None = None,
    annotate_only: Collection[str] | None = None,
    progress: bool = False,
) -> None:
    """Write a complete generation into ``folder``: data files, then the manifest.

    ``grouping`` holds the articles' profiles and stories; without it the articles are
    profiled with ``embedder`` and grouped from scratch. With an ``annotator`` the generation
    stores annotations: those ``previous`` holds for unchanged articles by the same annotator
    version are copied, and the other articles are annotated (only those in ``annotate_only``,
    when given; the rest are left without one).
    """
    terms = [tokenize(chunk.text) for chunk in chunks]
    write_articles(folder / ARTICLES_FILE, articles)
    write_chunks(folder / CHUNKS_FILE, chunks, [a.doc_id for a in articles])
    sparse_files = SparseBm25.from_terms(terms).save(folder)
    VectorIndex.from_vectors(vectors).save(folder / VECTORS_FILE)
    if grouping is None:
        grouping = group_articles(articles, embedder)
    write_stories(folder, story_map(grouping, {a.doc_id: a for a in articles}), grouping)
    files = [ARTICLES_FILE, CHUNKS_FILE, VECTORS_FILE, *sparse_files, *STORY_FILES]
    if annotator is not None:
        write_annotations(
            folder / ANNOTATIONS_FILE, articles, annotator, previous, annotate_only, progress
        )
        files.append(ANNOTATIONS_FILE)
    manifest = Manifest(
        model=embedder.name,
        dimension=embedder.dimension,
        tokenizer=TOKENIZER_VERSION,
        chunking=chunking,
        articles={a.doc_id: a.content_hash() for a in articles},
        chunk_count=len(chunks),
        files={name: digest(folder / name) for name in files},
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        annotator=None if annotator is None else stamp_of(annotator),
    )
    manifest.write(folder / MANIFEST_FILE)


def _up_to_date_manifest(
    directory: IndexDirectory,
    articles: Sequence[Article],
    embedder: Embedder,
    chunking: ChunkingConfig,
) -> Manifest | None:
    """The live manifest if the live index is intact (every file matches its digest) and built
    from exactly these inputs."""
    try:
        generation = directory.live_generation()
        manifest = Manifest.read(generation / MANIFEST_FILE)
        verify_files(generation, manifest)
    except (IndexNotFoundError, IndexDamagedError):
        return None
    same = (
        manifest.model == embedder.name
        and manifest.dimension == embedder.dimension
        and manifest.tokenizer == TOKENIZER_VERSION
        and manifest.chunking == chunking
        and manifest.articles == {a.doc_id: a.content_hash() for a in articles}
    )
    return manifest if same else None


def _annotations_current(
    directory: IndexDirectory, live: Manifest, annotator: Annotator | None
) -> bool:
    """Whether the live generation (intact, manifest ``live``) holds what ``annotator`` would
    store: an annotation of every article by the same annotator version (none without one)."""
    if annotator is None or live.annotator is None:
        return annotator is None and live.annotator is None
    if live.annotator != stamp_of(annotator):
        return False
    path = directory.live_generation() / ANNOTATIONS_FILE
    try:
        annotations = Annotations.open(path, live.annotator, live.articles)
    except IndexDamagedError:
        return False
    return len(annotations) == len(live.articles)


def _annotate_live(
    directory: IndexDirectory, embedder: Embedder, annotator: Annotator | None, progress: bool
) -> bool:
    """Write the live generation again with ``annotator``'s annotations, keeping its chunk
    vectors and stories and the annotations still current. False (nothing written) if the live
    generation cannot be loaded."""
    try:
        live = load_generation(directory.live_generation(), embedder)
        grouping = read_grouping(live.generation, live.stories, embedder.dimension)
    except (IndexDamagedError, IndexMismatchError):
        return False
    vectors = live.vectors.reconstruct(range(len(live.chunks)))
    directory.replace_with(
        lambda folder: write_generation(
            folder,
            list(live.articles.values()),
            live.chunks,
            vectors,
            embedder,
            live.manifest.chunking,
            grouping,
            annotator=annotator,
            previous=live.annotations,
            progress=progress,
        )
    )
    return True
