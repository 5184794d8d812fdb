"""The seed articles, their sentences and figures, looked up by a few words of text, so that
tests read like the sentences they check."""

import corpus
from corpus import Article, Sentence
from retrieval.figures import Figure, extract_figures

ARTICLES: tuple[Article, ...] = corpus.load_articles([corpus.bundled_articles_dir()]).articles


def article(doc: str) -> Article:
    """The seed article whose doc id starts with ``doc`` ("000", "001", ...)."""
    (found,) = [a for a in ARTICLES if a.doc_id.startswith(doc)]
    return found


def sentence(doc: str, words: str) -> Sentence:
    """The one sentence of article ``doc`` that holds ``words``."""
    found = [s for s in article(doc).sentences() if words in s.text]
    if len(found) != 1:
        raise LookupError(f"{len(found)} sentences of {doc} hold {words!r}")
    return found[0]


def figure(doc: str, words: str, text: str) -> Figure:
    """The one figure written ``text`` in the sentence of article ``doc`` that holds ``words``."""
    found = [f for f in extract_figures(sentence(doc, words)) if f.text == text]
    if len(found) != 1:
        raise LookupError(f"{len(found)} figures {text!r} in {doc}: {words!r}")
    return found[0]


def all_figures() -> list[Figure]:
    """Every figure of every seed sentence, in article order."""
    return [f for a in ARTICLES for s in a.sentences() for f in extract_figures(s)]
