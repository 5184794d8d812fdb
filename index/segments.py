"""Segments: each ingest or delete written as a small folder beside the base generation, so that
a write costs what it changes, not what the index holds.

A segment holds the chunks it adds (their rows in the chunk table, their index terms and their
vectors) and what it removes (tombstones: the article store keys of the replaced or deleted
articles, with how many chunks each had, their length and the document frequency of each term in
them, so that BM25's statistics can be taken off the base without reading it). The articles'
texts, profiles, annotations and stories go to the article store in the same write, under the
segment's number. ``index.layers`` searches a base and its segments as one index; ``index.merge``
folds segments into a new base.

Files::

    seg-000012/
        manifest.json   sealed with its checksum: the number, the tombstones, each file's digest
        chunks.npy      int32 rows (article key, ordinal, start, end), one a chunk added
        terms.json      each added chunk's index terms
        vectors.npy     float32 vectors of the chunks added
"""

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from index.errors import IndexDamagedError
from index.manifest import FORMAT_VERSION, FileDigest, read_sealed, write_sealed
from index.persist import check_files, digest, verify_files

SEGMENT_FORMAT = "crosscheck-segment"
SEGMENT_CHUNKS = "chunks.npy"
SEGMENT_TERMS = "terms.json"
SEGMENT_VECTORS = "vectors.npy"
SEGMENT_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Tombstone:
    """A removed article: its store key, the sequence number that added it, and what its chunks
    held (``chunks`` of them, ``length`` index terms in all, ``frequencies`` per term)."""

    key: int
    added: int
    chunks: int
    length: int
    frequencies: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, key: int, added: int, chunk_terms: Sequence[Sequence[str]]) -> "Tombstone":
        """The tombstone of an article whose chunks had ``chunk_terms``."""
        frequencies = Counter(term for terms in chunk_terms for term in set(terms))
        return cls(
            key, added, len(chunk_terms), sum(len(t) for t in chunk_terms), dict(frequencies)
        )


@dataclass(frozen=True)
class Segment:
    """One loaded segment."""

    path: Path
    number: int
    rows: NDArray[np.int32]
    terms: list[list[str]]
    vectors: NDArray[np.float32]
    tombstones: tuple[Tombstone, ...]
    articles: int  # how many it adds

    @property
    def name(self) -> str:
        """The segment's folder name."""
        return self.path.name


def write_segment(
    folder: Path,
    number: int,
    rows: NDArray[np.int32],
    terms: Sequence[Sequence[str]],
    vectors: NDArray[np.float32],
    tombstones: Sequence[Tombstone],
    articles: int,
) -> None:
    """Write a segment of ``articles`` added articles into ``folder``: data files, then the
    manifest."""
    np.save(folder / SEGMENT_CHUNKS, np.asarray(rows, dtype=np.int32).reshape(-1, 4))
    with open(folder / SEGMENT_TERMS, "w", encoding="utf-8") as handle:
        json.dump([list(t) for t in terms], handle, ensure_ascii=False)
    np.save(folder / SEGMENT_VECTORS, np.ascontiguousarray(vectors, dtype=np.float32))
    files = (SEGMENT_CHUNKS, SEGMENT_TERMS, SEGMENT_VECTORS)
    record: dict[str, Any] = {
        "format": SEGMENT_FORMAT,
        "format_version": FORMAT_VERSION,
        "number": number,
        "chunk_count": len(rows),
        "article_count": articles,
        "tombstones": [
            {
                "key": t.key,
                "added": t.added,
                "chunks": t.chunks,
                "length": t.length,
                "frequencies": t.frequencies,
            }
            for t in tombstones
        ],
        "files": {
            name: {"bytes": d.bytes, "sha256": d.sha256}
            for name in files
            for d in [digest(folder / name)]
        },
    }
    write_sealed(folder / SEGMENT_MANIFEST, record)


def load_segment(folder: Path, dimension: int, *, verify: bool = False) -> Segment:
    """Read a segment, checking its manifest, its files' sizes (with ``verify``, their digests)
    and the shapes of its arrays.

    Raises:
        IndexDamagedError: anything is missing, altered or inconsistent.
    """
    record = read_sealed(folder / SEGMENT_MANIFEST, SEGMENT_FORMAT)
    try:
        number = int(record["number"])
        count = int(record["chunk_count"])
        articles = int(record["article_count"])
        files = {str(k): FileDigest(**v) for k, v in record["files"].items()}
        tombstones = tuple(
            Tombstone(
                key=int(t["key"]),
                added=int(t["added"]),
                chunks=int(t["chunks"]),
                length=int(t["length"]),
                frequencies={str(k): int(v) for k, v in t["frequencies"].items()},
            )
            for t in record["tombstones"]
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise IndexDamagedError(f"{folder / SEGMENT_MANIFEST} is malformed ({error!r})") from None
    if verify:
        verify_files(folder, files)
    else:
        check_files(folder, files)
    try:
        rows = np.load(folder / SEGMENT_CHUNKS, allow_pickle=False)
        vectors = np.load(folder / SEGMENT_VECTORS, allow_pickle=False)
        with open(folder / SEGMENT_TERMS, encoding="utf-8") as handle:
            terms = json.load(handle)
    except (OSError, ValueError) as error:
        raise IndexDamagedError(f"the segment {folder} is unreadable ({error})") from None
    consistent = (
        rows.dtype == np.int32
        and rows.shape == (count, 4)
        and vectors.dtype == np.float32
        and vectors.shape == (count, dimension)
        and isinstance(terms, list)
        and len(terms) == count
    )
    if not consistent:
        raise IndexDamagedError(f"the segment {folder} does not match its manifest")
    return Segment(folder, number, rows, terms, vectors, tombstones, articles)
