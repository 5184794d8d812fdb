"""Block Kit answers are laid out from the answer's structure, stay within Slack's limits and
never let a quote act on Slack."""

from typing import Any

from bot.slack_blocks import answer_blocks, escape, fallback_text
from retrieval import Answer, AnswerFigure, Citation
from retrieval.answer import (
    AnswerGroup,
    AnswerKind,
    Note,
    NoteKind,
    Relation,
    RelationKind,
    Report,
)

# The composed words of an answer: the blocks must never take these apart.
PROSE = "PROSE NOBODY PARSES\n- nor this line"


def citation(n: int, quote: str, name: str = "Wire") -> Citation:
    return Citation(n, f"doc-{n}", None, "2025-07-04", quote, 0, len(quote), name=name)


def figure(
    figure_id: str, group: str, value: int, text: str, cited: tuple[Citation, ...], **more: Any
) -> AnswerFigure:
    return AnswerFigure(
        value=value,
        text=text,
        vague=False,
        qualifier=more.get("qualifier", "exact"),
        unit=more.get("unit", "people"),
        measure="people wound",
        claimant=None,
        citations=cited,
        doc_ids=tuple(c.doc_id for c in cited),
        id=figure_id,
        group=group,
        action=more.get("action", "wounded"),
        reports=tuple(
            Report(c.n, c.name, more.get("wording", {}).get(c.n, text), c.claimant) for c in cited
        ),
    )


def group(group_id: str, *figures: AnswerFigure) -> AnswerGroup:
    return AnswerGroup(
        id=group_id,
        figures=tuple(f.id for f in figures),
        texts=tuple(f.text for f in figures),
        outlets=tuple(r.name for f in figures for r in f.reports),
        claimants=(),
        citations=tuple(c.n for f in figures for c in f.citations),
        dates=(),
        doc_ids=tuple(d for f in figures for d in f.doc_ids),
    )


def texts(blocks: list[dict[str, Any]], kind: str) -> list[str]:
    if kind == "section":
        return [b["text"]["text"] for b in blocks if b["type"] == "section"]
    return [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]


def conflict_answer() -> Answer:
    """26 (two articles, one writing "at least 23") against 23; a related figure."""
    cited = (
        citation(1, "At least 26 people were wounded.", "Associated Press"),
        citation(2, "At least 23 were wounded.", "Article 004"),
        citation(3, "23 people were wounded.", "ICIR"),
        citation(4, "One person was pulled from the rubble.", "Associated Press"),
    )
    f1 = figure("f1", "g1", 26, "at least 26", cited[:2], wording={2: "at least 23"})
    f2 = figure("f2", "g2", 23, "23", cited[2:3])
    related = figure("r1", "", 1, "one person", cited[3:], unit=None, action="pulled")
    return Answer(
        "How many people were wounded?",
        PROSE,
        True,
        (f1, f2),
        (related,),
        cited,
        kind=AnswerKind.FIGURES,
        headline="Sources part: at least 26 vs 23.",
        notes=(
            Note(
                NoteKind.CONFLICT, "23 [3] and at least 26 [1][2] cannot both be true.", (1, 2, 3)
            ),
        ),
        groups=(group("g1", f1), group("g2", f2)),
        relations=(
            Relation(
                RelationKind.CONFLICT, ("g1", "g2"), ("f1", "f2"), (1, 2, 3), pairs=(("f1", "f2"),)
            ),
        ),
    )


def test_escape_makes_mentions_and_links_inert() -> None:
    assert escape("<!channel> & <https://x.example|click>") == (
        "&lt;!channel&gt; &amp; &lt;https://x.example|click&gt;"
    )


