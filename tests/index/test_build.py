"""Building, reusing and loading an index directory: a base generation and its article store."""

import dataclasses
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from corpus import Article, ChunkingConfig, make_article
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
from index.article_store import ArticleStore
from index.sparse import SPARSE_FILES

NEW = make_article(
    "kharkiv-1", "Russia launched 40 drones at Kharkiv overnight. Three people were hurt."
)


@pytest.fixture
def built(tmp_path: Path, bundled_articles: tuple[Article, ...]) -> Path:
    build_index(bundled_articles, tmp_path, HashEmbedder())
    return tmp_path


@pytest.fixture
def updated(built: Path) -> Path:
    """The bundled articles with one more ingested: a base generation and one segment."""
    update_index(built, HashEmbedder(), add=[NEW])
    return built


def live(index_dir: Path) -> Path:
    return IndexDirectory(index_dir).live_generation()


def store_of(index_dir: Path) -> Path:
    """The article store the live base generation names."""
    return index_dir / Manifest.read(live(index_dir) / "manifest.json").store


def test_index_holds_every_chunk_and_a_manifest(
    built: Path, bundled_articles: tuple[Article, ...], published: Callable[[Path], set[str]]
) -> None:
    index = open_index(built, HashEmbedder())
    expected_chunks = [c for a in bundled_articles for c in a.chunks(ChunkingConfig())]
    assert list(index.chunks) == expected_chunks
    assert index.chunk_count == len(expected_chunks)
    assert dict(index.articles) == {a.doc_id: a for a in bundled_articles}
    assert index.version == live(built).name and index.segments == ()
    manifest = json.loads((live(built) / "manifest.json").read_text())
    assert set(manifest) == {
        "format",
        "model",
        "dimension",
        "tokenizer",
        "chunking",
        "store",
        "covers",
        "article_count",
        "chunk_count",
        "files",
        "created",
        "format_version",
        "annotator",
        "checksum",
    }
    assert manifest["format"] == "crosscheck-index"
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["model"] == "hash-sha256-64" and manifest["dimension"] == 64
    assert manifest["tokenizer"] == TOKENIZER_VERSION
    assert manifest["chunking"] == {"max_chars": 500, "min_chars": 200}
    assert manifest["covers"] == int(live(built).name.removeprefix("gen-"))
    assert manifest["article_count"] == len(bundled_articles)
    assert manifest["chunk_count"] == len(expected_chunks)
    store = ArticleStore(built / manifest["store"])
    try:
        stored = store.visible(manifest["covers"]).content_hashes()
    finally:
        store.close()
    assert stored == {a.doc_id: a.content_hash() for a in bundled_articles}
    files = {"chunks.npy", "vectors.faiss", *SPARSE_FILES}
    assert {p.name for p in live(built).iterdir()} == files | {"manifest.json"}
    assert set(manifest["files"]) == files
    assert published(built) == {"CURRENT", "lock", live(built).name, manifest["store"]}
    assert (built / "CURRENT").read_text().split() == [live(built).name]


def test_unchanged_corpus_is_not_rebuilt(
    built: Path, bundled_articles: tuple[Article, ...], published: Callable[[Path], set[str]]
) -> None:
    before = published(built)
    current = (built / "CURRENT").read_text()
    report = build_index(bundled_articles, built, HashEmbedder())
    assert not report.built
    assert published(built) == before
    assert (built / "CURRENT").read_text() == current


