"""Group an article's sentences into chunks, the unit the index retrieves."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.spans import Boilerplate, Span

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")


@dataclass(frozen=True)
class ChunkingConfig:
    """How sentences are packed into chunks.

    A chunk is a run of whole sentences of at most ``max_chars`` characters (a longer sentence is
    a chunk of its own). A chunk also ends at a paragraph break (a blank line) once it holds
    ``min_chars``, and always at boilerplate, so no chunk contains any.
    """

    max_chars: int = 500
    min_chars: int = 200

    def __post_init__(self) -> None:
        if not 0 < self.min_chars <= self.max_chars:
            raise ValueError(
                f"chunking needs 0 < min_chars <= max_chars, got min_chars={self.min_chars}, "
                f"max_chars={self.max_chars}"
            )


def pack_chunks(
    text: str,
    sentences: Sequence[Span],
    boilerplate: Sequence[Boilerplate],
    config: ChunkingConfig,
) -> list[Span]:
    """Return chunk spans over ``sentences`` (as given by ``split_sentences``), in order."""
    chunks: list[Span] = []
    current: Span | None = None
    for sentence in sentences:
        if current is not None:
            gap = Span(current.end, sentence.start)
            joined = sentence.end - current.start
            must_break = joined > config.max_chars or any(
                gap.overlaps(Span(b.start, b.end)) for b in boilerplate
            )
            paragraph = _PARAGRAPH_BREAK.search(text, gap.start, gap.end) is not None
            if must_break or (paragraph and current.end - current.start >= config.min_chars):
                chunks.append(current)
                current = None
        current = sentence if current is None else Span(current.start, sentence.end)
    if current is not None:
        chunks.append(current)
    return chunks
