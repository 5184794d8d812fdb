"""Answering: hybrid search and rank fusion (figures and answers build on these)."""

from retrieval.fusion import RRF_K, reciprocal_rank_fusion
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
    "HybridSearcher",
    "Passage",
    "Retriever",
    "SearchConfig",
    "SearchError",
    "check_search",
    "reciprocal_rank_fusion",
]