@pytest.mark.parametrize(
    "change",
    ["article text", "article metadata", "article removed", "chunking", "model", "forced"],
)
def test_any_change_rebuilds(
    built: Path,
    bundled_articles: tuple[Article, ...],
    published: Callable[[Path], set[str]],
    change: str,
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
    before, old_store = live(built), store_of(built)
    report = build_index(articles, built, embedder, chunking=chunking, rebuild=rebuild)
    assert report.built
    assert live(built) != before and store_of(built) != old_store
    assert not before.exists(), "the replaced generation is cleaned up"
    assert not old_store.exists(), "and so is its article store"
    assert published(built) == {"CURRENT", "lock", live(built).name, store_of(built).name}
    assert dict(open_index(built, embedder).articles) == {a.doc_id: a for a in articles}


def test_a_build_replaces_the_base_its_segments_and_its_store(
    updated: Path, bundled_articles: tuple[Article, ...], published: Callable[[Path], set[str]]
) -> None:
    old = IndexDirectory(updated).live_state()
    old_store = store_of(updated)
    assert len(old.segments) == 1
    assert build_index(bundled_articles, updated, HashEmbedder()).built
    new = IndexDirectory(updated).live_state()
    assert new.segments == () and new.base != old.base
    assert not any(path.exists() for path in [old.base, *old.segments, old_store])
    assert published(updated) == {"CURRENT", "lock", new.base.name, store_of(updated).name}
    index = open_index(updated, HashEmbedder())
    assert dict(index.articles) == {a.doc_id: a for a in bundled_articles}


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


def _flip_data_byte(path: Path) -> None:
    """Change one byte of a file's data: in a small .npy file the middle may be its header."""
    data = bytearray(path.read_bytes())
    data[-1 if path.suffix == ".npy" else len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _overwrite(path: Path) -> None:
    path.write_bytes(b"not an article store\n" * 200)


def _set_version(path: Path) -> None:
    record = json.loads(path.read_text())
    record["format_version"] = 99
    path.write_text(json.dumps(record))


def _edit_model(path: Path) -> None:
    record = json.loads(path.read_text())
    record["model"] = "hash-sha256-32"
    path.write_text(json.dumps(record))


def _remove(path: Path) -> None:
    if path.is_dir():
        for child in path.iterdir():
            child.unlink()
        path.rmdir()
    else:
        path.unlink()


def damaged_file(index_dir: Path, where: str, file: str) -> Path:
    """``file`` of the live base ("base") or newest segment ("segment"), or the store."""
    state = IndexDirectory(index_dir).live_state()
    if where == "store":
        return store_of(index_dir)
    folder = state.base if where == "base" else state.segments[-1]
    return folder / file


@pytest.mark.parametrize(
    ("where", "file", "damage", "message"),
    [
        ("base", "vectors.faiss", _truncate, "vectors.faiss has .* bytes, the manifest says"),
        ("base", "chunks.npy", _truncate, "chunks.npy has .* bytes"),
        ("base", "chunks.npy", _remove, "chunks.npy is missing"),
        ("base", "bm25_tfs.npy", _truncate, "bm25_tfs.npy has .* bytes"),
        ("base", "bm25_terms.json", _remove, "bm25_terms.json is missing"),
        ("base", "manifest.json", _remove, "manifest.json is missing"),
        ("base", "manifest.json", _truncate, "manifest.json is unreadable"),
        (
            "base",
            "manifest.json",
            _flip_byte,
            "manifest.json is unreadable|manifest.json does not match",
        ),
        ("base", "manifest.json", _edit_model, "manifest.json does not match its checksum"),
        (
            "base",
            "manifest.json",
            _set_version,
            f"format version 99; this crosscheck reads version {FORMAT_VERSION}",
        ),
        ("store", "", _remove, r"article store .*\.sqlite is missing"),
        ("store", "", _truncate, r"article store .*\.sqlite is unreadable"),
        ("store", "", _overwrite, r"article store .*\.sqlite is unreadable"),
        ("segment", "", _remove, r"seg-\d+/manifest\.json is missing"),
        ("segment", "manifest.json", _truncate, r"seg-\d+/manifest\.json is unreadable"),
        ("segment", "chunks.npy", _truncate, r"seg-\d+/chunks\.npy has .* bytes"),
        ("segment", "vectors.npy", _remove, r"seg-\d+/vectors\.npy is missing"),
        ("segment", "terms.json", _truncate, r"seg-\d+/terms\.json has .* bytes"),
    ],
)
def test_damaged_index_is_refused_with_a_rebuild_hint(
    updated: Path, where: str, file: str, damage: Callable[[Path], object], message: str
) -> None:
    damage(damaged_file(updated, where, file))
    with pytest.raises(IndexDamagedError, match=f"({message}).*crosscheck index --rebuild"):
        open_index(updated, HashEmbedder())
    with pytest.raises(IndexDamagedError, match=f"({message}).*crosscheck index --rebuild"):
        verify_index(updated)


@pytest.mark.parametrize(
    ("where", "file"),
    [
        ("base", "chunks.npy"),
        ("base", "vectors.faiss"),
        ("base", "bm25_chunks.npy"),
        ("segment", "chunks.npy"),
        ("segment", "terms.json"),
        ("segment", "vectors.npy"),
    ],
)
def test_a_changed_byte_is_found_by_verifying_and_mended_by_the_next_build(
    updated: Path, bundled_articles: tuple[Article, ...], where: str, file: str
) -> None:
    # A byte changed in place keeps the file's size: opening does not read every byte, so
    # it may not notice. Verifying reads them all, however many updates come after it; a build
    # makes a new index.
    assert verify_index(updated).version == IndexDirectory(updated).live_version()
    _flip_data_byte(damaged_file(updated, where, file))
    hint = "crosscheck index --rebuild"
    with pytest.raises(IndexDamagedError, match=f"{file} does not match its checksum.*{hint}"):
        verify_index(updated)
    update_index(updated, HashEmbedder(), remove=[bundled_articles[0].doc_id])
    with pytest.raises(IndexDamagedError, match=f"{file} does not match its checksum.*{hint}"):
        verify_index(updated)
    everything = [*bundled_articles, NEW]
    assert build_index(everything, updated, HashEmbedder()).built
    assert dict(verify_index(updated).articles) == {a.doc_id: a for a in everything}


def test_an_article_cut_short_in_the_store_is_found_by_verifying(
    built: Path, bundled_articles: tuple[Article, ...], change_store: Callable[..., None]
) -> None:
    doc_id = bundled_articles[0].doc_id
    change_store(built, "UPDATE articles SET text = substr(text, 1, 10) WHERE doc_id = ?", doc_id)
    with pytest.raises(
        IndexDamagedError, match=r"chunks\.npy, row 0: chunk outside the articles.*--rebuild"
    ):
        verify_index(built)
    assert build_index(bundled_articles, built, HashEmbedder(), rebuild=True).built
    assert verify_index(built).articles[doc_id] == bundled_articles[0]


def test_a_changed_byte_in_an_article_in_the_store_is_found_by_verifying(
    built: Path, bundled_articles: tuple[Article, ...]
) -> None:
    article = bundled_articles[2]
    middle = len(article.text) // 2
    path = store_of(built)
    data = bytearray(path.read_bytes())
    at = data.find(article.text[middle : middle + 40].encode())
    assert at >= 0, "the article's text is in the store's file"
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    assert open_index(built, HashEmbedder()).articles[article.doc_id] != article
    with pytest.raises(IndexDamagedError, match="--rebuild"):
        verify_index(built)


def test_a_manifest_written_again_with_other_values_is_read_as_such(built: Path) -> None:
    # The checksum guards against damage, not against a writer: a manifest written through
    # ``Manifest.write`` is sealed again.
    path = live(built) / "manifest.json"
    dataclasses.replace(Manifest.read(path), model="hash-sha256-32").write(path)
    with pytest.raises(IndexMismatchError, match="built with model hash-sha256-32"):
        open_index(built, HashEmbedder())


def test_a_manifest_that_miscounts_the_stored_articles_is_refused(built: Path) -> None:
    path = live(built) / "manifest.json"
    manifest = Manifest.read(path)
    dataclasses.replace(manifest, article_count=manifest.article_count + 1).write(path)
    with pytest.raises(
        IndexDamagedError,
        match=rf"holds {manifest.article_count} articles .* says {manifest.article_count + 1}",
    ):
        open_index(built, HashEmbedder())


@pytest.mark.parametrize(
    ("file", "damage"),
    [("vectors.faiss", _truncate), ("store", _remove), ("store", _truncate)],
)
def test_damaged_index_is_rebuilt_by_the_next_build(
    built: Path, bundled_articles: tuple[Article, ...], file: str, damage: Callable[[Path], object]
) -> None:
    damage(store_of(built) if file == "store" else live(built) / file)
    assert build_index(bundled_articles, built, HashEmbedder()).built
    assert dict(verify_index(built).articles) == {a.doc_id: a for a in bundled_articles}


def test_a_version_loaded_before_a_rebuild_still_reads_its_articles_from_any_thread(
    built: Path, bundled_articles: tuple[Article, ...]
) -> None:
    old = open_index(built, HashEmbedder())
    assert build_index(bundled_articles[1:], built, HashEmbedder()).built
    doc_id = bundled_articles[0].doc_id
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(lambda: old.articles[doc_id]).result() == bundled_articles[0]


def test_chunks_are_stored_as_positions_and_read_back_from_their_articles(
    built: Path, bundled_articles: tuple[Article, ...]
) -> None:
    from index.chunk_table import ChunkTable
    from index.persist import check_chunk_rows, read_chunk_rows

    generation = live(built)
    manifest = Manifest.read(generation / "manifest.json")
    store = ArticleStore(built / manifest.store)
    articles = store.visible(manifest.covers)
    rows = np.load(generation / "chunks.npy")
    expected = [c for a in bundled_articles for c in a.chunks(ChunkingConfig())]
    assert rows.dtype == np.int32 and rows.shape == (len(expected), 4)
    table = ChunkTable(read_chunk_rows(generation / "chunks.npy", len(expected)), articles.by_key)
    assert list(table) == expected
    assert table[-1] == list(table)[-1] and table[1:3] == list(table)[1:3]
    assert table.nbytes < 40 * len(table)
    lengths = {s.key: len(s.article.text) for s in articles.stored_articles()}
    store.close()
    check_chunk_rows("chunks.npy", rows, lengths)

    with pytest.raises(IndexDamagedError, match=rf"not \({len(expected) + 1}, 4\) int32"):
        read_chunk_rows(generation / "chunks.npy", len(expected) + 1)
    first = int(rows[0, 0])
    for column, value in [(3, lengths[first] + 1), (0, max(lengths) + 1), (2, -1)]:
        changed = rows.copy()
        changed[0, column] = value
        with pytest.raises(IndexDamagedError, match="row 0: chunk outside the articles"):
            check_chunk_rows("chunks.npy", changed, lengths)
