"""Stories: the articles of an index grouped by the event they report.

Each article gets a profile at index time: a vector of its title and lead (the first sentences),
the named entities of the same text, and its date. Two articles are alike when their leads say
similar things, they name the same rare people, places and organisations, and they appeared close
together; stories are the groups average-linkage clustering makes of that similarity. An article
added later joins the story it is most like, or starts one; stories never merge or split after
they are made, so their ids stay.

Average linkage (UPGMA: Sokal & Michener, 1958) merges the two groups whose pairs are, on
average, the most alike, until no two groups are alike enough. Entity overlap is weighted by
inverse document frequency (Spärck Jones, 1972): sharing "Tiangong-1" says more than sharing
"U.S.".
"""

import datetime as dt
import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from corpus import Article
from index.embedders import Embedder, Vectors

# spaCy's entity types that name the who and where of an event (not dates, numbers or money,
# which every story has).
ENTITY_LABELS = frozenset("PERSON ORG GPE LOC FAC NORP EVENT PRODUCT WORK_OF_ART".split())
# The lead: this many sentences after the title, skipping a repeated title and fragments shorter
# than _MIN_WORDS words ("Photo", "(Reuters)", "[Photo/Agencies]").
LEAD_SENTENCES = 2
_MIN_WORDS = 4
# Profiles are embedded in batches like chunks are.
_EMBED_BATCH = 256
# Pairwise similarities are computed this many pairs at a time, so memory stays bounded however
# many articles the index holds.
_BLOCK_PAIRS = 1_000_000


@dataclass(frozen=True)
class StoryConfig:
    """How alike two articles must be to report one event.

    The similarity of two articles is ``(text_weight * text + entity_weight * entities) *
    date_factor``, each part in [0, 1]:

    - ``text``: the cosine of their profile vectors, rescaled so that ``text_floor`` and below
      count as 0 and 1 stays 1.
    - ``entities``: the cosine of their entity sets, each entity weighted by its IDF.
    - ``date_factor``: ``date_floor + (1 - date_floor) * exp(-days / date_scale_days)``, 1 when
      a date is unknown.

    ``threshold`` is the average similarity two groups need to merge, and an added article needs
    to join a story. Pairs below ``min_pair`` count as unrelated (0), which keeps the similarity
    graph sparse; each article keeps at most ``max_neighbours`` pairs, its strongest.

    The defaults were chosen with ``python -m bench.stories`` looking only at the "dev" events
    of the news_cluster_dev corpus; the comments below give the figures.
    """

    # With all-MiniLM-L6-v2 on news_cluster_dev, 95% of the pairs of leads of different events
    # have cosines under 0.24 (median 0.06), and 90% of the pairs of one event are over 0.40
    # (median 0.65): from 0.25 a cosine starts to count. Dev B-cubed F1 is flat from 0.2 to 0.3
    # (0.960 to 0.964) and falls either side (0.939 at 0.15, 0.950 at 0.35).
    text_floor: float = 0.25
    # The lead's meaning carries most of the signal: with the model, dev F1 is 0.967 from text
    # alone and 0.956 to 0.964 for text weights from 0.5 to 0.9, a spread of one or two
    # articles. Entities keep 0.3 by design rather than by that tuning: they tell apart events
    # an embedding blurs (which zoo, which launch), and they are what groups articles when the
    # embedder knows no meaning (the hash embedder of the tests).
    text_weight: float = 0.7
    entity_weight: float = 0.3
    # A soft penalty, not a cut: follow-ups and analyses of an event come weeks or months later,
    # and crawled dates are sometimes the crawl's, not the story's. Halving (at most) the
    # similarity of articles months apart separates recurring events (one missile launch from
    # the next). A floor of 0.2 splits real stories (dev F1 0.934); 0.35 to 1 score 0.956 to
    # 0.967; the scale (3 to 120 days) moves dev F1 by under 0.01.
    date_scale_days: float = 30.0
    date_floor: float = 0.5
    # The middle of the plateau of dev B-cubed F1 (0.970 at 0.1, 0.960 at 0.125, 0.964 at 0.15;
    # 0.951 at 0.075, 0.948 at 0.175, 0.931 at 0.2). Low, because many pairs of one event share
    # little beyond the lead's gist, and a group's average tolerates such pairs only if the bar
    # is low; precision stays at 0.97 and above down to 0.1.
    threshold: float = 0.125
    # Dropping pairs below this, or beyond each article's 100 strongest, changes no story on dev
    # (it groups exactly as scipy's dense average linkage does) while keeping memory linear.
    min_pair: float = 0.02
    max_neighbours: int = 100

    def __post_init__(self) -> None:
        for name in ("text_weight", "entity_weight", "date_floor", "threshold", "min_pair"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"StoryConfig {name} is {value!r}: not between 0 and 1")
        if not 0.0 <= self.text_floor < 1.0:
            raise ValueError(f"StoryConfig text_floor is {self.text_floor!r}: not in [0, 1)")
        if self.date_scale_days <= 0:
            raise ValueError(f"StoryConfig date_scale_days is {self.date_scale_days!r}: not > 0")
        if self.max_neighbours < 1:
            raise ValueError(f"StoryConfig max_neighbours is {self.max_neighbours!r}: not >= 1")


