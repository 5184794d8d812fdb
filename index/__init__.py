"""Finding chunks: the tokenizer, BM25, embedders, the vector index, the stories articles make,
the annotations stored for them, and their persistence."""

from index.annotations import Annotator
from index.build import BuildReport, build_index, open_index
from index.chunk_index import ChunkIndex
from index.embedders import (
    CachedEmbedder,
    Embedder,
    EmbedderKind,
    HashEmbedder,
    MiniLMEmbedder,
    make_embedder,
)
from index.errors import (
    IndexDamagedError,
    IndexMismatchError,
    IndexNotFoundError,
    IndexStoreError,
    IndexWriteError,
)
from index.manifest import FORMAT_VERSION, AnnotatorStamp, Manifest
from index.store import IndexDirectory
from index.stories import Story, StoryConfig, StoryMap
from index.tokenizer import TOKENIZER_VERSION, tokenize
from index.update import UnknownArticleError, UpdateReport, update_index

__all__ = [
    "FORMAT_VERSION",
    "TOKENIZER_VERSION",
    "Annotator",
    "AnnotatorStamp",
    "BuildReport",
    "CachedEmbedder",
    "ChunkIndex",
    "Embedder",
    "EmbedderKind",
    "HashEmbedder",
    "IndexDamagedError",
    "IndexDirectory",
    "IndexMismatchError",
    "IndexNotFoundError",
    "IndexStoreError",
    "IndexWriteError",
    "Manifest",
    "MiniLMEmbedder",
    "Story",
    "StoryConfig",
    "StoryMap",
    "UnknownArticleError",
    "UpdateReport",
    "build_index",
    "make_embedder",
    "open_index",
    "tokenize",
    "update_index",
]
