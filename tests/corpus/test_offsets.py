"""Sentences and chunks point into the article text: every offset cuts out exactly its text."""

import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import corpus

BUNDLED = corpus.load_articles([corpus.bundled_articles_dir()]).articles


def assert_pieces_are_clean(
    article: corpus.Article, pieces: list[corpus.Sentence] | list[corpus.Chunk]
) -> None:
    """Each piece is its own slice of the text: non-empty, trimmed, clear of boilerplate."""
    for piece in pieces:
        assert piece.doc_id == article.doc_id
        assert article.text[piece.start : piece.end] == piece.text
        assert piece.text
        assert piece.text == piece.text.strip()
        for span in article.boilerplate:
            assert not (piece.start < span.end and span.start < piece.end), (piece, span)


def assert_chunks_hold_sentences(
    sentences: list[corpus.Sentence], chunks: list[corpus.Chunk]
) -> None:
    """Chunks come in order without overlap, and each sentence sits in exactly one of them."""
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
    for before, after in itertools.pairwise(chunks):
        assert before.end <= after.start
    for sentence in sentences:
        holders = [c for c in chunks if c.start <= sentence.start and sentence.end <= c.end]
        assert len(holders) == 1, sentence
    # Chunks are made of whole sentences: one starts and one ends where each chunk does.
    assert {c.start for c in chunks} <= {s.start for s in sentences}
    assert {c.end for c in chunks} <= {s.end for s in sentences}


@pytest.mark.parametrize("article", BUNDLED, ids=[a.doc_id for a in BUNDLED])
def test_bundled_sentences_and_chunks_are_exact_slices(article: corpus.Article) -> None:
    sentences = article.sentences()
    chunks = article.chunks(corpus.ChunkingConfig())
    assert sentences
    assert chunks
    assert_pieces_are_clean(article, sentences)
    assert_pieces_are_clean(article, chunks)
    assert_chunks_hold_sentences(sentences, chunks)


def test_the_bundled_corpus_holds_the_five_seeds() -> None:
    assert [a.doc_id for a in BUNDLED] == [
        "000_c9b33be09081a972",
        "001_9eba8f048c7db6ee",
        "002_a9fb1a76507f7b7d",
        "003_5e91e654f1826207",
        "004_72ab227803a444ef",
    ]


# Generated articles: news-like sentences that are hard on a splitter, joined by odd white space.
SENTENCES = [
    "The U.S. has paused aid.",
    "Dr. Smith arrived in Kyiv.",
    "Gen. Syrskyi said the line held.",
    "Officials cited e.g. schools and clinics.",
    "J. R. Tolkien was quoted by nobody.",
    "the U.S. Institute for the Study of War said",
    "He said “No.” Then he left.",
    "She said ‘maybe’ and ‘soon’.",
    '"It was a harsh night," he said.',
    "It's the 'biggest ever' attack.",
    "Russia fired 1,000 drones and 3.5 times more missiles.",
    "At least 23 people were hurt!",
    "Was it the largest?",
    "Київ зазнав масованої атаки.",
    "キーウで爆発があった。",
    "基辅遭到无人机袭击",
    "Ceasefire 🕊️ talks stalled 💥.",
    "Zelenskyy met the Chargé d'Affaires in Kraków.",
    "قالت الوزارة إن الهجوم كان الأكبر.",
    "המתקפה הייתה הגדולה ביותר.",
    "No. 5 Street was hit. No.",
    "Wait... what happened?!",
    "(Reuters witnesses heard blasts.)",
    "Comments",
    "Δ",
    "How would you rate the content you just read? Very satisfied",
    "A caption printed twice on the page, long enough to count.",
]
GAPS = [" ", "  ", "\t", "\n", "\r\n", "\n\n", "\r\n\r\n", "\u00a0", " \n \n ", "\n\t\n", " \t "]
LEADING = ["", " ", "\n", "\t ", "\r\n\r\n", "\u00a0", "date 2025-07-04 ", " date 2025-07-04\n"]
# Free text over an alphabet with the splitter's special characters, so the search also meets
# sentences nobody thought to write down.
TOKENS = [*"aZ09 .,!?\"'“”‘’()\t\n\r\u00a0ДжΔ中é🙂ا", "U.S.", "Dr.", "e.g.", "J. ", "The "]
FREE_TEXT = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=40).map("".join)


@st.composite
def article_texts(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.sampled_from(SENTENCES) | FREE_TEXT, min_size=1, max_size=12))
    gaps = draw(st.lists(st.sampled_from(GAPS), min_size=len(pieces), max_size=len(pieces)))
    body = "".join(piece + gap for piece, gap in zip(pieces, gaps, strict=True))
    return draw(st.sampled_from(LEADING)) + body + draw(st.sampled_from(["", " ", "\n", "\r\n"]))


def article_or_reject(text: str) -> corpus.Article:
    """The article of ``text``; texts with nothing to index are not articles and are rejected."""
    try:
        return corpus.make_article("doc-1", text)
    except corpus.ArticleFileError as error:
        assert "empty" in str(error) or "no text outside boilerplate" in str(error)
        assume(False)
        raise


