"""Which of a story's figures answer a question, and which are only related.

Each figure is first classified on its own (``retrieval.matching.classify``). The answers are then
narrowed in steps, each moving those that answer less well to the related figures: figures that
share a sentence keep the one beside the asked words, an age keeps to the person asked about, a
measure keeps to the sentences that say most about the question's subject, figures that say the
asked action beat those that say none, and an exact count beats a vague one beside it. Two steps
widen instead, and only when nothing answers: "how long" takes a length when no duration answers,
and a count of exactly the asked thing answers whatever its verb when the articles count that
thing one or two ways only.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from corpus import Sentence
from index import tokenize
from retrieval.figures import Figure
from retrieval.matching import (
    Role,
    Similarity,
    classify,
    counts_asked_thing,
    nearest_to_question,
    off_place,
    off_time,
    says_action,
    subject_weight,
)
from retrieval.measures import Dimension
from retrieval.question import Question
from retrieval.reconcile import group_figures

# A measure answers when its sentence says at least this share of what the best one says about
# the question's subject (weighted by IDF): both reports of "the front line", not a passing
# mention of another length.
MEASURE_SHARE = 0.75
# At most this many values (compatible values counted once) of the asked thing answer a count
# question when no count says the asked action.
MAX_UNVERBED_VALUES = 2

Figures = list[Figure]


@dataclass(frozen=True)
class Context:
    """What the steps need besides the figures: the question, the similarity of two phrases,
    an article's date, a term's weight (IDF), and the text just before a sentence."""

    asked: Question
    similarity: Similarity
    date_of: Callable[[str], str | None]
    term_weight: Callable[[str], float]
    before: Callable[[Sentence], str]

    def elsewhere(self, figure: Figure) -> bool:
        """Whether the figure is about another time or place than the question."""
        return off_time(figure, self.asked, self.date_of(figure.doc_id)) or off_place(
            figure, self.asked
        )


def choose(candidates: Sequence[Figure], context: Context) -> tuple[Figures, Figures]:
    """(the figures that answer, the related ones), each best first."""
    answers, related = _classified(candidates, context)
    if not answers:
        answers, related = _wider_measure(candidates, related, context)
    for step in (_nearest, _own_age, _unverbed, _about_subject, _saying_action, _again, _exact):
        answers, related = step(answers, related, context)
    return answers, related


def _classified(candidates: Sequence[Figure], context: Context) -> tuple[Figures, Figures]:
    answers: Figures = []
    related: Figures = []
    for figure in candidates:
        role = classify(figure, context.asked, context.similarity)
        if role is Role.ANSWER and context.elsewhere(figure):
            role = Role.RELATED
        if role is Role.ANSWER:
            answers.append(figure)
        elif role is Role.RELATED and not figure.parts:
            related.append(figure)
    return answers, related


def _wider_measure(
    candidates: Sequence[Figure], related: Figures, context: Context
) -> tuple[Figures, Figures]:
    """ "How long was the delay?": a length answers only when no duration does."""
    asked = context.asked
    if asked.also is None:
        return [], related
    wider = replace(asked, dimension=asked.also, also=None)
    answers = [
        f
        for f in candidates
        if classify(f, wider, context.similarity) is Role.ANSWER and not context.elsewhere(f)
    ]
    return answers, [f for f in related if f not in answers]


def _nearest(answers: Figures, related: Figures, context: Context) -> tuple[Figures, Figures]:
    """Of answers sharing a sentence, those beside the asked words ("teenagers consume nine
    hours ..., while tweens consume six")."""
    near = nearest_to_question(answers, context.asked)
    return near, [f for f in answers if f not in near] + related


def _own_age(answers: Figures, related: Figures, context: Context) -> tuple[Figures, Figures]:
    """ "How old is Sarah Silverman?": her age, not that of the man named beside her. Not
    "Michael Sheen's daughter": the age of someone else the name owns."""
    asked = context.asked
    if asked.dimension is not Dimension.AGE or not answers:
        return answers, related
    named = [n for n in asked.names if n in asked.text and not _possessive(asked.text, n)]
    person = set(tokenize(named[0])) if named else set()
    own = [f for f in answers if f.subject and person & set(tokenize(f.subject))]
    if not own:
        return answers, related
    return own, [f for f in answers if f not in own] + related


def _unverbed(answers: Figures, related: Figures, context: Context) -> tuple[Figures, Figures]:
    """No count says the asked action. When the articles count the asked thing one way only
    ("11.5 million documents", "more than 11 million documents"), that count answers whatever
    its verb; counted several ways ("one person pulled from the rubble", "14 people
    hospitalised"), the verb is what tells them apart."""
    if answers or not context.asked.actions:
        return answers, related
    same = [
        f
        for f in related
        if counts_asked_thing(f, context.asked, context.similarity) and not context.elsewhere(f)
    ]
    if not same or len(group_figures(same)) > MAX_UNVERBED_VALUES:
        return answers, related
    return same, [f for f in related if f not in same]


def _about_subject(answers: Figures, related: Figures, context: Context) -> tuple[Figures, Figures]:
    """A measure (or a count asked without a verb) answers when its sentence, or the two
    before it, says nearly as much about the question's subject as the best one does."""
    asked = context.asked
    if not answers or (asked.dimension is Dimension.COUNT and asked.actions):
        return answers, related
    overlap = {
        id(f): subject_weight(f, asked, context.before(f.sentence), context.term_weight)
        for f in answers
    }
    enough = max(overlap.values()) * MEASURE_SHARE
    return _moved(answers, related, lambda f: overlap[id(f)] >= enough)


def _saying_action(answers: Figures, related: Figures, context: Context) -> tuple[Figures, Figures]:
    """A figure whose sentence says the asked action is a better answer than one whose
    sentence says nothing of what was done ("129 people" beside "25 people were injured"); an
    action other than the asked one is no such evidence."""
    asked = context.asked
    if not asked.actions or not any(says_action(f, asked, context.similarity) for f in answers):
        return answers, related
    return _moved(answers, related, lambda f: bool(f.actions))


def _again(answers: Figures, related: Figures, context: Context) -> tuple[Figures, Figures]:
    """Another report of a value that answers, however it is worded ("11.5 million documents
    posted"), supports it: same value, same noun."""
    kept = {(f.value, f.noun, f.unit) for f in answers if f.noun or f.unit}
    if not kept:
        return answers, related
    again = [f for f in related if (f.value, f.noun, f.unit) in kept]
    return answers + again, [f for f in related if f not in again]


def _exact(answers: Figures, related: Figures, context: Context) -> tuple[Figures, Figures]:
    """ "hundreds of drones" beside "539 drones": context, not another count."""
    if all(f.vague for f in answers):
        return answers, related
    return _moved(answers, related, lambda f: not f.vague)


def _moved(
    answers: Figures, related: Figures, keep: Callable[[Figure], bool]
) -> tuple[Figures, Figures]:
    """(the answers ``keep`` accepts, the rest of them before the related figures)."""
    return [f for f in answers if keep(f)], [f for f in answers if not keep(f)] + related


def _possessive(text: str, name: str) -> bool:
    """Whether ``name`` is written as an owner in ``text`` ("Michael Sheen's daughter")."""
    if name.endswith(("'s", "’s")):
        return True
    at = text.find(name) + len(name)
    return text[at : at + 2] in ("'s", "’s")
