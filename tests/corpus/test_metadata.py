"""What an article says about itself (outlet, date, title), and the page furniture it carries."""

import datetime as dt
from collections import Counter

import pytest

import corpus

SEEDS = {a.doc_id: a for a in corpus.load_articles([corpus.bundled_articles_dir()]).articles}
SEED_IDS = sorted(SEEDS)
CONFIG = corpus.ChunkingConfig()


def seed(prefix: str) -> corpus.Article:
    """The bundled seed whose doc id starts with ``prefix`` ("000" ... "004")."""
    (doc_id,) = [d for d in SEED_IDS if d.startswith(prefix + "_")]
    return SEEDS[doc_id]


def boilerplate_texts(article: corpus.Article) -> list[tuple[corpus.BoilerplateKind, str]]:
    return [(b.kind, article.text[b.start : b.end]) for b in article.boilerplate]


def make(text: str) -> corpus.Article:
    return corpus.make_article("doc-1", text)


# Seeds


@pytest.mark.parametrize(
    ("prefix", "source", "date"),
    [
        ("000", "Associated Press", "2025-07-04"),
        ("001", None, None),
        ("002", "Agence France-Presse", "2025-07-04"),
        ("003", "ICIR", None),
        ("004", None, None),
    ],
)
def test_seed_source_and_date(prefix: str, source: str | None, date: str | None) -> None:
    article = seed(prefix)
    assert (article.source, article.date) == (source, date)
    assert article.url is None


def test_seed_titles() -> None:
    assert {doc_id[:3]: a.title for doc_id, a in SEEDS.items()} == {
        "000": None,
        "001": None,
        "002": None,
        "003": None,
        "004": "Russia launches biggest missile and drone attack on Kyiv since the start of the "
        "Ukraine war",
    }


def test_photo_credits_and_quoted_outlets_are_not_the_source() -> None:
    # 001 credits REUTERS photographers and quotes NBC; 003 says "Reuters reported" but is ICIR's.
    assert "/REUTERS/Gleb Garanich" in seed("001").text
    assert "According to NBC," in seed("001").text
    assert "Reuters reported that" in seed("003").text
    assert seed("001").source is None
    assert seed("003").source == "ICIR"


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_seed_text_is_the_file_unchanged(doc_id: str) -> None:
    data = (corpus.bundled_articles_dir() / f"{doc_id}.txt").read_bytes()
    assert SEEDS[doc_id].text == data.decode("utf-8")


# Boilerplate on the seeds


def test_rating_widget_and_stray_symbol_are_boilerplate_in_003() -> None:
    article = seed("003")
    assert boilerplate_texts(article) == [
        (
            corpus.BoilerplateKind.RATING_WIDGET,
            "How would you rate the content you just read? Very dissatisfied Partly satisfied "
            "Satisfied More than satisfied Very satisfied Your email",
        ),
        (corpus.BoilerplateKind.STRAY_SYMBOL, "Δ"),
    ]
    chunks = article.chunks(CONFIG)
    assert not any("How would you rate" in c.text or "Δ" in c.text for c in chunks)
    # The text around the widget is still indexed.
    assert any(c.text.startswith("On Friday, Zelenskiy urged") for c in chunks)


def test_comment_lines_are_boilerplate_in_004() -> None:
    article = seed("004")
    assert boilerplate_texts(article) == [
        (corpus.BoilerplateKind.COMMENTS_WIDGET, "Comments"),
        (corpus.BoilerplateKind.COMMENTS_WIDGET, "Post a Comment"),
    ]
    last = article.chunks(CONFIG)[-1]
    assert last.text.endswith("The war continues with no sign of resolution in sight.")


def captions_printed_twice(article: corpus.Article) -> list[tuple[str, int, int]]:
    """Each line printed twice, with the offsets of its first and second copy."""
    twice = [line for line, n in Counter(article.text.split("\n")).items() if n == 2]
    found = []
    for caption in twice:
        first = article.text.index(caption)
        found.append((caption, first, article.text.index(caption, first + 1)))
    return found


def test_captions_printed_twice_are_never_indexed_in_001() -> None:
    # 001's photo captions end with a credit ("... /REUTERS/Gleb Garanich"): both copies are
    # captions, and the reporting between them is still indexed.
    article = seed("001")
    captions = captions_printed_twice(article)
    assert [caption[:23] for caption, _, _ in captions] == [
        "An explosion of a drone",
        "FILE PHOTO: U.S. Presid",
        "FILE PHOTO: Former U.S.",
    ]
    spans = [(b.start, b.end, b.kind) for b in article.boilerplate]
    chunks = article.chunks(CONFIG)
    for caption, first, second in captions:
        for copy in (first, second):
            assert (copy, copy + len(caption), corpus.BoilerplateKind.CAPTION) in spans
            assert not any(c.start < copy + len(caption) and copy < c.end for c in chunks)
    assert len(spans) == 2 * len(captions)
    assert chunks[0].text.startswith("Ukraine faced overnight what President Zelenskyy")


