"""Figures on the seed sentences: what each number counts, the action it measures, who claims
it, its context, totals of listed parts, and offsets that quote the article exactly."""

import math

import pytest
from seeds import ARTICLES, all_figures, article, figure, sentence

from corpus import Sentence
from retrieval import Qualifier, extract_figures
from retrieval.claims import claimant


@pytest.mark.parametrize(
    ("doc", "words", "text", "value", "thing", "action"),
    [
        ("000", "Russia launched 550 drones", "550", 550, "aerial weapon", "launched"),
        ("000", "killed one person and wounded", "one", 1, "person", "killed"),
        ("000", "killed one person and wounded", "at least 26", 26, "person", "injured"),
        ("000", "killed one person and wounded", "a", 1, "child", "injured"),
        # "23 were wounded": the noun is left out, the action says what was counted.
        ("001", "1 person was killed", "1", 1, "person", "killed"),
        ("001", "1 person was killed", "23", 23, "person", "injured"),
        ("001", "550 Russian drones", "550", 550, "aerial weapon", "launched"),
        ("001", "550 Russian drones", "475", 475, "aerial weapon", "intercepted"),
        # "hit eight locations with nine missiles and 63 drones": all three were hit.
        ("000", "successfully hit eight locations", "eight", 8, "location", "hit"),
        ("000", "successfully hit eight locations", "nine", 9, "missile", "hit"),
        ("000", "successfully hit eight locations", "63", 63, "drone", "hit"),
        # The main verb, not the participle at the end of the list.
        ("003", "nine missiles and 63 drones launched", "nine", 9, "missile", "hit"),
        ("003", "nine missiles and 63 drones launched", "63", 63, "drone", "hit"),
        # "comprised" in a sentence about a barrage: what was launched.
        ("002", "The barrage, according to", "539", 539, "drone", "launched"),
        ("002", "The barrage, according to", "11", 11, "missile", "launched"),
        # "including two cruise missiles" shares the action of the figure it belongs to.
        ("000", "shot down 270 targets", "270", 270, "aerial weapon", "intercepted"),
        ("000", "shot down 270 targets", "two", 2, "missile", "intercepted"),
        ("000", "Another 208 targets", "208", 208, "aerial weapon", "jammed"),
        ("001", "48 Ukrainian drones", "48", 48, "drone", "intercepted"),
        ("001", "four Ukrainian drones crashed", "four", 4, "drone", "crashed"),
        ("001", "four Ukrainian drones crashed", "two", 2, "person", "injured"),
        ("003", "six of the city’s 10 districts", "six", 6, "district", "damaged"),
        ("003", "six of the city’s 10 districts", "around 40", 40, "building", "damaged"),
        ("004", "June saw a record", "5,438", 5438, "drone", "launched"),
        ("004", "June saw a record", "over 330", 330, "missile", "launched"),
        ("003", "killed five people in and around", "five", 5, "person", "killed"),
        ("003", "thousands of civilians", "thousands", 2000, "person", "killed"),
        (
            "000",
            "At least 14 people were hospitalized",
            "At least 14",
            14,
            "person",
            "hospitalized",
        ),
        ("002", "a woman was killed", "a", 1, "person", "killed"),
        ("003", "home to three million people", "three million", 3e6, "person", "lived"),
        ("000", "Five ambulances were damaged", "Five", 5, "ambulance", "damaged"),
        ("000", "Five ambulances were damaged", "more than 300", 300, "ton", "removed"),
        ("000", "Debris from intercepted drones", "at least 33", 33, "location", "fell"),
        ("002", "exchange 1000 prisoners", "1000", 1000, "prisoner", "exchanged"),
        ("004", "which lasted seven hours", "seven", 7, "hour", "lasted"),
    ],
)
def test_what_a_figure_counts_and_the_action_it_measures(
    doc: str, words: str, text: str, value: float, thing: str, action: str
) -> None:
    found = figure(doc, words, text)
    assert (found.value, found.thing, found.action) == (value, thing, action)


