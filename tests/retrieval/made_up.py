"""Figures of made-up news sentences (not from the seed articles), looked up by how the number
is written, so that tests read like the sentences they check."""

from corpus import Sentence
from retrieval.figures import Figure, extract_figures


def figures(text: str, doc_id: str = "made-up", start: int = 0) -> list[Figure]:
    """Every figure of the one-sentence article ``text``."""
    return extract_figures(Sentence(doc_id, start, start + len(text), text))


def figure(text: str, written: str, doc_id: str = "made-up") -> Figure:
    """The one figure of ``text`` written ``written`` ("41", "$5 billion", "aged 47")."""
    found = [f for f in figures(text, doc_id) if f.text == written]
    if len(found) != 1:
        raise LookupError(f"{len(found)} figures {written!r} in {text!r}")
    return found[0]
