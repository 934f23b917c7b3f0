"""Stage: topic groups (TF-IDF on segmented words, then NMF) and their representatives.

Unless the run fixes it, the number of groups is the most *stable* one among 2 …
~sqrt(voices): NMF from three random starts on a sample, the groupings compared by the
adjusted Rand index; a number of groups the data really has comes back the same from any
start. (The cosine silhouette chosen before always hit the upper bound on short comments.)
Each group is labelled by the words that weigh most in it *and* least in the others; a
group whose label words are mostly evaluation ("tốt", "hay", "nhiệt tình", "ổn") is
marked ``general``: general remarks, not a topic.

Runs on voices (distinct texts, a campaign collapsed into one), so a campaign of a
thousand copies is one document here and cannot make a topic of its own by weight.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # scikit-learn is imported where it is used: web requests never load it
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

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
    #: Per group: True when its label words are mostly evaluation (general remarks).
    general: list[bool] = field(default_factory=list)


def _identity(words):
    return words


def make_vectorizer(n_documents: int) -> TfidfVectorizer:
    """TF-IDF over already segmented words; rare and ubiquitous words left out."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=_identity, min_df=2 if n_documents >= 20 else 1,
                           max_df=0.5 if n_documents >= 20 else 1.0, sublinear_tf=True,
                           dtype=np.float32)


def _nmf(count: int, max_iter: int = 300, tol: float = 1e-3) -> NMF:
    from sklearn.decomposition import NMF

    return NMF(n_components=count, init="nndsvda", random_state=0, max_iter=max_iter, tol=tol)


def choose_topic_count(matrix, maximum: int = 12, sample: int = 800, starts: int = 3) -> int:
    """The number of topics whose NMF grouping is most stable across random starts (mean
    adjusted Rand index), tried on a sample of at most ``sample`` voices, from 2 up to about
    the square root of the count: the largest number still at 90 % of the best stability
    (as many groups as come back the same)."""
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import adjusted_rand_score

    rows = matrix.shape[0]
    if rows > sample:
        picked = np.random.default_rng(0).choice(rows, size=sample, replace=False)
        matrix = matrix[np.sort(picked)]
    highest = min(maximum, max(2, int(math.sqrt(matrix.shape[0]))), matrix.shape[0] - 1)
    scores = {}
    for count in range(2, highest + 1):
        with warnings.catch_warnings():  # a short run from a random start need not converge
            warnings.simplefilter("ignore", ConvergenceWarning)
            runs = [NMF(n_components=count, init="random", random_state=seed, max_iter=200, tol=1e-3)
                    .fit_transform(matrix).argmax(axis=1) for seed in range(1, starts + 1)]
        scores[count] = float(np.mean([adjusted_rand_score(runs[i], runs[j])
                                       for i in range(starts) for j in range(i + 1, starts)]))
    if not scores:
        return 2
    best = max(scores.values())
    return max(count for count, score in scores.items() if score >= 0.9 * best)


def distinguishing_terms(components: np.ndarray, terms, size: int) -> list[list[str]]:
    """Per group, the words with the highest weight times exclusivity (the share of the
    word's weight over all groups that this group holds)."""
    totals = components.sum(axis=0) + 1e-12
    labels = []
    for row in components:
        score = row * (row / totals)
        labels.append([terms[j].replace("_", " ") for j in np.argsort(-score)[:size] if row[j] > 0])
    return labels


def is_general(terms: list[str]) -> bool:
    """Most label words are evaluation, not a subject: "general remarks"."""
    from analysis.text.stance import AGREE, DISAGREE

    evaluative = set(AGREE) | set(DISAGREE) | GENERIC_WORDS
    return sum(1 for term in terms if term in evaluative) * 2 > len(terms)


#: Words of comment language that name no subject.
GENERIC_WORDS = frozenset({"mọi thứ", "ổn", "hơi", "rất", "khá", "lắm", "quá", "thấy", "cảm thấy",
                           "nói chung", "chung", "nhiều", "ít", "hay", "tuyệt", "ok", "được"})


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
    label_terms = distinguishing_terms(model.components_, vectorizer.get_feature_names_out(), label_size)
    return Grouping(labels, label_terms, matrix, vectorizer, [is_general(t) for t in label_terms])


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