@pytest.mark.parametrize(
    ("doc", "words", "text", "expected"),
    [
        ("000", "Russia launched 550 drones", "550", "the country’s air force"),
        ("001", "1 person was killed", "23", "Kyiv's officials"),
        ("001", "550 Russian drones", "475", "the Ukrainian Defense Ministry"),
        ("003", "nine missiles and 63 drones launched", "nine", "the military"),
        ("002", "The barrage, according to", "539", "the air force"),
        ("000", "At least 14 people were hospitalized", "At least 14", "Mayor Vitali Klitschko"),
        ("004", "14 people were hospitalized", "14", "Kyiv Mayor Vitali Klitschko"),
        ("000", "successfully hit eight locations", "nine", None),
    ],
)
def test_figures_carry_the_claimant_of_their_sentence(
    doc: str, words: str, text: str, expected: str | None
) -> None:
    assert figure(doc, words, text).claimant == expected


@pytest.mark.parametrize(
    ("doc", "words", "text", "qualifier", "low", "high"),
    [
        ("000", "killed one person and wounded", "at least 26", Qualifier.AT_LEAST, 26, math.inf),
        (
            "002",
            "at least 23 people have been injured",
            "at least 23",
            Qualifier.AT_LEAST,
            23,
            math.inf,
        ),
        ("003", "six of the city’s 10 districts", "around 40", Qualifier.ABOUT, 36, 44),
        ("001", "1 person was killed", "23", Qualifier.EXACT, 23, 23),
    ],
)
def test_figures_keep_the_qualifier_and_range_of_their_number(
    doc: str, words: str, text: str, qualifier: Qualifier, low: float, high: float
) -> None:
    found = figure(doc, words, text)
    assert (found.qualifier, found.low, found.high) == (
        qualifier,
        pytest.approx(low),
        pytest.approx(high),
    )


def test_over_330_missiles_is_more_than_330() -> None:
    found = figure("004", "June saw a record", "over 330")
    assert (found.qualifier, found.phrase) == (Qualifier.MORE_THAN, "over 330 missiles")
    assert found.low > 330


@pytest.mark.parametrize(
    ("doc", "words", "text", "side"),
    [
        ("001", "550 Russian drones", "550", "Russian"),
        # "475 them": the side of the figure "them" refers to.
        ("001", "550 Russian drones", "475", "Russian"),
        ("003", "478 Russian air weapons", "478", "Russian"),
        ("001", "48 Ukrainian drones", "48", "Ukrainian"),
        # "Russia launched 550 ...": the noun names no side.
        ("000", "Russia launched 550 drones", "550", None),
    ],
)
def test_the_side_is_read_from_the_noun(doc: str, words: str, text: str, side: str | None) -> None:
    assert figure(doc, words, text).side == side


def test_drones_and_missiles_listed_together_add_up_to_a_total() -> None:
    words = "The barrage, according to"
    drones, missiles, total = extract_figures(sentence("002", words))
    assert (drones.text, missiles.text) == ("539", "11")
    assert (total.value, total.thing, total.action, total.text) == (
        550,
        "aerial weapon",
        "launched",
        "539 drones and 11 missiles",
    )
    assert total.parts == (drones, missiles)
    assert total.claimant == "the air force"
    assert article("002").text[total.start : total.end] == "539 drones and 11 missiles"


def test_a_with_list_adds_up_to_what_hit() -> None:
    figures = extract_figures(sentence("000", "successfully hit eight locations"))
    assert [(f.text, f.value, f.thing, len(f.parts)) for f in figures] == [
        ("eight", 8, "location", 0),
        ("nine", 9, "missile", 0),
        ("63", 63, "drone", 0),
        ("nine missiles and 63 drones", 72, "aerial weapon", 2),
    ]
    assert figures[-1].parts == (figures[1], figures[2])
    assert figures[-1].action == "hit"


