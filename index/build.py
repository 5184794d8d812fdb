"""Build an index from articles (``index.loading`` opens a built one).

Builds are atomic (see ``index.store``) and skipped when nothing changed: the live manifest
already lists the same articles, by content hash, built with the same model, tokenizer and
chunking, and every article is annotated by the same annotator version (or none is asked for).
When only the annotations are out of date, the live generation is written again with its vectors
and stories, and only the articles without a current annotation are annotated.
"""

import datetime as dt
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from corpus import Article, Chunk, ChunkingConfig
from index.annotations import Annotator, annotate, stamp_of
from index.article_store import ArticleStore, NewArticle, StoreVersion, store_files
from index.checkpoint import EmbeddingCheckpoint
from index.chunk_table import chunk_rows
from index.embedders import Embedder, Vectors
from index.errors import IndexDamagedError, IndexMismatchError, IndexNotFoundError
from index.layers import LayeredStories
from index.loading import load_state
from index.manifest import MANIFEST_FILE, AnnotatorStamp, Manifest
from index.persist import CHUNKS_FILE, VECTORS_FILE, digest, verify_files, write_chunk_rows
from index.sparse import SparseBm25
from index.store import IndexDirectory
from index.stories import Grouping, group_articles, story_map
from index.tokenizer import TOKENIZER_VERSION, tokenize
from index.vectors import VectorIndex

# Articles written to the store per transaction by a build.
_STORE_BATCH = 2000

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
            return BuildReport(
                False, index_dir, len(articles), _chunk_count(articles, chunking), seconds
            )
        if live is not None and _annotate_live(directory, embedder, annotator, progress):
            seconds = time.monotonic() - started
            return BuildReport(
                True, index_dir, len(articles), _chunk_count(articles, chunking), seconds
            )
        chunks = [chunk for article in articles for chunk in article.chunks(chunking)]

        checkpoint = EmbeddingCheckpoint(directory.path, embedder)

        def write(folder: Path) -> list[str]:
            vectors = _embed(chunks, embedder, checkpoint, progress)
            return write_generation(
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


def _chunk_count(articles: Sequence[Article], chunking: ChunkingConfig) -> int:
    return sum(len(article.chunks(chunking)) for article in articles)


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
    previous: StoreVersion | None = None,
    annotate_only: Collection[str] | None = None,
    progress: bool = False,
) -> list[str]:
    """Write a complete generation into ``folder`` (named ``gen-NNNNNN...``) and a new article
    store beside it, ``store-NNNNNN.sqlite``; returns the store's name.

    ``grouping`` holds the articles' profiles and stories; without it the articles are
    profiled with ``embedder`` and grouped from scratch. With an ``annotator`` the store holds
    annotations: those ``previous`` holds for unchanged articles by the same annotator version
    are reused, and the other articles are annotated (only those in ``annotate_only``, when
    given; the rest are left without one).
    """
    number = int(folder.name[4:10])
    if grouping is None:
        grouping = group_articles(articles, embedder)
    by_doc = {a.doc_id: a for a in articles}
    profile_row = {doc_id: row for row, doc_id in enumerate(grouping.profiles.doc_ids)}
    store_name = f"store-{number:06d}.sqlite"
    store = ArticleStore.create(folder.parent / store_name)
    stamp = None if annotator is None else stamp_of(annotator)
    reuse = None
    if previous is not None and stamp is not None:
        reuse = _reuser(previous, stamp)
    annotated = (
        annotate(articles, annotator, reuse, annotate_only, progress)
        if annotator is not None
        else ((a, None) for a in articles)
    )
    keys: dict[str, int] = {}
    batch: list[NewArticle] = []
    try:
        for article, text in annotated:
            row = profile_row[article.doc_id]
            batch.append(
                NewArticle(
                    article,
                    grouping.profiles.vectors[row],
                    grouping.profiles.entities[row],
                    text,
                )
            )
            if len(batch) == _STORE_BATCH:
                keys.update(_stored(store, number, batch, stamp))
                batch = []
        keys.update(_stored(store, number, batch, stamp))
        store.write(number, stories=story_map(grouping, by_doc).stories)
        store.close()
        write_base(
            folder,
            chunk_rows(chunks, keys),
            [tokenize(chunk.text) for chunk in chunks],
            vectors,
            (embedder.name, embedder.dimension),
            chunking,
            store_name=store_name,
            covers=number,
            article_count=len(articles),
            annotator=stamp,
        )
    except BaseException:
        store.close()  # a store of no published generation goes with it
        for file in store_files(store.path):
            file.unlink(missing_ok=True)
        raise
    return [store_name]


