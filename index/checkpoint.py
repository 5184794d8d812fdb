"""Vectors a build has already computed, kept on disk so an interrupted build resumes.

A build appends each embedded batch to ``INDEX_DIR/checkpoint-MODEL.bin`` and syncs it; a
build that starts after a crash (or Ctrl-C) reads the file back and embeds only the chunks it
lacks. Records are fixed-size (a 16-byte digest of the chunk text, then the float32 vector), so
a record cut short by a kill is simply dropped. The file is deleted once a build publishes.
"""

import contextlib
import hashlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from index.embedders import Embedder, Vectors

KEY_BYTES = 16

Append = Callable[[Sequence[str], Vectors], None]


class EmbeddingCheckpoint:
    """The checkpoint file of one index directory and model."""

    def __init__(self, index_dir: Path, embedder: Embedder) -> None:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", embedder.name).strip("-")
        self.path = index_dir / f"checkpoint-{slug}-{embedder.dimension}.bin"
        self._dimension = embedder.dimension
        self._record = KEY_BYTES + 4 * embedder.dimension

    @staticmethod
    def key(text: str) -> bytes:
        """The digest a chunk's vector is filed under."""
        return hashlib.sha256(text.encode("utf-8")).digest()[:KEY_BYTES]

    def load(self) -> dict[bytes, Vectors]:
        """The vectors saved so far, by key (empty when there is no checkpoint)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        whole = len(data) - len(data) % self._record
        records = np.frombuffer(data[:whole], dtype=np.uint8).reshape(-1, self._record)
        vectors = records[:, KEY_BYTES:].copy().view(np.float32)
        return {bytes(row[:KEY_BYTES]): vectors[i] for i, row in enumerate(records)}

    @contextlib.contextmanager
    def appender(self) -> Iterator[Append]:
        """``append(texts, vectors)`` adds records and syncs them to disk."""
        with open(self.path, "ab") as handle:
            handle.truncate(handle.tell() - handle.tell() % self._record)

            def append(texts: Sequence[str], vectors: Vectors) -> None:
                rows = np.ascontiguousarray(vectors, dtype=np.float32)
                handle.write(b"".join(self.key(t) + rows[i].tobytes() for i, t in enumerate(texts)))
                handle.flush()
                os.fsync(handle.fileno())

            yield append

    def discard(self) -> None:
        """Delete the checkpoint (after the build it served is published)."""
        self.path.unlink(missing_ok=True)
