"""What a question asks, read from its parse: the measure (dimension, counted noun, actions), the
answer type of a who/where/when question, and what it names.

"How many people were evacuated?" asks for a count of people, action evacuate. "How much did the
tax overhaul cost Goldman Sachs?" asks for money (the registry's cue "how much ... cost"), action
cost. "How far did the missile fly?" asks for a length. "Who was the driver?" asks for a person.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from corpus.nlp import pipeline
from index import tokenize
from retrieval.figures import NOT_ACTIONS, noun_lemma
from retrieval.measures import (
    AMOUNT_QUESTION,
    NUMERIC_QUESTION,
    ORDINAL_NOUNS,
    Dimension,
    Unit,
    also_asked,
    asked_dimension,
    unit_of,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# The entity labels that answer each question word.
ANSWER_TYPES: dict[str, frozenset[str]] = {
    "who": frozenset({"PERSON", "ORG", "NORP"}),
    "whom": frozenset({"PERSON", "ORG", "NORP"}),
    "whose": frozenset({"PERSON", "ORG"}),
    "where": frozenset({"GPE", "LOC", "FAC"}),
    "when": frozenset({"DATE", "TIME"}),
}
# "Which company", "what country": the noun after the question word says the type.
_NOUN_TYPES: dict[str, frozenset[str]] = {
    "company": frozenset({"ORG"}),
    "firm": frozenset({"ORG"}),
    "organization": frozenset({"ORG"}),
    "organisation": frozenset({"ORG"}),
    "agency": frozenset({"ORG"}),
    "country": frozenset({"GPE"}),
    "city": frozenset({"GPE"}),
    "town": frozenset({"GPE"}),
    "state": frozenset({"GPE"}),
    "nation": frozenset({"GPE", "NORP"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "day": frozenset({"DATE"}),
    "date": frozenset({"DATE"}),
    "year": frozenset({"DATE"}),
    "month": frozenset({"DATE"}),
    "time": frozenset({"TIME"}),  # "at what time": a clock time, not the day
    "person": frozenset({"PERSON"}),
    "man": frozenset({"PERSON"}),
    "woman": frozenset({"PERSON"}),
}
_ANY_NAME = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART"})
_LIGHT_VERBS = frozenset("be do have get".split())
_FOLLOW_UP = re.compile(
    r"^\s*(?:and|what about|how about|also|then)\b|\b(?:of them|they|them|those|it|its|this|"
    r"that|these)\b",
    re.IGNORECASE,
)
_WHICH = re.compile(r"\b(?:on|in|at|during|after|by)\s+(?:which|what)\s+([a-z]+)\b", re.I)
# "How much", "how low": any measure may answer, whatever its unit.
_HOW_MUCH = re.compile(r"\bhow\s+(?:much|low|little|small|big|large)\b", re.IGNORECASE)
_PER = re.compile(r"\b(?:per|each)\s+([a-z]+)\b")


@dataclass(frozen=True)
class Question:
    """A question, analysed.

    ``numeric``: it asks for a quantity, of ``dimension`` (or of ``also``: "how long" asks for
    a duration or a length); ``unit`` when it names one ("how many
    miles"). ``noun`` (lemma) and ``modifiers``: what a count counts ("cruise missiles").
    ``actions``: the verb phrases it asks about ("evacuate", "cost"). ``subject``: the other
    content words, lemmas ("tax overhaul", "goldman sachs"). ``per``: a rate's denominator ("per
    share"). ``answer_type``: entity labels that answer a who/where/when/which question.
    ``names``: the named entities it mentions. ``terms``: its index terms.
    """

    text: str
    numeric: bool
    dimension: Dimension | None
    also: Dimension | None
    unit: Unit | None
    noun: str | None
    modifiers: tuple[str, ...]
    actions: tuple[str, ...]
    subject: tuple[str, ...]
    per: str | None
    answer_type: frozenset[str]
    names: tuple[str, ...]
    terms: tuple[str, ...]
    wording: str = ""
    places: tuple[str, ...] = ()

    @property
    def has_measure(self) -> bool:
        """Whether the question names something figures can be matched against."""
        return (
            (self.numeric and self.dimension is None and bool(self.subject))
            or self.noun is not None
            or bool(self.actions)
            or (self.dimension is not None and self.dimension is not Dimension.COUNT)
        )

    @property
    def thing(self) -> str | None:
        """The counted noun with its modifiers, or the asked unit's name."""
        if self.noun is not None:
            return " ".join((*self.modifiers, self.noun))
        return self.unit.name if self.unit is not None else None

    @property
    def action(self) -> str | None:
        """The main action asked about."""
        return self.actions[0] if self.actions else None

    def describe(self) -> str:
        """The measure in the question's own words: "people injured", "the money the tax
        overhaul cost", "the length"."""
        if self.wording and (self.noun is not None or self.dimension is Dimension.COUNT):
            return self.wording
        if self.dimension not in (None, Dimension.COUNT):
            return f"the {self.dimension.value}"
        if self.numeric and self.dimension is None and self.subject:
            return "the amount of " + " ".join(self.subject[:2])
        return "figures"


def analyse(text: str, history: Sequence[str] = ()) -> Question:
    """Analyse ``text``; ``history`` holds the conversation's earlier questions, oldest first,
    whose measure a follow-up ("And how many were killed?") inherits."""
    question = _analyse(text, pipeline()(text))
    for earlier in reversed(history):
        question = _inherit(question, _analyse(earlier, pipeline()(earlier)))
    return question


def _analyse(text: str, doc: "Doc") -> Question:
    amount = not NUMERIC_QUESTION.search(text) and bool(AMOUNT_QUESTION.search(text))
    numeric = amount or bool(NUMERIC_QUESTION.search(text))
    which = _WHICH.search(text)
    if which and which.group(1).lower() not in ORDINAL_NOUNS:
        which = None  # "In which city": a place, not a number
    dimension = asked_dimension(text) if numeric else None
    noun_token = _asked_noun(doc) if numeric else None
    if numeric and noun_token is None and which is not None:
        # "On which lap was the race stopped?": the lap's number is asked.
        noun_token = next((t for t in doc if t.idx == which.start(1)), None)
    if not numeric and not any(t.pos_ in ("VERB", "AUX") for t in doc):
        # "And drones?": a follow-up that names only what to count now.
        noun_token = next((t for t in doc if t.pos_ in ("NOUN", "PROPN")), None)
    unit = None
    if noun_token is not None:
        unit = unit_of(noun_token.text, after_number=False)
        if unit is not None:
            dimension = dimension or unit.dimension  # "how many miles", "how many hours"
            noun_token = None
    if numeric and dimension is None and not amount and not _HOW_MUCH.search(text):
        dimension = Dimension.COUNT
    # "How much rubble was removed?" names no unit: any measure (a mass, a volume) may answer,
    # and the dimension stays None.
    if dimension is not None and dimension is not Dimension.COUNT and noun_token is not None:
        noun_token = None  # "how much money": the cue says money; the noun is no count
    actions = _actions(doc, noun_token)
    names = tuple(dict.fromkeys(e.text for e in doc.ents if e.label_ not in ("CARDINAL",)))
    skip = {noun_token.i} if noun_token is not None else set()
    subject = tuple(
        dict.fromkeys(
            t.lemma_.lower()
            for t in doc
            if t.pos_ in ("NOUN", "PROPN", "ADJ")
            and t.i not in skip
            and t.lower_ not in ("many", "much", "how")
            and unit_of(t.text, after_number=False) is None
        )
    )
    per = _PER.search(text.lower()[text.lower().find("much") :]) if "much" in text.lower() else None
    return Question(
        text=text,
        numeric=numeric,
        dimension=dimension,
        also=also_asked(text) if numeric and unit is None else None,
        unit=unit,
        noun=_coordinated_lemma(noun_token) if noun_token is not None else None,
        modifiers=tuple(
            c.lower_
            for c in (noun_token.lefts if noun_token is not None else ())
            if c.dep_ in ("compound", "amod", "nmod") and c.lower_ not in ("many", "much")
        )
        + _manner(doc),
        actions=actions,
        subject=subject,
        per=per.group(1).rstrip("s") if per and per.group(1) not in ("lot", "bit") else None,
        answer_type=_answer_type(doc) if not numeric else frozenset(),
        names=names,
        terms=tuple(tokenize(text)),
        wording=_wording(doc, noun_token),
        places=_places(doc),
    )


def _places(doc: "Doc") -> tuple[str, ...]:
    """The places a question names: its GPE/LOC/FAC entities, or a proper noun after "in",
    "at", "near" or "outside" that the tagger left unlabelled ("injured in Kyiv")."""
    found = [e.text for e in doc.ents if e.label_ in ("GPE", "LOC", "FAC")]
    for token in doc:
        if (
            token.pos_ == "PROPN"
            and token.dep_ == "pobj"
            and token.head.lower_ in ("in", "at", "near", "outside")
            and token.ent_type_ not in ("GPE", "LOC", "FAC", "DATE", "TIME")
        ):
            names = [t.i for t in token.subtree if t.pos_ == "PROPN"]
            found.append(doc[min(names) : max(names) + 1].text)  # "Mazar-i-Sharif" as written
    return tuple(dict.fromkeys(found))


def _manner(doc: "Doc") -> tuple[str, ...]:
    """Adverbs of manner on the question's verbs: "seriously" injured, "critically" ill."""
    return tuple(
        t.lower_
        for t in doc
        if t.dep_ == "advmod" and t.head.pos_ == "VERB" and t.lower_.endswith("ly")
    )


def _wording(doc: "Doc", noun: "Token | None") -> str:
    """The counted noun and its verb as the question writes them: "people injured", "cruise
    missiles shot down"."""
    if noun is None:
        verbs = [t for t in doc if t.pos_ == "VERB" and t.lemma_.lower() not in _LIGHT_VERBS]
        return f"the number {verbs[-1].text}" if verbs else ""  # "the number killed"
    words = [
        c.text
        for c in noun.lefts
        if c.dep_ in ("compound", "amod") and c.lower_ not in ("many", "much")
    ]
    words.append(noun.text)
    for child in noun.conjuncts:
        words.extend(["and", child.text])
    verb = noun.head if noun.head.pos_ == "VERB" else None
    if verb is None:
        verbs = [t for t in noun.doc if t.pos_ == "VERB" and t.lemma_.lower() not in _LIGHT_VERBS]
        verb = verbs[-1] if verbs else None
    if verb is not None and verb.lemma_.lower() not in _LIGHT_VERBS:
        words.append(verb.text)
        words.extend(c.text for c in verb.children if c.dep_ == "prt")
    return " ".join(words)


def _asked_noun(doc: "Doc") -> "Token | None":
    """The noun after "how many" / "number of" / "what number of"."""
    for token in doc:
        if token.lower_ == "many" and token.head.pos_ in ("NOUN", "PROPN") and token.head != token:
            return token.head
        if token.lower_ == "many" and token.head.pos_ == "AUX":
            # "How many of them were crew members?": the copula's complement is counted.
            complements = [c for c in token.head.children if c.dep_ == "attr" and c.pos_ == "NOUN"]
            if complements:
                return complements[0]
        if token.lower_ in ("number", "toll", "total"):
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    objects = [c for c in child.children if c.dep_ == "pobj"]
                    if objects:
                        return objects[0]
    return None


def _actions(doc: "Doc", noun: "Token | None") -> tuple[str, ...]:
    """The question's verb phrases, the one governing its counted noun first."""
    found: list[str] = []
    if noun is not None:
        for child in noun.children:
            if child.dep_ in ("acl", "relcl") and child.pos_ == "VERB":
                found.append(_verb_phrase(child))
        head = noun.head
        if noun.dep_ == "pobj" and head.head.pos_ == "VERB":
            head = head.head  # "At how many sites did debris fall?"
        if head.pos_ == "VERB" and head.lemma_.lower() not in _LIGHT_VERBS:
            found.append(_verb_phrase(head))
    for token in doc:
        if (
            token.pos_ == "VERB"
            and token.lemma_.lower() not in _LIGHT_VERBS
            and token.dep_ != "amod"  # "intercepted drones" describes the drones
            and token.lower_ != "according"  # "according to reports" says who, not what
            and not _in_background_clause(token)
        ):
            found.append(_verb_phrase(token))
        elif token.pos_ == "ADJ" and token.dep_ in ("acomp", "oprd") and token.head.pos_ == "AUX":
            found.append(token.lemma_.lower())  # "how many were missing"
    return tuple(dict.fromkeys(a for a in found if a.split()[0] not in NOT_ACTIONS))


def _in_background_clause(token: "Token") -> bool:
    """Whether ``token`` sits in a clause that sets the scene ("... when it struck the
    bridge", "... after the attack began"): its verb says when, not what is counted."""
    current = token
    for _ in range(6):
        if current.dep_ in ("advcl", "relcl"):
            return True
        if current.head.i == current.i:
            return False
        current = current.head
    return False


def _verb_phrase(verb: "Token") -> str:
    words = [verb.lemma_.lower()]
    words.extend(c.lower_ for c in verb.children if c.dep_ == "prt")
    words.extend(
        c.lemma_.lower() for c in verb.children if c.dep_ in ("acomp", "oprd") and c.pos_ == "ADJ"
    )
    return " ".join(words)


def _answer_type(doc: "Doc") -> frozenset[str]:
    """The entity labels that answer a who/where/when/which question (empty for others)."""
    for token in doc[:4]:
        word = token.lower_
        if word in ANSWER_TYPES:
            return ANSWER_TYPES[word]
        if word in ("which", "what") and token.head.pos_ == "NOUN":
            asked = token.head
            if asked.lemma_.lower() in _NOUN_TYPES:
                return _NOUN_TYPES[asked.lemma_.lower()]
            # "Which Apple executive", "which NASA astronaut": a role within something named
            # is held by someone named; "which embassy" asks for no name.
            named = any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in asked.lefts)
            return _ANY_NAME if named else frozenset()
    for token in doc:
        if token.lower_ in ("who", "where", "when") and token.i < 8:
            return ANSWER_TYPES[token.lower_]
    # The parser may miss "which city" as one phrase: the word after "which" says the type.
    for token in doc[:-1]:
        if token.lower_ in ("which", "what"):
            following = token.nbor(1)
            noun = following.lemma_.lower()
            if noun in _NOUN_TYPES:
                return _NOUN_TYPES[noun]
            if following.pos_ in ("NOUN", "PROPN"):
                # "Which ballpark", "which Apple executive": some named thing or person.
                return _ANY_NAME
    return frozenset()


def _coordinated_lemma(token: "Token") -> str:
    """ "drones and missiles" -> "drone and missile": a count of both together."""
    joined = [c for c in token.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN")]
    return " and ".join(noun_lemma(t) for t in (token, *joined))


def _inherit(question: Question, earlier: Question) -> Question:
    """Fill what a follow-up leaves out from the question before it: "And how many were
    killed?" after "How many people were injured?" asks for people killed."""
    follow_up = bool(_FOLLOW_UP.search(question.text)) or not question.has_measure
    if not follow_up or question.answer_type:
        return question  # "Who was the driver?" after a count asks for a person
    numeric = question.numeric or earlier.numeric
    return replace(
        question,
        numeric=numeric,
        dimension=question.dimension or earlier.dimension,
        also=question.also if question.dimension else earlier.also,
        unit=question.unit or earlier.unit,
        noun=question.noun or earlier.noun,
        modifiers=question.modifiers or earlier.modifiers,
        actions=question.actions or earlier.actions,
        subject=question.subject + earlier.subject,
        names=question.names + tuple(n for n in earlier.names if n not in question.names),
        places=question.places or earlier.places,
        wording=question.wording or earlier.wording,
        terms=question.terms + earlier.terms,
    )
