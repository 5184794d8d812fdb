"""Opening a built index, and verifying one.

Opening is cheap whatever the size of the index: it checks the base generation's manifest (its
format version and the checksum of its body), that every data file it lists is there with its
size, and the shape of each array, then memory-maps the BM25 postings and the vectors, reads the
chunk table (16 bytes a chunk) with one call and the stories from the article store. No article
is read: the store is queried when one is asked for. Each segment written since is read whole
(they are small). The data files' SHA-256 digests are written by the writer and checked when a
generation is merged from another one and by ``verify_index`` (``crosscheck index --verify``),
which also checks the store, every chunk and every posting.

A process that already holds a loaded version passes it as ``previous``: its base and segments
are reused, so that following a new segment costs only reading that segment.
"""

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from index.article_store import ArticleStore
from index.chunk_index import Base, ChunkIndex
from index.chunk_table import ChunkTable
from index.embedders import Embedder
from index.errors import (
    IndexDamagedError,
    IndexMismatchError,
    IndexStoreError,
    rebuild_hint,
)
from index.layers import LayeredBm25, LayeredStories, LayeredVectors, Removed
from index.manifest import MANIFEST_FILE, Manifest
from index.persist import (
    CHUNKS_FILE,
    VECTORS_FILE,
    check_chunk_rows,
    check_files,
    read_chunk_rows,
    verify_files,
)
from index.segments import Segment, load_segment
from index.sparse import SparseBm25
from index.store import IndexDirectory, LiveState
from index.tokenizer import TOKENIZER_VERSION
from index.vectors import VectorIndex


def open_index(
    index_dir: Path, embedder: Embedder, previous: ChunkIndex | None = None
) -> ChunkIndex:
    """Load the live index of ``index_dir`` for querying with ``embedder``, reusing what
    ``previous`` (an earlier version of the same index) already loaded.

    Raises:
        IndexNotFoundError: nothing has been built there.
        IndexDamagedError: a manifest is altered or of an unknown format, or a file is
            missing, of the wrong size or shape.
        IndexMismatchError: it was built with another model, dimension or tokenizer.
    """
    return _live(index_dir, lambda state: load_state(state, embedder, previous))


def verify_index(index_dir: Path) -> ChunkIndex:
    """Check every byte of the live index of ``index_dir`` against the digests its writers
    recorded, the article store, and every chunk and posting against the articles; return it
    loaded.

    Raises:
        IndexNotFoundError: nothing has been built there.
        IndexDamagedError: as ``open_index``, or a file does not match its digest, or a chunk
            or posting points outside the index.
    """
    return _live(index_dir, lambda state: load_state(state, None, verify=True))


def load_state(
    state: LiveState,
    embedder: Embedder | None,
    previous: ChunkIndex | None = None,
    *,
    verify: bool = False,
) -> ChunkIndex:
    """Load the base and segments ``state`` names (those ``previous`` holds are reused); with
    ``verify``, check all of it as ``verify_index`` does; without an ``embedder`` the model is
    not checked.

    Raises:
        IndexDamagedError, IndexMismatchError: as ``open_index`` (without the rebuild hint).
    """
    if previous is not None and previous.base.path == state.base and not verify:
        base = previous.base
    else:
        base = load_base(state.base, embedder, verify=verify)
    held = {} if previous is None or verify else {s.path: s for s in previous.segments}
    segments = tuple(
        held.get(path) or load_segment(path, base.manifest.dimension, verify=verify)
        for path in state.segments
    )
    index = assemble(state, base, segments)
    if verify:
        _verify_rows(index)
    return index


def load_base(generation: Path, embedder: Embedder | None, *, verify: bool = False) -> Base:
    """Load and check one base generation folder.

    Raises:
        IndexDamagedError, IndexMismatchError: as ``open_index`` (without the rebuild hint).
    """
    manifest = Manifest.read(generation / MANIFEST_FILE)
    if embedder is not None and (
        manifest.model != embedder.name or manifest.dimension != embedder.dimension
    ):
        raise IndexMismatchError(
            f"the index was built with model {manifest.model} ({manifest.dimension} dimensions) "
            f"but this run embeds queries with {embedder.name} ({embedder.dimension})"
        )
    if manifest.tokenizer != TOKENIZER_VERSION:
        raise IndexMismatchError(
            f"the index was built with tokenizer {manifest.tokenizer}, this crosscheck uses "
            f"{TOKENIZER_VERSION}"
        )
    if verify:
        verify_files(generation, manifest.files)
    else:
        check_files(generation, manifest.files)
    store = ArticleStore(generation.parent / manifest.store)
    store.check_size()
    if verify:
        store.check()
    rows = read_chunk_rows(generation / CHUNKS_FILE, manifest.chunk_count)
    vectors = VectorIndex.load(generation / VECTORS_FILE, manifest.dimension, len(rows))
    bm25 = SparseBm25.load(generation, len(rows))
    if verify:
        bm25.verify()
    at_base = store.visible(manifest.covers)
    if len(at_base) != manifest.article_count:
        raise IndexDamagedError(
            f"the article store {store.path} holds {len(at_base)} articles for {generation}, "
            f"its manifest says {manifest.article_count}"
        )
    stories = at_base.stories()
    return Base(generation, manifest, store, rows, bm25, vectors, stories)


