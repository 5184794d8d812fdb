"""Which seed figures answer a question, which are related, and which are beside the point; and
the story's own places, months and side that tell a side story from the main one."""

import pytest
from seeds import ARTICLES, figure

from corpus import Sentence
from retrieval import analyse, extract_figures
from retrieval.focus import Focus
from retrieval.matching import Role, classify, is_vague

FOCUS = Focus.of(ARTICLES)

MISSILES = "How many missiles were launched?"
KILLED = "How many people were killed?"
POKROVSK = "How many people were killed around Pokrovsk?"
CRUISE_DOWN = "How many cruise missiles were shot down?"
CRUISE_LAUNCHED = "How many cruise missiles were launched?"
UKRAINIAN_DOWN = "How many Ukrainian drones were intercepted?"
DRONES_DOWN = "How many drones were intercepted?"
JUNE = "How many drones were launched in June?"
DISTRICTS = "How many districts were damaged?"
BOMBARDMENT = "How long did the bombardment last?"
FRONT_LINE = "How long is the front line?"
RUBBLE = "How much rubble was removed?"

ANSWER, RELATED, NONE = Role.ANSWER, Role.RELATED, Role.NONE


def test_the_story_is_in_july_and_the_attacker_is_russian() -> None:
    # Two articles are dated 2025-07-04 and most name July.
    assert FOCUS.months == frozenset({"jul"})
    assert FOCUS.side == "Russian"


@pytest.mark.parametrize(
    ("month", "expected"), [("July", True), ("Jul", True), ("June", False), ("May", False)]
)
def test_focus_months(month: str, expected: bool) -> None:
    assert FOCUS.is_focus_month(month) is expected


@pytest.mark.parametrize(
    ("place", "expected"),
    [("Kyiv", True), ("Pokrovsk", False), ("Moscow region", False), ("Rostov region", False)],
)
def test_focus_places(place: str, expected: bool) -> None:
    # The story's places are those at least three of the five articles name.
    assert FOCUS.is_focus_place(place) is expected


@pytest.mark.parametrize(
    ("question", "doc", "words", "text", "role"),
    [
        # Four articles say 11 missiles were launched.
        (MISSILES, "000", "also launched 11 missiles", "11", ANSWER),
        (MISSILES, "002", "The barrage, according to", "11", ANSWER),
        (MISSILES, "003", "a total of 539 drones and 11 missiles", "11", ANSWER),
        (MISSILES, "004", "fired a total of 550", "11", ANSWER),
        # Missiles, but those that hit.
        (MISSILES, "000", "successfully hit eight locations", "nine", RELATED),
        # Launched, but drones and missiles together: wider than what was asked.
        (MISSILES, "000", "Russia launched 550 drones", "550", RELATED),
        (MISSILES, "002", "The barrage, according to", "539 drones and 11 missiles", RELATED),
        # Launched, but drones, and in June.
        (MISSILES, "004", "June saw a record", "5,438", RELATED),
        # Missiles launched, but in June: not the story's month.
        (MISSILES, "004", "June saw a record", "over 330", RELATED),
        (MISSILES, "000", "killed one person and wounded", "one", NONE),
        # "six of the city's 10 districts": 10 is quoted for comparison.
        (MISSILES, "003", "six of the city’s 10 districts", "10", NONE),
        (KILLED, "000", "killed one person and wounded", "one", ANSWER),
        (KILLED, "001", "1 person was killed", "1", ANSWER),
        (KILLED, "004", "KYIV, July 4", "one", ANSWER),
        # Killed, but around Pokrovsk, in Russia, or in the whole war.
        (KILLED, "003", "killed five people in and around", "five", RELATED),
        (KILLED, "002", "a woman was killed", "a", RELATED),
        (KILLED, "003", "thousands of civilians", "thousands", RELATED),
        (KILLED, "000", "killed one person and wounded", "at least 26", RELATED),
        (KILLED, "003", "six of the city’s 10 districts", "10", NONE),
        (POKROVSK, "003", "killed five people in and around", "five", ANSWER),
        (POKROVSK, "000", "killed one person and wounded", "one", RELATED),
        (CRUISE_DOWN, "000", "shot down 270 targets", "two", ANSWER),
        (CRUISE_DOWN, "000", "shot down 270 targets", "270", RELATED),
        # "cruise" is asked and "11 missiles" does not say it.
        (CRUISE_LAUNCHED, "000", "also launched 11 missiles", "11", RELATED),
        (UKRAINIAN_DOWN, "001", "48 Ukrainian drones", "48", ANSWER),
        (UKRAINIAN_DOWN, "003", "478 Russian air weapons", "478", RELATED),
        # Ukrainian drones are not the story's attackers unless asked for.
        (DRONES_DOWN, "001", "48 Ukrainian drones", "48", RELATED),
        (JUNE, "004", "June saw a record", "5,438", ANSWER),
        (JUNE, "002", "The barrage, according to", "539", RELATED),
        (DISTRICTS, "003", "six of the city’s 10 districts", "six", ANSWER),
        (DISTRICTS, "003", "six of the city’s 10 districts", "10", NONE),
    ],
)
def test_counts(question: str, doc: str, words: str, text: str, role: Role) -> None:
    assert classify(figure(doc, words, text), analyse(question), FOCUS) is role


@pytest.mark.parametrize(
    ("question", "doc", "words", "text", "role"),
    [
        (BOMBARDMENT, "000", "The seven-hour bombardment", "seven-hour", ANSWER),
        (BOMBARDMENT, "004", "which lasted seven hours", "seven", ANSWER),
        (BOMBARDMENT, "000", "620-mile front line", "roughly 620-mile", NONE),
        (FRONT_LINE, "000", "620-mile front line", "roughly 620-mile", ANSWER),
        (FRONT_LINE, "004", "1,000-kilometer front line", "1,000-kilometer", ANSWER),
        (FRONT_LINE, "000", "The seven-hour bombardment", "seven-hour", NONE),
        (FRONT_LINE, "000", "Russia launched 550 drones", "550", NONE),
        (MISSILES, "000", "The seven-hour bombardment", "seven-hour", NONE),
        (RUBBLE, "000", "Five ambulances were damaged", "more than 300", ANSWER),
        (RUBBLE, "004", "more than 300 tons of debris", "more than 300", ANSWER),
    ],
)
def test_measures(question: str, doc: str, words: str, text: str, role: Role) -> None:
    assert classify(figure(doc, words, text), analyse(question), FOCUS) is role


def test_deaths_in_another_city_named_first_are_a_side_story() -> None:
    text = "In Kharkiv, five people were killed."
    [five] = extract_figures(Sentence("kharkiv", 0, len(text), text))
    assert classify(five, analyse(KILLED), FOCUS) is RELATED


def test_the_same_deaths_named_last_are_a_side_story() -> None:
    text = "Five people were killed in Kharkiv."
    [five] = extract_figures(Sentence("kharkiv", 0, len(text), text))
    assert classify(five, analyse(KILLED), FOCUS) is RELATED


@pytest.mark.parametrize(
    ("doc", "words", "text", "expected"),
    [
        ("003", "thousands of civilians", "thousands", True),
        ("004", "fired a total of 550", "hundreds", True),
        ("000", "Russia launched 550 drones", "550", False),
        ("000", "killed one person and wounded", "at least 26", False),
    ],
)
def test_vague_figures(doc: str, words: str, text: str, expected: bool) -> None:
    assert is_vague(figure(doc, words, text)) is expected
