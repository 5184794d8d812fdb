"""Answering: hybrid search and rank fusion, figures, question analysis, grouping and
conflicts, and answers composed of cited quotes."""

from retrieval.answer import Answer, AnswerFigure, Citation
from retrieval.engine import AnswerConfig, AnswerEngine, ArticleFilter
from retrieval.figure_store import FigureAnnotator
from retrieval.figures import Figure, extract_figures
from retrieval.fusion import RRF_K, reciprocal_rank_fusion
from retrieval.numbers import Number, Qualifier, find_numbers
from retrieval.question import Question, analyse
from retrieval.search import (
    HybridSearcher,
    Passage,
    Retriever,
    SearchConfig,
    SearchError,
    check_search,
)

__all__ = [
    "RRF_K",
    "Answer",
    "AnswerConfig",
    "AnswerEngine",
    "AnswerFigure",
    "ArticleFilter",
    "Citation",
    "Figure",
    "FigureAnnotator",
    "HybridSearcher",
    "Number",
    "Passage",
    "Qualifier",
    "Question",
    "Retriever",
    "SearchConfig",
    "SearchError",
    "analyse",
    "check_search",
    "extract_figures",
    "find_numbers",
    "reciprocal_rank_fusion",
]