def assemble(state: LiveState, base: Base, segments: tuple[Segment, ...]) -> ChunkIndex:
    """The version of the index made of ``base`` and ``segments`` (as ``state`` names them)."""
    covers = base.manifest.covers
    upto = max([covers, *(segment.number for segment in segments)])
    tombstones = [t for segment in segments for t in segment.tombstones]
    count = base.manifest.article_count + sum(s.articles for s in segments) - len(tombstones)
    articles = base.store.visible(upto, count)
    removed_keys = np.array(sorted({t.key for t in tombstones}), dtype=np.int64)
    from_base = [t for t in tombstones if t.added <= covers]
    frequencies: Counter[str] = Counter()
    for tombstone in from_base:
        frequencies.update(tombstone.frequencies)
    removed = Removed(
        chunks=sum(t.chunks for t in from_base),
        length=sum(t.length for t in from_base),
        frequencies=dict(frequencies),
    )
    hidden = (
        np.flatnonzero(np.isin(base.rows[:, 0], removed_keys)).astype(np.int64)
        if len(from_base)
        else np.zeros(0, dtype=np.int64)
    )
    rows, vectors = [], []
    terms: list[list[str]] = []
    for segment in segments:
        live = ~np.isin(segment.rows[:, 0], removed_keys)
        rows.append(segment.rows[live])
        vectors.append(segment.vectors[live])
        terms.extend(t for t, keep in zip(segment.terms, live.tolist(), strict=True) if keep)
    more = np.concatenate(rows) if rows else None
    added = np.concatenate(vectors) if vectors else None
    stories = LayeredStories(
        base.stories,
        articles.story_records(covers) if segments else (),
        frozenset(articles.retired_stories(covers)) if segments else frozenset(),
    )
    return ChunkIndex(
        state=state,
        base=base,
        segments=segments,
        articles=articles,
        chunks=ChunkTable(base.rows, articles.by_key, more),
        bm25=LayeredBm25(base.bm25, terms, removed, hidden),
        vectors=LayeredVectors(base.vectors, added, hidden),
        stories=stories,
    )


def _verify_rows(index: ChunkIndex) -> None:
    """Check that every chunk row, the base's and the segments', lies inside its article, that
    every article matches its content hash, and that the stories place every article once."""
    lengths = {
        int(key): int(length)
        for key, length in index.base.store.query("SELECT key, length(text) FROM articles")
    }
    check_chunk_rows(str(index.generation / CHUNKS_FILE), index.base.rows, lengths)
    for segment in index.segments:
        check_chunk_rows(str(segment.path / "chunks.npy"), segment.rows, lengths)
    index.articles.check_hashes()
    placed = {doc_id for story in index.stories.stories for doc_id in story.articles}
    if placed != set(index.articles):
        raise IndexDamagedError(
            f"the stories of the article store {index.base.store.path} do not place every "
            "article of the index once"
        )


def _live(index_dir: Path, load: Callable[[LiveState], ChunkIndex]) -> ChunkIndex:
    """``load`` the live version of ``index_dir``, again if a writer replaced it meanwhile;
    errors say how to rebuild."""
    directory = IndexDirectory(index_dir)
    for attempt in range(3):
        state = directory.live_state()
        try:
            return load(state)
        except IndexDamagedError as error:
            # A writer may have published a newer version and removed this one meanwhile.
            if attempt < 2 and directory.live_state() != state:
                continue
            raise IndexDamagedError(
                f"the index is damaged: {error}; {rebuild_hint(index_dir)}"
            ) from None
        except IndexMismatchError as error:
            raise IndexMismatchError(f"{error}; {rebuild_hint(index_dir)}") from None
    raise IndexStoreError(f"the index in {index_dir} kept changing while it was being read")
