"""Building, reusing and loading an index directory."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from corpus import Article, ChunkingConfig
from index import (
    FORMAT_VERSION,
    TOKENIZER_VERSION,
    HashEmbedder,
    IndexDamagedError,
    IndexDirectory,
    IndexMismatchError,
    IndexNotFoundError,
    Manifest,
    build_index,
    open_index,
    update_index,
    verify_index,
)
from index.persist import STORY_FILES
from index.sparse import SPARSE_FILES


@pytest.fixture
def built(tmp_path: Path, bundled_articles: tuple[Article, ...]) -> Path:
    build_index(bundled_articles, tmp_path, HashEmbedder())
    return tmp_path


def live(index_dir: Path) -> Path:
    return IndexDirectory(index_dir).live_generation()


def test_index_holds_every_chunk_and_a_manifest(
    built: Path, bundled_articles: tuple[Article, ...]
) -> None:
    index = open_index(built, HashEmbedder())
    expected_chunks = [c for a in bundled_articles for c in a.chunks(ChunkingConfig())]
    assert list(index.chunks) == expected_chunks
    assert dict(index.articles) == {a.doc_id: a for a in bundled_articles}
    manifest = json.loads((live(built) / "manifest.json").read_text())
    assert manifest["format"] == "crosscheck-index"
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["model"] == "hash-sha256-64" and manifest["dimension"] == 64
    assert manifest["tokenizer"] == TOKENIZER_VERSION
    assert manifest["chunking"] == {"max_chars": 500, "min_chars": 200}
    assert manifest["articles"] == {a.doc_id: a.content_hash() for a in bundled_articles}
    assert manifest["chunk_count"] == len(expected_chunks)
    files = {"articles.jsonl", "chunks.npy", "vectors.faiss", *SPARSE_FILES, *STORY_FILES}
    assert {p.name for p in live(built).iterdir()} == files | {"manifest.json"}
    assert set(manifest["files"]) == files


def test_unchanged_corpus_is_not_rebuilt(
    built: Path, bundled_articles: tuple[Article, ...]
) -> None:
    before = live(built)
    report = build_index(bundled_articles, built, HashEmbedder())
    assert not report.built
    assert live(built) == before


@pytest.mark.parametrize(
    "change",
    ["article text", "article metadata", "article removed", "chunking", "model", "forced"],
)
def test_any_change_rebuilds(
    built: Path, bundled_articles: tuple[Article, ...], change: str
) -> None:
    articles = list(bundled_articles)
    embedder = HashEmbedder()
    chunking = ChunkingConfig()
    rebuild = False
    if change == "article text":
        articles[0] = dataclasses.replace(articles[0], text=articles[0].text + " More.")
    elif change == "article metadata":
        articles[1] = dataclasses.replace(articles[1], source="Reuters")
    elif change == "article removed":
        articles.pop()
    elif change == "chunking":
        chunking = ChunkingConfig(max_chars=300, min_chars=100)
    elif change == "model":
        embedder = HashEmbedder(32)
    else:
        rebuild = True
    before = live(built)
    report = build_index(articles, built, embedder, chunking=chunking, rebuild=rebuild)
    assert report.built
    assert live(built) != before
    assert not before.exists(), "the replaced generation is cleaned up"
    assert set(open_index(built, embedder).articles) == {a.doc_id for a in articles}


def test_no_index_yet(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="no index has been built"):
        open_index(tmp_path, HashEmbedder())


def test_another_model_is_refused_with_a_rebuild_hint(built: Path) -> None:
    with pytest.raises(
        IndexMismatchError,
        match=r"built with model hash-sha256-64 \(64 dimensions\).*hash-sha256-32 \(32\).*"
        r"crosscheck index --rebuild",
    ):
        open_index(built, HashEmbedder(32))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _set_version(path: Path) -> None:
    record = json.loads(path.read_text())
    record["format_version"] = 99
    path.write_text(json.dumps(record))


def _edit_model(path: Path) -> None:
    record = json.loads(path.read_text())
    record["model"] = "hash-sha256-32"
    path.write_text(json.dumps(record))


@pytest.mark.parametrize(
    ("file", "damage", "message"),
    [
        ("vectors.faiss", _truncate, "vectors.faiss has .* bytes, the manifest says"),
        ("chunks.npy", _truncate, "chunks.npy has .* bytes"),
        ("chunks.npy", Path.unlink, "chunks.npy is missing"),
        ("bm25_tfs.npy", _truncate, "bm25_tfs.npy has .* bytes"),
        ("bm25_terms.json", Path.unlink, "bm25_terms.json is missing"),
        ("manifest.json", Path.unlink, "manifest.json is missing"),
        ("manifest.json", _truncate, "manifest.json is unreadable"),
        ("manifest.json", _flip_byte, "manifest.json is unreadable|manifest.json does not match"),
        ("manifest.json", _edit_model, "manifest.json does not match its checksum"),
        (
            "manifest.json",
            _set_version,
            f"format version 99; this crosscheck reads version {FORMAT_VERSION}",
        ),
    ],
)
def test_damaged_index_is_refused_with_a_rebuild_hint(
    built: Path, file: str, damage: object, message: str
) -> None:
    assert callable(damage)
    damage(live(built) / file)
    with pytest.raises(IndexDamagedError, match=f"({message}).*crosscheck index --rebuild"):
        open_index(built, HashEmbedder())
    with pytest.raises(IndexDamagedError, match=f"({message}).*crosscheck index --rebuild"):
        verify_index(built)


@pytest.mark.parametrize(
    "file", ["articles.jsonl", "chunks.npy", "vectors.faiss", "bm25_chunks.npy", "stories.jsonl"]
)
def test_a_changed_byte_is_found_by_verifying_and_refused_by_an_update(
    built: Path, bundled_articles: tuple[Article, ...], file: str
) -> None:
    # A byte changed in place keeps the file's size: opening does not read every byte, so
    # it may not notice. Verifying reads them all, and so does an update, which copies the live
    # generation into the next one; a build makes a new one.
    assert verify_index(built).generation == live(built)
    _flip_byte(live(built) / file)
    hint = "crosscheck index --rebuild"
    with pytest.raises(IndexDamagedError, match=f"{file} does not match its checksum.*{hint}"):
        verify_index(built)
    before = live(built)
    with pytest.raises(IndexDamagedError, match=f"{file} does not match its checksum"):
        update_index(built, HashEmbedder(), remove=[bundled_articles[0].doc_id])
    assert live(built) == before
    assert build_index(bundled_articles, built, HashEmbedder()).built
    assert len(verify_index(built).articles) == len(bundled_articles)


def test_a_manifest_written_again_with_other_values_is_read_as_such(built: Path) -> None:
    # The checksum guards against damage, not against a writer: a manifest written through
    # ``Manifest.write`` is sealed again.
    path = live(built) / "manifest.json"
    dataclasses.replace(Manifest.read(path), model="hash-sha256-32").write(path)
    with pytest.raises(IndexMismatchError, match="built with model hash-sha256-32"):
        open_index(built, HashEmbedder())


def test_damaged_index_is_rebuilt_by_the_next_build(
    built: Path, bundled_articles: tuple[Article, ...]
) -> None:
    _truncate(live(built) / "vectors.faiss")
    assert build_index(bundled_articles, built, HashEmbedder()).built
    assert len(open_index(built, HashEmbedder()).articles) == len(bundled_articles)


def test_above_the_threshold_the_vector_index_is_approximate_with_high_recall() -> None:
    from index.vectors import VectorIndex

    # Clustered unit vectors, like sentence embeddings of articles on a few topics.
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(100, 64))
    vectors = centres[rng.integers(0, 100, 20_000)] + 0.6 * rng.normal(size=(20_000, 64))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors.astype(np.float32)
    exact = VectorIndex.from_vectors(vectors)
    approximate = VectorIndex.from_vectors(vectors, approximate_from=10_000)
    assert not exact.approximate and approximate.approximate
    assert approximate.memory_bytes < exact.memory_bytes / 3
    queries = vectors[:100] + 0.3 * rng.normal(size=(100, 64)).astype(np.float32)
    recall = np.mean(
        [
            len({i for i, _ in exact.top(q, 10)} & {i for i, _ in approximate.top(q, 10)}) / 10
            for q in queries / np.linalg.norm(queries, axis=1, keepdims=True)
        ]
    )
    assert recall >= 0.95


def test_chunks_are_stored_as_positions_and_read_back_from_their_articles(
    built: Path, bundled_articles: tuple[Article, ...], tmp_path: Path
) -> None:
    from index.persist import check_chunks, read_articles, read_chunks

    generation = live(built)
    articles = read_articles(generation / "articles.jsonl")
    rows = np.load(generation / "chunks.npy")
    expected = [c for a in bundled_articles for c in a.chunks(ChunkingConfig())]
    assert rows.dtype == np.int32 and rows.shape == (len(expected), 4)
    table = read_chunks(generation / "chunks.npy", articles, len(expected))
    assert list(table) == expected
    assert table[-1] == list(table)[-1] and table[1:3] == list(table)[1:3]
    assert table.nbytes < 40 * len(table)
    check_chunks(generation / "chunks.npy", articles)

    with pytest.raises(IndexDamagedError, match=rf"not \({len(expected) + 1}, 4\) int32"):
        read_chunks(generation / "chunks.npy", articles, len(expected) + 1)
    damaged = tmp_path / "chunks.npy"
    for column, value in [(3, len(bundled_articles[0].text) + 1), (0, len(articles)), (2, -1)]:
        changed = rows.copy()
        changed[0, column] = value
        np.save(damaged, changed)
        with pytest.raises(IndexDamagedError, match="row 0: chunk outside the articles"):
            check_chunks(damaged, articles)
