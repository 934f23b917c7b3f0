"""Stage: topic groups (TF-IDF on segmented words, then NMF) and their representatives.

Unless the run fixes it, the number of groups is the one with the best silhouette
(cosine) among 2 … ~sqrt(voices), tried on a sample.

Runs on voices (distinct texts, a campaign collapsed into one), so a campaign of a
thousand copies is one document here and cannot make a topic of its own by weight.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score

#: Fewer voices than this are not grouped: the page lists them instead.
MIN_VOICES_TO_GROUP = 8


@dataclass
class Grouping:
    """``labels[i]`` is the group of voice i, or -1 when it fits none."""

    labels: np.ndarray
    label_terms: list[list[str]]
    #: Row-normalised TF-IDF of the voices (None when too few voices to group).
    matrix: object | None
    vectorizer: TfidfVectorizer | None


def _identity(words):
    return words


def make_vectorizer(n_documents: int) -> TfidfVectorizer:
    """TF-IDF over already segmented words; rare and ubiquitous words left out."""
    return TfidfVectorizer(analyzer=_identity, min_df=2 if n_documents >= 20 else 1,
                           max_df=0.5 if n_documents >= 20 else 1.0, sublinear_tf=True,
                           dtype=np.float32)


def _nmf(count: int, max_iter: int = 300, tol: float = 1e-3) -> NMF:
    return NMF(n_components=count, init="nndsvda", random_state=0, max_iter=max_iter, tol=tol)


def choose_topic_count(matrix, maximum: int = 12, sample: int = 800) -> int:
    """The number of topics whose NMF grouping has the best cosine silhouette, tried on a
    sample of at most ``sample`` voices, from 2 up to about the square root of the count."""
    rows = matrix.shape[0]
    if rows > sample:
        picked = np.random.default_rng(0).choice(rows, size=sample, replace=False)
        matrix = matrix[np.sort(picked)]
    highest = min(maximum, max(2, int(math.sqrt(matrix.shape[0]))), matrix.shape[0] - 1)
    best, best_score = 2, -2.0
    for count in range(2, highest + 1):
        labels = _nmf(count, max_iter=100, tol=1e-2).fit_transform(matrix).argmax(axis=1)
        if len(set(labels.tolist())) < 2:
            continue
        score = silhouette_score(matrix, labels, metric="cosine")
        if score > best_score:
            best, best_score = count, score
    return best


def group_voices(documents: list[list[str]], topics: int | None = None,
                 max_topics: int = 12, label_size: int = 5) -> Grouping:
    """Group content-word documents into topics; each topic named by its top words."""
    usable = sum(1 for words in documents if words)
    if usable < MIN_VOICES_TO_GROUP:
        return Grouping(np.full(len(documents), -1), [], None, None)
    vectorizer = make_vectorizer(usable)
    try:
        matrix = vectorizer.fit_transform(documents)
    except ValueError:  # every word pruned: nothing to group on
        return Grouping(np.full(len(documents), -1), [], None, None)
    if matrix.shape[1] < 2:
        return Grouping(np.full(len(documents), -1), [], matrix, vectorizer)
    count = min(topics or choose_topic_count(matrix, max_topics), matrix.shape[1], usable - 1)
    model = _nmf(max(2, count))
    weights = model.fit_transform(matrix)
    labels = np.where(weights.max(axis=1) > 1e-9, weights.argmax(axis=1), -1)
    terms = vectorizer.get_feature_names_out()
    label_terms = [[terms[j].replace("_", " ") for j in np.argsort(-row)[:label_size] if row[j] > 0]
                   for row in model.components_]
    return Grouping(labels, label_terms, matrix, vectorizer)


def representatives(grouping: Grouping, group: int, count: int = 3) -> list[int]:
    """Voices of ``group`` nearest its centre (cosine to the mean TF-IDF row), best first."""
    members = np.flatnonzero(grouping.labels == group)
    if not len(members) or grouping.matrix is None:
        return []
    rows = grouping.matrix[members]
    centre = np.asarray(rows.mean(axis=0)).ravel()
    norm = np.linalg.norm(centre)
    if norm == 0:
        return members[:count].tolist()
    scores = rows @ (centre / norm)
    order = np.argsort(-np.asarray(scores).ravel(), kind="stable")
    return members[order[:count]].tolist()
