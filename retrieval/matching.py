"""Decide which figures answer a question, which are related, and which are beside the point.

A figure answers when its measure is the question's: the same dimension (a count for "how
many", money for "how much ... cost", a length for "how far"), and the same thing measured. The
thing is compared by lemma first (the counted noun, the actions), then by meaning: MiniLM's cosine
similarity between the question's measure phrase ("people evacuate") and the figure's ("residents
evacuate"), so that "people affected" finds "consumers whose data was exposed".
"""

import itertools
import re
from collections.abc import Callable, Sequence
from enum import Enum

from index import tokenize
from retrieval.figures import Figure
from retrieval.measures import UNIT_PHRASE, Dimension
from retrieval.numbers import MONTH_PATTERN
from retrieval.question import Question

# MiniLM cosine similarity above which a figure's counted noun ("residents") stands for the
# question's ("people"), and its action ("hurt") for the question's ("injure"). Chosen on the
# development pairs (qa/news_dev.jsonl, `python -m bench.matching`): see bench/RESULTS.md.
NOUN_SIMILARITY = 0.45
ACTION_SIMILARITY = 0.5

Similarity = Callable[[str, str], float]


class Role(Enum):
    """A figure's part in an answer."""

    ANSWER = "answer"
    RELATED = "related"
    NONE = "none"


def classify(figure: Figure, question: Question, similarity: Similarity) -> Role:
    """Whether ``figure`` answers ``question``, is a neighbouring measure, or neither.

    ``similarity(a, b)`` is the cosine similarity of two short phrases.
    """
    if figure.whole or not question.numeric:
        return Role.NONE
    if figure.included and _noun_relation(figure, question, similarity) != "same":
        # "26 others, including a child": the child is a part of the count, never another value
        # for it ("550 drones and missiles, including 11 missiles" still answers for missiles).
        return Role.RELATED
    if not _same_dimension(figure, question):
        return Role.NONE
    if question.per is not None and not _per_matches(figure, question.per):
        return Role.RELATED
    if question.modifiers and not set(tokenize(" ".join(question.modifiers))) <= set(
        tokenize(" ".join(figure.modifiers) + " " + figure.sentence.text)
    ):
        # "How many were seriously injured?": a count that does not say "seriously" is
        # another count.
        role = (
            _classify_count(figure, question, similarity)
            if question.dimension is Dimension.COUNT
            else _classify_measure(figure, question, similarity)
        )
        return Role.RELATED if role is Role.ANSWER else role
    if question.dimension is Dimension.COUNT:
        return _classify_count(figure, question, similarity)
    return _classify_measure(figure, question, similarity)


def says_action(figure: Figure, question: Question, similarity: Similarity) -> bool:
    """Whether the figure's verb is the question's asked action, or close to it."""
    return _action_relation(figure, question, similarity) in ("same", "similar")


def counts_asked_thing(figure: Figure, question: Question, similarity: Similarity) -> bool:
    """Whether a count counts exactly what the question counts, modifiers included
    ("current world leaders"), whatever its verb."""
    return (
        question.dimension is Dimension.COUNT
        and figure.dimension is Dimension.COUNT
        and not figure.whole
        and not figure.included
        and not figure.vague
        and _noun_relation(figure, question, similarity) == "same"
    )


def off_time(figure: Figure, question: Question, article_date: str | None) -> bool:
    """Whether the figure is about another time than the question: it names a month other
    than its article's (a monthly total quoted in a report of one night's attack), or the
    question names a month the figure's sentence does not."""
    asked = _months(" ".join(question.names) + " " + question.text)
    # A month with a day ("December 31", "Nov. 13") dates one event, often the day before the
    # report; a month alone ("in June", "June 2025") names a period, whose totals are another
    # measure than the night's.
    named = _months(" ".join(d for d in figure.dates if not _DAY.search(d)))
    if asked:
        return bool(named) and not (named & asked)
    if not named or article_date is None:
        return False
    month = int(article_date[5:7])
    return month not in named


def _months(text: str) -> set[int]:
    """The months ``text`` names ("July", "Sept."), as numbers."""
    return {
        _MONTHS.index(m.group().rstrip(".").lower()[:3]) + 1 for m in MONTH_PATTERN.finditer(text)
    }


