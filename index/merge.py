"""Merging: fold the live segments into a new base generation, in the background.

A merge reads the live version (base and segments), writes a new base generation of its live
chunks in order (their rows, BM25 postings rebuilt from their index terms, their vectors) over
the same article store, and publishes it with the segments written meanwhile after it. The new
base is the same index a full build over the same articles in the same order would make (the
tests compare them), except that vectors are read back from the old base (exact below
``index.vectors.APPROXIMATE_FROM`` chunks, 8-bit codes above it, as an update always did).

Writers are not held up: the merge holds the writer lock only to pick its folder's number and
to publish. A merge killed at any point leaves the old base and its segments live; its folder is
removed by the next writer. A merge finding that someone else replaced the base meanwhile (a
rebuild, another merge) throws its work away.
"""

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from index.build import write_base
from index.chunk_index import ChunkIndex
from index.embedders import Embedder
from index.errors import IndexWriteError
from index.loading import load_state
from index.persist import verify_files
from index.segments import load_segment
from index.store import IndexDirectory
from index.tokenizer import tokenize

# A merge starts when the live segments pass either bound (``should_merge``).
MERGE_SEGMENTS = 100
MERGE_SHARE = 0.05  # of the base's chunks held in segments
MERGE_MIN_CHUNKS = 20_000


@dataclass(frozen=True)
class MergeReport:
    """What a merge did: the segments folded, the chunks of the new base, its folder."""

    generation: Path
    segments: int
    chunks: int
    seconds: float


def should_merge(index: ChunkIndex, segments: int = MERGE_SEGMENTS) -> bool:
    """Whether ``index`` holds more than ``segments`` segments, or enough chunks in them, to
    merge."""
    if not index.segments:
        return False
    in_segments = sum(len(segment.rows) for segment in index.segments)
    bound = max(MERGE_MIN_CHUNKS, MERGE_SHARE * len(index.base.rows))
    return len(index.segments) > segments or in_segments > bound


def merge_segments(
    index_dir: Path, embedder: Embedder | None = None, live: ChunkIndex | None = None
) -> MergeReport | None:
    """Fold the live segments of ``index_dir`` into a new base; None if there were none, or
    the base was replaced meanwhile. ``live``: a loaded version to reuse.

    Raises:
        IndexNotFoundError, IndexDamagedError, IndexMismatchError: as ``open_index``.
        IndexWriteError: writing failed; the live index is untouched.
    """
    started = time.monotonic()
    directory = IndexDirectory(index_dir)
    with directory.write_lock():
        state = directory.live_state()
        if not state.segments:
            return None
        index = live if live is not None and live.state == state else None
        if index is None:
            index = load_state(state, embedder, live)
        try:
            temporary = directory.new_generation("gen")
        except OSError as error:
            raise IndexWriteError(f"cannot write the index in {index_dir}: {error}") from None
    try:
        # What is copied into the new base is checked against its digests first, so that
        # damage on disk is refused here rather than carried forward.
        verify_files(index.generation, index.manifest.files)
        for segment in index.segments:
            load_segment(segment.path, index.manifest.dimension, verify=True)
        positions = _live_positions(index)
        rows = index.chunks.all_rows()
        terms = [tokenize(index.chunks[p].text) for p in positions.tolist()]
        vectors = index.vectors.reconstruct(positions.tolist())
        manifest = index.manifest
        write_base(
            temporary,
            rows[positions],
            terms,
            vectors,
            (manifest.model, manifest.dimension),
            manifest.chunking,
            store_name=manifest.store,
            covers=index.upto,
            article_count=len(index.articles),
            annotator=manifest.annotator,
        )
    except OSError as error:
        directory.discard(temporary)
        raise IndexWriteError(
            f"merging the index in {index_dir} failed ({error}); the live index is intact"
        ) from None
    except BaseException:
        directory.discard(temporary)
        raise
    with directory.write_lock():
        now = directory.live_state()
        if now.base != state.base or now.segments[: len(state.segments)] != state.segments:
            directory.discard(temporary)
            return None
        carried = now.segments[len(state.segments) :]
        try:
            final = directory.publish(temporary, segments=carried, keep=[manifest.store])
        except OSError as error:
            directory.discard(temporary)
            raise IndexWriteError(
                f"merging the index in {index_dir} failed ({error}); the live index is intact"
            ) from None
    return MergeReport(final, len(state.segments), len(positions), time.monotonic() - started)


def _live_positions(index: ChunkIndex) -> NDArray[np.int64]:
    """The positions of the live chunks of ``index``, in order."""
    live = np.ones(index.bm25.positions, dtype=bool)
    live[index.bm25.hidden] = False
    return np.flatnonzero(live)