@pytest.mark.parametrize("prefix", ["000", "002"])
def test_date_header_is_boilerplate(prefix: str) -> None:
    article = seed(prefix)
    assert article.text.startswith(" date 2025-07-04 ")
    # The seeds' other furniture (bylines, captions) is pinned in test_clutter.py.
    headers = [b for b in article.boilerplate if b.kind is corpus.BoilerplateKind.DATE_HEADER]
    assert boilerplate_texts(article)[0] == (corpus.BoilerplateKind.DATE_HEADER, "date 2025-07-04 ")
    assert len(headers) == 1
    chunks = article.chunks(CONFIG)
    assert not any("date 2025-07-04" in c.text for c in chunks)
    # The sentence sharing the header's line is kept, without the header.
    assert chunks[0].start == len(" date 2025-07-04 ")


# Source inference on made-up texts


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Kyiv was hit.\nSmith writes for the Kyiv Independent. More.", "Kyiv Independent"),
        (
            "Kyiv was hit.\nJones reports for Agence France-Presse from Kyiv.",
            "Agence France-Presse",
        ),
        ("Kyiv was hit overnight.\n\n- Agence France-Presse", "Agence France-Presse"),
        ("Kyiv was hit overnight.\n– The Kyiv Independent.", "Kyiv Independent"),
        ("Kyiv was hit overnight.\n — BBC News ", "BBC News"),
        ("Kyiv was hit. The ICIR reports that 23 were hurt.", "ICIR"),
        # "writes for" comes before a sign-off.
        ("Smith writes for the Associated Press.\n- Agence France-Presse", "Associated Press"),
    ],
    ids=[
        "writes-for",
        "reports-for",
        "sign-off-dash",
        "sign-off-en-dash",
        "sign-off-em-dash",
        "self-report",
        "writes-for-first",
    ],
)
def test_source_is_read_from_the_text(text: str, source: str) -> None:
    assert make(text).source == source


def test_sign_off_is_found_in_a_file_with_windows_line_ends() -> None:
    text = "Kyiv was hit overnight.\n\n- Agence France-Presse\n"
    assert make(text).source == "Agence France-Presse"
    assert make(text.replace("\n", "\r\n")).source == "Agence France-Presse"


@pytest.mark.parametrize(
    "text",
    [
        "According to NBC, the weapons include Patriot missiles.",
        "Reuters reported that 40 buildings were damaged.",
        "A drone explodes over Kyiv. /REUTERS/Gleb Garanich\nKyiv was hit.",
        "The ICIR reported that 23 were hurt.",
        "Smith writes about the Associated Press.",
        "Ukrainian authorities reported 23 injured. Photo / Getty Images",
        # A sign-off counts only among the last three non-empty lines.
        "Intro line.\n- Agence France-Presse\nOne.\nTwo.\nThree.",
    ],
    ids=[
        "according-to",
        "reported-that",
        "photo-credit",
        "past-tense",
        "writes-about",
        "image-credit",
        "early-sign-off",
    ],
)
def test_no_source_when_the_text_names_no_outlet_of_its_own(text: str) -> None:
    assert make(text).source is None


def test_given_metadata_wins_over_the_text() -> None:
    text = "date 2025-07-04 Kyiv was hit.\n- Agence France-Presse"
    article = corpus.make_article(
        "doc-1", text, source="Reuters", date="2025-07-05", title="Given title", url="https://x.y"
    )
    assert (article.source, article.date, article.title, article.url) == (
        "Reuters",
        "2025-07-05",
        "Given title",
        "https://x.y",
    )


# Date inference


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("date 2025-07-04 Kyiv was hit.", "2025-07-04"),
        ("DATE 2025-07-04\nKyiv was hit.", "2025-07-04"),
        ("  \n date 2025-07-04 Kyiv was hit.", "2025-07-04"),
        ("Kyiv was hit.\ndate 2025-07-04", None),
        ("Kyiv was hit on July 4, 2025.", None),
        ("Updated date 2025-07-04 Kyiv.", None),
        ("date 2025-07-04T10:00 Kyiv was hit.", None),
    ],
)
def test_date_is_read_only_from_a_leading_header(text: str, date: str | None) -> None:
    article = make(text)
    assert article.date == date
    header = [b for b in article.boilerplate if b.kind is corpus.BoilerplateKind.DATE_HEADER]
    assert len(header) == (1 if date else 0)


