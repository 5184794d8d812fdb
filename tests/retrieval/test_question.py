"""What a question asks: the counted thing, the action, the dimension, its constraints, and
what a follow-up inherits from the questions before it."""

import pytest

from retrieval import analyse


@pytest.mark.parametrize(
    ("text", "thing", "action", "dimension"),
    [
        ("How many missiles were launched?", "missile", "launched", "count"),
        ("How many drones and missiles did Russia launch?", "aerial weapon", "launched", "count"),
        ("how many drones and missiles were fired", "aerial weapon", "launched", "count"),
        ("How many people were hurt?", "person", "injured", "count"),
        ("How many people were wounded?", "person", "injured", "count"),
        ("How many UAVs were launched?", "drone", "launched", "count"),
        ("How many drones were downed?", "drone", "intercepted", "count"),
        ("How many targets were shot down?", "aerial weapon", "intercepted", "count"),
        ("How many drones did Ukraine shoot down?", "drone", "intercepted", "count"),
        # No noun: the action says who was counted.
        ("What was the death toll?", "person", "killed", "count"),
        ("How many died?", "person", "killed", "count"),
        ("How many people were in hospital?", "person", "hospitalized", "count"),
        ("How many people are in the hospital?", "person", "hospitalized", "count"),
        ("How many ambulances were damaged?", "ambulance", "damaged", "count"),
        ("How many prisoners were exchanged?", "prisoner", "exchanged", "count"),
        ("How long did the bombardment last?", None, None, "duration"),
        ("How many hours did the attack last?", None, None, "duration"),
        ("How long is the front line?", None, None, "length"),
        # A unit asked for is the dimension, not a thing counted.
        ("How many kilometres long is the front line?", None, None, "length"),
        ("How old is Alya Shahlai?", None, None, "age"),
        ("How much rubble was removed?", None, "removed", "measure"),
    ],
)
def test_the_measure_asked_for(
    text: str, thing: str | None, action: str | None, dimension: str
) -> None:
    question = analyse(text)
    assert question.numeric
    assert (question.thing, question.action, question.dimension) == (thing, action, dimension)


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("How many people were hurt?", "people injured"),
        ("How many drones and missiles did Russia launch?", "drones and missiles launched"),
        ("How many missiles were launched?", "missiles launched"),
        ("How long is the front line?", "length"),
        ("How long did the bombardment last?", "duration"),
    ],
)
def test_the_measure_in_words(text: str, described: str) -> None:
    assert analyse(text).describe() == described


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("How long did the bombardment last?", "bombardment"),
        ("How long is the front line?", "front line"),
        ("How many kilometres long is the front line?", "front line"),
        ("How many hours did the attack last?", "attack"),
        ("How much rubble was removed?", "rubble"),
        ("How many missiles were launched?", None),
    ],
)
def test_the_subject_of_a_measure(text: str, subject: str | None) -> None:
    assert analyse(text).subject == subject


def test_a_question_without_a_quantity_is_not_numeric() -> None:
    question = analyse("Which embassy was damaged?")
    assert (question.numeric, question.thing, question.action) == (False, None, "damaged")


@pytest.mark.parametrize(
    ("text", "months", "places"),
    [
        ("How many drones were launched in June?", ("June",), ()),
        ("How many drones were launched on July 4?", ("July",), ()),
        ("How many people were injured in the Moscow region?", (), ("Moscow region",)),
        ("How many people were killed around Pokrovsk?", (), ("Pokrovsk",)),
        ("How many people were killed in Kyiv on Friday?", (), ("Kyiv",)),
        # "Ukrainian" is a side, not a place.
        ("How many drones hit targets in Ukrainian cities?", (), ()),
        ("How many missiles were launched?", (), ()),
    ],
)
def test_month_and_place_constraints(
    text: str, months: tuple[str, ...], places: tuple[str, ...]
) -> None:
    question = analyse(text)
    assert (question.months, question.places) == (months, places)


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("How many Ukrainian drones were intercepted?", "Ukrainian"),
        ("How many Russian drones were shot down?", "Russian"),
        ("How many drones did Russia launch?", None),
        ("How many drones were launched?", None),
    ],
)
def test_the_side_of_the_counted_thing(text: str, side: str | None) -> None:
    assert analyse(text).side == side


@pytest.mark.parametrize(
    ("text", "modifiers"),
    [
        ("How many cruise missiles were shot down?", ("cruise",)),
        ("How many Hellfire missiles were paused?", ("hellfire",)),
        # A side narrows by side, not by kind.
        ("How many Ukrainian drones were intercepted?", ()),
        ("How many missiles were launched?", ()),
    ],
)
def test_words_that_narrow_the_counted_thing(text: str, modifiers: tuple[str, ...]) -> None:
    assert analyse(text).modifiers == modifiers


@pytest.mark.parametrize(
    ("text", "thing", "action"),
    [
        # "intercepted drones" describes the drones; "fall" is what is asked.
        ("At how many sites did debris from intercepted drones fall?", "location", "fell"),
        # The clause after "when" is background.
        ("How many people were injured when drones crashed?", "person", "injured"),
    ],
)
def test_the_main_verb_is_the_action(text: str, thing: str, action: str) -> None:
    question = analyse(text)
    assert (question.thing, question.action) == (thing, action)


# --- follow-ups ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "text", "thing", "action", "places"),
    [
        (
            ["How many people were injured in Kyiv?"],
            "And how many were killed?",
            "person",
            "killed",
            ("Kyiv",),
        ),
        (
            ["How many people were injured in Kyiv?"],
            "What about hospitalized?",
            "person",
            "hospitalized",
            ("Kyiv",),
        ),
        (["How many missiles were launched?"], "And drones?", "drone", "launched", ()),
        (["How many missiles were launched?"], "How many of them hit?", "missile", "hit", ()),
        # The oldest question's place carries through the whole conversation.
        (
            ["How many people were injured in Kyiv?", "And how many were hospitalized?"],
            "And killed?",
            "person",
            "killed",
            ("Kyiv",),
        ),
    ],
)
def test_a_follow_up_inherits_what_it_leaves_out(
    history: list[str], text: str, thing: str, action: str, places: tuple[str, ...]
) -> None:
    question = analyse(text, history)
    assert (question.numeric, question.thing, question.action, question.places) == (
        True,
        thing,
        action,
        places,
    )
    assert question.text == text


def test_a_follow_up_inherits_the_month() -> None:
    question = analyse("And in June?", ["How many drones were launched?"])
    assert (question.thing, question.action, question.months) == ("drone", "launched", ("June",))


@pytest.mark.parametrize(
    "history",
    [["How many people were injured in Kyiv?"], ["How many missiles were launched?"]],
)
def test_a_new_full_question_is_not_merged(history: list[str]) -> None:
    question = analyse("Which embassy was damaged?", history)
    assert question == analyse("Which embassy was damaged?")
    assert (question.numeric, question.thing, question.places) == (False, None, ())


def test_a_new_count_question_drops_the_old_place() -> None:
    question = analyse(
        "How many drones were intercepted?", ["How many people were injured in Kyiv?"]
    )
    assert (question.thing, question.action, question.places) == ("drone", "intercepted", ())


def test_a_follow_up_naming_only_a_place() -> None:
    question = analyse("What about the Moscow region?", ["How many people were injured?"])
    assert (question.thing, question.action, question.places) == (
        "person",
        "injured",
        ("Moscow region",),
    )
