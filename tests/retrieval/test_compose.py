"""The words of an answer, written from its structure alone: the headline for each kind of
answer, a line per value with the articles behind it, what conflicts, and what only looks
different folded into one line."""

import pytest

from corpus import Article, make_article
from retrieval import compose as composer
from retrieval.answer import Answer, AnswerKind, Citations, NoteKind
from retrieval.compose import compose
from retrieval.figures import Figure, read_figures
from retrieval.reconcile import has_conflict
from retrieval.structure import figure_structure

ARTICLES = {
    a.doc_id: a
    for a in (
        make_article("a", "At least 26 people were injured, police said.", source="Wire A"),
        make_article("b", "At least 26 people were injured.", source="Wire B", date="2025-07-04"),
        make_article("c", "23 people were injured.", source="Paper C", date="2025-07-05"),
        make_article("d", "At least 23 people were injured.", title="Kyiv attack"),
        make_article("e", "Russia launched 539 drones and 11 missiles.", source="Paper E"),
        make_article("f", "Russia launched 550 drones and missiles.", source="Wire F"),
    )
}


def figure(doc_id: str, written: str) -> Figure:
    [found] = [f for f in read_figures(ARTICLES[doc_id].sentences()) if f.text == written]
    return found


def figure_answer(figures: list[Figure], about: str = "people injured") -> Answer:
    citations = Citations(ARTICLES)
    structure = figure_structure(figures, citations)
    return compose(
        Answer(
            question="How many?",
            answer="",
            conflict=has_conflict(figures),
            figures=structure.figures,
            related=(),
            citations=citations.all(),
            kind=AnswerKind.FIGURES,
            about=about,
            groups=structure.groups,
            relations=structure.relations,
            timeline=structure.timeline,
        )
    )


INJURED = [("a", "At least 26"), ("b", "At least 26"), ("c", "23"), ("d", "At least 23")]


def test_a_conflict_says_which_values_stand_against_which() -> None:
    answer = figure_answer([figure(d, w) for d, w in INJURED])
    assert answer.headline == (
        "The sources disagree on people injured: at least 26 / at least 23 vs 23."
    )
    assert answer.answer.splitlines() == [
        answer.headline,
        "- At least 26 people: Wire A, citing police [1]; Wire B [2]",
        "- At least 23 people: Kyiv attack [3]",
        "- 23 people: Paper C [4]",
        "23 [4] and at least 26 [1][2] cannot both be true.",
        "Over time: at least 26 (2025-07-04) [2], then 23 (2025-07-05) [4]; the latest is 23.",
        "These only look different: at least 26 and at least 23 can both be true [1][2][3].",
    ]
    assert [n.kind for n in answer.notes] == [
        NoteKind.CONFLICT,
        NoteKind.TIMELINE,
        NoteKind.RECONCILED,
    ]


def test_values_reported_on_different_days_are_shown_in_order_when_they_conflict() -> None:
    answer = figure_answer([figure("b", "At least 26"), figure("c", "23")])
    [timeline] = [n for n in answer.notes if n.kind is NoteKind.TIMELINE]
    assert timeline.text == (
        "Over time: at least 26 (2025-07-04) [1], then 23 (2025-07-05) [2]; the latest is 23."
    )


def test_what_only_looks_different_is_one_line() -> None:
    answer = figure_answer(
        [figure("e", "539 drones and 11 missiles"), figure("f", "550")], "drones launched"
    )
    assert answer.headline == "The sources agree on drones launched: 550."
    [note] = answer.notes
    assert note.text == "These only look different: 539 drones and 11 missiles add up to 550 [2]."
    assert note.citations == (2,)


def test_one_article_gives_one_value() -> None:
    answer = figure_answer([figure("c", "23")])
    assert answer.headline == "One article gives people injured: 23."
    assert answer.notes == ()


def test_no_figure_says_what_was_asked_and_lists_the_closest_passages() -> None:
    citations = Citations(ARTICLES)
    closest = tuple(citations.cite_sentence(s).n for s in ARTICLES["c"].sentences())
    answer = compose(
        Answer("How many tanks?", "", False, (), (), citations.all(), about="tanks", quotes=closest)
    )
    assert answer.answer.splitlines() == [
        "The articles do not give a figure for tanks.",
        "The closest passages are [1].",
    ]
    assert [(n.kind, n.citations) for n in answer.notes] == [(NoteKind.CLOSEST, (1,))]


def test_names_and_quotes_are_listed_with_their_articles() -> None:
    citations = Citations(ARTICLES)
    quoted = tuple(citations.cite_sentence(ARTICLES[d].sentences()[0]).n for d in ("d", "c"))
    base = Answer("Who?", "", False, (), (), citations.all(), quotes=quoted)
    names = compose(
        Answer(**{**base.__dict__, "kind": AnswerKind.NAMES, "entities": ("Dana Reyes",)})
    )
    assert names.answer.splitlines() == [
        "The articles name Dana Reyes:",
        "- Kyiv attack [1]: At least 23 people were injured.",
        "- Paper C [2]: 23 people were injured.",
    ]
    quotes = compose(Answer(**{**base.__dict__, "kind": AnswerKind.QUOTES}))
    assert quotes.headline == "From the articles:"


def test_the_wording_of_a_headline_lives_in_one_table(monkeypatch: pytest.MonkeyPatch) -> None:
    before = figure_answer([figure(d, w) for d, w in INJURED])
    monkeypatch.setitem(composer.HEADLINES, "conflict", "Outlets differ over {about}: {values}.")
    after = figure_answer([figure(d, w) for d, w in INJURED])
    assert after.headline == "Outlets differ over people injured: at least 26 / at least 23 vs 23."
    assert after.answer.splitlines()[1:] == before.answer.splitlines()[1:]
    assert (after.notes, after.groups, after.relations) == (
        before.notes,
        before.groups,
        before.relations,
    )


def test_every_article_is_named_never_by_its_id() -> None:
    article: Article = ARTICLES["d"]
    assert article.source is None
    answer = figure_answer([figure("d", "At least 23")])
    assert "Kyiv attack [1]" in answer.answer and "- At least 23 people: d" not in answer.answer
