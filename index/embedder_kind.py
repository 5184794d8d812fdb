"""Which embedder a run uses: a name to choose by, importable without numpy (the command line
parses ``--embedder`` and settings read ``CROSSCHECK_EMBEDDER`` before any model is needed)."""

from enum import Enum


class EmbedderKind(Enum):
    """Which embedder a run uses: ``minilm`` is all-MiniLM-L6-v2 in ONNX with int8 weights (the
    default: fast to build with, no torch on the query path), ``minilm-fp32`` the same graph in
    float32, ``minilm-torch`` the model through sentence-transformers (same vectors as
    ``minilm-fp32``, slow to start), ``hash`` the fake for tests."""

    MINILM = "minilm"
    MINILM_FP32 = "minilm-fp32"
    MINILM_TORCH = "minilm-torch"
    HASH = "hash"