def test_the_blocks_are_laid_out_from_the_structure_never_from_the_prose() -> None:
    blocks = answer_blocks(conflict_answer(), {})
    assert [b["type"] for b in blocks] == [
        *["section"] * 4,  # headline, a section per group, the notes
        "context",  # related figures
        "divider",
        *["context"] * 4,  # a citation each
    ]
    assert texts(blocks, "section") == [
        ":warning: *Sources part: at least 26 vs 23.*",
        "*at least 26* people wounded: Associated Press [1]; Article 004 (“at least 23”) [2]",
        "_vs_\n*23* people wounded: ICIR [3]",
        "23 [3] and at least 26 [1][2] cannot both be true.",
    ]
    assert texts(blocks, "context") == [
        "*Related figures:* one person pulled [4]",
        "[1] Associated Press · 2025-07-04: “At least 26 people were wounded.”",
        "[2] Article 004 · 2025-07-04: “At least 23 were wounded.”",
        "[3] ICIR · 2025-07-04: “23 people were wounded.”",
        "[4] Associated Press · 2025-07-04: “One person was pulled from the rubble.”",
    ]
    assert not any("PROSE" in t or "doc-" in t for t in texts(blocks, "section"))
    assert fallback_text(conflict_answer()) == PROSE  # the fallback is the composed text


def test_an_answer_without_conflict_has_no_warning_and_no_vs() -> None:
    cited = (citation(1, "539 drones and 11 missiles."), citation(2, "550 drones and missiles."))
    f1 = figure("f1", "g1", 550, "550", cited[1:], unit="drones and missiles", action=None)
    f2 = figure(
        "f2",
        "g1",
        550,
        "539 drones and 11 missiles",
        cited[:1],
        unit="drones and missiles",
        action=None,
    )
    answer = Answer(
        "How many drones and missiles?", PROSE, False, (f1, f2), (), cited,
        kind=AnswerKind.FIGURES,
        headline="The sources agree: 550.",
        groups=(group("g1", f1, f2),),
    )  # fmt: skip
    assert texts(answer_blocks(answer, {}), "section") == [
        "*The sources agree: 550.*",
        "*550* drones and missiles: Wire [2]\n*539 drones and 11 missiles*: Wire [1]",
    ]


def test_blocks_hold_at_most_50_and_sections_at_most_3000_characters() -> None:
    quotes = tuple(citation(n, "<!channel> " + "x" * 4000) for n in range(1, 80))
    five = figure("f1", "g1", 5, "5", quotes, unit="drones")
    answer = Answer(
        "q?", "The sources agree: 5 & <!here>.", False, (five,), (), quotes,
        kind=AnswerKind.FIGURES,
        headline="The sources agree: 5 & <!here>.",
        notes=(Note(NoteKind.RECONCILED, "<!channel> " + "y" * 4000, ()),),
        groups=(group("g1", five),),
    )  # fmt: skip
    blocks = answer_blocks(answer, {})
    assert len(blocks) == 50
    assert blocks[-1]["elements"][0]["text"].startswith("… and")
    shown = texts(blocks, "section") + texts(blocks, "context")
    assert all(len(t) <= 3000 for t in shown)
    assert not any("<!" in t for t in shown)
    assert shown[0] == "*The sources agree: 5 &amp; &lt;!here&gt;.*"
    assert fallback_text(answer).startswith("The sources agree: 5 &amp; &lt;!here&gt;.")


def test_an_article_url_becomes_a_link_only_when_it_is_safe() -> None:
    quote = citation(1, "Five drones.")
    answer = Answer("q?", PROSE, False, (), (), (quote,), kind=AnswerKind.NONE, quotes=(1,))
    linked = answer_blocks(answer, {"doc-1": ("Kyiv <attacked>", "https://news.example/a")})[-1]
    unsafe = answer_blocks(answer, {"doc-1": (None, "javascript:alert(1)")})[-1]
    assert linked["elements"][0]["text"].startswith(
        "[1] <https://news.example/a|Wire> · _Kyiv &lt;attacked&gt;_ · 2025-07-04: “Five drones.”"
    )
    assert unsafe["elements"][0]["text"].startswith("[1] Wire · 2025-07-04")
