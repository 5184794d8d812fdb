"""Fixtures shared across the test packages: the bundled articles and indexes built from them."""

from pathlib import Path

import pytest

from corpus import Article, bundled_articles_dir, load_articles
from index import ChunkIndex, EmbedderKind, HashEmbedder, build_index, make_embedder, open_index
from index.onnx_embedder import OnnxEmbedder


@pytest.fixture(scope="session")
def bundled_articles() -> tuple[Article, ...]:
    """The five seed articles shipped with crosscheck."""
    return load_articles([bundled_articles_dir()]).articles


@pytest.fixture(scope="session")
def hash_embedder() -> HashEmbedder:
    """The fast deterministic stand-in embedder."""
    return HashEmbedder()


@pytest.fixture(scope="session")
def hash_index(
    tmp_path_factory: pytest.TempPathFactory,
    bundled_articles: tuple[Article, ...],
    hash_embedder: HashEmbedder,
) -> ChunkIndex:
    """The bundled articles indexed with the stand-in embedder."""
    index_dir = tmp_path_factory.mktemp("hash-index")
    build_index(bundled_articles, index_dir, hash_embedder)
    return open_index(index_dir, hash_embedder)


@pytest.fixture(scope="session")
def minilm_embedder() -> OnnxEmbedder:
    """The real all-MiniLM-L6-v2 model as crosscheck runs it by default (ONNX, int8 weights),
    loaded once per session."""
    embedder = make_embedder(EmbedderKind.MINILM)
    assert isinstance(embedder, OnnxEmbedder)
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def minilm_index_dir(
    tmp_path_factory: pytest.TempPathFactory,
    bundled_articles: tuple[Article, ...],
    minilm_embedder: OnnxEmbedder,
) -> Path:
    """A directory holding the bundled articles indexed with the real model."""
    index_dir = tmp_path_factory.mktemp("minilm-index")
    build_index(bundled_articles, index_dir, minilm_embedder)
    return index_dir


@pytest.fixture(scope="session")
def minilm_index(minilm_index_dir: Path, minilm_embedder: OnnxEmbedder) -> ChunkIndex:
    """The bundled articles indexed with the real model, loaded."""
    return open_index(minilm_index_dir, minilm_embedder)
