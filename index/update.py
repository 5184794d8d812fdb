"""Add, replace and remove articles: each update written as one segment beside the live index.

An update costs what it changes, not what the index holds. It embeds and tokenizes only the
added articles' chunks, writes their rows, profiles, annotations and the stories they change to
the article store under a new sequence number, writes the segment (``index.segments``), and
publishes it by replacing CURRENT: readers see the index before the update or after it, never a
mix, and a return (a 2xx from the server) means both are on disk. Removed and replaced articles
are tombstoned; ``index.merge`` folds the segments into a new base when they pile up.

Stories: removed articles leave theirs (a story left empty disappears), and each added article
joins the story it is most like or starts one (``index.stories.extend_grouping``). Only the
stories near it are compared: those of the articles whose chunks are nearest to its profile, and
those its removals touch.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus import Article
from index.annotations import Annotator, annotate, stamp_of
from index.article_store import ArticleStore, NewArticle, StoredArticle
from index.chunk_index import ChunkIndex
from index.chunk_table import chunk_rows
from index.embedders import Embedder
from index.errors import IndexWriteError
from index.loading import assemble, load_state
from index.persist import check_files
from index.segments import Tombstone, load_segment, write_segment
from index.store import IndexDirectory
from index.stories import Grouping, Profiles, Story, extend_grouping, lead, profile_articles
from index.tokenizer import tokenize

# Chunks nearest to an added article's profile whose stories it is compared with.
NEIGHBOUR_CHUNKS = 64


@dataclass(frozen=True)
class UpdateReport:
    """What an update did, and the index it published."""

    index: ChunkIndex
    added: tuple[str, ...]
    removed: tuple[str, ...]
    embedded_chunks: int
    seconds: float
    model_seconds: float = 0.0  # of ``seconds``: embedding, profiling, annotating the added


class UnknownArticleError(KeyError):
    """An update removes a doc id the index does not hold."""


def update_index(
    index_dir: Path,
    embedder: Embedder,
    *,
    add: Sequence[Article] = (),
    remove: Sequence[str] = (),
    annotator: Annotator | None = None,
    live: ChunkIndex | None = None,
) -> UpdateReport:
    """Add (or replace, by doc id) ``add`` and delete ``remove`` in the live index; annotate the
    added articles with ``annotator`` (None: they have no annotations). ``live`` is the version
    the caller holds, if any: what it loaded is reused.

    Raises:
        IndexNotFoundError, IndexDamagedError, IndexMismatchError: as ``open_index``.
        UnknownArticleError: a doc id in ``remove`` is not in the index.
        IndexWriteError: writing failed; the previous index is intact.
        ValueError: the update would leave the index with no articles.
    """
    started = time.monotonic()
    directory = IndexDirectory(index_dir)
    with directory.write_lock():
        state = directory.live_state()
        index = live if live is not None and live.state == state else None
        if index is None:
            index = load_state(state, embedder, live)
        missing = [doc_id for doc_id in remove if doc_id not in index.articles]
        if missing:
            raise UnknownArticleError(missing[0])
        changed = list(dict.fromkeys([*remove, *(a.doc_id for a in add)]))
        replaced = [index.articles.stored(doc_id) for doc_id in changed]
        gone = [stored for stored in replaced if stored is not None]
        if len(index.articles) - len(gone) + len(add) <= 0:  # counted from the manifests
            raise ValueError("an index cannot be left with no articles")

        # Damage a reader would not notice (a truncated file) stops writes: cheap, no file read.
        check_files(index.generation, index.manifest.files)
        with ArticleStore(index.base.store.path, writable=True) as store:
            updated, model_seconds = _write(directory, index, store, add, gone, embedder, annotator)
    return UpdateReport(
        index=updated,
        added=tuple(a.doc_id for a in add),
        removed=tuple(remove),
        embedded_chunks=sum(len(a.chunks(index.manifest.chunking)) for a in add),
        seconds=time.monotonic() - started,
        model_seconds=model_seconds,
    )


def _write(
    directory: IndexDirectory,
    index: ChunkIndex,
    store: ArticleStore,
    add: Sequence[Article],
    gone: Sequence[StoredArticle],
    embedder: Embedder,
    annotator: Annotator | None,
) -> tuple[ChunkIndex, float]:
    """Write and publish the segment of an update (hold the writer lock); the published
    version, and the seconds the models took to read the added articles."""
    index_dir = directory.path
    # What a writer killed before publishing left behind is taken out first.
    store.discard_after(index.upto)
    directory.remove_unpublished()
    chunking = index.manifest.chunking
    tombstones = [
        Tombstone.of(
            stored.key,
            stored.added,
            [tokenize(c.text) for c in stored.article.chunks(chunking)],
        )
        for stored in gone
    ]
    new_chunks = [c for a in add for c in a.chunks(chunking)]
    # The models' reading of the added articles: their chunks' vectors, their profiles (lead
    # vector and named entities), their annotations. The rest is the write.
    reading = time.perf_counter()
    vectors = (
        embedder.embed([c.text for c in new_chunks])
        if new_chunks
        else np.zeros((0, embedder.dimension), dtype=np.float32)
    )
    profiles = profile_articles(add, embedder)
    annotations = dict.fromkeys((a.doc_id for a in add), None)
    if annotator is not None:
        annotations.update((a.doc_id, text) for a, text in annotate(add, annotator))
    model_seconds = time.perf_counter() - reading
    stories, retired = _restory(index, profiles, add, [s.article.doc_id for s in gone])
    stamp = None if annotator is None else stamp_of(annotator)
    rows = {doc_id: row for row, doc_id in enumerate(profiles.doc_ids)}

    try:
        temporary = directory.new_generation("seg")
    except OSError as error:
        raise IndexWriteError(f"cannot write the index in {index_dir}: {error}") from None
    try:
        number = int(temporary.name[4:10])
        keys = store.write(
            number,
            add=[
                NewArticle(
                    a,
                    profiles.vectors[rows[a.doc_id]],
                    profiles.entities[rows[a.doc_id]],
                    annotations[a.doc_id],
                )
                for a in add
            ],
            remove=[t.key for t in tombstones],
            stories=stories,
            retire_stories=retired,
            annotator=stamp,
        )
        key_of = {a.doc_id: key for a, key in zip(add, keys, strict=True)}
        write_segment(
            temporary,
            number,
            chunk_rows(new_chunks, key_of),
            [tokenize(c.text) for c in new_chunks],
            vectors,
            tombstones,
            len(add),
        )
        published = directory.publish_segment(temporary)
    except OSError as error:
        directory.discard(temporary)
        raise IndexWriteError(
            f"writing the index in {index_dir} failed ({error}); the previous index is intact"
        ) from None
    except BaseException:
        directory.discard(temporary)
        raise
    segment = load_segment(published.segments[-1], index.manifest.dimension)
    return assemble(published, index.base, (*index.segments, segment)), model_seconds


def _restory(
    index: ChunkIndex, added: Profiles, articles: Sequence[Article], removed: Sequence[str]
) -> tuple[list[Story], set[str]]:
    """The stories an update rewrites or starts, and the ids of the stories it retires
    (rewritten or left empty): ``removed`` leave theirs, ``added`` join the nearest.

    Only the stories that gain or lose an article are rewritten. A story keeps its title as
    articles join or leave it; a new story takes its first article's (as a build titles a
    story of one article).
    """
    before: dict[str, Story] = {}
    for doc_id in removed:
        story = index.stories.story_of(doc_id)
        before[story.id] = story
    for vector in added.vectors:
        near = [index.chunks.key(p) for p, _ in index.dense_top(vector, NEIGHBOUR_CHUNKS)]
        for doc_id in index.articles.doc_ids_of(near).values():
            story = index.stories.story_of(doc_id)
            before[story.id] = story
    members = [doc_id for story in before.values() for doc_id in story.articles]
    owner = {doc_id: story.id for story in before.values() for doc_id in story.articles}
    if members:
        profiles = index.articles.store.profiles(index.upto, members)
    else:
        profiles = Profiles((), np.zeros((0, added.vectors.shape[1]), dtype=np.float32), (), ())
    grouping = extend_grouping(
        Grouping(profiles, tuple(owner[doc_id] for doc_id in members)),
        added,
        remove=removed,
    )
    fresh = {a.doc_id: a for a in articles}
    touched = {owner[doc_id] for doc_id in removed if doc_id in owner}
    touched |= {
        story_id
        for doc_id, story_id in zip(grouping.profiles.doc_ids, grouping.story_ids, strict=True)
        if doc_id in fresh
    }
    changed = []
    for story_id in sorted(touched):
        doc_ids = [
            doc_id
            for doc_id, owned in zip(grouping.profiles.doc_ids, grouping.story_ids, strict=True)
            if owned == story_id
        ]
        if not doc_ids:
            continue  # left empty: retired below
        known = index.articles.summaries([d for d in doc_ids if d not in fresh])
        known.update((a.doc_id, (a.date, a.source, a.title)) for a in fresh.values())
        ordered = sorted(doc_ids, key=lambda d: (known[d][0] or "9999-99-99", d))
        outlets = dict.fromkeys(known[d][1] for d in ordered if known[d][1] is not None)
        old = before.get(story_id)
        if old is not None:
            title = old.title
        else:
            first = fresh.get(ordered[0]) or index.articles[ordered[0]]
            title = (first.title or "").strip() or lead(first).split("\n", 1)[0]
        changed.append(Story(story_id, title, tuple(ordered), tuple(o for o in outlets if o)))
    retired = {story_id for story_id in touched if story_id in before}
    return changed, retired
