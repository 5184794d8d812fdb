"""Block Kit answers stay within Slack's limits and never let a quote act on Slack."""

from bot.slack_blocks import answer_blocks, escape, fallback_text
from retrieval import Answer, AnswerFigure, Citation


def citation(n: int, quote: str) -> Citation:
    return Citation(n, f"doc-{n}", "Wire", "2025-07-04", quote, 0, len(quote))


def test_escape_makes_mentions_and_links_inert() -> None:
    assert escape("<!channel> & <https://x.example|click>") == (
        "&lt;!channel&gt; &amp; &lt;https://x.example|click&gt;"
    )


def test_blocks_hold_at_most_50_and_sections_at_most_3000_characters() -> None:
    quotes = [citation(n, "<!channel> " + "x" * 4000) for n in range(1, 80)]
    figure = AnswerFigure(
        value=5,
        text="5",
        vague=False,
        qualifier="exact",
        unit="drones",
        measure="drones launched",
        claimant=None,
        citations=tuple(quotes),
        doc_ids=tuple(q.doc_id for q in quotes),
    )
    answer = Answer(
        "q?", "The sources agree: 5 & <!here>.\n- 5 drones", False, (figure,), (), tuple(quotes)
    )
    blocks = answer_blocks(answer, {})
    assert len(blocks) == 50
    assert blocks[-1]["elements"][0]["text"].startswith("… and")
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"] + [
        b["elements"][0]["text"] for b in blocks if b["type"] == "context"
    ]
    assert all(len(t) <= 3000 for t in texts)
    assert not any("<!" in t for t in texts)
    assert fallback_text(answer).startswith("The sources agree: 5 &amp; &lt;!here&gt;.")


def test_an_article_url_becomes_a_link_only_when_it_is_safe() -> None:
    quote = citation(1, "Five drones.")
    answer = Answer("q?", "One article gives drones: 5.", False, (), (), (quote,))
    linked = answer_blocks(answer, {"doc-1": ("Kyiv <attacked>", "https://news.example/a")})[-1]
    unsafe = answer_blocks(answer, {"doc-1": (None, "javascript:alert(1)")})[-1]
    assert linked["elements"][0]["text"].startswith(
        "[1] <https://news.example/a|Wire> · _Kyiv &lt;attacked&gt;_ · 2025-07-04: “Five drones.”"
    )
    assert unsafe["elements"][0]["text"].startswith("[1] Wire · 2025-07-04")
