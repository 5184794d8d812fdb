"""Add, replace and remove articles without re-embedding the rest of the index.

An update writes a whole new generation, like a build, and swaps it in atomically: readers see
the old index or the new one, never a mix, and a 2xx from the server means the new generation is
on disk. Only the changed articles' chunks are embedded; every other chunk keeps its vector,
read back from the live faiss index. Stories are kept too: removed articles leave theirs (a
story left empty disappears), and each added article joins the story it is most like or starts
one (see ``index.stories``). With an annotator, only the added articles are annotated: the others
keep their annotations when the same annotator version made them, else are left without one
until the next ``build_index`` fills them in (see ``index.annotations``).
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus import Article
from index.annotations import Annotator
from index.build import write_generation
from index.chunk_index import ChunkIndex
from index.embedders import Embedder
from index.loading import load_generation
from index.persist import read_grouping
from index.store import IndexDirectory
from index.stories import extend_grouping, profile_articles


@dataclass(frozen=True)
class UpdateReport:
    """What an update did, and the index it published."""

    index: ChunkIndex
    added: tuple[str, ...]
    removed: tuple[str, ...]
    embedded_chunks: int
    seconds: float


class UnknownArticleError(KeyError):
    """An update removes a doc id the index does not hold."""


def update_index(
    index_dir: Path,
    embedder: Embedder,
    *,
    add: Sequence[Article] = (),
    remove: Sequence[str] = (),
    annotator: Annotator | None = None,
) -> UpdateReport:
    """Add (or replace, by doc id) ``add`` and delete ``remove`` in the live index; annotate the
    added articles with ``annotator`` (None: the new index has no annotations).

    Raises:
        IndexNotFoundError, IndexDamagedError, IndexMismatchError: as ``open_index``; also
            IndexDamagedError when a live file does not match its digest
            (``index.loading.verify_index``).
        UnknownArticleError: a doc id in ``remove`` is not in the index.
        IndexWriteError: writing failed; the previous index is intact.
        ValueError: the update would leave the index with no articles.
    """
    started = time.monotonic()
    directory = IndexDirectory(index_dir)
    with directory.write_lock():
        # The live generation's data is copied into the new one: its digests are checked, so
        # that damage on disk is refused here rather than carried forward.
        live = load_generation(directory.live_generation(), embedder, verify=True)
        missing = [doc_id for doc_id in remove if doc_id not in live.articles]
        if missing:
            raise UnknownArticleError(missing[0])
        changed = {a.doc_id for a in add} | set(remove)
        articles = [a for a in live.articles.values() if a.doc_id not in changed] + list(add)
        if not articles:
            raise ValueError("an index cannot be left with no articles")
        kept = [i for i, c in enumerate(live.chunks) if c.doc_id not in changed]
        new_chunks = [c for a in add for c in a.chunks(live.manifest.chunking)]
        vectors = np.zeros((len(kept) + len(new_chunks), embedder.dimension), dtype=np.float32)
        if kept:
            vectors[: len(kept)] = live.vectors.reconstruct(kept)
        if new_chunks:
            vectors[len(kept) :] = embedder.embed([c.text for c in new_chunks])
        chunks = [live.chunks[i] for i in kept] + new_chunks
        grouping = extend_grouping(
            read_grouping(live.generation, live.stories, embedder.dimension),
            profile_articles(add, embedder),
            remove=remove,
        )
        final = directory.replace_with(
            lambda folder: write_generation(
                folder,
                articles,
                chunks,
                vectors,
                embedder,
                live.manifest.chunking,
                grouping,
                annotator=annotator,
                previous=live.annotations,
                annotate_only={a.doc_id for a in add},
            )
        )
        index = load_generation(final, embedder)
    return UpdateReport(
        index=index,
        added=tuple(a.doc_id for a in add),
        removed=tuple(remove),
        embedded_chunks=len(new_chunks),
        seconds=time.monotonic() - started,
    )