CONFIGS = st.builds(
    lambda max_chars, share: corpus.ChunkingConfig(max_chars, max(1, max_chars * share // 4)),
    st.integers(min_value=1, max_value=600),
    st.integers(min_value=1, max_value=4),
)


@settings(max_examples=200, deadline=None)
@given(text=article_texts(), config=st.just(corpus.ChunkingConfig()) | CONFIGS)
def test_generated_articles_keep_offsets_and_lose_nothing(
    text: str, config: corpus.ChunkingConfig
) -> None:
    article = article_or_reject(text)
    assert article.text == text
    sentences = article.sentences()
    chunks = article.chunks(config)
    assert_pieces_are_clean(article, sentences)
    assert_pieces_are_clean(article, chunks)
    assert_chunks_hold_sentences(sentences, chunks)

    # No content is dropped: every visible character outside boilerplate is in a sentence.
    covered = [False] * len(text)
    for piece in [*sentences, *article.boilerplate]:
        covered[piece.start : piece.end] = [True] * (piece.end - piece.start)
    dropped = [(i, ch) for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert dropped == []

    for chunk in chunks:
        if len(chunk.text) > config.max_chars:
            inside = [s for s in sentences if chunk.start <= s.start and s.end <= chunk.end]
            assert len(inside) == 1, chunk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The U.S. has paused aid. Ukraine asked for more.",
            ["The U.S. has paused aid.", "Ukraine asked for more."],
        ),
        ("Dr. Smith arrived. He spoke.", ["Dr. Smith arrived.", "He spoke."]),
        ("He said “No.” Then he left.", ["He said “No.”", "Then he left."]),
        (
            "the U.S. Institute for the Study of War said",
            ["the U.S. Institute for the Study of War said"],
        ),
        ("Gen. Syrskyi said so. The line held.", ["Gen. Syrskyi said so.", "The line held."]),
        ("J. R. Tolkien wrote. He died.", ["J. R. Tolkien wrote.", "He died."]),
        (
            "Cities, e.g. Kyiv and Lviv, were hit. Then calm.",
            ["Cities, e.g. Kyiv and Lviv, were hit.", "Then calm."],
        ),
        ("They met in the U.S. The talks failed.", ["They met in the U.S.", "The talks failed."]),
        ("It cost 1,000 dollars, up 3.5 percent.", ["It cost 1,000 dollars, up 3.5 percent."]),
        ("Was it? Yes! 550 drones.", ["Was it?", "Yes!", "550 drones."]),
        (
            "Go to No. 5 now. He said no. Then left.",
            ["Go to No. 5 now.", "He said no.", "Then left."],
        ),
    ],
)
def test_sentence_splitting_worked_examples(text: str, expected: list[str]) -> None:
    assert [s.text for s in corpus.make_article("doc-1", text).sentences()] == expected


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\n\n"])
def test_a_line_break_always_ends_a_sentence(newline: str) -> None:
    text = f"Trump, Zelenskyy talks{newline}the U.S. Dr.{newline}and 1,000 more"
    sentences = corpus.make_article("doc-1", text).sentences()
    assert [s.text for s in sentences] == [
        "Trump, Zelenskyy talks",
        "the U.S. Dr.",
        "and 1,000 more",
    ]


def test_sentence_offsets_count_characters_not_bytes() -> None:
    text = "Київ 💥 was hit. Zelenskyy spoke."
    sentences = corpus.make_article("doc-1", text).sentences()
    assert [(s.start, s.end) for s in sentences] == [(0, 15), (16, 32)]


def test_a_long_sentence_is_a_chunk_of_its_own() -> None:
    text = "Short one. " + "This sentence runs long " * 5 + "indeed. Short two."
    article = corpus.make_article("doc-1", text)
    chunks = article.chunks(corpus.ChunkingConfig(max_chars=40, min_chars=10))
    assert [c.text for c in chunks] == [
        "Short one.",
        ("This sentence runs long " * 5 + "indeed."),
        "Short two.",
    ]


def test_chunks_end_at_a_blank_line_once_they_hold_min_chars() -> None:
    text = "First para one. First para two.\n\nSecond para.\nStill second."
    article = corpus.make_article("doc-1", text)
    big = article.chunks(corpus.ChunkingConfig(max_chars=500, min_chars=200))
    small = article.chunks(corpus.ChunkingConfig(max_chars=500, min_chars=10))
    assert [c.text for c in big] == [text]
    assert [c.text for c in small] == [
        "First para one. First para two.",
        "Second para.\nStill second.",
    ]


def test_chunks_never_span_boilerplate() -> None:
    text = "Before the widget.\nComments\nAfter the widget."
    article = corpus.make_article("doc-1", text)
    chunks = article.chunks(corpus.ChunkingConfig(max_chars=500, min_chars=200))
    assert [c.text for c in chunks] == ["Before the widget.", "After the widget."]


@pytest.mark.parametrize(("max_chars", "min_chars"), [(0, 0), (100, 0), (100, 101), (-5, 1)])
def test_chunking_config_rejects_impossible_sizes(max_chars: int, min_chars: int) -> None:
    with pytest.raises(ValueError, match=f"min_chars={min_chars}, max_chars={max_chars}"):
        corpus.ChunkingConfig(max_chars=max_chars, min_chars=min_chars)


@pytest.mark.parametrize("gap", [" ", "\t", "  "])
def test_a_sentence_after_an_abbreviation_splits_whatever_the_space(gap: str) -> None:
    text = f"They met in the U.S.{gap}The talks failed."
    assert [s.text for s in corpus.make_article("d", text).sentences()] == [
        "They met in the U.S.",
        "The talks failed.",
    ]
