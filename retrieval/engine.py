"""The answer engine: question in, every figure the sources give out, each with its quotes.

An answer keeps to one story: the story (event) its best passages belong to. Figures from other
stories that also answer are listed under each story's name, never in the same conflict.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from corpus import Article, Sentence
from corpus.nlp import parse
from index import Embedder, SearchIndex, Story, tokenize
from index.embedders import CachedEmbedder
from retrieval.answer import Answer, AnswerKind, Citations
from retrieval.choosing import Context, choose
from retrieval.compose import compose
from retrieval.figure_store import article_entities, article_figures
from retrieval.figures import Figure, parse_form
from retrieval.matching import NOUN_SIMILARITY, off_place, off_time
from retrieval.measures import Dimension, base_value
from retrieval.question import Question, analyse
from retrieval.reconcile import FigureGroup, group_figures, has_conflict
from retrieval.search import HybridSearcher, Passage, Retriever, check_search
from retrieval.structure import answer_figure, figure_structure, related_figures

# How much of a sentence's score is the words it shares with the question, the rest being its
# embedding's cosine similarity to the question's.
LEXICAL_WEIGHT = 0.5
# Reports of an answering value are looked for in at most this many of its story's articles
# beyond the passages (each article's stored figures are read once and cached): a story of a
# year's coverage would otherwise make a first answer read thousands.
MAX_SUPPORT_ARTICLES = 50
# How much more a passage that names what the question names counts towards its story.
NAME_WEIGHT = 3.0
# A story with a passage among this many best is listed whatever its share of the passages.
OTHER_STORY_RANK = 10
# Stories whose passages hold less than this share of the retrieved passages' fused score are
# not listed as other stories.
OTHER_STORY_SHARE = 0.05


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
    must hold to be quoted as an answer (below it, the articles do not answer);
    ``sentence_pool``: how many of the passages' sentences, best by the question's words, are
    embedded and compared with the question (8, 12, 16 and 40 gave the same quotes on
    qa/news_dev.jsonl; 12 and fewer did better on the Kyiv pairs than 20 and more, and each costs
    an embedding the first time); ``retriever``: which ranking finds the passages (hybrid, or
    BM25 or dense alone, to compare them)."""

    passages: int = 60
    max_related: int = 6
    max_sentences: int = 3
    min_sentence_score: float = 0.4
    sentence_pool: int = 12
    retriever: Retriever = Retriever.HYBRID


