"""Articles: loading, metadata, boilerplate, and sentences and chunks with character offsets."""

from corpus.article import Article, Chunk, Sentence, make_article
from corpus.chunking import ChunkingConfig
from corpus.errors import ArticleFileError, CorpusError, CorpusNotFoundError, DuplicateDocIdError
from corpus.loading import (
    ARTICLE_SUFFIXES,
    LoadedCorpus,
    SkippedFile,
    bundled_articles_dir,
    load_articles,
    read_article_file,
)
from corpus.spans import Boilerplate, BoilerplateKind, Span

__all__ = [
    "ARTICLE_SUFFIXES",
    "Article",
    "ArticleFileError",
    "Boilerplate",
    "BoilerplateKind",
    "Chunk",
    "ChunkingConfig",
    "CorpusError",
    "CorpusNotFoundError",
    "DuplicateDocIdError",
    "LoadedCorpus",
    "Sentence",
    "SkippedFile",
    "Span",
    "bundled_articles_dir",
    "load_articles",
    "make_article",
    "read_article_file",
]
