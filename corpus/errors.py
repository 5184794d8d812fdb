"""Errors raised while reading articles.

CorpusError                 base: anything wrong with the articles given
├── ArticleFileError        one file cannot be read as articles (binary, not UTF-8, bad JSON, empty)
├── DuplicateDocIdError     two articles claim the same doc id
└── CorpusNotFoundError     a path does not exist, or a folder holds no articles
"""


class CorpusError(Exception):
    """Base class: the articles given cannot be used as they are."""


class ArticleFileError(CorpusError):
    """A file cannot be read as one or more articles."""


class DuplicateDocIdError(CorpusError):
    """Two articles have the same doc id."""


class CorpusNotFoundError(CorpusError):
    """A path does not exist, or a folder holds no article files."""
