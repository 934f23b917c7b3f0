"""Stage: topic groups (TF-IDF on segmented words, a small latent semantic space, KMeans)
and their representatives.

The voices' TF-IDF rows are projected on their first 20 singular vectors (LSA) and grouped
by KMeans there: on real comments the first axes separate *what* is talked about (the
lecturer, the course, the rooms) while the TF-IDF space itself is dominated by *how* it is
praised, which NMF and KMeans on TF-IDF split on (docs/text-analysis.md, issue 12).
Unless the run fixes it, the number of groups is the one whose grouping comes back most
alike from random subsamples (``choose_topic_count``). Each group is labelled by the words
that weigh most in it *and* least in the others (stance words left out); a group whose
label words are mostly evaluation ("tốt", "hay", "nhiệt tình", "ổn") is marked
``general``: general remarks, not a topic.

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
    #: False when no count's grouping came back alike from random subsamples: the groups
    #: are a reading aid, not a finding (``topic_count``).
    reproducible: bool = True


def _identity(words):
    return words


def make_vectorizer(n_documents: int) -> TfidfVectorizer:
    """TF-IDF over already segmented words; rare and ubiquitous words left out."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=_identity, min_df=2 if n_documents >= 20 else 1,
                           max_df=0.5 if n_documents >= 20 else 1.0, sublinear_tf=True,
                           dtype=np.float32)


#: Dimensions of the latent semantic space the voices are grouped in. Few on purpose: the
#: first axes of short comments are their subjects (who or what is talked about); more
#: axes bring back the ways of praising, which split one subject into several groups.
LATENT_DIMENSIONS = 20


