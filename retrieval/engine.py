"""The answer engine: question in, every figure the sources give out, each with its quotes."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from corpus import Article, Sentence
from index import ChunkIndex, Embedder, tokenize
from index.embedders import CachedEmbedder
from retrieval.answer import (
    Answer,
    Citation,
    Citations,
    answer_figure,
    conflict_notes,
    reconciliation_notes,
    shown,
    support_line,
)
from retrieval.figures import Figure, extract_figures
from retrieval.focus import Focus
from retrieval.lexicon import ACTION_WORDS, THING_WORDS
from retrieval.matching import Role, classify, is_vague, subject_overlap
from retrieval.question import Question, analyse
from retrieval.reconcile import FigureGroup, group_figures, has_conflict
from retrieval.search import HybridSearcher, Passage, Retriever, check_search

# A measure answers when its sentence says at least this share of what the best one says about
# the asked subject (weighted by IDF): both reports of "the front line", not a passing mention.
MEASURE_SHARE = 0.75
# How much of a sentence's score is the words it shares with the question, the rest being its
# embedding's cosine similarity to the question's.
LEXICAL_WEIGHT = 0.5


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles an answer may use: by outlet (any of ``sources``, compared without case)
    and by date (``since`` and ``until``, ISO dates, inclusive; an undated article is left out
    when either is set)."""

    sources: frozenset[str] | None = None
    since: str | None = None
    until: str | None = None

    def admits(self, article: Article) -> bool:
        """Whether ``article`` passes the filter."""
        if self.sources is not None:
            wanted = {s.casefold() for s in self.sources}
            if (article.source or "").casefold() not in wanted:
                return False
        if self.since is not None or self.until is not None:
            if article.date is None:
                return False
            if self.since is not None and article.date < self.since:
                return False
            if self.until is not None and article.date > self.until:
                return False
        return True


@dataclass(frozen=True)
class AnswerConfig:
    """``passages``: how many passages (best first) are searched for figures, so that every
    figure for the measure is found, not just those of the top few; ``max_related``: how many
    neighbouring figures an answer lists; ``max_sentences``: how many quotes a non-numeric
    answer gives; ``min_sentence_score``: the share of the question's term weight a sentence
    must hold to be quoted as an answer (below it, the articles do not answer); ``retriever``:
    which ranking finds the passages (hybrid, or BM25 or dense alone, to compare them)."""

    passages: int = 60
    max_related: int = 6
    max_sentences: int = 3
    min_sentence_score: float = 0.4
    sentence_pool: int = 40
    retriever: Retriever = Retriever.HYBRID