@dataclass(frozen=True)
class Story:
    """One event's articles: ``articles`` are doc ids, oldest first; ``outlets`` the sources
    that reported it (unknown sources left out), in the order they first did. ``title`` is the
    title of the article most like the others (its lead's first sentence if it has no title).
    """

    id: str
    title: str
    articles: tuple[str, ...]
    outlets: tuple[str, ...]


@dataclass(frozen=True)
class StoryMap:
    """The stories of an index (ordered by id), and the story of each article.

    Raises:
        ValueError: two stories share an id or an article.
    """

    stories: tuple[Story, ...] = ()
    _by_doc: dict[str, Story] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.stories, key=lambda s: s.id))
        by_doc: dict[str, Story] = {}
        for before, story in zip((None, *ordered), ordered, strict=False):
            if before is not None and before.id == story.id:
                raise ValueError(f"two stories have the id {story.id!r}")
            for doc_id in story.articles:
                if doc_id in by_doc:
                    raise ValueError(
                        f"article {doc_id!r} is in stories {by_doc[doc_id].id!r} and {story.id!r}"
                    )
                by_doc[doc_id] = story
        object.__setattr__(self, "stories", ordered)
        object.__setattr__(self, "_by_doc", by_doc)

    def story_of(self, doc_id: str) -> Story:
        """The story ``doc_id`` belongs to.

        Raises:
            KeyError: the index holds no such article.
        """
        try:
            return self._by_doc[doc_id]
        except KeyError:
            raise KeyError(f"no article {doc_id!r} in any story") from None

    def __len__(self) -> int:
        return len(self.stories)


@dataclass(frozen=True)
class Profiles:
    """What stories are made from, one row per article: ``vectors[i]`` (unit length),
    ``entities[i]`` (normalised names) and ``dates[i]`` (ISO or None) describe ``doc_ids[i]``."""

    doc_ids: tuple[str, ...]
    vectors: Vectors
    entities: tuple[frozenset[str], ...]
    dates: tuple[str | None, ...]

    def __post_init__(self) -> None:
        n = len(self.doc_ids)
        if self.vectors.ndim != 2 or self.vectors.shape[0] != n:
            raise ValueError(f"profiles of {n} articles have vectors of shape {self.vectors.shape}")
        if len(self.entities) != n or len(self.dates) != n:
            raise ValueError(
                f"profiles of {n} articles have {len(self.entities)} entity sets and "
                f"{len(self.dates)} dates"
            )

    def __len__(self) -> int:
        return len(self.doc_ids)

    def select(self, rows: Sequence[int]) -> "Profiles":
        """The profiles at ``rows``, in that order."""
        return Profiles(
            tuple(self.doc_ids[i] for i in rows),
            np.ascontiguousarray(self.vectors[np.asarray(rows, dtype=np.int64)]),
            tuple(self.entities[i] for i in rows),
            tuple(self.dates[i] for i in rows),
        )

    def __add__(self, other: "Profiles") -> "Profiles":
        return Profiles(
            self.doc_ids + other.doc_ids,
            np.concatenate([self.vectors, other.vectors]).astype(np.float32, copy=False),
            self.entities + other.entities,
            self.dates + other.dates,
        )


