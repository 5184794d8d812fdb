"""Embedders return unit vectors of their dimension; the ONNX model gives sentence-transformers'
vectors without importing torch; the real model ranks meaning."""

import subprocess
import sys
from collections.abc import Sequence

import numpy as np
import pytest

from index import CachedEmbedder, EmbedderKind, HashEmbedder, MiniLMEmbedder, make_embedder
from index.embedders import Vectors
from index.onnx_embedder import OnnxEmbedder, Precision

# Reuters-style and seed-style texts of very different lengths, so batches pad.
TEXTS = [
    "How many people were hurt?",
    "At least 26 people were wounded in the attack, the city's military administration said.",
    "Russia launched 539 drones and 11 missiles overnight, Ukraine's air force said. " * 8,
    "The two leaders discussed joint weapons production.",
    "",
    "Пять машин скорой помощи прибыли на место.",
]


def test_hash_embedder_is_deterministic_and_normalised() -> None:
    texts = ["Russia launched 550 drones", "", "Пять машин скорой помощи"]
    first = HashEmbedder(32).embed(texts)
    assert first.shape == (3, 32) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)
    assert np.array_equal(first, HashEmbedder(32).embed(texts))


def test_hash_embedder_puts_shared_terms_closer() -> None:
    a, b, c = HashEmbedder().embed(["missiles launched", "missile launch", "embassy damaged"])
    assert float(a @ b) > float(a @ c)


def test_factory_covers_every_kind() -> None:
    made = {kind: make_embedder(kind) for kind in EmbedderKind}
    assert {type(e) for e in made.values()} == {OnnxEmbedder, MiniLMEmbedder, HashEmbedder}
    onnx = [e for e in made.values() if isinstance(e, OnnxEmbedder)]
    assert {e.precision for e in onnx} == set(Precision)
    # fp32 ONNX and sentence-transformers give the same vectors, so they share a name (and so
    # an index); int8 vectors differ a little, so an int8 index is its own model.
    assert made[EmbedderKind.MINILM_FP32].name == made[EmbedderKind.MINILM_TORCH].name
    assert made[EmbedderKind.MINILM].name != made[EmbedderKind.MINILM_FP32].name


def test_constructing_the_real_embedders_loads_nothing() -> None:
    embedder = MiniLMEmbedder()
    assert embedder.dimension == 384
    assert embedder._model is None
    assert OnnxEmbedder()._session is None


@pytest.mark.model
def test_onnx_matches_sentence_transformers() -> None:
    reference = MiniLMEmbedder()
    expected = reference.embed(TEXTS)
    fp32 = OnnxEmbedder(Precision.FP32, batch_size=4).embed(TEXTS)
    int8 = OnnxEmbedder(Precision.INT8, batch_size=4).embed(TEXTS)
    assert fp32.shape == int8.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(fp32 * expected, axis=1)) >= 0.999
    assert np.min(np.sum(int8 * expected, axis=1)) >= 0.97


@pytest.mark.model
def test_onnx_gives_each_text_its_own_vector_whatever_the_batch() -> None:
    for precision, floor in ((Precision.FP32, 0.99999), (Precision.INT8, 0.95)):
        # int8 activations are scaled per batch, so batching moves vectors a little.
        embedder = OnnxEmbedder(precision, batch_size=3)
        together = embedder.embed(TEXTS)
        alone = np.vstack([embedder.embed([text]) for text in TEXTS])
        assert np.min(np.sum(together * alone, axis=1)) >= floor, precision
        assert embedder.embed([]).shape == (0, 384)


@pytest.mark.model
def test_the_query_path_does_not_import_torch() -> None:
    code = (
        "import sys\n"
        "from index.onnx_embedder import OnnxEmbedder\n"
        "OnnxEmbedder().embed(['how many missiles were launched'])\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.model
def test_real_model_embeds_meaning(minilm_embedder: OnnxEmbedder) -> None:
    vectors = minilm_embedder.embed(
        [
            "How many people were hurt?",
            "At least 26 people were wounded in the attack.",
            "The two leaders discussed joint weapons production.",
        ]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.1


def test_the_cache_embeds_each_text_once_and_stays_bounded() -> None:
    class Counting(HashEmbedder):
        def __init__(self) -> None:
            super().__init__(16)
            self.embedded: list[str] = []

        def embed(self, texts: Sequence[str]) -> Vectors:
            self.embedded.extend(texts)
            return super().embed(texts)

    inner = Counting()
    cached = CachedEmbedder(inner, max_texts=3)
    first = cached.embed(["a b", "c", "a b"])
    assert inner.embedded == ["a b", "c"]
    assert np.array_equal(first, HashEmbedder(16).embed(["a b", "c", "a b"]))
    assert np.array_equal(cached.embed(["c"]), first[1:2])
    assert inner.embedded == ["a b", "c"]
    cached.embed(["d", "e"])  # "a b" is the least recently used: it goes
    assert len(cached) == 3
    cached.embed(["a b"])
    assert inner.embedded == ["a b", "c", "d", "e", "a b"]
    assert cached.name == inner.name and cached.dimension == 16