def test_parts_of_different_actions_add_up_to_nothing() -> None:
    # 550 launched and 475 intercepted are not a list of parts.
    figures = extract_figures(sentence("001", "550 Russian drones"))
    assert [f.text for f in figures] == ["550", "475"]


@pytest.mark.parametrize(
    ("doc", "words", "part", "whole"),
    [
        ("003", "six of the city’s 10 districts", "six", "10"),
        ("004", "at least five of the city’s 10 districts", "at least five", "10"),
    ],
)
def test_the_whole_a_part_is_quoted_against(doc: str, words: str, part: str, whole: str) -> None:
    assert figure(doc, words, part).whole is False
    quoted = figure(doc, words, whole)
    assert (quoted.whole, quoted.thing) == (True, "district")


def test_a_partitive_phrase_reaches_to_the_noun() -> None:
    found = figure("003", "six of the city’s 10 districts", "six")
    assert found.phrase == "six of the city’s 10 districts"


@pytest.mark.parametrize(
    ("doc", "words", "text", "months"),
    [
        ("004", "June saw a record", "5,438", ("June",)),
        ("003", "announced this on Friday, July 4", "539", ("July",)),
        ("000", "Russia launched 550 drones", "550", ()),
    ],
)
def test_months_a_sentence_names(doc: str, words: str, text: str, months: tuple[str, ...]) -> None:
    assert figure(doc, words, text).months == months


@pytest.mark.parametrize(
    ("doc", "words", "text", "places"),
    [
        ("003", "killed five people in and around", "five", ("Pokrovsk",)),
        (
            "001",
            "four Ukrainian drones crashed",
            "four",
            ("Moscow region", "Sergiev Posad district"),
        ),
        ("002", "a woman was killed", "a", ("Rostov region",)),
        ("001", "1 person was killed", "1", ()),
    ],
)
def test_places_a_sentence_names(doc: str, words: str, text: str, places: tuple[str, ...]) -> None:
    assert figure(doc, words, text).places == places


def test_a_place_at_the_start_of_a_sentence() -> None:
    assert figure("002", "one person was pulled from the rubble", "one").places == ("Kyiv",)


@pytest.mark.parametrize(
    ("doc", "words", "text", "cumulative"),
    [
        ("003", "thousands of civilians", "thousands", True),
        ("003", "killed five people in and around", "five", False),
        ("000", "killed one person and wounded", "one", False),
    ],
)
def test_a_whole_war_count_is_cumulative(doc: str, words: str, text: str, cumulative: bool) -> None:
    assert figure(doc, words, text).cumulative is cumulative


@pytest.mark.parametrize(
    ("doc", "words", "text", "thing", "dimension", "subject", "base"),
    [
        # 7 h * 3,600 s.
        (
            "000",
            "The seven-hour bombardment",
            "seven-hour",
            "hour",
            "duration",
            "bombardment",
            25_200,
        ),
        ("004", "which lasted seven hours", "seven", "hour", "duration", None, 25_200),
        # 620 mi * 1,609.344 m.
        (
            "000",
            "620-mile front line",
            "roughly 620-mile",
            "mile",
            "length",
            "front line",
            997_793.28,
        ),
        (
            "004",
            "1,000-kilometer front line",
            "1,000-kilometer",
            "kilometer",
            "length",
            "front line",
            1e6,
        ),
        # 300 t * 1,000 kg.
        ("004", "more than 300 tons of debris", "more than 300", "ton", "mass", "debris", 300_000),
        ("004", "23-year-old wedding", "23-year-old", "age", "age", None, 23),
        ("000", "Russia launched 550 drones", "550", "aerial weapon", "count", None, 550),
    ],
)
def test_measures_have_a_dimension_a_subject_and_base_units(
    doc: str,
    words: str,
    text: str,
    thing: str,
    dimension: str,
    subject: str | None,
    base: float,
) -> None:
    found = figure(doc, words, text)
    assert (found.thing, found.dimension) == (thing, dimension)
    if subject is not None:
        # "The seven-hour bombardment of Kyiv": the subject begins with the event.
        assert found.subject is not None
        assert found.subject.startswith(subject)
    assert found.in_base_units(found.value) == pytest.approx(base)