_DAY = re.compile(r"(?<![\d,.])\d{1,2}(?:st|nd|rd|th)?\b")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def off_place(figure: Figure, question: Question) -> bool:
    """Whether the figure's sentence is about another place than the one the question names:
    it names places, and none of them is (or is within) a place the question names. A figure
    naming no place is not off place: the sentence before it may say where."""
    if not question.places or not figure.places:
        return False
    asked = [set(re.split(r"[\s-]+", p.casefold())) for p in question.places]
    # The tagger misses places ("40 drones at Kharkiv" tags only Russia): the asked place's
    # words anywhere in the sentence keep the figure. "Kyiv" is within "Kyiv Oblast" (all its
    # words), but "Oman" is not within "Romania".
    said = set(_sentence_words(figure))
    return not any(words <= said for words in asked)


def _same_dimension(figure: Figure, question: Question) -> bool:
    if question.unit is not None and question.unit.dimension is not figure.dimension:
        return False
    if question.dimension is None:  # "how much rubble": any measure, not a count
        return figure.dimension is not Dimension.COUNT
    return figure.dimension is question.dimension


def _classify_count(figure: Figure, question: Question, similarity: Similarity) -> Role:
    noun = _noun_relation(figure, question, similarity)
    action = _action_relation(figure, question, similarity)
    if noun in ("same", "unasked") and action in ("same", "unknown", "unasked"):
        return Role.ANSWER if (noun, action) != ("unasked", "unasked") else Role.NONE
    if noun == "similar" and action == "same":
        # "30 residents were injured" for "how many people were injured"; without an action
        # to agree on, a noun only close in meaning ("crew members", "people") is not enough.
        return Role.ANSWER
    if noun in ("same", "elided", "unasked") and action == "similar":
        return Role.ANSWER  # "23 were wounded" for "how many people were injured"
    if noun == "elided" and action == "same":
        return Role.ANSWER  # "23 were injured" answers "how many people were injured"
    if noun in ("same", "similar") or action in ("same", "similar"):
        return Role.RELATED
    return Role.NONE


def _classify_measure(figure: Figure, question: Question, similarity: Similarity) -> Role:
    """A measure answers when it is of the asked dimension and about what the question asks:
    the same action ("cost", "fly"), or the words of its subject."""
    action = _action_relation(figure, question, similarity)
    about = _subject_overlap(figure, question)
    # Sums and distances are reported with many verbs ("cost", "hit", "knock off"): a sentence
    # about the question's subject answers whatever its verb; the engine then keeps those that
    # say most about the subject.
    if action in ("same", "similar") or about:
        return Role.ANSWER
    return Role.NONE


def _noun_relation(figure: Figure, question: Question, similarity: Similarity) -> str:
    """ "same", "similar" (close in meaning: "residents" for "people"), "elided" (the figure
    leaves its noun out: "23 were wounded"), "unasked", or "other"."""
    if question.noun is None:
        return "unasked"
    if figure.noun is None:
        return "elided"
    if (" and " in figure.noun) != (" and " in question.noun):
        # "539 drones" is a part of "drones and missiles", not their count, and the other
        # way round.
        return "other"
    if figure.noun == question.noun or question.noun in figure.modifiers:
        wanted = set(tokenize(" ".join(question.modifiers)))
        written = set(tokenize(" ".join(figure.modifiers) + " " + figure.sentence.text))
        return "same" if wanted <= written else "other"
    if similarity(question.noun, figure.noun) >= NOUN_SIMILARITY:
        return "similar"
    return "other"


def _action_relation(figure: Figure, question: Question, similarity: Similarity) -> str:
    """ "same", "similar" ("hurt" for "injure"), "unasked" (the question names no action),
    "unknown" (the figure has none), or "other"."""
    if not question.actions:
        return "unasked"
    if not figure.actions:
        return "unknown"
    asked = {a.split()[0] for a in question.actions}
    if any(a.split()[0] in asked for a in figure.actions):
        return "same"
    if any(
        similarity(a, b) >= ACTION_SIMILARITY for a in question.actions[:2] for b in figure.actions
    ):
        return "similar"
    return "other"


def _subject_overlap(figure: Figure, question: Question) -> bool:
    """Whether the figure's sentence shares a content word of the question's subject."""
    words = set(tokenize(" ".join(question.subject)))
    return bool(words & set(tokenize(figure.sentence.text)))


