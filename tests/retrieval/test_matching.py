"""Which figures answer a question, which are related, and which are beside the point: by
dimension, then by the counted noun and the actions, each compared by lemma first and then by the
similarity of the two words (a fake similarity here: a table of word pairs)."""

import pytest
from made_up import figure, figures

from retrieval import analyse
from retrieval.matching import (
    ACTION_SIMILARITY,
    NOUN_SIMILARITY,
    Role,
    Similarity,
    classify,
    nearest_to_question,
    off_place,
    off_time,
    says_action,
)

ANSWER, RELATED, NONE = Role.ANSWER, Role.RELATED, Role.NONE
LISTED = "Russia launched 539 drones and 11 missiles overnight."
TOGETHER = "Russia launched 550 drones and missiles overnight."

EVACUATED = "How many people were evacuated?"
INJURED = "How many people were injured?"
VICTIMS = "How many victims were there?"
MISSILES = "How many missiles were launched?"
DRONES = "How many drones were launched?"
BOTH = "How many drones and missiles were launched?"
CRUISE_DOWN = "How many cruise missiles were shot down?"
DISTRICTS = "How many districts lost power?"
FLY = "How far did the missile fly?"
FRONT_LINE = "How long is the front line?"
COST = "How much did the tax overhaul cost Goldman Sachs?"
WORTH = "How much is the deal worth?"
PER_SHARE = "How much did the company pay per share?"
PIPELINE_MILES = "How many miles long is the pipeline?"
DRIVER_AGE = "How old was the driver?"
RUBBLE = "How much rubble was removed?"
TURNOUT = "What percentage of voters turned out?"


def similar(*pairs: tuple[str, str, float]) -> Similarity:
    """A similarity of single words that knows only ``pairs`` (either way round) and gives 0
    for every other pair."""
    for a, b, _ in pairs:
        if len(a.split()) != 1 or len(b.split()) != 1:
            raise ValueError(f"the table holds single words, not {a!r} and {b!r}")
    table = {frozenset((a, b)): score for a, b, score in pairs}

    def similarity(a: str, b: str) -> float:
        return table.get(frozenset((a, b)), 0.0)

    return similarity


UNRELATED = similar()


def all_similar(a: str, b: str) -> float:
    """A similarity that finds any two words the same."""
    return 1.0


# --- counts: the same noun and action, by lemma ---------------------------------------------


@pytest.mark.parametrize(
    ("question", "text", "written", "role"),
    [
        # The same noun and action, by lemma ("people" is "person" on both sides): no
        # similarity needed.
        (EVACUATED, "41 people were evacuated from the building after the fire.", "41", ANSWER),
        (INJURED, "Police said 12 people were injured in the crash.", "12", ANSWER),
        (MISSILES, LISTED, "11", ANSWER),
        # The noun left out: the same action answers.
        (INJURED, "One man died and 23 were injured.", "23", ANSWER),
        (INJURED, "One man died and 23 were injured.", "One", NONE),
        # The same noun, another action: a neighbouring measure.
        (INJURED, "41 people were evacuated from the building.", "41", RELATED),
        # The same action, another noun.
        (MISSILES, LISTED, "539", RELATED),
        (EVACUATED, "About 120 residents were evacuated.", "About 120", RELATED),
        # Neither.
        (EVACUATED, "Police arrested 30 protesters.", "30", NONE),
        # A word that narrows the noun must be said.
        (CRUISE_DOWN, "Air defences shot down two cruise missiles and 40 drones.", "two", ANSWER),
        (CRUISE_DOWN, "Air defences shot down 11 missiles.", "11", RELATED),
        # "six of the city's 10 districts": 10 is quoted for comparison, never an answer.
        (DISTRICTS, "Six of the city's 10 districts lost power.", "Six", ANSWER),
        (DISTRICTS, "Six of the city's 10 districts lost power.", "10", NONE),
    ],
)
def test_counts_by_lemma(question: str, text: str, written: str, role: Role) -> None:
    assert classify(figure(text, written), analyse(question), UNRELATED) is role


# --- counts: another noun or another action, by similarity -----------------------------------


@pytest.mark.parametrize(
    ("score", "role"),
    [
        (1.0, ANSWER),
        (NOUN_SIMILARITY, ANSWER),
        (NOUN_SIMILARITY - 0.01, RELATED),  # the same action keeps it related
        (0.0, RELATED),
    ],
)
def test_a_similar_noun_with_the_same_action_answers(score: float, role: Role) -> None:
    # "residents" for "people": the lemmas differ, the meaning does not.
    found = figure("About 120 residents were evacuated.", "About 120")
    similarity = similar(("person", "resident", score))
    assert classify(found, analyse(EVACUATED), similarity) is role