@pytest.mark.parametrize("doc", [a.doc_id[:3] for a in ARTICLES])
def test_every_figure_quotes_its_article_exactly(doc: str) -> None:
    text = article(doc).text
    for piece in article(doc).sentences():
        for found in extract_figures(piece):
            assert text[found.start : found.end] == found.text
            assert piece.start <= found.start < found.end <= piece.end
            assert found.sentence == piece
            assert found.doc_id == piece.doc_id


def test_the_seed_articles_state_figures() -> None:
    # A guard for the test above: it must have something to check.
    assert len(all_figures()) > 50


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ("001", "G20 leaders summit"),
        ("001", "Troy, Alabama, U.S. May 3, 2022"),
        ("000", "in Russian captivity since 2022"),
        ("004", "one of the worst so far"),
        ("002", "Will there be another one?"),
    ],
)
def test_sentences_without_counts_state_no_figures(doc: str, words: str) -> None:
    assert extract_figures(sentence(doc, words)) == []


def test_offsets_are_relative_to_the_article_not_the_sentence() -> None:
    text = "Officials said 12 people were injured."
    found = extract_figures(Sentence("x", 100, 100 + len(text), text))
    assert [(f.start, f.end, f.text, f.claimant) for f in found] == [(115, 117, "12", "Officials")]


# --- who a sentence attributes itself to ---------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "words", "expected"),
    [
        ("000", "At least 14 people were hospitalized", "Mayor Vitali Klitschko"),
        ("000", "Russia launched 550 drones", "the country’s air force"),
        ("000", "Five ambulances were damaged", "officials"),
        ("004", "14 people were hospitalized", "Kyiv Mayor Vitali Klitschko"),
        ("003", "478 Russian air weapons", "Ukraine’s Air Force"),
        ("003", "Reuters reported that", "Reuters"),
        # "Ukraine further reported": the adverb is not part of the name.
        ("003", "Ukraine further reported", "Ukraine"),
        ("002", "The barrage, according to", "the air force"),
        ("002", "a woman was killed", "the acting governor of the Rostov region"),
        # No attribution at all.
        ("000", "successfully hit eight locations", None),
        ("003", "thousands of civilians", None),
        # A pronoun names no one.
        ("000", "He added that they talked", None),
        ("002", "There have never been so many explosions", None),
        # A name with a number in it is a description, not a source.
        ("000", "a 23-year-old Kyiv wedding photographer", None),
    ],
)
def test_claimant_of_seed_sentences(doc: str, words: str, expected: str | None) -> None:
    assert claimant(sentence(doc, words).text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 people were injured, police told Reuters.", "police"),
        ("The mayor said 12 people were injured.", "The mayor"),
        ("12 people were injured, he said.", None),
        ("They said 12 people were injured.", None),
        ("12 people were injured.", None),
    ],
)
def test_claimant_of_made_up_sentences(text: str, expected: str | None) -> None:
    assert claimant(text) == expected


@pytest.mark.parametrize(
    ("doc", "words", "expected"),
    [
        ("001", "According to NBC", "NBC"),
        ("000", "According to Yuri Ushakov", "Yuri Ushakov"),
        (
            "000",
            "harsh, sleepless night",
            "Zelensky",
        ),
        (
            "004",
            "June saw a record",
            "Ukraine’s Foreign Minister Andrii Sybiha",
        ),
        (
            "001",
            "The strikes come amid a reported halt",
            None,
        ),
        (
            "002",
            "Germany’s foreign ministry meanwhile said",
            "Germany’s foreign ministry",
        ),
    ],
)
def test_claimant_of_harder_sentences(doc: str, words: str, expected: str | None) -> None:
    assert claimant(sentence(doc, words).text) == expected


def test_figures_after_according_to_name_their_source() -> None:
    assert figure("001", "According to NBC", "over 250").claimant == "NBC"
