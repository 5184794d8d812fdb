"""Opening a built index, and verifying one.

Opening is cheap whatever the size of the index: it checks the manifest (its format version
and the checksum of its body), that every data file it lists is there with its size, and the
shape of each array, then memory-maps the BM25 postings and the vectors and reads the chunk table
(16 bytes a chunk) with one call. It parses no data file in full but the articles, the stories
and the line starts of the annotations. The data
files' SHA-256 digests are written by the writer, computed from the files as written, and
checked when a generation is written from another one (``index.update``; later, merges) and by
``verify_index`` (``crosscheck index --verify``), which also checks every chunk and posting.
"""

from collections.abc import Callable
from pathlib import Path

from index.annotations import ANNOTATIONS_FILE, Annotations
from index.chunk_index import ChunkIndex
from index.embedders import Embedder
from index.errors import (
    IndexDamagedError,
    IndexMismatchError,
    IndexStoreError,
    rebuild_hint,
)
from index.manifest import MANIFEST_FILE, Manifest
from index.persist import (
    ARTICLES_FILE,
    CHUNKS_FILE,
    STORIES_FILE,
    VECTORS_FILE,
    check_chunks,
    check_files,
    read_articles,
    read_chunks,
    read_grouping,
    read_stories,
    verify_files,
)
from index.sparse import SparseBm25
from index.store import IndexDirectory
from index.tokenizer import TOKENIZER_VERSION
from index.vectors import VectorIndex


def open_index(index_dir: Path, embedder: Embedder) -> ChunkIndex:
    """Load the live index of ``index_dir`` for querying with ``embedder``.

    Raises:
        IndexNotFoundError: nothing has been built there.
        IndexDamagedError: the manifest is altered or of an unknown format, or a file is
            missing, of the wrong size or shape.
        IndexMismatchError: it was built with another model, dimension or tokenizer.
    """
    return _live(index_dir, lambda generation: load_generation(generation, embedder))


def verify_index(index_dir: Path) -> ChunkIndex:
    """Check every byte of the live index of ``index_dir`` against the digests its writer
    recorded, and every chunk and posting against the articles; return it loaded.

    Raises:
        IndexNotFoundError: nothing has been built there.
        IndexDamagedError: as ``open_index``, or a file does not match its digest, or a chunk
            or posting points outside the index.
    """
    return _live(index_dir, verify_generation)


def load_generation(generation: Path, embedder: Embedder, *, verify: bool = False) -> ChunkIndex:
    """Load and check one generation folder; with ``verify``, as ``verify_generation`` does.

    Raises:
        IndexDamagedError, IndexMismatchError: as ``open_index`` (without the rebuild hint).
    """
    manifest = Manifest.read(generation / MANIFEST_FILE)
    if manifest.model != embedder.name or manifest.dimension != embedder.dimension:
        raise IndexMismatchError(
            f"the index was built with model {manifest.model} ({manifest.dimension} dimensions) "
            f"but this run embeds queries with {embedder.name} ({embedder.dimension})"
        )
    if manifest.tokenizer != TOKENIZER_VERSION:
        raise IndexMismatchError(
            f"the index was built with tokenizer {manifest.tokenizer}, this crosscheck uses "
            f"{TOKENIZER_VERSION}"
        )
    return _load(generation, manifest, verify)


def verify_generation(generation: Path) -> ChunkIndex:
    """Load one generation folder checking all of it: every file against its digest, every
    chunk inside its article, every posting inside the chunks, the story profiles.

    Raises:
        IndexDamagedError: as ``verify_index`` (without the rebuild hint).
    """
    return _load(generation, Manifest.read(generation / MANIFEST_FILE), verify=True)


def _load(generation: Path, manifest: Manifest, verify: bool) -> ChunkIndex:
    if (ANNOTATIONS_FILE in manifest.files) != (manifest.annotator is not None):
        raise IndexDamagedError(
            f"{generation / MANIFEST_FILE} lists annotations without their annotator, or an "
            "annotator without its annotations"
        )
    if verify:
        verify_files(generation, manifest)
    else:
        check_files(generation, manifest)
    articles = read_articles(generation / ARTICLES_FILE)
    if set(articles) != set(manifest.articles):
        raise IndexDamagedError(f"{generation} does not hold what its manifest lists")
    chunks = read_chunks(generation / CHUNKS_FILE, articles, manifest.chunk_count)
    vectors = VectorIndex.load(generation / VECTORS_FILE, manifest.dimension, len(chunks))
    bm25 = SparseBm25.load(generation, len(chunks))
    stories = read_stories(generation / STORIES_FILE, articles)
    annotations = None
    if manifest.annotator is not None:
        path = generation / ANNOTATIONS_FILE
        annotations = Annotations.open(path, manifest.annotator, manifest.articles)
    if verify:
        check_chunks(generation / CHUNKS_FILE, articles)
        bm25.verify()
        read_grouping(generation, stories, manifest.dimension)
    return ChunkIndex(manifest, generation, articles, chunks, bm25, vectors, stories, annotations)


def _live(index_dir: Path, load: Callable[[Path], ChunkIndex]) -> ChunkIndex:
    """``load`` the live generation of ``index_dir``, again if a writer replaced it meanwhile;
    errors say how to rebuild."""
    directory = IndexDirectory(index_dir)
    for attempt in range(3):
        generation = directory.live_generation()
        try:
            return load(generation)
        except IndexDamagedError as error:
            # A writer may have published a newer generation and removed this one meanwhile.
            if attempt < 2 and directory.live_generation() != generation:
                continue
            raise IndexDamagedError(
                f"the index is damaged: {error}; {rebuild_hint(index_dir)}"
            ) from None
        except IndexMismatchError as error:
            raise IndexMismatchError(f"{error}; {rebuild_hint(index_dir)}") from None
    raise IndexStoreError(f"the index in {index_dir} kept changing while it was being read")