class AnswerEngine:
    """Answers questions over one loaded index; safe to share between threads."""

    def __init__(
        self, index: SearchIndex, embedder: Embedder, config: AnswerConfig = AnswerConfig()
    ) -> None:
        self._index = index
        # Pass one CachedEmbedder to every engine over the same model to share its cache.
        if not isinstance(embedder, CachedEmbedder):
            embedder = CachedEmbedder(embedder)
        self._embedder = embedder
        self._searcher = HybridSearcher(index, embedder)
        self._config = config
        # The caches close over the articles, not over self: no reference cycle, so an engine
        # replaced after an index update is freed (with its memory-mapped files) at once.
        articles = index.articles
        self._sentences = lru_cache(maxsize=4096)(
            lambda doc_id: tuple(articles[doc_id].sentences())
        )
        sentences = self._sentences
        # Figures and entities as the index stored them (retrieval.figure_store), else parsed.
        self._article_figures = lru_cache(maxsize=4096)(
            lambda doc_id: _by_sentence(article_figures(index, doc_id, sentences(doc_id)))
        )
        self._stored_entities = lru_cache(maxsize=4096)(
            lambda doc_id: article_entities(index, doc_id)
        )
        self._entities = lru_cache(maxsize=16384)(_entities)

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
        check_search(question, 1)
        asked = analyse(question, history)
        passages = self._search(asked, history, filters)
        story, by_story = self._stories(passages, asked)
        main = by_story.get(story["id"], passages) if story is not None else passages
        sentences = self._passage_sentences(main)
        citations = Citations(self._index.articles)
        if asked.numeric and asked.has_measure:
            story_docs = story["articles"][:MAX_SUPPORT_ARTICLES] if story is not None else ()
            answer = self._numeric(asked, sentences, citations, story_docs)
            others = self._other_stories(asked, story, by_story, citations)
            answer = replace(answer, other_stories=others)
        elif asked.answer_type:
            answer = self._entity(asked, sentences, citations)
        else:
            answer = self._quoted(asked, sentences, citations)
        answer = replace(answer, citations=citations.all(), story=story, passages=tuple(passages))
        return compose(answer)

    def passages(
        self,
        question: str,
        history: Sequence[str] = (),
        filters: ArticleFilter | None = None,
    ) -> list[Passage]:
        """The passages an answer to ``question`` is drawn from, best first (every story's).

        Raises:
            SearchError: the question is empty.
        """
        check_search(question, 1)
        return self._search(analyse(question, history), history, filters)

    def _search(
        self, asked: Question, history: Sequence[str], filters: ArticleFilter | None
    ) -> list[Passage]:
        query = " ".join([asked.text, *history[-1:]]) if history else asked.text
        passages = self._searcher.search(query, self._config.passages, self._config.retriever)
        if filters is not None:
            articles = self._index.articles
            passages = [p for p in passages if filters.admits(articles[p.doc_id])]
        return passages

    def _stories(
        self, passages: Sequence[Passage], asked: Question
    ) -> tuple[dict[str, Any] | None, dict[str, list[Passage]]]:
        """The story the passages are mostly about (by their fused scores), and every story's
        passages, best first."""
        names = set(tokenize(" ".join(asked.names)))
        stories = self._index.stories
        if not len(stories) or not passages:
            return None, {}
        by_story: dict[str, list[Passage]] = {}
        weight: dict[str, float] = {}
        for rank, passage in enumerate(passages):
            story = stories.story_of(passage.doc_id)
            by_story.setdefault(story.id, []).append(passage)
            # The best passages decide: weight by reciprocal rank, as rank fusion does.
            # A passage naming what the question names ("the Swiss Crystal", "Morsi") speaks
            # for its story more than one that only shares common words ("ship", "sentence").
            named = NAME_WEIGHT if names & set(tokenize(passage.text)) else 1.0
            weight[story.id] = weight.get(story.id, 0.0) + named / (10 + rank)
        best = max(weight, key=lambda story_id: weight[story_id])
        return _story_json(stories.story_of(by_story[best][0].doc_id)), by_story

    def _numeric(
        self,
        asked: Question,
        sentences: Sequence[Sentence],
        citations: Citations,
        story_docs: Sequence[str] = (),
    ) -> Answer:
        answers, related = self._choose_figures(asked, sentences)
        answers = answers + self._support(asked, answers, story_docs)
        structure = figure_structure(answers, citations)
        # A part of an answering total ("539 drones" of "539 drones and 11 missiles") is part of
        # the answer, not a figure beside it.
        answered = {(f.doc_id, f.start, f.end) for a in answers for f in (a, *a.parts)}
        related_groups = [
            g
            for g in _related_groups(related)
            if (g.lead.doc_id, g.lead.start, g.lead.end) not in answered
            # A count with nothing done to it and nothing it is of says nothing ("one person").
            and (g.lead.action or g.lead.subject)
        ][: self._config.max_related]
        return Answer(
            question=asked.text,
            answer="",
            conflict=has_conflict(answers),
            figures=structure.figures,
            related=related_figures(related_groups, citations),
            citations=(),
            kind=AnswerKind.FIGURES if structure.figures else AnswerKind.NONE,
            about=asked.describe(),
            groups=structure.groups,
            relations=structure.relations,
            timeline=structure.timeline,
            quotes=() if structure.figures else self._closest(asked, sentences, citations),
        )

    def _choose_figures(
        self, asked: Question, sentences: Sequence[Sentence]
    ) -> tuple[list[Figure], list[Figure]]:
        """The figures that answer, and the related ones, best first."""
        candidates = [
            f
            for sentence in sentences
            for f in self._article_figures(sentence.doc_id).get(sentence.start, ())
        ]
        words = [asked.noun or "", *asked.actions[:2]]
        for figure in candidates:
            words.append(figure.noun or "")
            words.extend(figure.actions)
        articles = self._index.articles
        context = Context(
            asked=asked,
            similarity=self._phrase_similarity(words),
            date_of=lambda doc_id: articles[doc_id].date,
            term_weight=self._index.term_weight,
            before=self._previous_sentences,
        )
        return choose(candidates, context)

    def _support(
        self, asked: Question, answers: Sequence[Figure], docs: Sequence[str]
    ) -> list[Figure]:
        """The story's other reports of the values that answer, wherever they sit (outside the
        passages searched too): the same measure of the same value, of the same or a close
        noun ("11.5 million records" for "11.5 million documents"), or with no noun and the same
        action."""
        wanted = [f for f in answers if not f.vague and not f.parts]
        if not wanted or not docs:
            return []
        have = {(f.doc_id, f.start, f.end) for f in answers}
        values = {(f.dimension, base_value(f.value, f.unit)) for f in wanted}
        found = [
            g
            for doc in docs
            if doc in self._index.articles
            for figures in self._article_figures(doc).values()
            for g in figures
            if (g.doc_id, g.start, g.end) not in have
            and not (g.whole or g.vague or g.parts or g.included)
            and (g.dimension, base_value(g.value, g.unit)) in values
        ]
        if not found:
            return []
        similarity = self._phrase_similarity([f.noun or "" for f in [*wanted, *found]])
        articles = self._index.articles

        def reports(g: Figure, f: Figure) -> bool:
            if g.dimension is not f.dimension:
                return False
            if base_value(g.value, g.unit) != base_value(f.value, f.unit):
                return False
            if max(g.low, f.low) > min(g.high, f.high):
                return False  # "more than 100" is no report of "100"
            if f.noun and g.noun:
                return g.noun == f.noun or similarity(f.noun, g.noun) >= NOUN_SIMILARITY
            if f.noun or g.noun:
                return False
            # No nouns: a measure in its unit says enough; a bare count needs its action.
            return f.dimension is not Dimension.COUNT or bool(
                {a.split()[0] for a in f.actions} & {a.split()[0] for a in g.actions}
            )

        return [
            g
            for g in found
            if any(reports(g, f) for f in wanted)
            and not off_time(g, asked, articles[g.doc_id].date)
            and not off_place(g, asked)
        ]

    def _other_stories(
        self,
        asked: Question,
        story: dict[str, Any] | None,
        by_story: dict[str, list[Passage]],
        citations: Citations,
    ) -> tuple[dict[str, Any], ...]:
        """Other stories whose passages also give figures that answer, each on its own."""
        if story is None:
            return ()
        total = sum(len(p) for p in by_story.values())
        scores = sorted((p.score for ps in by_story.values() for p in ps), reverse=True)
        high = scores[min(OTHER_STORY_RANK, len(scores)) - 1]
        others: list[dict[str, Any]] = []
        stories = self._index.stories
        for story_id, passages in by_story.items():
            best = max(p.score for p in passages)
            if story_id == story["id"] or (
                len(passages) < OTHER_STORY_SHARE * total and best < high
            ):
                continue
            answers, _ = self._choose_figures(asked, self._passage_sentences(passages))
            if not answers:
                continue
            groups = group_figures(answers)
            others.append(
                {
                    **_story_json(stories.story_of(passages[0].doc_id)),
                    "conflict": has_conflict(answers),
                    "figures": [
                        answer_figure(g, citations, f"s{len(others) + 1}f{number}").to_json()
                        for number, g in enumerate(groups, start=1)
                    ],
                }
            )
        return tuple(others)

    def _phrase_similarity(self, phrases: Sequence[str]) -> Callable[[str, str], float]:
        """Cosine similarity between any two of ``phrases`` (embedded once, in one batch)."""
        unique = list(dict.fromkeys(p for p in phrases if p))
        vectors = self._embedder.embed(unique) if unique else np.zeros((0, 1), np.float32)
        row = {phrase: i for i, phrase in enumerate(unique)}

        def similarity(a: str, b: str) -> float:
            if a not in row or b not in row:
                return 0.0
            return float(vectors[row[a]] @ vectors[row[b]])

        return similarity

    def _closest(
        self, asked: Question, sentences: Sequence[Sentence], citations: Citations
    ) -> tuple[int, ...]:
        """The markers of the closest passages, for an answer that found none that answer."""
        closest = self._best_sentences(asked, sentences, minimum=0.0)
        return tuple(citations.cite_sentence(s).n for s in closest)

    def _quoted(
        self, asked: Question, sentences: Sequence[Sentence], citations: Citations
    ) -> Answer:
        best = self._best_sentences(asked, sentences, self._config.min_sentence_score)
        if best:
            return _quotes(asked, AnswerKind.QUOTES, best, citations)
        closest = self._best_sentences(asked, sentences, minimum=0.0)
        return _quotes(asked, AnswerKind.NONE, closest, citations)

    def _entity(
        self, asked: Question, sentences: Sequence[Sentence], citations: Citations
    ) -> Answer:
        """A who/where/when answer: the sentences that hold an entity of the asked type
        together with the question's key terms, and the entities they name (read from the
        index, so every sentence of the passages is looked at)."""
        pool = list(sentences)
        asked_names = {n.casefold() for n in asked.names}
        # "Who" asks for a person first; an organisation answers only when no person does.
        kinds = [asked.answer_type]
        if "PERSON" in asked.answer_type and len(asked.answer_type) > 1:
            kinds.insert(0, frozenset({"PERSON"}))
        named: list[tuple[Sentence, tuple[str, ...]]] = []
        for kind in kinds:
            for sentence in pool:
                stored = self._stored_entities(sentence.doc_id)
                entities = (
                    self._entities(sentence.text)
                    if stored is None
                    else stored.get(sentence.start, ())
                )
                found = tuple(
                    text
                    for text, label in entities
                    if label in kind
                    and not any(text.casefold() in n or n in text.casefold() for n in asked_names)
                )
                if found:
                    named.append((sentence, found))
            if named:
                break
        best = self._best_sentences(
            asked, [s for s, _ in named], self._config.min_sentence_score * 0.75
        )
        if not best:
            return self._quoted(asked, sentences, citations)
        entities_of = dict(named)
        counts: dict[str, int] = {}
        for sentence in best:
            for entity in dict.fromkeys(entities_of[sentence]):
                counts[entity] = counts.get(entity, 0) + 1
        top = tuple(sorted(counts, key=lambda e: -counts[e])[:3])
        return _quotes(asked, AnswerKind.NAMES, best, citations, top)

    def _best_sentences(
        self, asked: Question, sentences: Sequence[Sentence], minimum: float
    ) -> list[Sentence]:
        """The sentences that answer best, at most one per article, scoring at least
        ``minimum``: half the share of the question's term weight (IDF) a sentence holds, half
        its cosine similarity to the question."""
        terms = set(asked.terms)
        total = sum(self._index.term_weight(t) for t in terms)
        if not sentences or total <= 0:
            return []
        # Every sentence of the passages is weighed by the question's words (cheap); only the
        # best of them are embedded and compared with the question.
        share = {
            id(s): sum(self._index.term_weight(t) for t in terms & set(tokenize(s.text))) / total
            for s in sentences
        }
        best_lexical = sorted(range(len(sentences)), key=lambda i: -share[id(sentences[i])])
        pool = [sentences[i] for i in sorted(best_lexical[: self._config.sentence_pool])]
        similarity = self._similarity(asked.text, pool)
        scored = []
        for position, sentence in enumerate(pool):
            lexical = share[id(sentence)]
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

    def _previous_sentences(self, sentence: Sentence) -> str:
        """The two sentences before ``sentence`` in its article, as one text."""
        before = [s.text for s in self._sentences(sentence.doc_id) if s.end <= sentence.start]
        return " ".join(before[-2:])

    def _passage_sentences(self, passages: Sequence[Passage]) -> list[Sentence]:
        """The sentences of the passages, in passage order, each once."""
        seen: dict[tuple[str, int], Sentence] = {}
        for passage in passages:
            for sentence in self._sentences(passage.doc_id):
                if passage.start <= sentence.start and sentence.end <= passage.end:
                    seen.setdefault((sentence.doc_id, sentence.start), sentence)
        return list(seen.values())