@pytest.mark.parametrize(
    ("question", "text", "written"),
    [
        # Another action: a neighbouring measure, however close the nouns.
        (EVACUATED, "About 120 residents were injured.", "About 120"),
        # No action to agree on: a noun only close in meaning is not enough.
        (VICTIMS, "The storm killed 30 residents.", "30"),
    ],
)
def test_a_similar_noun_without_the_same_action_is_only_related(
    question: str, text: str, written: str
) -> None:
    similarity = similar(("person", "resident", 1.0), ("victim", "resident", 1.0))
    assert classify(figure(text, written), analyse(question), similarity) is RELATED


@pytest.mark.parametrize(
    ("score", "role"),
    [
        (1.0, ANSWER),
        (ACTION_SIMILARITY, ANSWER),
        (ACTION_SIMILARITY - 0.01, RELATED),  # the same noun keeps it related
        (0.0, RELATED),
    ],
)
def test_a_similar_action_with_the_same_noun_answers(score: float, role: Role) -> None:
    # "hurt" for "injured".
    found = figure("Police said 30 people were hurt in the blast.", "30")
    similarity = similar(("injure", "hurt", score))
    assert classify(found, analyse(INJURED), similarity) is role


@pytest.mark.parametrize(
    ("score", "role"),
    [
        (1.0, ANSWER),
        (ACTION_SIMILARITY, ANSWER),
        # Nothing left to compare: no noun, and another action.
        (ACTION_SIMILARITY - 0.01, NONE),
        (0.0, NONE),
    ],
)
def test_a_count_without_its_noun_answers_by_a_similar_action(score: float, role: Role) -> None:
    found = figure("One man died and 23 were hurt.", "23")
    similarity = similar(("injure", "hurt", score))
    assert classify(found, analyse(INJURED), similarity) is role


def test_a_similar_noun_and_a_similar_action_are_only_related() -> None:
    # Two steps from the question: "residents hurt" for "people injured".
    found = figure("About 30 residents were hurt in the blast.", "About 30")
    similarity = similar(("person", "resident", 1.0), ("injure", "hurt", 1.0))
    assert classify(found, analyse(INJURED), similarity) is RELATED


# --- counts: a total and its parts ------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "text", "written", "role"),
    [
        # A count of both together answers a question for both together...
        (BOTH, LISTED, "539 drones and 11 missiles", ANSWER),
        (BOTH, TOGETHER, "550", ANSWER),
        # ... and never a question for one of them, nor one of them a question for both,
        # however similar the words: the same action keeps them related.
        (MISSILES, LISTED, "539 drones and 11 missiles", RELATED),
        (DRONES, TOGETHER, "550", RELATED),
        (BOTH, LISTED, "539", RELATED),
        (BOTH, LISTED, "11", RELATED),
    ],
)
def test_a_total_and_its_parts_never_answer_each_other(
    question: str, text: str, written: str, role: Role
) -> None:
    assert classify(figure(text, written), analyse(question), all_similar) is role


# --- measures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "text", "written", "role"),
    [
        # The same action.
        (FLY, "The missile flew 2,700 km before it crashed.", "2,700", ANSWER),
        (COST, "The tax overhaul cost Goldman Sachs $5 billion in the fourth quarter.",
         "$5 billion", ANSWER),
        # No action in the question or none in the figure: the subject's words decide.
        (FRONT_LINE, "The 620-mile front line is quiet.", "620-mile", ANSWER),
        (FRONT_LINE, "The pipeline runs 1,000 km to the coast.", "1,000", NONE),
        (FLY, "The missile's range is 2,700 km.", "2,700", ANSWER),
        (WORTH, "The deal is worth $5 billion.", "$5 billion", ANSWER),
        (DRIVER_AGE, "The driver was 47 years old.", "47 years old", ANSWER),
        # Another action, about the question's subject: sums are reported with many verbs.
        (COST, "Goldman Sachs paid $2 billion for the startup.", "$2 billion", ANSWER),
        # Another action about something else.
        (COST, "Apple paid $2 billion for the startup.", "$2 billion", NONE),
        (FLY, "The pipeline runs 1,000 km to the coast.", "1,000", NONE),
        # Another dimension is never an answer, whatever its words.
        (FLY, "The missile flight lasted seven hours.", "seven", NONE),
        (FLY, "Police arrested 30 protesters.", "30", NONE),
        (COST, "Goldman Sachs cut 300 jobs.", "300", NONE),
        # A rate answers "per share"; the whole price does not.
        (PER_SHARE, "The company paid $121 a share for the startup.", "$121", ANSWER),
        (PER_SHARE, "The company paid $2.1 billion for the startup.", "$2.1 billion", RELATED),
        # A length in kilometres answers "how many miles".
        (PIPELINE_MILES, "The pipeline runs 1,000 km to the coast.", "1,000", ANSWER),
        (PIPELINE_MILES, "The strike lasted seven hours.", "seven", NONE),
    ],
)  # fmt: skip
def test_measures(question: str, text: str, written: str, role: Role) -> None:
    assert classify(figure(text, written), analyse(question), UNRELATED) is role


