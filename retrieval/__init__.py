"""Answering: hybrid search and rank fusion, figures, question analysis, grouping and
conflicts, and answers composed of cited quotes.

Importing the package loads nothing heavy: each name is imported from its module on first use
(so ``crosscheck --help`` does not load the answer engine).
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.answer import (
        Answer,
        AnswerFigure,
        AnswerGroup,
        AnswerKind,
        Citation,
        Note,
        NoteKind,
        Relation,
        RelationKind,
        Report,
        TimelineEntry,
    )
    from retrieval.compose import HEADLINES
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
    "HEADLINES",
    "RRF_K",
    "Answer",
    "AnswerConfig",
    "AnswerEngine",
    "AnswerFigure",
    "AnswerGroup",
    "AnswerKind",
    "ArticleFilter",
    "Citation",
    "Figure",
    "FigureAnnotator",
    "HybridSearcher",
    "Note",
    "NoteKind",
    "Number",
    "Passage",
    "Qualifier",
    "Question",
    "Relation",
    "RelationKind",
    "Report",
    "Retriever",
    "SearchConfig",
    "SearchError",
    "TimelineEntry",
    "analyse",
    "check_search",
    "extract_figures",
    "find_numbers",
    "reciprocal_rank_fusion",
]

# Where each name of ``__all__`` lives (the imports above, for the type checker).
_HOMES = {
    "retrieval.answer": (
        "Answer",
        "AnswerFigure",
        "AnswerGroup",
        "AnswerKind",
        "Citation",
        "Note",
        "NoteKind",
        "Relation",
        "RelationKind",
        "Report",
        "TimelineEntry",
    ),
    "retrieval.compose": ("HEADLINES",),
    "retrieval.engine": ("AnswerConfig", "AnswerEngine", "ArticleFilter"),
    "retrieval.figure_store": ("FigureAnnotator",),
    "retrieval.figures": ("Figure", "extract_figures"),
    "retrieval.fusion": ("RRF_K", "reciprocal_rank_fusion"),
    "retrieval.numbers": ("Number", "Qualifier", "find_numbers"),
    "retrieval.question": ("Question", "analyse"),
    "retrieval.search": (
        "HybridSearcher",
        "Passage",
        "Retriever",
        "SearchConfig",
        "SearchError",
        "check_search",
    ),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> object:
    """``retrieval.NAME``: import NAME's module the first time it is asked for."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value