class AnswerEngine:
    """Answers questions over one loaded index; safe to share between threads."""

    def __init__(
        self, index: ChunkIndex, embedder: Embedder, config: AnswerConfig = AnswerConfig()
    ) -> None:
        self._index = index
        # Pass one CachedEmbedder to every engine over the same model to share its cache.
        if not isinstance(embedder, CachedEmbedder):
            embedder = CachedEmbedder(embedder)
        self._embedder = embedder
        self._searcher = HybridSearcher(index, embedder)
        self._config = config
        # The story is what the retrieved articles are about, not the whole archive: over a
        # newsroom's archive a corpus-wide focus would be nothing in particular (and slow).
        # The caches close over the articles, not over self: no reference cycle, so an engine
        # replaced after an index update is freed (with its memory-mapped files) at once,
        # not at the next full garbage collection.
        articles = index.articles
        self._focus = lru_cache(maxsize=1024)(
            lambda doc_ids: Focus.of(articles[doc_id] for doc_id in sorted(doc_ids))
        )
        self._sentences = lru_cache(maxsize=4096)(
            lambda doc_id: tuple(articles[doc_id].sentences())
        )
        self._figures = lru_cache(maxsize=65536)(extract_figures)

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        filters: ArticleFilter | None = None,
    ) -> Answer:
        """Answer ``question``; ``history`` holds the conversation's earlier questions;
        ``filters`` keeps only some articles (by outlet and date).

        Raises:
            SearchError: the question is empty.
        """
        asked = analyse(question, history)
        passages = self.passages(question, history, filters)
        sentences = self._passage_sentences(passages)
        citations = Citations(self._index.articles)
        if asked.numeric and asked.has_measure:
            return self._numeric(asked, sentences, citations)
        return self._quoted(asked, sentences, citations)

    def passages(
        self,
        question: str,
        history: Sequence[str] = (),
        filters: ArticleFilter | None = None,
    ) -> list[Passage]:
        """The passages an answer to ``question`` is drawn from, best first.

        Raises:
            SearchError: the question is empty.
        """
        check_search(question, 1)
        asked = analyse(question, history)
        query = _search_query(asked, history)
        passages = self._searcher.search(query, self._config.passages, self._config.retriever)
        if filters is not None:
            articles = self._index.articles
            passages = [p for p in passages if filters.admits(articles[p.doc_id])]
        return passages

    def _numeric(
        self, asked: Question, sentences: Sequence[Sentence], citations: Citations
    ) -> Answer:
        asked, answers, related = self._choose_figures(asked, sentences)
        groups = group_figures(answers)
        figures = tuple(answer_figure(g, citations) for g in groups)
        conflict = has_conflict(answers)
        lines = []
        if figures:
            lines.append(_headline(asked, groups, conflict))
            lines.extend(
                f"- {support_line(g, f, citations)}" for g, f in zip(groups, figures, strict=True)
            )
            lines.extend(reconciliation_notes(groups, citations))
            lines.extend(conflict_notes(answers, citations))
        else:
            lines.append(f"The articles do not give a figure for {asked.describe()}.")
        answered = {(f.doc_id, f.start, f.end) for f in answers}
        related_groups = [
            g
            for g in _related_groups(related)
            if (g.lead.doc_id, g.lead.start, g.lead.end) not in answered
        ][: self._config.max_related]
        related_figures = tuple(answer_figure(g, citations) for g in related_groups)
        if related_figures:
            lines.append(
                "Related figures: "
                + "; ".join(
                    " ".join(w for w in (shown(g.lead), g.lead.action or "") if w)
                    + " "
                    + _markers(f.citations)
                    for g, f in zip(related_groups, related_figures, strict=True)
                )
                + "."
            )
        if not figures:
            lines.extend(self._closest(asked, sentences, citations))
        return Answer(
            question=asked.text,
            answer="\n".join(lines),
            conflict=conflict,
            figures=figures,
            related=related_figures,
            citations=citations.all(),
        )

    def _choose_figures(
        self, asked: Question, sentences: Sequence[Sentence]
    ) -> tuple[Question, list[Figure], list[Figure]]:
        """The figures that answer, and the related ones, best first; and the question with
        the counted thing filled in when it left it out."""
        answers: list[Figure] = []
        related: list[Figure] = []
        focus = self._focus(frozenset(s.doc_id for s in sentences))
        for sentence in sentences:
            context = self._previous_sentence(sentence)
            for figure in self._figures(sentence):
                role = classify(figure, asked, focus, context)
                if role is Role.ANSWER:
                    answers.append(figure)
                elif role is Role.RELATED and not figure.parts:
                    related.append(figure)
        if asked.dimension != "count" and answers:
            # A measure answers best where the sentence says most about the asked subject;
            # another report of a kept value supports it, however it is worded.
            weight = self._index.term_weight
            overlap = {
                id(f): subject_overlap(f, asked, self._previous_sentence(f.sentence), weight)
                for f in answers
            }
            enough = max(overlap.values()) * MEASURE_SHARE
            kept = {(f.value, f.thing) for f in answers if overlap[id(f)] >= enough}
            answers, moved = _split(answers, lambda f: (f.value, f.thing) in kept)
            related = moved + related
        if any(not is_vague(f) for f in answers):
            # "hundreds of Shahed drones" beside "539 drones": context, not another count.
            answers, moved = _split(answers, lambda f: not is_vague(f))
            related = moved + related
        if asked.thing is None and asked.dimension == "count" and answers:
            # "How many were intercepted?": answer for what most articles count; the rest relate.
            docs: dict[str | None, set[str]] = {}
            for figure in answers:
                docs.setdefault(figure.thing, set()).add(figure.doc_id)
            main = max(docs, key=lambda thing: len(docs[thing]))
            answers, moved = _split(answers, lambda f: f.thing == main)
            related = [f for f in moved if not f.parts] + related
            asked = replace(asked, thing=main)
        return asked, answers, related

    def _closest(
        self, asked: Question, sentences: Sequence[Sentence], citations: Citations
    ) -> list[str]:
        """ "The closest passages are [1][2][3]." for an answer that found none that answer."""
        closest = self._best_sentences(asked, sentences, minimum=0.0)
        if not closest:
            return []
        markers = "".join(f"[{citations.cite_sentence(s).n}]" for s in closest)
        return [f"The closest passages are {markers}."]

    def _quoted(
        self, asked: Question, sentences: Sequence[Sentence], citations: Citations
    ) -> Answer:
        best = self._best_sentences(asked, sentences, self._config.min_sentence_score)
        if best:
            lines = ["From the articles:"]
            for sentence in best:
                cited = citations.cite_sentence(sentence)
                lines.append(f"- {citations.outlet(sentence.doc_id)} [{cited.n}]: {sentence.text}")
        else:
            lines = [
                "The articles do not answer this.",
                *self._closest(asked, sentences, citations),
            ]
        return Answer(
            question=asked.text,
            answer="\n".join(lines),
            conflict=False,
            figures=(),
            related=(),
            citations=citations.all(),
        )

    def _best_sentences(
        self, asked: Question, sentences: Sequence[Sentence], minimum: float
    ) -> list[Sentence]:
        """The sentences that answer best, at most one per article, scoring at least
        ``minimum``: half the share of the question's term weight (IDF) a sentence holds, half
        its cosine similarity to the question."""
        terms = set(asked.terms)
        total = sum(self._index.term_weight(t) for t in terms)
        pool = list(sentences[: self._config.sentence_pool])
        if not pool or total <= 0:
            return []
        similarity = self._similarity(asked.text, pool)
        scored = []
        for position, sentence in enumerate(pool):
            present = terms & set(tokenize(sentence.text))
            lexical = sum(self._index.term_weight(t) for t in present) / total
            score = LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * similarity[position]
            if score >= minimum:
                scored.append((-score, position, sentence))
        scored.sort(key=lambda item: (item[0], item[1]))
        chosen: list[Sentence] = []
        for _, _, sentence in scored:
            if all(s.doc_id != sentence.doc_id for s in chosen):
                chosen.append(sentence)
            if len(chosen) == self._config.max_sentences:
                break
        return chosen

    def _similarity(self, question: str, sentences: Sequence[Sentence]) -> list[float]:
        """Cosine similarity of each sentence to the question (vectors are cached by text)."""
        vectors = self._embedder.embed([s.text for s in sentences])
        query = self._embedder.embed([question])[0]
        return [float(score) for score in vectors @ query]

    def _passage_sentences(self, passages: Sequence[Passage]) -> list[Sentence]:
        """The sentences of the passages, in passage order, each once."""
        seen: dict[tuple[str, int], Sentence] = {}
        for passage in passages:
            for sentence in self._sentences(passage.doc_id):
                if passage.start <= sentence.start and sentence.end <= passage.end:
                    seen.setdefault((sentence.doc_id, sentence.start), sentence)
        return list(seen.values())

    def _previous_sentence(self, sentence: Sentence) -> str:
        """The two sentences before ``sentence`` in its article, as one text."""
        before = [s.text for s in self._sentences(sentence.doc_id) if s.end <= sentence.start]
        return " ".join(before[-2:])


