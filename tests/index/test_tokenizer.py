"""The shared tokenizer: queries and chunks must meet on the same terms."""

import pytest

from index import tokenize


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("missile", "missiles"),
        ("injured", "injuring"),
        ("drone", "drones"),
        ("launched", "launch"),
        ("intercepted", "intercepts"),
        ("Kyiv", "KYIV"),
    ],
)
def test_word_forms_meet(a: str, b: str) -> None:
    assert tokenize(a) == tokenize(b) != []


def test_stop_words_and_punctuation_go() -> None:
    assert tokenize("How many of the missiles were launched?") == tokenize("missiles launched")


def test_numbers_keep_their_value() -> None:
    assert tokenize("1,000-kilometer front") == ["1000", *tokenize("kilometer front")]
    assert tokenize("5,438 drones, 3.5 km") == ["5438", *tokenize("drones"), "3.5", "km"]


def test_possessives_and_single_letters_are_dropped() -> None:
    assert tokenize("Russia’s attack") == tokenize("Russia attack")


def test_other_scripts_are_kept() -> None:
    assert tokenize("Київ 東京") == ["київ", "東京"]
