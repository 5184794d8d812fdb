"""The vector index: exact below the threshold, HNSW over 8-bit codes from it; recall against
exact search, exclusions, read-back vectors, saving and loading, and faiss's threads."""

import threading
from pathlib import Path

import faiss
import numpy as np
import pytest

from index import IndexDamagedError
from index.vectors import VectorIndex


def clustered(count: int, dimension: int, seed: int = 7) -> np.ndarray:
    """Unit vectors around 100 centres in a 16-dimensional space, mapped into ``dimension``
    with a little noise: like sentence embeddings of articles on a few topics, whose intrinsic
    dimension is far below their length (graph indexes find neighbours by that dimension)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(100, 16))
    latent = centres[rng.integers(0, 100, count)] + 0.6 * rng.normal(size=(count, 16))
    vectors = latent @ rng.normal(size=(16, dimension)) + 0.5 * rng.normal(size=(count, dimension))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return clustered(20_000, 384)


@pytest.fixture(scope="module")
def exact(vectors: np.ndarray) -> VectorIndex:
    return VectorIndex.from_vectors(vectors, approximate_from=len(vectors) + 1)


@pytest.fixture(scope="module")
def graph(vectors: np.ndarray) -> VectorIndex:
    return VectorIndex.from_vectors(vectors, approximate_from=10_000)


def queries(vectors: np.ndarray, count: int = 100) -> np.ndarray:
    rng = np.random.default_rng(8)
    near = vectors[:count] + 0.3 * rng.normal(size=(count, vectors.shape[1])).astype(np.float32)
    return near / np.linalg.norm(near, axis=1, keepdims=True)


def recall_at_10(approximate: VectorIndex, exact: VectorIndex, queries: np.ndarray) -> float:
    return float(
        np.mean(
            [
                len({i for i, _ in exact.top(q, 10)} & {i for i, _ in approximate.top(q, 10)}) / 10
                for q in queries
            ]
        )
    )


def test_above_the_threshold_the_index_is_hnsw_over_8_bit_codes_with_high_recall(
    vectors: np.ndarray, exact: VectorIndex, graph: VectorIndex
) -> None:
    assert not exact.approximate and graph.approximate
    assert isinstance(graph._index, faiss.IndexHNSWSQ)
    # 384 one-byte codes and about 260 bytes of links, against 1,536 bytes of floats.
    assert graph.memory_bytes < exact.memory_bytes / 2
    assert recall_at_10(graph, exact, queries(vectors)) >= 0.95  # 0.978 when written


def test_memory_bytes_are_those_saved(graph: VectorIndex, tmp_path: Path) -> None:
    graph.save(tmp_path / "vectors.faiss")
    on_disk = (tmp_path / "vectors.faiss").stat().st_size
    assert graph.memory_bytes <= on_disk < graph.memory_bytes + 10_000


def test_a_search_leaving_out_most_vectors_still_finds_n(
    vectors: np.ndarray, exact: VectorIndex, graph: VectorIndex
) -> None:
    # The graph walks through excluded vectors; with nearly all excluded, the efSearch best it
    # keeps hold too few of the others, and the search widens until it has n.
    kept = np.arange(0, len(vectors), 97)
    exclude = np.setdiff1d(np.arange(len(vectors)), kept).astype(np.int64)
    query = queries(vectors, 1)[0]
    found = graph.top(query, 50, exclude=exclude)
    expected = exact.top(query, 50, exclude=exclude)
    assert len(found) == 50 and {p for p, _ in found} <= set(kept.tolist())
    assert len({p for p, _ in found} & {p for p, _ in expected}) >= 45
    assert len(graph.top(query, 500, exclude=exclude)) == len(kept)
    everything = np.arange(len(vectors), dtype=np.int64)
    assert graph.top(query, 10, exclude=everything) == []


def test_read_back_vectors_are_the_given_ones_decoded_from_8_bits(
    vectors: np.ndarray, exact: VectorIndex, graph: VectorIndex
) -> None:
    positions = [5, 0, 19_999, 5]
    assert np.array_equal(exact.reconstruct(positions), vectors[positions])
    decoded = graph.reconstruct(positions)
    cosines = np.sum(decoded * vectors[positions], axis=1) / np.linalg.norm(decoded, axis=1)
    assert decoded.shape == (4, 384) and np.all(cosines > 0.999)
    assert graph.reconstruct([]).shape == (0, 384)


def test_a_saved_index_is_mapped_back_and_searches_alike(
    vectors: np.ndarray, graph: VectorIndex, tmp_path: Path
) -> None:
    graph.save(tmp_path / "vectors.faiss")
    loaded = VectorIndex.load(tmp_path / "vectors.faiss", 384, len(vectors))
    assert loaded.approximate and loaded.memory_bytes == graph.memory_bytes
    for query in queries(vectors, 10):
        assert loaded.top(query, 20) == graph.top(query, 20)
    with pytest.raises(IndexDamagedError, match="holds 20000 vectors of dimension 384, expected"):
        VectorIndex.load(tmp_path / "vectors.faiss", 384, len(vectors) + 1)


def test_an_ivf_index_written_before_hnsw_is_still_searched(
    vectors: np.ndarray, exact: VectorIndex, tmp_path: Path
) -> None:
    ivf = faiss.index_factory(384, "IVF500,SQ8", faiss.METRIC_INNER_PRODUCT)
    ivf.train(vectors)
    ivf.add(vectors)
    faiss.write_index(ivf, str(tmp_path / "vectors.faiss"))
    loaded = VectorIndex.load(tmp_path / "vectors.faiss", 384, len(vectors))
    assert loaded.approximate and faiss.extract_index_ivf(loaded._index).nprobe == 50
    assert recall_at_10(loaded, exact, queries(vectors)) >= 0.95
    assert {p for p, _ in loaded.top(vectors[3], 10, exclude=np.array([3]))}.isdisjoint({3})


def test_a_search_runs_on_one_faiss_thread_and_leaves_the_setting_as_it_was(
    vectors: np.ndarray, graph: VectorIndex
) -> None:
    before = faiss.omp_get_max_threads()
    graph.top(vectors[0], 5)
    assert faiss.omp_get_max_threads() == before
    # The setting is the calling thread's own (libgomp): another thread's searches leave it.
    other = threading.Thread(target=lambda: graph.top(vectors[1], 5))
    other.start()
    other.join()
    assert faiss.omp_get_max_threads() == before


def test_an_index_says_how_it_searches() -> None:
    vectors = np.random.default_rng(3).standard_normal((300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert VectorIndex.from_vectors(vectors).kind == "exact"
    graph = VectorIndex.from_vectors(vectors, approximate_from=100, breadth=64)
    assert graph.kind == "HNSW32-SQ8, efSearch 64"
