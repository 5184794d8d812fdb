"""Embedders return unit vectors of their dimension; the real model ranks meaning."""

import numpy as np
import pytest

from index import EmbedderKind, HashEmbedder, MiniLMEmbedder, make_embedder


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
    assert {type(make_embedder(kind)) for kind in EmbedderKind} == {MiniLMEmbedder, HashEmbedder}


def test_constructing_the_real_embedder_loads_nothing() -> None:
    embedder = MiniLMEmbedder()
    assert embedder.dimension == 384
    assert embedder._model is None


@pytest.mark.model
def test_real_model_embeds_meaning(minilm_embedder: MiniLMEmbedder) -> None:
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