@pytest.mark.parametrize(
    ("score", "role"),
    [
        (1.0, ANSWER),
        (ACTION_SIMILARITY, ANSWER),
        (ACTION_SIMILARITY - 0.01, NONE),
        (0.0, NONE),
    ],
)
def test_a_measure_answers_by_a_similar_action(score: float, role: Role) -> None:
    # "travelled" for "fly", in a sentence that does not name the missile.
    found = figure("It travelled 2,700 km before it crashed.", "2,700")
    similarity = similar(("fly", "travel", score))
    assert classify(found, analyse(FLY), similarity) is role


@pytest.mark.parametrize(
    ("text", "written", "role"),
    [
        # "How much rubble" names no unit: a mass or a volume answers...
        ("Crews removed more than 300 tons of rubble.", "more than 300", ANSWER),
        ("Crews removed 5,000 cubic metres of rubble.", "5,000", ANSWER),
        # ... a count never, whatever its words.
        ("Crews removed 40 truckloads of rubble.", "40", NONE),
        ("Crews removed rubble from 40 buildings.", "40", NONE),
    ],
)
def test_how_much_of_a_mass_noun_is_answered_by_a_measure_not_a_count(
    text: str, written: str, role: Role
) -> None:
    question = analyse(RUBBLE)
    assert (question.numeric, question.dimension) == (True, None)
    assert classify(figure(text, written), question, all_similar) is role


def test_a_question_for_no_quantity_is_answered_by_no_figure() -> None:
    found = figure("Five ambulances were damaged.", "Five")
    assert classify(found, analyse("Which embassy was damaged?"), all_similar) is NONE


# --- figures about another time -------------------------------------------------------------

IN_JUNE = "In June, rebels fired 900 rockets at the city."
OVERNIGHT = "Rebels fired 40 rockets at the city overnight."
ROCKETS = "How many rockets were fired?"


@pytest.mark.parametrize(
    ("text", "written", "question", "article_date", "expected"),
    [
        # A monthly total quoted in a report of a later month.
        (IN_JUNE, "900", ROCKETS, "2024-08-10", True),
        # Even the month before the article's is another time: a report early in July that
        # quotes June's total is not about the night it reports.
        (IN_JUNE, "900", ROCKETS, "2024-07-02", True),
        ("In December, rebels fired 900 rockets.", "900", ROCKETS, "2025-01-05", True),
        # The article's own month, and an undated article, are in scope.
        (IN_JUNE, "900", ROCKETS, "2024-06-30", False),
        ("In December, rebels fired 900 rockets.", "900", ROCKETS, "2024-12-28", False),
        (IN_JUNE, "900", ROCKETS, None, False),
        # An abbreviated month is a month.
        ("In Sept. 2024, rebels fired 900 rockets.", "900", ROCKETS, "2024-06-20", True),
        # The question's month decides when it names one.
        (IN_JUNE, "900", "How many rockets were fired in June?", "2024-08-10", False),
        (IN_JUNE, "900", "How many rockets were fired in July?", "2024-07-02", True),
        # A sentence that names no month is about its article's time.
        (OVERNIGHT, "40", ROCKETS, "2024-08-10", False),
        (OVERNIGHT, "40", "How many rockets were fired in June?", "2024-08-10", False),
    ],
)
def test_figures_about_another_month(
    text: str, written: str, question: str, article_date: str | None, expected: bool
) -> None:
    assert off_time(figure(text, written), analyse(question), article_date) is expected