def latent_space(matrix, dimensions: int = LATENT_DIMENSIONS) -> np.ndarray:
    """Unit rows of the TF-IDF matrix projected on its first singular vectors (LSA)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    dimensions = max(1, min(dimensions, matrix.shape[1] - 1, matrix.shape[0] - 1))
    return normalize(TruncatedSVD(dimensions, random_state=0).fit_transform(matrix))


def _kmeans(count: int, seed: int = 0, starts: int = 5):
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=count, n_init=starts, random_state=seed)


def count_stability(points: np.ndarray, count: int, samples: int = 8, share: float = 0.8) -> float:
    """Mean adjusted Rand index between the groupings of all ``points`` by KMeans models
    fitted on ``samples`` random subsamples (``share`` of the points each)."""
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(0)
    size = max(count + 1, int(share * len(points)))
    runs = [_kmeans(count, seed, starts=3).fit(points[rng.choice(len(points), size, replace=False)])
            .predict(points) for seed in range(samples)]
    return float(np.mean([adjusted_rand_score(runs[i], runs[j])
                          for i in range(samples) for j in range(i + 1, samples)]))


def elbow_count(points: np.ndarray, highest: int) -> int:
    """The count, among 2 … ``highest``, past which one more group stops paying: the point
    of the within-group dispersion curve (KMeans inertia, one group to ``highest``, both
    axes scaled to 0–1) farthest below the straight line from its first to its last point."""
    if highest <= 2:
        return 2
    inertia = [float(((points - points.mean(axis=0)) ** 2).sum())]
    inertia += [_kmeans(count).fit(points).inertia_ for count in range(2, highest + 1)]
    curve = np.array(inertia)
    drop = (curve - curve[-1]) / max(curve[0] - curve[-1], 1e-12)
    line = 1 - np.arange(len(curve)) / (len(curve) - 1)
    return 2 + int(np.argmax((line - drop)[1:-1]))


#: Below this mean adjusted Rand index between subsample groupings, no count's grouping is
#: reproducible: the VSFC splits and UIT-ViSFD train 0.72-0.88 at 2 groups, generated
#: opinions 0.97-1.00, the demo's 66 voices 0.09 (docs/text-analysis.md, issue 12).
REPRODUCIBLE = 0.5


def choose_topic_count(points: np.ndarray, maximum: int = 12, sample: int = 2000,
                       samples: int = 8) -> int:
    """The number of groups (``topic_count`` without whether they are reproducible)."""
    return topic_count(points, maximum, sample, samples)[0]


def topic_count(points: np.ndarray, maximum: int = 12, sample: int = 2000,
                samples: int = 8) -> tuple[int, bool]:
    """The number of groups: among 2 … the elbow of the within-group dispersion
    (``elbow_count``, over 2 … about the square root of the count, at most ``maximum``), the
    one whose KMeans grouping comes back the most alike from random subsamples
    (``count_stability``), on at most ``sample`` voices; a tie goes to the larger number.

    Past the elbow one more group barely lowers the dispersion: it splits voices that are
    alike, and its groups look reproducible only because a few near-identical voices each
    come back together, so the stability rises again with the count and, without the
    elbow, picked the upper bound on 600-voice subsets of VSFC and on 290 UIT-ViSFD
    comments. When no count up to the elbow is reproducible (mean adjusted Rand index below
    ``REPRODUCIBLE``: the demo's 66 voices, 0.09), the voices have no groups of their own
    and the count is the elbow, groups as a reading aid, not a finding.

    Measured on real comments (docs/text-analysis.md): the cosine silhouette always chose
    the upper bound, NMF stability from three random starts swung from one sample to the
    next; subsample stability in the latent space is steady (VSFC: the same count on every
    split and on random subsets) and picks the planted number on generated opinions. Null-
    corrected stability (minus that of structureless points of the same axes' spread), the
    gap statistic, Calinski-Harabasz, Davies-Bouldin and splitting a group further while its
    split is as stable as the grouping it came from were tried on VSFC: each gave 2, the
    upper bound, or 5-6 groups, where the NMI is no longer above the baselines (the elbow
    alone: 5-6)."""
    rows = points.shape[0]
    if rows > sample:
        points = points[np.sort(np.random.default_rng(0).choice(rows, size=sample, replace=False))]
    highest = min(maximum, max(2, int(math.sqrt(points.shape[0]))), points.shape[0] - 1)
    if highest < 2:
        return 2, False
    top = elbow_count(points, highest)
    scores = {count: count_stability(points, count, samples) for count in range(2, top + 1)}
    best = max(scores.values())
    if best < REPRODUCIBLE:
        return top, False
    return max(count for count, score in scores.items() if score >= best - 1e-9), True


def distinguishing_terms(components: np.ndarray, terms, size: int) -> list[list[str]]:
    """Per group, the words with the highest weight times exclusivity (the share of the
    word's weight over all groups that this group holds); stance words ("không", "cần")
    say how, not what, and are left out."""
    from analysis.text.stopwords import STANCE_WORDS

    totals = components.sum(axis=0) + 1e-12
    usable = np.array([term not in STANCE_WORDS for term in terms])
    labels = []
    for row in components:
        score = np.where(usable, row * (row / totals), 0.0)
        labels.append([terms[j].replace("_", " ") for j in np.argsort(-score)[:size] if score[j] > 0])
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
    from threadpoolctl import threadpool_limits

    points = latent_space(matrix)
    # One thread: the many small KMeans fits of the count choice spent 20x their CPU time
    # spinning in OpenMP threads on a busy machine (bench/text: 39 s CPU against 1.7 s).
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")  # duplicate points make KMeans warn of fewer clusters
        count, reproducible = (topics, True) if topics else topic_count(points, max_topics)
        count = min(count, usable - 1)
        labels = _kmeans(max(2, count)).fit_predict(points)
    empty = np.asarray(matrix.sum(axis=1)).ravel() == 0
    labels = np.where(empty, -1, labels)
    centres = group_centres(matrix, labels, max(2, count))
    label_terms = distinguishing_terms(centres, vectorizer.get_feature_names_out(), label_size)
    return Grouping(labels, label_terms, matrix, vectorizer, [is_general(t) for t in label_terms],
                    reproducible)


def group_centres(matrix, labels: np.ndarray, count: int) -> np.ndarray:
    """Mean TF-IDF row of each group (a zero row for an empty group)."""
    centres = np.zeros((count, matrix.shape[1]), dtype=np.float64)
    for group in range(count):
        members = np.flatnonzero(labels == group)
        if len(members):
            centres[group] = np.asarray(matrix[members].mean(axis=0)).ravel()
    return centres


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