def _search_query(asked: Question, history: Sequence[str]) -> str:
    """The question, with the words its measure may be written in ("injured" also finds
    "wounded" and "hurt"), and a follow-up's inherited context."""
    words = [asked.text]
    if asked.action in ACTION_WORDS:
        words.extend(ACTION_WORDS[asked.action][:6])
    if asked.thing in THING_WORDS:
        words.extend(THING_WORDS[asked.thing])
    words.extend(asked.places)
    words.extend(asked.months)
    if history and not analyse(asked.text).has_measure:
        words.append(history[-1])
    return " ".join(words)


def _split(
    figures: Sequence[Figure], keep: Callable[[Figure], bool]
) -> tuple[list[Figure], list[Figure]]:
    """(the figures ``keep`` accepts, the rest), each in order."""
    return [f for f in figures if keep(f)], [f for f in figures if not keep(f)]


def _markers(citations: Sequence[Citation]) -> str:
    return "".join(f"[{n}]" for n in sorted({c.n for c in citations}))


def _headline(asked: Question, groups: Sequence[FigureGroup], conflict: bool) -> str:
    """ "The sources disagree on people injured: at least 26 vs at least 23 / 23." Each value
    is shown in every wording the articles use for it."""
    measure = asked.describe()
    shown_values = [
        " / ".join(dict.fromkeys(f.text for f in g.figures if not f.parts)) or g.lead.text
        for g in groups
    ]
    values = (" vs " if conflict else " and ").join(shown_values)
    docs = {d for g in groups for d in g.doc_ids}
    if conflict:
        return f"The sources disagree on {measure}: {values}."
    if len(groups) == 1:
        if len(docs) == 1:
            return f"One article gives {measure}: {values}."
        return f"The sources agree on {measure}: {values}."
    return f"The sources give figures for {measure} that agree: {values}."


def _related_groups(figures: Sequence[Figure]) -> list[FigureGroup]:
    """Related figures grouped by value, unit and action, in the order they were found."""
    by_key: dict[tuple[float, str | None, str | None], list[Figure]] = {}
    for figure in figures:
        by_key.setdefault((figure.value, figure.thing, figure.action), []).append(figure)
    return [group_figures(members)[0] for members in by_key.values()]