@pytest.mark.parametrize(
    "question",
    ["How many marines were killed?", "How many people did the mayor say were killed?"],
)
def test_words_that_begin_like_a_month_name_no_month(question: str) -> None:
    # "marines" is not March, nor "mayor" May: the figure's June is its article's month.
    found = figure("In June, 12 marines were killed in the attack.", "12")
    assert not off_time(found, analyse(question), "2024-06-20")
    # Against a question that does name another month, the same figure is off time.
    assert off_time(found, analyse(question.replace("?", " in July?")), "2024-06-20")


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("The star, 36, welcomed their son on December 31.", "36"),
        ("Bitcoin fell as low as $5,967, the lowest level since Nov. 13.", "$5,967"),
    ],
)
def test_a_month_with_a_day_dates_one_event_not_another_period(text: str, written: str) -> None:
    # The day before a report in January is often in December: the figure is of that event.
    found = [f for f in figures(text) if f.text == written]
    assert found and not off_time(found[0], analyse("How old is she?"), "2018-01-02")


def test_a_month_alone_names_another_period() -> None:
    found = figure("In December, Russia launched 5,438 drones at Ukraine.", "5,438")
    assert off_time(found, analyse(DRONES), "2025-01-04")


# --- figures about another place ------------------------------------------------------------

KYIV_INJURED = "How many people were injured in Kyiv?"


@pytest.mark.parametrize(
    ("question", "text", "written", "expected"),
    [
        # The sentence names another place, and not the asked one.
        (KYIV_INJURED, "In Kharkiv, five people were injured.", "five", True),
        (KYIV_INJURED, "Strikes on Lviv injured 12 people overnight.", "12", True),
        # The asked place, alone or among others, and in any case.
        (KYIV_INJURED, "Five people were injured in Kyiv.", "Five", False),
        (KYIV_INJURED, "Strikes injured 12 people in Kyiv and Lviv.", "12", False),
        # A sentence naming no place may be about the asked one: the sentence before says.
        (KYIV_INJURED, "Five people were injured.", "Five", False),
        # A question naming no place asks about every place.
        (INJURED, "In Kharkiv, five people were injured.", "five", False),
        # A place the tagger labels, after "near".
        ("How many were killed near Lviv?", "In Kharkiv, five people were killed.", "five",
         True),
    ],
)  # fmt: skip
def test_figures_about_another_place(
    question: str, text: str, written: str, expected: bool
) -> None:
    assert off_place(figure(text, written), analyse(question)) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Five people were injured in the Kyiv Oblast, Ukraine said.", False),  # within it
        ("Five people were injured in KYIV, Ukraine said.", False),
        ("Five people were injured in the Kharkiv Oblast, Ukraine said.", True),
    ],
)
def test_a_place_named_with_the_asked_one_is_the_same_place(text: str, expected: bool) -> None:
    """The asked place's words anywhere in the sentence keep a figure, however the tagger
    labels the places; a sentence naming only other places is about another place."""
    found = figure(text, "Five")
    assert found.places, "the sentence must name a place for the rule to apply"
    assert off_place(found, analyse(KYIV_INJURED)) is expected


# --- how a question's verb is qualified -----------------------------------------------------

SERIOUSLY = "How many people were seriously injured?"


@pytest.mark.parametrize(
    ("question", "text", "written", "role"),
    [
        (SERIOUSLY, "Three people were seriously injured in the blast.", "Three", ANSWER),
        (SERIOUSLY, "Three were seriously injured in the blast.", "Three", ANSWER),
        # The adverb compared by stem: "serious" condition says "seriously" injured.
        ("How many were seriously injured?",
         "Three people were injured, all of them in serious condition.", "Three", ANSWER),
        # A count that does not say how is another count of the same people.
        (SERIOUSLY, "Twelve people were injured in the blast.", "Twelve", RELATED),
        (SERIOUSLY, "Three people were critically injured.", "Three", RELATED),
        (SERIOUSLY, "One man died and 23 were injured.", "23", RELATED),
        # Without the adverb, any count of the injured answers.
        (INJURED, "Three people were seriously injured in the blast.", "Three", ANSWER),
    ],
)  # fmt: skip
def test_an_adverb_of_manner_must_be_said(
    question: str, text: str, written: str, role: Role
) -> None:
    assert classify(figure(text, written), analyse(question), UNRELATED) is role


# --- known bugs -----------------------------------------------------------------------------


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="retrieval bug: the question's subject keeps 'old' (How old was the driver?), and "
    "'23-year-old' holds the word, so any age in a sentence answers whoever it is of",
)
def test_the_age_of_someone_else_does_not_answer() -> None:
    found = figure("A 23-year-old passenger was hurt.", "23-year-old")
    assert classify(found, analyse(DRIVER_AGE), UNRELATED) is not ANSWER


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="retrieval bug: a measure without an action is compared only by the words of the "
    "question's subject, so 'Turnout was 56 percent' never answers 'what percentage of voters "
    "turned out', however similar 'turn out' and 'turnout' are",
)
def test_a_measure_named_by_a_noun_answers_the_action_it_names() -> None:
    found = figure("Turnout was 56 percent, the election commission said.", "56")
    assert classify(found, analyse(TURNOUT), all_similar) is ANSWER


