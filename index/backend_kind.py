"""Where the archive lives (a module of its own, so that reading settings loads nothing)."""

from enum import Enum


class BackendKind(Enum):
    """``embedded``: the index directory; ``milvus``: a Milvus server, cluster or Milvus Lite."""

    EMBEDDED = "embedded"
    MILVUS = "milvus"