def _quotes(
    asked: Question,
    kind: AnswerKind,
    best: Sequence[Sentence],
    citations: Citations,
    entities: tuple[str, ...] = (),
) -> Answer:
    """An answer of quoted sentences (and the names they give), citing each."""
    return Answer(
        question=asked.text,
        answer="",
        conflict=False,
        figures=(),
        related=(),
        citations=(),
        entities=entities,
        kind=kind,
        quotes=tuple(citations.cite_sentence(s).n for s in best),
    )


def _by_sentence(figures: Sequence[Figure]) -> dict[int, tuple[Figure, ...]]:
    """Figures keyed by the start of their sentence."""
    grouped: dict[int, list[Figure]] = {}
    for figure in figures:
        grouped.setdefault(figure.sentence.start, []).append(figure)
    return {start: tuple(members) for start, members in grouped.items()}


def _entities(text: str) -> tuple[tuple[str, str], ...]:
    """The named entities of a sentence, as (text, label)."""
    doc = next(parse([parse_form(text)]))
    return tuple((text[e.start_char : e.end_char], e.label_) for e in doc.ents)


def _story_json(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "articles": list(story.articles),
        "outlets": list(story.outlets),
    }


def _related_groups(figures: Sequence[Figure]) -> list[FigureGroup]:
    """Related figures grouped by value, unit and action, in the order they were found."""
    by_key: dict[tuple[float, str | None, str | None], list[Figure]] = {}
    for figure in figures:
        by_key.setdefault((figure.value, figure.thing, figure.action), []).append(figure)
    return [group_figures(members)[0] for members in by_key.values()]
