"""Reading and writing one base generation's data files (.npy, JSON, faiss; no pickle), and
checking files against the digests a manifest lists: their sizes on every load, their digests
when verifying."""

import hashlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from index.errors import IndexDamagedError
from index.manifest import MANIFEST_FILE, FileDigest

# One int32 row a chunk: its article's key in the article store, ordinal, start, end.
CHUNKS_FILE = "chunks.npy"
VECTORS_FILE = "vectors.faiss"


def digest(path: Path) -> FileDigest:
    """Size and SHA-256 of a file."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            sha.update(block)
    return FileDigest(bytes=path.stat().st_size, sha256=sha.hexdigest())


def check_files(folder: Path, files: Mapping[str, FileDigest]) -> None:
    """Check that every data file listed is there with its size (cheap: no file is read;
    ``verify_files`` reads them).

    Raises:
        IndexDamagedError: a file is missing, or its size differs.
    """
    for name, expected in files.items():
        path = folder / name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise IndexDamagedError(f"{path} is missing") from None
        except OSError as error:
            raise IndexDamagedError(f"{path} is unreadable ({error})") from None
        if size != expected.bytes:
            raise IndexDamagedError(
                f"{path} has {size} bytes, the manifest says {expected.bytes} "
                "(truncated or overwritten)"
            )


def verify_files(folder: Path, files: Mapping[str, FileDigest]) -> int:
    """Check every data file listed against its size and SHA-256 digest (reads every byte).
    Returns the bytes checked.

    Raises:
        IndexDamagedError: a file is missing, or its size or hash differs.
    """
    check_files(folder, files)
    for name, expected in files.items():
        path = folder / name
        try:
            actual = digest(path)
        except OSError as error:
            raise IndexDamagedError(f"{path} is unreadable ({error})") from None
        if actual.sha256 != expected.sha256:
            raise IndexDamagedError(f"{path} does not match its checksum in {MANIFEST_FILE}")
    return sum(expected.bytes for expected in files.values())


def write_chunk_rows(path: Path, rows: NDArray[np.int32]) -> None:
    """Write the chunk table's rows."""
    np.save(path, np.asarray(rows, dtype=np.int32).reshape(-1, 4), allow_pickle=False)


def read_chunk_rows(path: Path, count: int) -> NDArray[np.int32]:
    """Read the chunk table (``count`` rows). Only its shape is checked; ``check_chunk_rows``
    checks every row.

    The table is read in one call rather than memory-mapped: it is small (16 bytes a chunk),
    and a server keeps answering from it if the file is damaged in place under it.

    Raises:
        IndexDamagedError: the file is unreadable or not ``count`` rows of four int32.
    """
    try:
        rows: NDArray[np.int32] = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise IndexDamagedError(f"{path} is unreadable ({error})") from None
    if rows.dtype != np.int32 or rows.shape != (count, 4):
        raise IndexDamagedError(
            f"{path} holds {rows.dtype} rows of shape {rows.shape}, not ({count}, 4) int32"
        )
    return rows


def check_chunk_rows(where: str, rows: NDArray[np.int32], lengths: Mapping[int, int]) -> None:
    """Check that every chunk row lies inside an article: ``lengths`` maps each article key the
    rows may name to its text's length.

    Raises:
        IndexDamagedError: a row names no article, or offsets outside its article.
    """
    keys = np.fromiter(lengths.keys(), dtype=np.int64, count=len(lengths))
    sizes = np.fromiter(lengths.values(), dtype=np.int64, count=len(lengths))
    order = np.argsort(keys)
    keys, sizes = keys[order], sizes[order]
    key, start, end = (np.asarray(rows[:, column], dtype=np.int64) for column in (0, 2, 3))
    at = np.clip(np.searchsorted(keys, key), 0, max(len(keys) - 1, 0))
    known = (keys[at] == key) if len(keys) else np.zeros(len(key), dtype=bool)
    inside = known & (start >= 0) & (start < end) & (end <= np.where(known, sizes[at], 0))
    if not inside.all():
        row = int(np.argmin(inside))
        raise IndexDamagedError(f"{where}, row {row}: chunk outside the articles of the index")