def _stored(
    store: ArticleStore, number: int, batch: Sequence[NewArticle], stamp: AnnotatorStamp | None
) -> dict[str, int]:
    """Store a batch of new articles; their keys by doc id."""
    keys = store.write(number, add=batch, annotator=stamp)
    return {new.article.doc_id: key for new, key in zip(batch, keys, strict=True)}


def write_base(
    folder: Path,
    rows: NDArray[np.int32],
    terms: Sequence[Sequence[str]],
    vectors: Vectors,
    model: tuple[str, int],
    chunking: ChunkingConfig,
    *,
    store_name: str,
    covers: int,
    article_count: int,
    annotator: AnnotatorStamp | None,
) -> None:
    """Write a base generation's data files over the store ``store_name`` (chunk table rows,
    each chunk's index terms, vectors of ``model``, a name and dimension), then its manifest."""
    write_chunk_rows(folder / CHUNKS_FILE, rows)
    sparse_files = SparseBm25.from_terms(terms).save(folder)
    VectorIndex.from_vectors(vectors).save(folder / VECTORS_FILE)
    files = [CHUNKS_FILE, VECTORS_FILE, *sparse_files]
    manifest = Manifest(
        model=model[0],
        dimension=model[1],
        tokenizer=TOKENIZER_VERSION,
        chunking=chunking,
        store=store_name,
        covers=covers,
        article_count=article_count,
        chunk_count=len(rows),
        files={name: digest(folder / name) for name in files},
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        annotator=annotator,
    )
    manifest.write(folder / MANIFEST_FILE)


def _reuser(previous: StoreVersion, stamp: AnnotatorStamp) -> Callable[[Article], str | None]:
    def reuse(article: Article) -> str | None:
        return previous.reusable_annotation(article, stamp)

    return reuse


def _up_to_date_manifest(
    directory: IndexDirectory,
    articles: Sequence[Article],
    embedder: Embedder,
    chunking: ChunkingConfig,
) -> Manifest | None:
    """The live manifest if the live index is intact (every file of its base matches its
    digest) and holds exactly these articles (with its segments), made with the same model,
    tokenizer and chunking."""
    try:
        state = directory.live_state()
        manifest = Manifest.read(state.base / MANIFEST_FILE)
        verify_files(state.base, manifest.files)
        same = (
            manifest.model == embedder.name
            and manifest.dimension == embedder.dimension
            and manifest.tokenizer == TOKENIZER_VERSION
            and manifest.chunking == chunking
        )
        if not same:
            return None
        newest = max(int(name[4:10]) for name in state.names())
        with ArticleStore(state.base.parent / manifest.store) as store:
            hashes = store.visible(newest).content_hashes()
            if newest != manifest.covers:
                load_state(state, embedder, verify=True)  # the segments are intact too
    except (IndexNotFoundError, IndexDamagedError, IndexMismatchError):
        return None
    return manifest if hashes == {a.doc_id: a.content_hash() for a in articles} else None


def _annotations_current(
    directory: IndexDirectory, live: Manifest, annotator: Annotator | None
) -> bool:
    """Whether the live generation (intact, manifest ``live``) holds what ``annotator`` would
    store: an annotation of every article by the same annotator version (none without one)."""
    if annotator is None or live.annotator is None:
        return annotator is None and live.annotator is None
    if live.annotator != stamp_of(annotator):
        return False
    state = directory.live_state()
    newest = max(int(name[4:10]) for name in state.names())
    try:
        with ArticleStore(state.base.parent / live.store) as store:
            version = store.visible(newest)
            return version.annotated(live.annotator) == len(version)
    except IndexDamagedError:
        return False


def _annotate_live(
    directory: IndexDirectory, embedder: Embedder, annotator: Annotator | None, progress: bool
) -> bool:
    """Write the live generation again with ``annotator``'s annotations, keeping its chunk
    vectors and stories and the annotations still current. False (nothing written) if the live
    generation cannot be loaded."""
    try:
        live = load_state(directory.live_state(), embedder)
        articles = [stored.article for stored in live.articles.stored_articles()]
        grouping = _grouping(live.articles, live.stories, [a.doc_id for a in articles])
    except (IndexDamagedError, IndexMismatchError):
        return False
    chunks = list(live.chunks)
    vectors = live.vectors.reconstruct(range(len(chunks)))
    directory.replace_with(
        lambda folder: write_generation(
            folder,
            articles,
            chunks,
            vectors,
            embedder,
            live.manifest.chunking,
            grouping,
            annotator=annotator,
            previous=live.articles,
            progress=progress,
        )
    )
    return True


def _grouping(articles: StoreVersion, stories: LayeredStories, doc_ids: list[str]) -> Grouping:
    """The stored profiles of ``doc_ids`` with each one's story."""
    profiles = articles.store.profiles(articles.upto, doc_ids)
    return Grouping(profiles, tuple(stories.story_of(doc_id).id for doc_id in doc_ids))