def nearest_to_question(figures: Sequence[Figure], question: Question) -> list[Figure]:
    """Of answers that share a sentence, those whose own stretch of it says most of what the
    question asks: "teenagers consume nine hours of media a day, while tweens consume six
    hours" answers "how many hours do teenagers consume" with nine only. A stretch runs halfway
    to the figures on either side; figures written together ("10 to 12 feet", "101 meters (330
    feet)") share one. Equal stretches keep all."""
    asked = set(
        tokenize(
            " ".join((*question.subject, *question.modifiers, *question.actions))
            + " "
            + (question.noun or "")
        )
    )
    own = set(tokenize(question.text + " " + (question.noun or "")))
    by_sentence: dict[tuple[str, int], list[Figure]] = {}
    for figure in figures:
        by_sentence.setdefault((figure.doc_id, figure.sentence.start), []).append(figure)
    kept: list[Figure] = []
    for members in by_sentence.values():
        text, base = members[0].sentence.text, members[0].sentence.start
        clusters: list[list[tuple[int, int]]] = []
        for span in sorted({(f.start - base, f.end - base) for f in members}):
            if clusters and _written_together(text[clusters[-1][-1][1] : span[0]]):
                clusters[-1].append(span)
            else:
                clusters.append([span])
        if len(clusters) < 2:
            kept.extend(members)
            continue
        cuts = [0]
        for left, right in itertools.pairwise(clusters):
            cuts.append((left[-1][1] + right[0][0]) // 2)
        cuts.append(len(text))
        # The question's own words first (a follow-up's "And tweens?"), then those it takes
        # from the questions before it.
        said: dict[tuple[int, int], tuple[int, int]] = {}
        for i, cluster in enumerate(clusters):
            words = set(tokenize(text[cuts[i] : cuts[i + 1]]))
            for span in cluster:
                said[span] = (len(own & words), len(asked & words))
        # Whose figure it is comes first, when each has its own ("tweens consume six hours":
        # the tweens'), then the words of its stretch.
        owners = [f.subject for f in members]
        whose = all(owners) and len(set(owners)) > 1
        score = {
            id(f): (
                whose and bool(own & set(tokenize(f.subject or ""))),
                *said[(f.start - base, f.end - base)],
            )
            for f in members
        }
        best = max(score.values())
        # A part named after "including" is no rival of the count it is part of.
        kept.extend(f for f in members if f.included or score[id(f)] == best)
    return [f for f in figures if f in kept]


def _written_together(gap: str) -> bool:
    """Whether the text between two figures only joins them: a range ("to", "-"), a conversion
    ("meters (") or an alternative ("or")."""
    rest = _JOINING_WORDS.sub(" ", UNIT_PHRASE.sub(" ", gap))
    return not re.search(r"[a-z]", rest, re.IGNORECASE)


_JOINING_WORDS = re.compile(r"\b(?:to|and|or|about|some|roughly)\b", re.IGNORECASE)


def subject_weight(
    figure: Figure, question: Question, context: str, weight: Callable[[str], float]
) -> float:
    """How much of what the question is about the figure's sentence holds: the weight (e.g.
    IDF) of the question's subject and action terms it contains, plus half the weight of
    those only ``context`` (the sentences before it) holds."""
    asked = set(tokenize(" ".join((*question.subject, *question.actions))))
    own = asked & set(tokenize(figure.sentence.text))
    nearby = (asked & set(tokenize(context))) - own
    return sum(weight(t) for t in own) + 0.5 * sum(weight(t) for t in nearby)


def _sentence_words(figure: Figure) -> set[str]:
    """The sentence's words, lower case, hyphenated names split ("Mazar-i-Sharif")."""
    return {w.strip(".,;:!?\"'()“”‘’").lower() for w in re.split(r"[\s-]+", figure.sentence.text)}


def _per_matches(figure: Figure, per: str) -> bool:
    """ "$121 a share" for "how much per share"."""
    after = figure.sentence.text[figure.end - figure.sentence.start :][:40].lower()
    words = after.replace(",", " ").split()
    return any(
        words[i] in ("a", "an", "per", "each") and words[i + 1].rstrip("s") == per
        for i in range(min(3, len(words) - 1))
    )