def test_an_adverb_of_manner_is_compared_by_stem_beside_a_counted_noun() -> None:
    found = figure("Three people were injured, all of them in serious condition.", "Three")
    assert classify(found, analyse(SERIOUSLY), UNRELATED) is ANSWER


def test_a_place_whose_name_holds_the_asked_letters_is_another_place() -> None:
    found = figure("The storm killed 12 people in Romania on Sunday.", "12")
    assert off_place(found, analyse("How many people were killed in Oman?"))


def test_the_actor_a_question_names_is_no_place() -> None:
    """ "launched against Ukraine" names the target, not where the drones were counted."""
    found = figure("The air force said 539 drones were launched against Ukraine.", "539")
    assert not off_place(found, analyse("How many drones did Russia launch?"))


def test_a_count_included_in_another_is_a_part_not_a_rival_value() -> None:
    """ "26 others, including a child": the child does not answer "how many people"; a figure
    included under its own noun still answers for that noun."""
    child = figure("The strike injured at least 26 others, including a child.", "a")
    assert child.included
    assert classify(child, analyse("How many people were injured?"), similar()) is RELATED
    missiles = figure("Russia fired 550 drones and missiles, including 11 missiles.", "11")
    assert missiles.included
    assert classify(missiles, analyse("How many missiles were fired?"), similar()) is ANSWER


@pytest.mark.parametrize(
    ("text", "written"),
    [
        # Where people come from is not where they were counted.
        ("Its 25 crewmen, two of them from Myanmar, were allowed to leave.", "25"),
        # Nor is a hyphenated name another place when the question names it.
        (
            "Insurgents struck in Mazar-i-Sharif, Afghanistan, killing at least two people.",
            "at least two",
        ),
    ],
)
def test_a_place_that_is_not_where_the_count_was_made_is_not_another_place(
    text: str, written: str
) -> None:
    asked = analyse("How many people were killed in Mazar-i-Sharif?")
    assert not off_place(figure(text, written), asked)


# --- figures that share a sentence ----------------------------------------------------------

MEDIA = (
    "Teenagers consume an average of nine hours of media per day, while tweens consume six "
    "hours, a study found."
)


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("How many hours of media do teenagers consume per day?", ["nine"]),
        ("How many hours of media do tweens consume per day?", ["six"]),
    ],
)
def test_of_two_figures_in_a_sentence_the_one_beside_the_asked_words_answers(
    question: str, kept: list[str]
) -> None:
    answers = figures(MEDIA)
    assert [f.text for f in nearest_to_question(answers, analyse(question))] == kept


def test_figures_nothing_in_the_question_tells_apart_both_answer() -> None:
    answers = figures("Mike Hilton had three sacks while Cameron Heyward had two sacks.")
    kept = nearest_to_question(answers, analyse("How many sacks did the Steelers make?"))
    assert [f.text for f in kept] == ["three", "two"]


def test_figures_written_together_share_their_stretch() -> None:
    text = "The 101 meter (330 foot) long vessel sails out of Basel, with 12 cabins on board."
    answers = [f for f in figures(text) if f.text in ("101", "330")]
    assert len(nearest_to_question(answers, analyse("How long is the vessel?"))) == 2


def test_a_part_named_after_including_is_no_rival() -> None:
    text = "The strike wounded at least 26 people in Kyiv, including a child."
    answers = figures(text)
    kept = nearest_to_question(answers, analyse("How many children were among those injured?"))
    assert "a" in [f.text for f in kept]


@pytest.mark.parametrize(
    ("text", "written", "says"),
    [
        ("At least 23 people were injured overnight.", "At least 23", True),
        ("Officials said 23 people were wounded.", "23", True),
        ("There were 129 people on board the ship.", "129", False),
        ("The crew pulled 129 people from the water.", "129", False),
    ],
)
def test_a_figure_says_the_asked_action_or_a_close_one(text: str, written: str, says: bool) -> None:
    table = similar(("injure", "wound", ACTION_SIMILARITY + 0.05), ("injure", "pull", 0.2))
    assert says_action(figure(text, written), analyse(INJURED), table) is says
