"""Errors raised by the index.

    IndexStoreError             base: the index cannot be built, loaded or used
    ├── IndexNotFoundError      no index has been built in that directory
    ├── IndexDamagedError       files are missing, truncated or altered, or the format is unknown
    ├── IndexMismatchError      built with another model, dimension or tokenizer than this run uses
    ├── IndexWriteError         a build or swap failed; the previous index is left as it was
    └── BackendUnavailableError the Milvus backend cannot be reached or failed a request

Every message says how to rebuild where rebuilding is the cure.
"""


class IndexStoreError(Exception):
    """Base class: the index cannot be built, loaded or used."""


class IndexNotFoundError(IndexStoreError):
    """No index has been built in the directory."""


class IndexDamagedError(IndexStoreError):
    """The index on disk is incomplete, altered, or of an unknown format."""


class IndexMismatchError(IndexStoreError):
    """The index was built with settings this run cannot use."""


class IndexWriteError(IndexStoreError):
    """Writing the index failed; the previous index is intact."""


class BackendUnavailableError(IndexStoreError):
    """Milvus cannot be reached, or failed a request; what it was asked to write is repaired by
    asking again."""


def rebuild_hint(index_dir: object) -> str:
    """The sentence every damaged-or-mismatched message ends with."""
    return f"rebuild it with: crosscheck index --rebuild --index-dir {index_dir}"
