"""Figures: the quantities a sentence states, read from its dependency parse.

For each number (``retrieval.numbers``) the parse gives what it counts (the noun it modifies, with
that noun's modifiers: "11.5 million documents", "two cruise missiles", "one of the workers"),
what it measures (a unit from the registry in ``retrieval.measures``: "2,700 km", "$5 billion",
"56 percent", "a 23-year-old"), the actions it takes part in (the verb governing it, or a
participle or relative clause on its noun: "41 people were evacuated" is 41 -> people ->
evacuate; "25 people injured in the crash were taken to hospital" is both injure and take), who is
credited ("said", "according to"), and the places and dates the sentence names.

Nothing here knows any one story's words: only English grammar, the units of the registry and the
verbs of attribution.
"""

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from corpus import Sentence
from corpus.nlp import parse
from retrieval.claims import claims
from retrieval.measures import UNIT_PHRASE, Dimension, Unit, base_value, unit_of
from retrieval.numbers import Number, Qualifier, find_numbers

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Verbs that credit a claim to someone: they say who stated a figure, not what it measures.
ATTRIBUTION_VERBS = frozenset(
    "say tell report announce add state claim confirm note write estimate accord quote "
    "insist explain warn reveal disclose".split()
)
# Verbs that list things ("including two cruise missiles"): the action is the clause's above.
LIST_VERBS = frozenset("include comprise contain number total".split())
# Verbs too light to say what a figure measures.
LIGHT_VERBS = frozenset("be do have get".split())
# Words the parse can put where an action stands that say nothing of what is measured.
NOT_ACTIONS = frozenset("old much many aged age".split())
# A sentence may hold a figure only if it has a digit or an English number word (a cheap test
# before ``find_numbers``, so that sentences without a number are never parsed).
_MAY_HOLD_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|dozens?|scores|an?\s+\w+)\b",
    re.IGNORECASE,
)
_NOUNS = frozenset({"NOUN", "PROPN"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod"})
_NUMBER_DEPS = frozenset({"nummod", "amod", "compound", "quantmod", "nmod", "appos"})
# Heads a number's counted noun can hang from without being counted by them.
_MAX_CLIMB = 8
_CURRENCY_SIGNS = frozenset({"$", "US$", "€", "£", "¥"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


@dataclass(frozen=True)
class Figure:
    """A quantity stated in a sentence of an article.

    ``start``/``end`` locate ``text`` (the number as written, with its qualifier) in the article;
    ``sentence`` is the whole sentence, the quote a citation gives. ``dimension`` and ``unit``
    come from the registry (a count has no unit). ``noun`` is the lemma of what a count counts
    ("document", "people"; None when the sentence leaves it out: "23 were wounded"), with its
    ``modifiers`` ("cruise"); ``subject`` is what a measure or an elided count is of ("front
    line", "death toll", "missile" for "the missile flew 2,700 km"). ``actions`` are the verb
    phrases it takes part in, nearest first ("injure", "take"; "leave homeless", "shoot down").
    ``whole`` marks a total quoted for comparison ("10" in "six of the city's 10 districts");
    ``coordinated`` marks a count listed with the one before it ("539 drones and 11 missiles").
    ``parts`` holds the listed counts a total adds up.
    """

    doc_id: str
    start: int
    end: int
    text: str
    value: float
    qualifier: Qualifier
    low: float
    high: float
    dimension: Dimension
    unit: Unit | None
    noun: str | None
    modifiers: tuple[str, ...]
    subject: str | None
    actions: tuple[str, ...]
    claimant: str | None
    whole: bool
    coordinated: bool
    places: tuple[str, ...]
    dates: tuple[str, ...]
    sentence: Sentence
    phrase: str = ""
    parts: tuple["Figure", ...] = ()
    included: bool = False

    @property
    def action(self) -> str | None:
        """The nearest action, or None."""
        return self.actions[0] if self.actions else None

    @property
    def thing(self) -> str | None:
        """What the figure is of: a count's noun (with its modifiers), else the unit's name."""
        if self.unit is not None:
            return self.unit.name
        if self.noun is None:
            return None
        return " ".join((*self.modifiers, self.noun))

    @property
    def counts(self) -> str:
        """The words for what is measured: "cruise missile", "front line", "death toll"."""
        if self.dimension is Dimension.COUNT:
            return self.thing or self.subject or ""
        return self.subject or ""

    def in_base_units(self, value: float) -> float:
        """``value`` of this figure's unit in base units (metres, seconds, kilograms)."""
        return base_value(value, self.unit)

    @property
    def vague(self) -> bool:
        """ "Hundreds of drones": an order of magnitude, not a number."""
        return self.qualifier is Qualifier.VAGUE


def extract_figures(sentence: Sentence) -> list[Figure]:
    """Every figure ``sentence`` states, in order, then the totals of listed parts."""
    return read_figures([sentence])


def read_figures(sentences: Iterable[Sentence]) -> list[Figure]:
    """The figures of ``sentences`` (parsed in one batch; those without a number are not
    parsed at all), sentence by sentence, in order."""
    candidates = [s for s in sentences if may_hold_figure(s.text)]
    figures: list[Figure] = []
    texts = (parse_form(s.text) for s in candidates)
    for sentence, doc in zip(candidates, parse(texts), strict=True):
        figures.extend(figures_of(sentence, doc))
    return figures


def may_hold_figure(text: str) -> bool:
    """Whether a sentence states a number (``find_numbers``): only those are parsed and read for
    figures, as ``figures_of`` finds none in the others."""
    return _MAY_HOLD_NUMBER.search(text) is not None and bool(find_numbers(text))


def parse_form(text: str) -> str:
    """The text as it is parsed: a curly apostrophe ("the city’s") confuses the parser, and the
    straight one has the same length, so every offset stays the same."""
    return text.replace("’", "'")


def figures_of(sentence: Sentence, doc: "Doc") -> list[Figure]:
    """The figures of one parsed sentence, then the totals of the counts it lists."""
    text = sentence.text
    said = claims(text)
    places = tuple(
        dict.fromkeys(e.text for e in doc.ents if e.label_ in _PLACE_LABELS and _is_where(e.root))
    )
    dates = tuple(dict.fromkeys(e.text for e in doc.ents if e.label_ in ("DATE", "TIME")))
    figures: list[Figure] = []
    anchors: list[Token | None] = []
    numbers = find_numbers(text)
    units = [_unit(text, number) for number in numbers]
    for i in range(len(numbers) - 2, -1, -1):
        # "10 to 12 feet", "12 to 14 per cent": the first end of a range has the second's unit.
        between = text[numbers[i].end : numbers[i + 1].number_start]
        if (
            units[i][0] is None
            and units[i + 1][0] is not None
            and numbers[i].qualifier is not Qualifier.VAGUE
            and _RANGE_JOIN.fullmatch(between)
        ):
            units[i] = (units[i + 1][0], numbers[i].end)
    for number, (unit, unit_end) in zip(numbers, units, strict=True):
        root = _number_token(doc, number)
        noun = _counted(root) if root is not None else None
        if noun is not None and root is not None and noun.i == root.i:
            noun = None  # "Thousands fled": the amount itself, its noun left out
        if noun is not None and noun.lemma_.lower() in ("other", "others"):
            noun = None  # "at least 26 others": the noun of the clause before, left out
        if unit is None and noun is not None and noun.ent_type_ in ("DATE", "TIME"):
            noun = None  # "rose to at least six Friday": a day is never what is counted
        measured = noun
        if unit is not None and noun is not None and _is_unit_token(noun, unit):
            # "2,700 km": the noun is the unit; what is measured is what the unit hangs on.
            measured = noun
            noun = None
        if unit is None and root is not None and _is_appositive_age(root, number):
            unit, noun = unit_of("year-old"), None  # "Mr Durov, 33, added"
        dimension = unit.dimension if unit is not None else Dimension.COUNT
        anchor = measured if measured is not None else root
        actions = _actions(anchor) if anchor is not None else ()
        subject = _subject(anchor, unit is not None) if anchor is not None else None
        if unit is not None and unit.dimension is Dimension.AGE and root is not None:
            subject = _age_owner(root, number.end) or subject  # whose age: "Michael Sheen, 49"
        whole = _is_whole(root)
        included = root is not None and _is_included(root)
        coordinated = (
            noun is not None
            and noun.dep_ == "conj"
            and any(a is not None and noun.head.i == a.i for a in anchors)
        )
        written = _written(text, number, noun, unit_end)
        figures.append(
            Figure(
                doc_id=sentence.doc_id,
                start=sentence.start + number.start,
                end=sentence.start + number.end,
                text=number.text,
                value=number.value,
                qualifier=number.qualifier,
                low=number.low,
                high=number.high,
                dimension=dimension,
                unit=unit,
                noun=_listed_lemma(noun)
                if noun is not None and dimension is Dimension.COUNT
                else None,
                modifiers=_modifiers(noun) if noun is not None else (),
                subject=subject,
                actions=actions,
                claimant=said.at(number.start),
                whole=whole,
                coordinated=coordinated,
                places=places,
                dates=dates,
                sentence=sentence,
                phrase=written,
                included=included,
            )
        )
        anchors.append(noun)
    return figures + _totals(figures)


_RANGE_JOIN = re.compile(r"\s*(?:to|and|or|-|–)\s*|-|–")


def _is_where(token: "Token") -> bool:
    """Whether a sentence is about a place it names: where something happens ("in Moscow
    region", "at the port of Odesa"), whose people or things it counts ("Kyiv's officials"), or
    who acts ("Russia launched"); not where someone comes from ("two men from Myanmar") or a
    target ("launched against Ukraine")."""
    if token.dep_ in ("poss", "nsubj", "nsubjpass"):
        return True  # "Kyiv's officials", "Russia launched": the clause is about that place
    for _ in range(6):
        if token.dep_ in ("compound", "amod", "nmod", "appos", "conj") and token.head != token:
            token = token.head
        elif token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head != token.head:
            token = token.head.head  # "the eastern city of Pokrovsk": where the city is
        else:
            break
    return token.dep_ == "pobj" and token.head.lower_ in _LOCATIVE


_LOCATIVE = frozenset("in at near outside inside across over around throughout on into".split())


def _unit(text: str, number: Number) -> tuple[Unit | None, int]:
    """The unit of ``number`` and where its written form ends (relative to ``text``)."""
    if number.unit == "%":
        return unit_of("%"), number.end
    if number.unit in _CURRENCY_SIGNS:
        after = text[number.end :]
        # "$5 billion" is dollars; "HK$" and "US$" say which dollar, as the sign does.
        return unit_of(number.unit.replace("US", "")), number.end + _len_currency_word(after)
    if number.unit is not None:
        return unit_of(number.unit), number.end  # "620-mile", "seven-hour", "23-year-old"
    if number.qualifier is Qualifier.VAGUE:
        return None, number.end
    after = text[number.end :]
    match = re.match(r"[ \t]?(?:" + UNIT_PHRASE.pattern + ")", after, re.IGNORECASE)
    if match is None:
        return None, number.end
    return unit_of(" ".join(match.group().split())), number.end + match.end()


def _len_currency_word(after: str) -> int:
    match = re.match(r"[ \t]+(?:dollars?|euros?)\b", after, re.IGNORECASE)
    return match.end() if match else 0


def _number_token(doc: "Doc", number: Number) -> "Token | None":
    """The token that heads the number's words ("million" in "11.5 million")."""
    span = doc.char_span(number.number_start, number.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    numeric = [t for t in span if t.like_num or t.pos_ == "NUM"]
    return span.root if not numeric else max(numeric, key=lambda t: _depth_rank(t, span))


def _depth_rank(token: "Token", span: Iterable["Token"]) -> int:
    """Tokens whose head lies outside the span head it: rank them first."""
    inside = {t.i for t in span}
    return 1 if token.head.i not in inside or token.head.i == token.i else 0


def _counted(token: "Token") -> "Token | None":
    """The noun a number counts or measures: its head through number compounds ("11.5
    million documents"), or the noun after "of" ("one of the workers")."""
    current = token
    for _ in range(3):
        if current.dep_ in ("compound", "quantmod", "nummod") and current.head.pos_ == "NUM":
            current = current.head
        else:
            break
    if (
        (current.dep_ in _NUMBER_DEPS or (current.dep_ == "det" and current.lower_ in ("a", "an")))
        and current.head.pos_ in _NOUNS
        and current.head != current
    ):
        return current.head
    for child in current.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objects = [c for c in child.children if c.dep_ == "pobj" and c.pos_ in _NOUNS]
            if objects:
                return objects[0]
    if current.pos_ in _NOUNS and current.lemma_.lower() not in ("%",):
        return current  # "thousands" read as a noun, or a number tagged as a noun
    return None


def _is_appositive_age(token: "Token", number: Number) -> bool:
    """ "Pavel Durov, 33, said", "the Hollywood star, 36, and": a whole number set off by
    commas right after a person's name or a noun is that person's age (a newspaper
    convention)."""
    if not (0 < number.value < 120 and number.value == int(number.value)):
        return False
    if number.qualifier is not Qualifier.EXACT or token.dep_ not in ("appos", "npadvmod", "nummod"):
        return False
    if token.i < token.head.i:
        return False  # "33 people": a count before its noun
    head = token.head
    before = token.nbor(-1) if token.i > 0 else None
    after = token.nbor(1) if token.i + 1 < len(token.doc) else None
    # A person named ("Mr Durov, 33,") or described ("The Hollywood star, 36,"); never a
    # place, an organisation or a date.
    described = head.tag_ == "NN" and head.ent_type_ == ""
    return (
        (head.ent_type_ == "PERSON" or described)
        and before is not None
        and before.text == ","
        and (after is None or after.text in (",", ".", ";"))
    )


def _is_unit_token(token: "Token", unit: Unit) -> bool:
    return unit_of(token.text, after_number=True) == unit or token.lower_ in unit.words


def _actions(anchor: "Token") -> tuple[str, ...]:
    """The verb phrases ``anchor`` (a counted noun, a unit, or the number) takes part in:
    participles and relative clauses on it first, then the verb that governs it."""
    found: list[str] = []
    numeric = {t.i for t in anchor.subtree if t.like_num or t.pos_ == "NUM"} | {anchor.i}
    for child in anchor.children:
        if child.dep_ in ("acl", "relcl") and child.pos_ in ("VERB", "AUX"):
            found.append(_verb_phrase(child))
        elif child.dep_ in ("amod",) and child.tag_ in ("VBN", "VBG"):
            found.append(_verb_phrase(child))  # "the injured people", "the missing hikers"
    current = anchor
    for _ in range(_MAX_CLIMB):
        head = current.head
        if head.i == current.i:
            break
        if head.pos_ == "VERB" or (head.pos_ == "AUX" and head.dep_ != "aux"):
            if head.lemma_.lower() in ATTRIBUTION_VERBS:
                break
            if head.pos_ == "VERB":
                if head.lemma_.lower() in LIST_VERBS:
                    # "including two cruise missiles": the list's clause says the action.
                    current = head
                    continue
                if head.lemma_.lower() not in LIGHT_VERBS:
                    found.append(_verb_phrase(head))
                # "taken to hospital with serious injuries": the state is an action too.
                found.extend(
                    noun_lemma(obj)
                    for prep in head.children
                    if prep.dep_ == "prep" and prep.lower_ == "with"
                    for obj in prep.children
                    if obj.dep_ == "pobj" and obj.pos_ == "NOUN"
                )
                break
            # A copula: "59 were dead", "the toll is 59": its complement is the action.
            complements = [c for c in head.children if c.dep_ in ("acomp", "attr") and c != current]
            found.extend(c.lemma_.lower() for c in complements if c.pos_ in ("ADJ", "VERB"))
            break
        if (
            current.dep_ == "pobj"
            and head.lower_ == "of"
            and head.head.pos_ in _NOUNS
            and head.head.i not in numeric
            and not head.head.like_num
            and find_numbers(head.head.text) == []
        ):
            # "the leak of 11.5 million documents": the noun names the action.
            found.append(head.head.lemma_.lower())
        current = head
    if anchor.head.pos_ == "ADJ" and anchor.dep_ in ("npadvmod", "nsubj"):
        found.append(anchor.head.lemma_.lower())
    return tuple(dict.fromkeys(a for a in found if a and a not in NOT_ACTIONS))


def _verb_phrase(verb: "Token") -> str:
    """A verb's lemma with its particle and predicate adjective: "shoot down", "leave
    homeless"."""
    words = [verb.lemma_.lower()]
    for child in verb.children:
        if child.dep_ == "prt":
            words.append(child.lower_)
    for child in verb.children:
        if child.dep_ in ("acomp", "oprd") and child.pos_ == "ADJ":
            words.append(child.lemma_.lower())
    return " ".join(words)


def _subject(anchor: "Token", is_measure: bool) -> str | None:
    """What a measure (or an uncounted number) is of: the noun the unit modifies ("620-mile
    front line"), the noun after "of" ("300 tons of rubble"), or the subject of the verb that
    governs it ("the missile flew 2,700 km", "the death toll rose to 59")."""
    if is_measure and anchor.dep_ in _NUMBER_DEPS and anchor.head.pos_ in _NOUNS:
        return _noun_phrase(anchor.head)
    for child in anchor.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objects = [c for c in child.children if c.dep_ == "pobj" and c.pos_ in _NOUNS]
            if objects:
                return _noun_phrase(objects[0])
    current = anchor
    for _ in range(_MAX_CLIMB):
        head = current.head
        if head.i == current.i:
            return None
        if head.pos_ in ("VERB", "AUX"):
            if head.lemma_.lower() in ATTRIBUTION_VERBS or current.dep_ in ("nsubj", "nsubjpass"):
                return None
            subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subjects and subjects[0].pos_ in _NOUNS:
                return _noun_phrase(subjects[0])
            if subjects and subjects[0].dep_ == "nsubj" and head.dep_ == "relcl":
                return _noun_phrase(head.head) if head.head.pos_ in _NOUNS else None
            return None
        current = head
    return None


def _age_owner(token: "Token", end: int) -> str | None:
    """Whose age a number is: the name or noun it is set off after ("Sarah Silverman, 47") or
    describes ("the 19-year-old Dutchman"); ``end`` is where the age's own words end."""
    current = token
    for _ in range(5):
        if current.head.i == current.i:
            return None
        current = current.head
        if current.pos_ in _NOUNS and not token.idx <= current.idx < end:
            return _noun_phrase(current)
    return None


def _noun_phrase(noun: "Token") -> str:
    return " ".join((*_modifiers(noun), noun_lemma(noun)))


def _modifiers(noun: "Token") -> tuple[str, ...]:
    """The words narrowing a noun ("cruise" missiles, "work" trains), lower case, in order."""
    return tuple(
        c.lower_
        for c in noun.lefts
        if c.dep_ in _MODIFIER_DEPS
        and c.pos_ in ("NOUN", "PROPN", "ADJ")
        and not c.like_num
        and unit_of(c.text, after_number=False) is None  # "620-mile pipeline"
        and not any(g.like_num or g.dep_ == "nummod" for g in c.children)
        and (c.i == 0 or c.nbor(-1).text != "-")
    )


def _listed_lemma(noun: "Token") -> str:
    """ "550 drones and missiles" counts both: "drone and missile". A listed noun with a
    number of its own ("539 drones and 11 missiles") is a count of its own."""
    listed = [
        c
        for c in noun.children
        if c.dep_ == "conj"
        and c.pos_ in _NOUNS
        and not _has_own_amount(c)
        and not (noun.tag_ == "NNS" and c.tag_ == "NN")  # "buildings and infrastructure"
    ]
    return " and ".join(noun_lemma(t) for t in (noun, *listed))


def _has_own_amount(noun: "Token") -> bool:
    """Whether a listed noun comes with an amount of its own: a number before it ("more than
    100 Hellfire missiles"), a quantifier ("several cafés"), or is itself an amount ("hundreds
    of drones")."""
    if noun.lower_ in _AMOUNT_WORDS:
        return True
    before = [t for t in noun.subtree if t.i < noun.i]
    return any(t.like_num or t.lower_ in _AMOUNT_WORDS for t in before)


# Words that give a noun an amount of its own when listed after a count.
_AMOUNT_WORDS = frozenset(
    "several many some numerous few dozens hundreds thousands millions scores".split()
)


def noun_lemma(noun: "Token") -> str:
    """A noun's dictionary form: "documents" -> "document", "people" -> "person",
    "Americans" -> "american" (spaCy keeps plural proper nouns as written)."""
    lemma = noun.lemma_.lower()
    if not (lemma.isalpha() or "-" in lemma):
        lemma = noun.lower_
    if noun.tag_ == "NNPS" and lemma.endswith("s") and not lemma.endswith("ss"):
        lemma = lemma[:-1]
    return _IRREGULAR_PLURALS.get(lemma, lemma)


# English plurals whose lemma spaCy keeps as the plural.
_IRREGULAR_PLURALS = {"people": "person"}


def _is_included(token: "Token") -> bool:
    """ "at least 26 others, including a child": the child is one of the 26, a part of the
    count before it, not another count of the same thing."""
    current = token
    for _ in range(4):
        head = current.head
        if head.i == current.i:
            return False
        if head.lower_ in ("including", "includes", "include") and head.i < token.i:
            return head.head.i != head.i and head.head.i < head.i
        current = head
    return False


def _is_whole(root: "Token | None") -> bool:
    """ "six of the city's 10 districts": 10 is the whole the six are part of (its noun hangs
    on the "of" of another number), not six (whose own "of" it is)."""
    if root is None:
        return False
    noun = _counted(root)
    if noun is None or noun.dep_ != "pobj" or noun.head.lower_ != "of":
        return False
    part = noun.head.head
    return part.i != root.i and (part.like_num or part.pos_ == "NUM")


def _written(text: str, number: Number, noun: "Token | None", unit_end: int) -> str:
    """The figure with its noun or unit as written: "two cruise missiles", "2,700 km"."""
    end = max(number.end, unit_end)
    if noun is not None:
        last = max(
            (c for c in noun.children if c.dep_ == "conj" and c.pos_ in _NOUNS),
            key=lambda c: c.i,
            default=noun,
        )
        if any(g.dep_ == "nummod" or g.like_num for g in last.children):
            last = noun  # "539 drones and 11 missiles": the second count has its own noun
        noun_end = last.idx + len(last.text)
        if number.end <= noun_end <= number.end + 60:
            end = max(end, noun_end)
    return text[number.start : end]


def _totals(figures: Sequence[Figure]) -> list[Figure]:
    """Counts listed together for one action add up to a total: "539 drones and 11
    missiles" is also 550 drones and missiles."""
    totals = []
    for first, second in itertools.pairwise(figures):
        if (
            second.coordinated
            and first.dimension is Dimension.COUNT
            and second.dimension is Dimension.COUNT
            and first.noun != second.noun
            and set(first.actions) & set(second.actions)
            and not first.vague
            and not second.vague
        ):
            sentence = first.sentence
            end = sentence.start + _phrase_end(second)
            written = sentence.text[first.start - sentence.start : end - sentence.start]
            totals.append(
                replace(
                    first,
                    end=end,
                    text=written,
                    value=first.value + second.value,
                    qualifier=first.qualifier
                    if first.qualifier == second.qualifier
                    else Qualifier.EXACT,
                    low=first.low + second.low,
                    high=first.high + second.high,
                    noun=f"{first.noun} and {second.noun}",
                    modifiers=(),
                    phrase=written,
                    parts=(first, second),
                )
            )
    return totals


def _phrase_end(figure: Figure) -> int:
    return figure.start - figure.sentence.start + len(figure.phrase)