@dataclass(frozen=True)
class Grouping:
    """Profiles and the story id of each (``story_ids[i]`` is the story of
    ``profiles.doc_ids[i]``): what an index generation stores about its stories."""

    profiles: Profiles
    story_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.story_ids) != len(self.profiles):
            raise ValueError(f"{len(self.story_ids)} story ids for {len(self.profiles)} profiles")


def lead(article: Article) -> str:
    """The text an article's profile is made of: its title and first sentences, one a line
    (the first sentence however short when no sentence is long enough)."""
    title = (article.title or "").strip()
    seen = {title.casefold()}
    sentences: list[str] = []
    texts = [sentence.text.strip() for sentence in article.sentences()]
    for text in texts:
        if text.casefold() in seen or len(text.split()) < _MIN_WORDS:
            continue
        seen.add(text.casefold())
        sentences.append(text)
        if len(sentences) == LEAD_SENTENCES:
            break
    if not sentences and not title:
        sentences = texts[:1]
    return "\n".join([title, *sentences] if title else sentences)


def normalise_entity(name: str) -> str:
    """An entity name as profiles keep it: case-folded, curly apostrophes straightened,
    possessive and a leading "the" dropped, white space collapsed ("the Pentagon's" ->
    "pentagon")."""
    text = " ".join(name.replace("’", "'").casefold().split())
    if text.startswith("the "):
        text = text[4:]
    for suffix in ("'s", "'"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    return text.strip(" .,-\"'")


def profile_articles(articles: Sequence[Article], embedder: Embedder) -> Profiles:
    """Profile ``articles``: embed their leads (in batches) and read their entities (one
    batched spaCy run).

    Raises:
        corpus.nlp.PipelineMissingError: the English model package is not installed.
    """
    if not articles:
        return Profiles((), np.zeros((0, embedder.dimension), dtype=np.float32), (), ())
    from corpus.nlp import find_entities  # spaCy loads on first use, not on import

    texts = [lead(article) for article in articles]
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for start in range(0, len(texts), _EMBED_BATCH):
        vectors[start : start + _EMBED_BATCH] = embedder.embed(texts[start : start + _EMBED_BATCH])
    # The title and each lead sentence are lines of their own; an entity spaCy runs across a
    # line break ("... gorilla Harambe\nHarambe, a ...") is one name per line.
    entities = tuple(
        frozenset(
            name
            for ent in doc.ents
            if ent.label_ in ENTITY_LABELS
            for line in ent.text.split("\n")
            if (name := normalise_entity(line))
        )
        for doc in find_entities(texts)
    )
    return Profiles(
        tuple(a.doc_id for a in articles), vectors, entities, tuple(a.date for a in articles)
    )


def similarities(profiles: Profiles, config: StoryConfig = StoryConfig()) -> NDArray[np.float64]:
    """The similarity of every pair of profiles (see ``StoryConfig``) as a dense matrix with a
    zero diagonal: for inspecting small sets (``group`` never builds it)."""
    matrix: NDArray[np.float64] = np.zeros((len(profiles), len(profiles)))
    for start, block in _Similarity(profiles, config).blocks():
        matrix[start : start + len(block)] = block
    return matrix


def group(profiles: Profiles, config: StoryConfig = StoryConfig()) -> list[list[int]]:
    """Group profiles into stories by average linkage (see ``StoryConfig``).

    Returns:
        The stories as lists of profile rows, each list ascending, in order of their first row;
        every row is in exactly one.
    """
    n = len(profiles)
    if n == 0:
        return []
    pairs = _Similarity(profiles, config)
    edges_i, edges_j, edges_s = [], [], []
    for start, block in pairs.blocks():
        rows, cols = np.nonzero(block >= config.min_pair)
        values = block[rows, cols]
        keep = _strongest(rows, values, config.max_neighbours)
        edges_i.append(rows[keep] + start)
        edges_j.append(cols[keep])
        edges_s.append(values[keep])
    clusters = _average_linkage(
        n,
        np.concatenate(edges_i),
        np.concatenate(edges_j),
        np.concatenate(edges_s),
        config.threshold,
    )
    return sorted(clusters, key=lambda rows: rows[0])


def group_articles(
    articles: Sequence[Article], embedder: Embedder, config: StoryConfig = StoryConfig()
) -> Grouping:
    """Profile and group a whole corpus; each story's id is ``s-`` and the doc id of its
    earliest article."""
    profiles = profile_articles(articles, embedder)
    story_ids = [""] * len(profiles)
    for rows in group(profiles, config):
        first = min(rows, key=lambda i: _age_key(profiles.dates[i], profiles.doc_ids[i]))
        for i in rows:
            story_ids[i] = f"s-{profiles.doc_ids[first]}"
    return Grouping(profiles, tuple(story_ids))


def extend_grouping(
    grouping: Grouping,
    added: Profiles,
    *,
    remove: Iterable[str] = (),
    config: StoryConfig = StoryConfig(),
) -> Grouping:
    """Take the articles ``remove`` out of their stories (a story left empty disappears), then
    put each added article, in order, into the story it is most like on average, if that is
    ``config.threshold`` or more, else into a new story ``s-<doc id>``. Existing stories keep
    their ids and articles.
    """
    gone = set(remove) | set(added.doc_ids)
    kept = [i for i, doc_id in enumerate(grouping.profiles.doc_ids) if doc_id not in gone]
    profiles = grouping.profiles.select(kept) + added
    story_ids = [grouping.story_ids[i] for i in kept]
    if not len(added):
        return Grouping(profiles, tuple(story_ids))
    pairs = _Similarity(profiles, config)
    taken = set(story_ids)
    for row in range(len(kept), len(profiles)):
        names = sorted(set(story_ids))
        number = {story: k for k, story in enumerate(names)}
        which = np.array([number[story] for story in story_ids], dtype=np.int64)
        totals = np.bincount(which, weights=pairs.row(row)[:row], minlength=len(names))
        averages = totals / np.maximum(np.bincount(which, minlength=len(names)), 1)
        # argmax takes the first of equals: ties go to the smallest story id.
        best = int(np.argmax(averages)) if names else -1
        if best >= 0 and averages[best] >= config.threshold:
            story_ids.append(names[best])
        else:
            story_ids.append(_new_story_id(profiles.doc_ids[row], taken))
        taken.add(story_ids[-1])
    return Grouping(profiles, tuple(story_ids))


def story_map(
    grouping: Grouping, articles: Mapping[str, Article], config: StoryConfig = StoryConfig()
) -> StoryMap:
    """The stories of ``grouping`` as records, titled and with their outlets.

    Raises:
        ValueError: a profiled article is not in ``articles``, or an article has no profile.
    """
    missing = [doc_id for doc_id in grouping.profiles.doc_ids if doc_id not in articles]
    if missing:
        raise ValueError(f"article {missing[0]!r} has a profile but is not in the index")
    unplaced = set(articles) - set(grouping.profiles.doc_ids)
    if unplaced:
        raise ValueError(f"article {min(unplaced)!r} is in no story")
    members: dict[str, list[int]] = {}
    for row, story in enumerate(grouping.story_ids):
        members.setdefault(story, []).append(row)
    pairs = _Similarity(grouping.profiles, config)
    stories = []
    for story_id, rows in members.items():
        doc_ids = grouping.profiles.doc_ids
        ordered = sorted(rows, key=lambda i: _age_key(grouping.profiles.dates[i], doc_ids[i]))
        outlets = dict.fromkeys(
            source for i in ordered if (source := articles[doc_ids[i]].source) is not None
        )
        stories.append(
            Story(
                id=story_id,
                title=_title(pairs, ordered, [articles[doc_ids[i]] for i in ordered]),
                articles=tuple(doc_ids[i] for i in ordered),
                outlets=tuple(outlets),
            )
        )
    return StoryMap(tuple(stories))


def _title(pairs: "_Similarity", rows: list[int], articles: list[Article]) -> str:
    """The title of the member most like the others (the medoid; the oldest on a tie), or the
    first title any member has, or the medoid's first lead sentence."""
    if len(rows) > 1:
        within = pairs.among(rows)
        medoid = int(np.argmax(within.sum(axis=1)))
    else:
        medoid = 0
    for article in (articles[medoid], *articles):
        if article.title and article.title.strip():
            return article.title.strip()
    return lead(articles[medoid]).split("\n", 1)[0]


def _age_key(date: str | None, doc_id: str) -> tuple[str, str]:
    """Sort key: oldest first, undated last, then by doc id."""
    return (date or "9999-99-99", doc_id)


def _new_story_id(doc_id: str, taken: set[str]) -> str:
    """``s-<doc id>``, or with ``-2``, ``-3``... if a story kept that id after its first
    article was removed."""
    candidate, number = f"s-{doc_id}", 1
    while candidate in taken:
        number += 1
        candidate = f"s-{doc_id}-{number}"
    return candidate


class _Similarity:
    """Pairwise article similarity over one set of profiles (see ``StoryConfig``)."""

    def __init__(self, profiles: Profiles, config: StoryConfig) -> None:
        self._config = config
        self._vectors = profiles.vectors
        self._n = n = len(profiles)
        vocabulary: dict[str, int] = {}
        rows = [
            sorted(vocabulary.setdefault(e, len(vocabulary)) for e in ents)
            for ents in profiles.entities
        ]
        frequency = np.zeros(len(vocabulary), dtype=np.float64)
        for entity_ids in rows:
            frequency[entity_ids] += 1
        # IDF, smoothed so that an entity every article names still counts a little.
        weight = np.log1p(n / np.maximum(frequency, 1.0)) ** 2
        # Article -> entities and entity -> articles, as CSR index arrays.
        self._article_start = np.cumsum([0] + [len(r) for r in rows]).astype(np.int64)
        self._article_entity = np.fromiter(
            (e for r in rows for e in r), dtype=np.int64, count=int(self._article_start[-1])
        )
        order = np.argsort(self._article_entity, kind="stable")
        owners = np.repeat(np.arange(n, dtype=np.int64), np.diff(self._article_start))
        self._entity_article = owners[order]
        self._entity_start = np.concatenate(
            [[0], np.cumsum(np.bincount(self._article_entity, minlength=len(vocabulary)))]
        ).astype(np.int64)
        self._weight = weight
        self._norm = np.sqrt(np.bincount(owners, weights=weight[self._article_entity], minlength=n))
        self._days = np.array([_day_number(date) for date in profiles.dates], dtype=np.float64)

    def blocks(self) -> Iterable[tuple[int, NDArray[np.float64]]]:
        """``(start, block)`` for consecutive row blocks: ``block[r, j]`` is the similarity of
        rows ``start + r`` and ``j``; an article's similarity to itself is 0."""
        size = max(1, _BLOCK_PAIRS // max(self._n, 1))
        for start in range(0, self._n, size):
            rows = np.arange(start, min(start + size, self._n))
            block = self._similarity(rows, np.arange(self._n))
            block[np.arange(len(rows)), rows] = 0.0
            yield start, block

    def row(self, row: int) -> NDArray[np.float64]:
        """The similarity of row ``row`` to every row (itself 0)."""
        similarity: NDArray[np.float64] = self._similarity(np.array([row]), np.arange(self._n))[0]
        similarity[row] = 0.0
        return similarity

    def among(self, rows: Sequence[int]) -> NDArray[np.float64]:
        """The similarities among ``rows`` (diagonal 0)."""
        index = np.asarray(rows, dtype=np.int64)
        within = self._similarity(index, index)
        np.fill_diagonal(within, 0.0)
        return within

    def _similarity(self, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.float64]:
        # In place where it can be: at 19,000 articles this runs over 360 million pairs.
        config = self._config
        combined = (self._vectors[rows] @ self._vectors[cols].T).astype(np.float64)
        combined -= config.text_floor
        np.clip(combined, 0.0, 1.0 - config.text_floor, out=combined)
        combined *= config.text_weight / (1.0 - config.text_floor)
        entities = self._shared_entities(rows, cols)
        norms = np.outer(self._norm[rows], self._norm[cols])
        # Where a norm is 0 the article names no entity, so nothing is shared: entities is 0.
        np.divide(entities, norms, out=entities, where=norms > 0)
        np.minimum(entities, 1.0, out=entities)
        combined += config.entity_weight * entities
        # The date factor, only for the pairs that have a similarity to scale (a few percent).
        r, c = np.nonzero(combined)
        days = np.abs(self._days[rows][r] - self._days[cols][c])
        factor = config.date_floor + (1 - config.date_floor) * np.exp(
            -days / config.date_scale_days
        )
        combined[r, c] *= np.where(np.isnan(factor), 1.0, factor)
        return combined

    def _shared_entities(
        self, rows: NDArray[np.int64], cols: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """``shared[r, c]``: the summed squared IDF of the entities rows ``rows[r]`` and
        ``cols[c]`` both name, found through the entity -> articles lists (no entity-by-article
        matrix)."""
        position = np.full(self._n, -1, dtype=np.int64)
        position[cols] = np.arange(len(cols))
        starts, ends = self._article_start[rows], self._article_start[rows + 1]
        counts = ends - starts
        local = np.repeat(np.arange(len(rows)), counts)
        entity = self._article_entity[_ranges(starts, counts)]
        lengths = self._entity_start[entity + 1] - self._entity_start[entity]
        others = position[self._entity_article[_ranges(self._entity_start[entity], lengths)]]
        wanted = others >= 0
        flat = np.repeat(local, lengths)[wanted] * len(cols) + others[wanted]
        weights = np.repeat(self._weight[entity], lengths)[wanted]
        # bincount gives integers when there is nothing to count.
        counted = np.bincount(flat, weights=weights, minlength=len(rows) * len(cols))
        shared: NDArray[np.float64] = counted.astype(np.float64).reshape(len(rows), len(cols))
        return shared


def _ranges(starts: NDArray[np.int64], lengths: NDArray[np.int64]) -> NDArray[np.int64]:
    """The concatenation of ``range(s, s + l)`` for each start and length."""
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    result: NDArray[np.int64] = (
        np.arange(total, dtype=np.int64) - np.repeat(offsets, lengths) + np.repeat(starts, lengths)
    )
    return result


def _day_number(date: str | None) -> float:
    """Days since 0001-01-01, NaN when the date is unknown or not ISO."""
    if date is None:
        return math.nan
    try:
        return float(dt.date.fromisoformat(date[:10]).toordinal())
    except ValueError:
        return math.nan


def _strongest(
    rows: NDArray[np.int64], values: NDArray[np.float64], limit: int
) -> NDArray[np.int64]:
    """Positions of the ``limit`` largest values of each row (rows ascending)."""
    order = np.lexsort((-values, rows))
    first = np.searchsorted(rows[order], rows[order], side="left")
    rank = np.arange(len(order)) - first
    keep: NDArray[np.int64] = np.sort(order[rank < limit])
    return keep


def _average_linkage(
    n: int,
    edges_i: NDArray[np.int64],
    edges_j: NDArray[np.int64],
    edges_s: NDArray[np.float64],
    threshold: float,
) -> list[list[int]]:
    """Average-linkage clustering of ``n`` items over a sparse similarity graph (absent pairs
    count as 0), merging while two groups average ``threshold`` or more.

    Merging is monotone for average linkage (the average to a merged group lies between the
    averages to its parts), so a heap of candidate pairs, re-pushed after each merge and
    checked against the current sums when popped, merges in the right order.
    """
    sums: list[dict[int, float]] = [{} for _ in range(n)]
    for i, j, s in zip(edges_i.tolist(), edges_j.tolist(), edges_s.tolist(), strict=True):
        if i != j:
            # Each pair may appear from both ends; the similarity is symmetric, so keep one.
            sums[i][j] = sums[j][i] = s
    size = [1] * n
    members: list[list[int]] = [[i] for i in range(n)]
    heap = [(-s, i, j) for i in range(n) for j, s in sums[i].items() if i < j and s >= threshold]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if b not in sums[a] or sums[a][b] / (size[a] * size[b]) != -negative:
            continue  # stale: one side merged since
        for c, total in sums[b].items():
            del sums[c][b]
            if c != a:
                sums[a][c] = sums[c][a] = sums[a].get(c, 0.0) + total
        sums[b] = {}
        size[a] += size[b]
        members[a].extend(members[b])
        members[b] = []
        for c, total in sums[a].items():
            average = total / (size[a] * size[c])
            if average >= threshold:
                heapq.heappush(heap, (-average, min(a, c), max(a, c)))
    return [sorted(m) for m in members if m]
