"""Stage: an extractive summary, the most central sentences of all voices.

Centrality is degree centrality on TF-IDF cosine: for unit rows s_i it is
sum_j cos(s_i, s_j) = s_i · sum_j s_j, computed in one product, so it scales to
hundreds of thousands of sentences where TextRank's pairwise graph would not.
A sentence too close to one already chosen is skipped.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scikit-learn is imported where it is used: web requests never load it
    from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.text.topics import make_vectorizer

#: Sentences shorter than this (in words) say too little alone to summarise.
MIN_SENTENCE_WORDS = 5
MAX_SENTENCE_WORDS = 80


@dataclass(frozen=True)
class Sentence:
    text: str
    words: list[str]
    voice: int


def central_sentences(sentences: list[Sentence], count: int = 5,
                      vectorizer: TfidfVectorizer | None = None,
                      redundancy: float = 0.5) -> list[Sentence]:
    """Up to ``count`` sentences, most central first, no two nearly the same."""
    usable = [s for s in sentences if MIN_SENTENCE_WORDS <= len(s.words) <= MAX_SENTENCE_WORDS]
    if not usable:
        return []
    try:
        if vectorizer is None:
            matrix = make_vectorizer(len(usable)).fit_transform([s.words for s in usable])
        else:
            matrix = vectorizer.transform([s.words for s in usable])
    except ValueError:
        return []
    total = np.asarray(matrix.sum(axis=0)).ravel()
    scores = np.asarray(matrix @ total).ravel()
    chosen: list[int] = []
    for index in np.argsort(-scores, kind="stable"):
        if scores[index] <= 0 or len(chosen) >= count:
            break
        row = matrix[index]
        if any((row @ matrix[other].T).toarray()[0, 0] >= redundancy for other in chosen):
            continue
        chosen.append(int(index))
    return [usable[i] for i in chosen]
