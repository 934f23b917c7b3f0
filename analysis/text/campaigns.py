"""Stage: copies and near-copies (campaigns).

1. Exact copies share the key of ``normalise.prepare`` (hash of the folded text), so
   case, Unicode form (NFD/NFC), tone-mark style and teen-code never hide a copy.
2. Near copies: each distinct text becomes a set of syllable shingles, taken on the
   text without marks (a copy typed without diacritics still matches); MinHash LSH
   (datasketch) proposes candidates; every candidate that would join two groups is
   verified by the exact Jaccard similarity of the shingle sets; union-find makes groups.

Texts shorter than ``min_syllables`` are never near-matched: "Tôi đồng ý" written by
a hundred people is a hundred voices, not a campaign.
"""
from __future__ import annotations

import re
import zlib
from collections import Counter
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

from consult.textnorm import strip_marks

_WORD_RE = re.compile(r"\w+", re.UNICODE)
#: A text this close to one already indexed finds the same candidates: not indexed again,
#: which keeps the buckets of a campaign of thousands of copies small.
_SAME_ENOUGH = 0.9


@dataclass(frozen=True)
class CampaignParams:
    #: Jaccard similarity of shingle sets at or above which two texts are near copies.
    threshold: float = 0.5
    #: Syllables per shingle.
    shingle_size: int = 3
    num_perm: int = 64
    #: LSH proposes pairs from about this similarity on; set below ``threshold`` for recall.
    candidate_threshold: float = 0.4
    #: Shorter texts are grouped only with their exact copies.
    min_syllables: int = 10
    #: Opinions (copies included) a group needs to be reported as a campaign.
    min_size: int = 2


def shingles(text: str, size: int = 3) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the ``size``-syllable shingles of ``text``.

    ``text`` is normalised already (``normalise.prepare``); case and marks are dropped here.
    """
    syllables = _WORD_RE.findall(strip_marks(text.casefold()))
    if len(syllables) < size:
        grams = [" ".join(syllables)] if syllables else []
    else:
        grams = [" ".join(syllables[i:i + size]) for i in range(len(syllables) - size + 1)]
    return np.unique(np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint32,
                                 count=len(grams)))


def jaccard(first: np.ndarray, second: np.ndarray) -> float:
    if not len(first) or not len(second):
        return 0.0
    common = len(np.intersect1d(first, second, assume_unique=True))
    return common / (len(first) + len(second) - common)


class UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        parent = self.parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:
            parent[item], item = root, parent[item]
        return root

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def near_duplicate_groups(texts: list[str], eligible: list[bool],
                          params: CampaignParams = CampaignParams(),
                          stats: Counter | None = None) -> list[int]:
    """The group root of each text; texts not ``eligible`` stay alone.

    Returns a list ``root`` with ``root[i] == root[j]`` when texts i and j are linked by a
    chain of verified near copies. ``stats["verified"]`` counts the exact checks made.
    """
    stats = stats if stats is not None else Counter()
    groups = UnionFind(len(texts))
    lsh = MinHashLSH(threshold=min(params.candidate_threshold, params.threshold),
                     num_perm=params.num_perm)
    template = MinHash(num_perm=params.num_perm, seed=7)
    sets: dict[int, np.ndarray] = {}
    for index, text in enumerate(texts):
        if not eligible[index]:
            continue
        shingle_set = shingles(text, params.shingle_size)
        if not len(shingle_set):
            continue
        sets[index] = shingle_set
        sketch = MinHash(params.num_perm, seed=7, permutations=template.permutations,
                         scheme=template.scheme,
                         hashfunc=int)
        sketch.update_batch(shingle_set.tolist())
        closest = 0.0
        for other in lsh.query(sketch):
            if groups.find(other) != groups.find(index):
                stats["verified"] += 1
                similarity = jaccard(shingle_set, sets[other])
                if similarity >= params.threshold:
                    groups.union(other, index)
                    closest = max(closest, similarity)
        if closest < _SAME_ENOUGH:
            lsh.insert(index, sketch, check_duplication=False)
        else:
            stats["not_indexed"] += 1
    return [groups.find(i) for i in range(len(texts))]