@pytest.mark.parametrize("header", ["date 2025-13-45", "date 2025-02-30"])
def test_an_inferred_date_is_a_real_date(header: str) -> None:
    article = make(f"{header} Kyiv was hit overnight.")
    assert article.date is None or dt.date.fromisoformat(article.date)


@pytest.mark.parametrize(
    ("given", "stored"),
    [("2025-07-04", "2025-07-04"), ("2025-07-04T09:30:00Z", "2025-07-04")],
)
def test_given_dates_are_stored_as_iso_days(given: str, stored: str) -> None:
    assert corpus.make_article("doc-1", "Kyiv was hit.", date=given).date == stored


@pytest.mark.parametrize("bad", ["July 4", "2025-13-01", "04/07/2025"])
def test_a_given_date_must_be_iso(bad: str) -> None:
    with pytest.raises(corpus.ArticleFileError, match=f"has date '{bad}': not an ISO date"):
        corpus.make_article("doc-1", "Kyiv was hit.", date=bad)


# Title inference


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Russia launches biggest attack\nBody.", "Russia launches biggest attack"),
        ("  \n  Russia launches biggest attack  \nBody.", "Russia launches biggest attack"),
        ("Russia launches “biggest” attack\nBody.", "Russia launches “biggest” attack"),
        ("Russia launches biggest attack.\nBody.", None),
        ("What happened in Kyiv?\nBody.", None),
        ("Kyiv attacked\nBody.", None),
        ("Russia launches biggest attack", None),
        ("A " + "very " * 40 + "long headline\nBody.", None),
        ("date 2025-07-04 Russia launches biggest attack\nBody.", None),
    ],
    ids=[
        "headline",
        "padded",
        "inner-quotes",
        "ends-like-sentence",
        "question",
        "two-words",
        "single-line",
        "too-long",
        "date-header",
    ],
)
def test_title_is_a_headline_on_the_first_line(text: str, title: str | None) -> None:
    assert make(text).title == title


# Boilerplate rules on made-up texts


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Comments", corpus.BoilerplateKind.COMMENTS_WIDGET),
        ("Post a Comment", corpus.BoilerplateKind.COMMENTS_WIDGET),
        ("  Leave a reply ", corpus.BoilerplateKind.COMMENTS_WIDGET),
        ("Share this article", corpus.BoilerplateKind.COMMENTS_WIDGET),
        ("ADVERTISEMENT", corpus.BoilerplateKind.COMMENTS_WIDGET),
        ("Δ", corpus.BoilerplateKind.STRAY_SYMBOL),
        ("* *", None),
        ("—", corpus.BoilerplateKind.STRAY_SYMBOL),
    ],
)
def test_widget_lines(line: str, kind: corpus.BoilerplateKind | None) -> None:
    article = make(f"Kyiv was hit.\n{line}\nZelenskyy spoke.")
    kinds = [b.kind for b in article.boilerplate]
    assert kinds == ([kind] if kind else [])
    expected = ["Kyiv was hit.", "Zelenskyy spoke."]
    if kind is None:
        expected.insert(1, line.strip())
    assert [s.text for s in article.sentences()] == expected


def test_short_lines_said_twice_are_kept() -> None:
    article = make("Kyiv\nThe capital was hit.\nKyiv\nThe capital was hit.")
    assert article.boilerplate == ()
    assert len(article.sentences()) == 4


def test_a_rating_widget_mid_line_is_cut_out_of_the_sentence() -> None:
    text = "Kyiv was hit. How would you rate the content you just read? Bad Good\nMore."
    article = make(text)
    assert boilerplate_texts(article) == [
        (
            corpus.BoilerplateKind.RATING_WIDGET,
            "How would you rate the content you just read? Bad Good",
        )
    ]
    assert [s.text for s in article.sentences()] == ["Kyiv was hit.", "More."]


def test_a_bullet_list_is_not_a_sign_off() -> None:
    text = "Regions hit overnight:\n- Kyiv\n- Sumy\n- Kharkiv\n"
    assert corpus.make_article("d", text).source is None


def test_short_words_stay_and_lone_symbols_go() -> None:
    article = corpus.make_article("d", "Он ответил:\nДа\n\u0394\nThe talks failed.\n")
    assert [s.text for s in article.sentences()] == ["Он ответил:", "Да", "The talks failed."]
