"""Finding chunks: the tokenizer, BM25, embedders, the vector index, the stories articles make,
the annotations stored for them, and their persistence.

Importing the package loads nothing heavy: each name is imported from its module on first use
(so ``crosscheck --help`` does not load faiss).
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.annotations import Annotator
    from index.backend_kind import BackendKind
    from index.backends import Backend, SearchIndex, make_backend
    from index.build import BuildReport, build_index
    from index.chunk_index import ChunkIndex
    from index.embedder_kind import EmbedderKind
    from index.embedders import (
        CachedEmbedder,
        Embedder,
        HashEmbedder,
        MiniLMEmbedder,
        make_embedder,
    )
    from index.errors import (
        BackendUnavailableError,
        IndexDamagedError,
        IndexMismatchError,
        IndexNotFoundError,
        IndexStoreError,
        IndexWriteError,
    )
    from index.loading import open_index, verify_index
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
    "Backend",
    "BackendKind",
    "BackendUnavailableError",
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
    "SearchIndex",
    "Story",
    "StoryConfig",
    "StoryMap",
    "UnknownArticleError",
    "UpdateReport",
    "build_index",
    "make_backend",
    "make_embedder",
    "open_index",
    "tokenize",
    "update_index",
    "verify_index",
]

# Where each name of ``__all__`` lives (the imports above, for the type checker).
_HOMES = {
    "index.annotations": ("Annotator",),
    "index.backend_kind": ("BackendKind",),
    "index.backends": ("Backend", "SearchIndex", "make_backend"),
    "index.build": ("BuildReport", "build_index"),
    "index.chunk_index": ("ChunkIndex",),
    "index.embedder_kind": ("EmbedderKind",),
    "index.embedders": (
        "CachedEmbedder",
        "Embedder",
        "HashEmbedder",
        "MiniLMEmbedder",
        "make_embedder",
    ),
    "index.errors": (
        "BackendUnavailableError",
        "IndexDamagedError",
        "IndexMismatchError",
        "IndexNotFoundError",
        "IndexStoreError",
        "IndexWriteError",
    ),
    "index.loading": ("open_index", "verify_index"),
    "index.manifest": ("FORMAT_VERSION", "AnnotatorStamp", "Manifest"),
    "index.store": ("IndexDirectory",),
    "index.stories": ("Story", "StoryConfig", "StoryMap"),
    "index.tokenizer": ("TOKENIZER_VERSION", "tokenize"),
    "index.update": ("UnknownArticleError", "UpdateReport", "update_index"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> object:
    """``index.NAME``: import NAME's module the first time it is asked for."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value
