"""The matcher's scores as matrices: content, title and their combination for every pair.

Kept apart from ``consult.matching`` so that numpy, scipy and rapidfuzz are imported only when
two versions are matched, not by every web worker at start.
"""
from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse

from consult.matching import THRESHOLD, Profile


def _incidence(profiles: list[Profile], vocabulary: dict, width: int | None = None) -> sparse.csr_matrix:
    rows, columns = [], []
    for row, profile in enumerate(profiles):
        for gram in profile.bigrams:
            rows.append(row)
            columns.append(vocabulary.setdefault(gram, len(vocabulary)))
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, columns)),
                             shape=(len(profiles), width or max(len(vocabulary), 1)))


def _shared_bigrams(old: list[Profile], new: list[Profile]) -> np.ndarray:
    """Shared bigrams of every (old, new) pair, as one sparse matrix product."""
    vocabulary: dict = {}
    new_matrix = _incidence(new, vocabulary)
    old_matrix = _incidence(old, vocabulary)
    new_matrix.resize((len(new), old_matrix.shape[1]))
    return np.asarray((old_matrix @ new_matrix.T).todense(), dtype=float)


class Scores:
    """Content, title and combined scores of every pair of old and new items, as matrices."""

    def __init__(self, old: list[Profile], new: list[Profile]):
        self.old, self.new = old, new
        self.shared = _shared_bigrams(old, new)
        old_sizes = np.array([len(p.bigrams) for p in old], dtype=float)
        new_sizes = np.array([len(p.bigrams) for p in new], dtype=float)
        self.in_old = self.shared / np.maximum(old_sizes, 1)[:, None]
        self.in_new = self.shared / np.maximum(new_sizes, 1)[None, :]
        self.content = 2 * self.shared / np.maximum(old_sizes[:, None] + new_sizes[None, :], 1)
        self.title = self._titles()
        self.combined = self._combined()

    def _titles(self) -> np.ndarray:
        old_titles, new_titles = [p.title for p in self.old], [p.title for p in self.new]
        scores = process.cdist(old_titles, new_titles, scorer=fuzz.token_sort_ratio, workers=1) / 100.0
        both = np.outer([bool(t) for t in old_titles], [bool(t) for t in new_titles])
        return np.where(both, scores, 0.0)

    def _combined(self) -> np.ndarray:
        content, title = self.content, self.title
        score = np.where(title > 0, np.maximum(content, 0.55 * title + 0.45 * content), content)
        old_place = np.arange(len(self.old)) / max(len(self.old), 1)
        new_place = np.arange(len(self.new)) / max(len(self.new), 1)
        place = 1 - np.abs(old_place[:, None] - new_place[None, :])
        same_number = np.equal.outer([p.item.number for p in self.old], [p.item.number for p in self.new])
        return np.minimum(1.0, score + 0.04 * same_number + 0.02 * place)

    def candidates(self) -> list[tuple[float, int, int]]:
        """Pairs scoring at least THRESHOLD, best first."""
        rows, columns = np.nonzero(self.combined >= THRESHOLD)
        scored = [(float(self.combined[i, j]), int(i), int(j)) for i, j in zip(rows, columns)]
        return sorted(scored, key=lambda entry: (-entry[0], entry[1], entry[2]))
