"""Stage: copies and near-copies (campaigns), each member checked against its representative.

1. Exact copies share the key of ``normalise.prepare`` (hash of the folded text), so case,
   Unicode form, tone-mark style and teen-code never hide a copy.
2. Every other text is compared in a *masked* form (``masked_syllables``): syllables
   without marks, lower case, with the parts a template varies replaced by a slot (numbers,
   dates, document numbers such as 59/2020/QH14, provinces, people's names).
3. Distinct texts are taken most-copied first. A text joins the campaign of the most
   similar *representative* (the campaign's first text) when ``similarity`` reaches the
   threshold, its stance polarity is not opposite to the campaign's (``compatible``), and
   it does not differ from the representative by a negator or stance verb that changes
   its stance (``negation_flip``); otherwise it becomes the representative of a new group. Members are never chained through other
   members, so a campaign cannot drift from praise to criticism, and "Tôi đồng ý…" never
   joins "Tôi không đồng ý…".
4. Candidates come from MinHash LSH (datasketch) over the syllable sets of the
   representatives only (for short texts from a set Jaccard of about 0.4, so a copy with
   three syllables replaced is always proposed); the same masked text joins at once. Of the
   compatible candidates only the ``max_verified`` nearest by MinHash-estimated Jaccard are
   verified: opinions on one theme share so much vocabulary that LSH proposes a number of
   representatives growing with the texts seen, which made the stage quadratic. The LSH
   index is ``BucketIndex``: each bucket keeps its first ``bucket_cap`` representatives
   (the most copied), so a query returns at most bands x cap of them.
5. A text left alone is compared once more with each campaign's *central* wording (the
   member most similar to the others, ``_second_look``): copies each edited in a few words
   are close to the original they were made from, not always to the most copied copy.

``similarity`` is the best of: the edit similarity of the syllable sequences (rapidfuzz
Indel, good for short texts with a few words changed), the same with clauses sorted
(reordered clauses), and the Jaccard similarity of 3-syllable shingles (long texts).

Texts shorter than ``min_syllables`` are never near-matched: "Tôi đồng ý" written by a
hundred people is a hundred voices, not a campaign.
"""
from __future__ import annotations

import csv
import hashlib
import re
import zlib
from array import array
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from consult.textnorm import strip_marks

_WORD_RE = re.compile(r"\w+", re.UNICODE)
PROVINCES_CSV = Path(__file__).resolve().parents[2] / "consult" / "data" / "provinces.csv"

#: Slots a template varies, replaced before comparison (order matters: longest forms first).
_DOCUMENT_RE = re.compile(r"\b\d+/(?:\d{2,4}/)?[A-ZĐa-zđ][\w-]*\d*\b")
_DATE_RE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_SLOT_TOKENS = {"zzdoc": "<doc>", "zzdate": "<date>", "zznum": "<n>"}
#: Common Vietnamese family names: one followed by syllables is a person's name even in
#: lower case ("nguyễn văn an"), where capitals cannot tell. Not Lê, Hồ, Lý, Mai, Đỗ…:
#: "hồ sơ", "lý do", "ngày mai", "đồ án" are commoner.
SURNAMES = frozenset({"nguyễn", "trần", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng",
                      "bùi", "ngô", "đinh", "trương", "trịnh"})
#: Their unaccented spellings that are no other common word.
PLAIN_SURNAMES = frozenset({"nguyen", "tran", "pham", "hoang", "huynh", "truong"})
#: Texts shorter than this (in syllables) may differ by at most SHORT_EDITS insertions or
#: deletions of syllables to be copies (a replaced syllable is one of each).
SHORT_TEXT = 24
SHORT_EDITS = 6
_NAME_TITLES = frozenset({"ong", "ba", "anh", "chi", "em", "co", "chu", "bac", "thay", "la", "ten"})


@dataclass(frozen=True)
class CampaignParams:
    #: Similarity (see ``similarity``) at or above which a text copies a representative.
    threshold: float = 0.75
    #: Syllables per shingle for the Jaccard measure.
    shingle_size: int = 3
    num_perm: int = 128
    #: LSH proposes representatives from about this Jaccard similarity of syllable sets.
    candidate_threshold: float = 0.5
    #: The same for texts shorter than ``SHORT_TEXT + SHORT_EDITS`` syllables, where three
    #: replaced syllables bring the set Jaccard down to about 0.6 (0.5 would miss 13 % of
    #: those; 0.4 about 1 %). Long texts keep 0.5: they share more common words, and the
    #: comparisons at 0.4 cost eight times as many.
    short_candidate_threshold: float = 0.4
    #: Representatives verified per text at most: those of the highest MinHash-estimated
    #: Jaccard among the compatible candidates. Texts on one theme share enough vocabulary
    #: for LSH to propose a number of representatives that grows with the texts seen; a
    #: copy's original is among its nearest few, so the work per text stays bounded.
    max_verified: int = 8
    #: Representatives one LSH bucket holds at most (the first ones, i.e. the most copied:
    #: texts are taken most-copied first). Opinions on one theme fill the buckets of their
    #: shared vocabulary; a copy still meets its original in the buckets of the words the
    #: two share with few others, so the candidates per text stay bounded
    #: (bands x ``bucket_cap``) instead of growing with the texts seen.
    bucket_cap: int = 6
    #: Shorter texts are grouped only with their exact copies.
    min_syllables: int = 10
    #: Opinions (copies included) a group needs to be reported as a campaign.
    min_size: int = 2


@dataclass
class MaskedText:
    """A text ready for comparison: masked plain syllables, clause by clause."""

    clauses: list[list[str]]

    @property
    def syllables(self) -> list[str]:
        return [s for clause in self.clauses for s in clause]

    @property
    def sorted_clauses(self) -> list[str]:
        return [s for clause in sorted(self.clauses) for s in clause]

    @property
    def key(self) -> str:
        return "|".join(" ".join(c) for c in self.clauses)


@lru_cache(maxsize=1)
def _provinces() -> dict[tuple[str, ...], int]:
    """Province names without marks, as syllable tuples -> length."""
    names: set[str] = set()
    try:
        with PROVINCES_CSV.open(encoding="utf-8") as handle:
            names = {row["name"] for row in csv.DictReader(handle)}
    except OSError:  # pragma: no cover - shipped with the package
        pass
    names |= {"Sài Gòn", "Hồ Chí Minh", "Huế"}
    found = {}
    for name in names:
        name = re.sub(r"^(Thành phố|TP\.?)\s+", "", name)
        syllables = tuple(_WORD_RE.findall(strip_marks(name).casefold()))
        if syllables:
            found[syllables] = len(syllables)
    return found


def masked_syllables(text: str) -> MaskedText:
    """``text`` (normalised) as masked plain syllables, split into clauses."""
    text = _DOCUMENT_RE.sub(" zzdoc ", text)
    text = _DATE_RE.sub(" zzdate ", text)
    text = _NUMBER_RE.sub(" zznum ", text)
    clauses = []
    for clause in re.split(r"[.,;:!?…\n]+", text):
        words = _WORD_RE.findall(clause)
        if words:
            clauses.append(_mask_slots(words))
    return MaskedText(clauses)


@lru_cache(maxsize=100_000)
def _plain_word(word: str) -> str:
    return strip_marks(word).casefold()


def _mask_slots(words: list[str]) -> list[str]:
    """Plain lower-case syllables with slots: names, provinces, numbers."""
    plain = [_plain_word(w) for w in words]
    folded = [w.casefold() for w in words]
    out: list[str] = []
    provinces, i = _provinces(), 0
    if sum(1 for w in words if w.isupper() and len(w) > 1) * 2 > len(words):
        words = folded  # a clause in capitals: capitals say nothing about names
    all_lower = not any(w[:1].isupper() for w in words)
    while i < len(words):
        token = plain[i]
        if token in _SLOT_TOKENS:
            out.append(_SLOT_TOKENS[token])
            i += 1
            continue
        span = _province_at(plain, i, provinces) or _name_at(words, folded, plain, i, all_lower)
        if span:
            out.append("<name>")
            i += span
            continue
        out.append(token)
        i += 1
    return out


def _province_at(plain: list[str], i: int, provinces: dict[tuple[str, ...], int]) -> int:
    for size in (3, 2, 1):
        if tuple(plain[i:i + size]) in provinces:
            return size
    return 0


def _name_at(words: list[str], folded: list[str], plain: list[str], i: int, all_lower: bool) -> int:
    """Length of a person's name starting at ``i``: a run of capitalised syllables (not the
    first word of a clause alone), or a family name and up to two more syllables."""
    surname = folded[i] in SURNAMES or (folded[i] == plain[i] and plain[i] in PLAIN_SURNAMES)
    if surname and (all_lower or words[i][:1].isupper()):
        run = 1
        while run < 4 and i + run < len(words) and (words[i + run][:1].isupper() or
                                                     (all_lower and run < 3)):
            run += 1
        if run >= 2:
            return run
    if not words[i][:1].isupper() or all_lower:
        return 0
    run = 1
    while i + run < len(words) and words[i + run][:1].isupper():
        run += 1
    if i == 0 and run == 1:
        return 0
    if i > 0 and plain[i - 1] not in _NAME_TITLES and run == 1:
        return 0
    return run


def shingles(text: str, size: int = 3) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the ``size``-syllable shingles of a masked ``text``."""
    syllables = masked_syllables(text).syllables
    return _shingle_hashes(syllables, size)


def _shingle_hashes(syllables: list[str], size: int) -> np.ndarray:
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


@dataclass(slots=True)
class _Compared:
    """What the comparison of a text needs, computed once per text and kept for every
    representative, so compact: syllables as tuples (of interned strings), the shingles as a
    sorted ``uint32`` array, the masked text as a 64-bit hash."""

    syllables: tuple[str, ...]
    #: The syllables with the clauses in sorted order (None for a single clause).
    sorted_syllables: tuple[str, ...] | None
    shingles: np.ndarray
    mask_key: int


def _compared(text: str, shingle_size: int) -> _Compared:
    masked = masked_syllables(text)
    syllables = masked.syllables
    key = int.from_bytes(hashlib.blake2b(masked.key.encode(), digest_size=8).digest(), "big")
    return _Compared(tuple(syllables),
                     tuple(masked.sorted_clauses) if len(masked.clauses) > 1 else None,
                     _shingle_hashes(syllables, shingle_size), key)


@lru_cache(maxsize=1)
def _indel():
    """rapidfuzz's Indel distance, imported on first use (web requests never load it)."""
    from rapidfuzz.distance import Indel

    return Indel


def similarity(first: _Compared, second: _Compared, cutoff: float = 0.0) -> float:
    """The best of: syllable edit similarity, the same with clauses sorted, shingle Jaccard;
    0 when it cannot reach ``cutoff`` (checked cheaply on the lengths first).

    Between short texts (under ``SHORT_TEXT`` syllables) more than ``SHORT_EDITS``
    syllable insertions and deletions (three words replaced) is no copy whatever the
    ratio: two students writing "giảng viên nhiệt tình, quan tâm sinh viên" in their own
    words share most syllables without copying each other."""
    one, other = len(first.syllables), len(second.syllables)
    short = max(one, other) < SHORT_TEXT
    if short and abs(one - other) > SHORT_EDITS:
        return 0.0
    shingle_bound = min(len(first.shingles), len(second.shingles)) / \
        max(1, len(first.shingles), len(second.shingles))
    if 2 * min(one, other) / max(1, one + other) < cutoff and (short or shingle_bound < cutoff):
        return 0.0
    indel = _indel()
    pairs = [(first.syllables, second.syllables)]
    if first.sorted_syllables is not None or second.sorted_syllables is not None:
        pairs.append((first.sorted_syllables or first.syllables,
                      second.sorted_syllables or second.syllables))
    best = 0.0
    for a, b in pairs:
        if short and indel.distance(a, b, score_cutoff=SHORT_EDITS) > SHORT_EDITS:
            continue
        best = max(best, indel.normalized_similarity(a, b, score_cutoff=cutoff))
    if short or best >= 1.0 or shingle_bound < max(cutoff, best):
        return best
    common = len(np.intersect1d(first.shingles, second.shingles, assume_unique=True))
    return max(best, common / (len(first.shingles) + len(second.shingles) - common))


def text_similarity(first: str, second: str, shingle_size: int = 3) -> float:
    """``similarity`` of two normalised texts (for tests and the benchmark)."""
    return similarity(_compared(first, shingle_size), _compared(second, shingle_size))


def compatible(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """No opposite polarity, read without marks (so a copy typed without marks reads like
    its original) nor as written ("chả hợp lý" and "hợp lý" are both "cha hop ly"
    without marks). A text with no stance (0) is compatible with either."""
    return first[0] * second[0] != -1 and first[1] * second[1] != -1


def negation_flip(first: str, second: str) -> bool:
    """One text negates a cue the other affirms ("Nên giữ …" / "Không nên giữ …"), even
    when one of them reads as no stance at all."""
    from analysis.text.stance import classify

    one, other = classify(first), classify(second)
    return _within(one.negated, other.affirmed) or _within(other.negated, one.affirmed)


def _within(negated: frozenset[str], affirmed: frozenset[str]) -> bool:
    """A negated cue is an affirmed one or part of it ("dong y" in "hoan toan dong y")."""
    return any(f" {cue} " in f" {phrase} " for cue in negated for phrase in affirmed)


def _joined(sign: tuple[int, int], member: tuple[int, int]) -> tuple[int, int]:
    """A campaign's polarity once ``member`` joins: the first stance taken in each reading."""
    return (sign[0] or member[0], sign[1] or member[1])


class BucketIndex:
    """MinHash LSH (banded, as datasketch's ``MinHashLSH`` for the same threshold) whose
    buckets hold at most ``cap`` keys: the first inserted. ``query`` returns the keys sharing
    a bucket with a sketch, in a fixed order (band, then insertion), at most bands x cap.

    Sketches are ``uint32`` arrays (``sketch_of``); a band is reduced to one 64-bit integer.
    The buckets are kept in flat arrays, not Python objects (a dict entry and an integer
    object per bucket took about 90 bytes; here 12 bytes a slot, at most 60 % of the slots
    used): per band, an open-addressing table (linear probing) of band keys and, per slot,
    the one key of its bucket (most buckets) or, for a bucket of several, a row of
    ``_overflow``. Keys are numbered in insertion order (``_keys``), so any hashable key
    works.
    """

    _EMPTY = -1
    _FIBONACCI = 0x9E3779B97F4A7C15
    _MAX_LOAD = 0.6

    def __init__(self, threshold: float, num_perm: int, cap: int, stats: Counter | None = None):
        from datasketch.lsh import _optimal_param

        self.bands, self.rows = _optimal_param(threshold, num_perm, 0.5, 0.5)
        self.cap = cap
        self.stats = stats if stats is not None else Counter()
        self._mix = np.array([0x9E3779B97F4A7C15 >> (7 * i) | 1 for i in range(self.rows)],
                             dtype=np.uint64)
        self._keys: list = []
        size = 1 << 8
        self._bits = [size.bit_length() - 1] * self.bands
        self._band_keys = [array("Q", bytes(8 * size)) for _ in range(self.bands)]
        self._slots = [array("i", [self._EMPTY]) * size for _ in range(self.bands)]
        self._filled = [0] * self.bands
        self._width = max(2, cap)
        self._overflow = array("i")
        self._overflow_len = array("B")

    def _keys_of(self, sketch: np.ndarray) -> list[int]:
        bands = sketch[:self.bands * self.rows].astype(np.uint64).reshape(self.bands, self.rows)
        with np.errstate(over="ignore"):
            return (bands * self._mix).sum(axis=1, dtype=np.uint64).tolist()

    def _find(self, band: int, band_key: int) -> int:
        """The slot of ``band_key`` in ``band``'s table, or the empty slot where it goes."""
        bits = self._bits[band]
        keys, slots, mask = self._band_keys[band], self._slots[band], (1 << bits) - 1
        position = ((band_key * self._FIBONACCI) & 0xFFFFFFFFFFFFFFFF) >> (64 - bits)
        while slots[position] != self._EMPTY and keys[position] != band_key:
            position = (position + 1) & mask
        return position

    def insert(self, key, sketch: np.ndarray) -> None:
        """Add ``key`` to its buckets that are not full."""
        number = len(self._keys)
        self._keys.append(key)
        for band, band_key in enumerate(self._keys_of(sketch)):
            position = self._find(band, band_key)
            slots = self._slots[band]
            value = slots[position]
            if value == self._EMPTY:
                slots[position] = number
                self._band_keys[band][position] = band_key
                self._filled[band] += 1
                if self._filled[band] > self._MAX_LOAD * len(slots):
                    self._grow(band)
            elif value >= 0:
                row = len(self._overflow_len)
                self._overflow.extend([value, number] + [0] * (self._width - 2))
                self._overflow_len.append(2)
                slots[position] = -2 - row
            else:
                row = -2 - value
                length = self._overflow_len[row]
                if length < self.cap:
                    self._overflow[row * self._width + length] = number
                    self._overflow_len[row] = length + 1
                else:
                    self.stats["bucket_full"] += 1

    def _grow(self, band: int) -> None:
        """Twice the slots for ``band``; its keys placed again, all at once round by round
        (a key whose slot is taken moves on to the next, as a lookup would)."""
        old_slots = np.frombuffer(self._slots[band], dtype=np.int32)
        used = old_slots != self._EMPTY
        values = old_slots[used]
        band_keys = np.frombuffer(self._band_keys[band], dtype=np.uint64)[used]
        bits = self._bits[band] + 1
        size = 1 << bits
        slots = np.full(size, self._EMPTY, dtype=np.int32)
        keys = np.zeros(size, dtype=np.uint64)
        with np.errstate(over="ignore"):
            position = ((band_keys * np.uint64(self._FIBONACCI)) >> np.uint64(64 - bits)).astype(np.intp)
        pending = np.arange(len(values))
        while pending.size:
            at = position[pending]
            free = slots[at] == self._EMPTY
            taken, first = np.unique(at[free], return_index=True)
            placed = pending[free][first]
            slots[taken] = values[placed]
            keys[taken] = band_keys[placed]
            done = np.zeros(len(values), dtype=bool)
            done[placed] = True
            pending = pending[~done[pending]]
            position[pending] = (position[pending] + 1) & (size - 1)
        del old_slots, band_keys
        self._bits[band] = bits
        self._slots[band] = array("i", slots.tobytes())
        self._band_keys[band] = array("Q", keys.tobytes())

    def query(self, sketch: np.ndarray) -> list:
        numbers: dict[int, None] = {}
        width = self._width
        for band, band_key in enumerate(self._keys_of(sketch)):
            value = self._slots[band][self._find(band, band_key)]
            if value >= 0:
                numbers[value] = None
            elif value != self._EMPTY:
                row = -2 - value
                start = row * width
                numbers.update(dict.fromkeys(self._overflow[start:start + self._overflow_len[row]]))
        return [self._keys[number] for number in numbers]

    def __len__(self) -> int:
        return len(self._keys)


def sketch_of(syllables, num_perm: int) -> np.ndarray:
    """MinHash (datasketch, seed 7) of a set of syllables, as ``uint32`` values."""
    template = _template(num_perm)
    from datasketch import MinHash

    sketch = MinHash(num_perm, seed=7, permutations=template.permutations,
                     scheme=template.scheme, hashfunc=int)
    sketch.update_batch([zlib.crc32(s.encode()) for s in set(syllables)])
    return sketch.hashvalues.astype(np.uint32)


@lru_cache(maxsize=4)
def _template(num_perm: int):
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=7)


class _SketchRows:
    """The sketches of the representatives by text index, as rows of ``uint32`` blocks (no
    Python object per text, and no copy of what is kept when more is added)."""

    BLOCK = 4096

    def __init__(self, count: int, num_perm: int) -> None:
        self._row = array("i", [-1]) * count
        self._blocks: list[np.ndarray] = []
        self._used = 0
        self._num_perm = num_perm

    def __setitem__(self, index: int, sketch: np.ndarray) -> None:
        if self._used == len(self._blocks) * self.BLOCK:
            self._blocks.append(np.empty((self.BLOCK, self._num_perm), dtype=np.uint32))
        self._blocks[-1][self._used % self.BLOCK] = sketch
        self._row[index] = self._used
        self._used += 1

    def __getitem__(self, index: int) -> np.ndarray:
        row = self._row[index]
        if row < 0:
            raise KeyError(index)
        return self._blocks[row // self.BLOCK][row % self.BLOCK]


class _ComparedStore:
    """The compared forms (``_Compared``) of the representatives by text index, in flat
    arrays: syllables (and the clause-sorted syllables) as numbers of a vocabulary shared
    by the run, shingles as ``uint32``. What ``encode`` and ``__getitem__`` give compares as
    the strings do (the edit similarity only asks whether two syllables are equal)."""

    def __init__(self, count: int) -> None:
        self._vocabulary: dict[str, int] = {}
        self._row = array("i", [-1]) * count
        self._index = array("i")
        self._syllables, self._sorted, self._shingles = array("i"), array("i"), array("I")
        self._starts, self._sorted_starts, self._shingle_starts = \
            array("q", [0]), array("q", [0]), array("q", [0])

    def encode(self, item: _Compared) -> _Compared:
        """``item`` with its syllables as numbers (a new syllable gets the next one)."""
        vocabulary = self._vocabulary

        def numbers(syllables):
            return tuple(vocabulary.setdefault(s, len(vocabulary)) for s in syllables)

        return _Compared(numbers(item.syllables),
                         None if item.sorted_syllables is None else numbers(item.sorted_syllables),
                         item.shingles, item.mask_key)

    def __contains__(self, index: int) -> bool:
        return self._row[index] >= 0

    def __setitem__(self, index: int, item: _Compared) -> None:
        """Keep ``item`` (encoded) for text ``index``."""
        self._row[index] = len(self._index)
        self._index.append(index)
        self._syllables.extend(item.syllables)
        self._starts.append(len(self._syllables))
        if item.sorted_syllables is not None:
            self._sorted.extend(item.sorted_syllables)
        self._sorted_starts.append(len(self._sorted))
        self._shingles.extend(item.shingles.tolist())
        self._shingle_starts.append(len(self._shingles))

    def __getitem__(self, index: int) -> _Compared:
        row = self._row[index]
        if row < 0:
            raise KeyError(index)
        start, end = self._sorted_starts[row], self._sorted_starts[row + 1]
        shingles = np.frombuffer(self._shingles[self._shingle_starts[row]:
                                                self._shingle_starts[row + 1]], dtype=np.uint32)
        return _Compared(tuple(self._syllables[self._starts[row]:self._starts[row + 1]]),
                         tuple(self._sorted[start:end]) if end > start else None, shingles, 0)

    def get(self, index: int) -> _Compared | None:
        return self[index] if index in self else None

    def lengths(self):
        """(text index, syllables) of every text kept, in the order kept."""
        starts = self._starts
        return ((index, starts[row + 1] - starts[row]) for row, index in enumerate(self._index))


def nearest(sketch, candidates: list, sketches, limit: int, stats: Counter) -> list:
    """The ``limit`` candidates whose sketches agree most with ``sketch`` (MinHash-estimated
    Jaccard of the syllable sets), best first; all of them when there are no more."""
    if len(candidates) <= limit:
        return candidates
    stats["candidates_ranked"] += len(candidates)
    stats["candidates_dropped"] += len(candidates) - limit
    rows = np.stack([sketches[other] for other in candidates])
    agree = np.count_nonzero(rows == sketch, axis=1)
    best = np.argpartition(-agree, limit - 1)[:limit]
    best = best[np.argsort(-agree[best], kind="stable")]
    return [candidates[i] for i in best]


def near_duplicate_groups(texts: list[str], eligible: list[bool],
                          polarities: list[tuple[int, int]] | None = None,
                          params: CampaignParams = CampaignParams(), order: list[int] | None = None,
                          stats: Counter | None = None) -> list[int]:
    """The index of the representative of each text's group (itself when alone).

    ``order``: the order in which texts are considered (default: as given); the first text
    of a group is its representative. ``polarities[i]``: the stance polarity of text i
    (+1, -1, 0) read without marks and as written; a text joins a group only when it is
    ``compatible`` with the polarity the group has taken so far, so no group ever holds
    both an agreeing and a disagreeing text. ``stats`` counts the
    comparisons made (``verified``) and joins by masked key (``same_mask``).
    """
    stats = stats if stats is not None else Counter()
    polarities = polarities or [(0, 0)] * len(texts)
    representative = list(range(len(texts)))
    lsh = BucketIndex(params.candidate_threshold, params.num_perm, params.bucket_cap, stats)
    short_lsh = BucketIndex(params.short_candidate_threshold, params.num_perm,
                            params.bucket_cap, stats)
    compared = _ComparedStore(len(texts))
    by_mask: dict[tuple[str, tuple[int, int]], int] = {}
    signs: dict[int, tuple[int, int]] = {}
    sketches = _SketchRows(len(texts), params.num_perm)
    joined: dict[int, list[int]] = {}
    for index in order if order is not None else range(len(texts)):
        if not eligible[index]:
            continue
        item = _compared(texts[index], params.shingle_size)
        if not item.syllables:
            continue
        mask_key = (item.mask_key, polarities[index])
        if mask_key in by_mask:
            representative[index] = by_mask[mask_key]
            stats["same_mask"] += 1
            continue
        sketch = sketch_of(item.syllables, params.num_perm)
        item = compared.encode(item)
        best, best_score = None, params.threshold
        short = len(item.syllables) < SHORT_TEXT + SHORT_EDITS
        candidates = lsh.query(sketch)
        if short:
            candidates = list(dict.fromkeys(candidates + short_lsh.query(sketch)))
        stats["candidates"] += len(candidates)
        kept = [other for other in candidates if compatible(signs[other], polarities[index])]
        stats["polarity_kept_apart"] += len(candidates) - len(kept)
        for other in nearest(sketch, kept, sketches, params.max_verified, stats):
            stats["verified"] += 1
            score = similarity(item, compared[other], best_score)
            if score >= best_score and negation_flip(texts[index], texts[other]):
                stats["polarity_kept_apart"] += 1
            elif score >= best_score:
                best, best_score = other, score
        if best is None:
            compared[index] = item
            by_mask[mask_key] = index
            signs[index] = polarities[index]
            sketches[index] = sketch
            lsh.insert(index, sketch)
            if short:
                short_lsh.insert(index, sketch)
        else:
            representative[index] = best
            joined.setdefault(best, []).append(index)
            signs[best] = _joined(signs[best], polarities[index])
    _second_look(texts, polarities, params, representative, compared, sketches, joined, signs,
                 stats)
    return representative


def _root(key) -> int:
    """The campaign of a second-look LSH key: its representative or ("centre", it)."""
    return key[1] if isinstance(key, tuple) else key


#: Members of a campaign among which its central wording is looked for (the cost is their
#: square, so a campaign of thousands of wordings is sampled).
CENTRE_SAMPLE = 30


def _second_look(texts, polarities, params, representative, compared, sketches, joined, signs,
                 stats) -> None:
    """Texts left alone are compared once more, with the *central* wording of each campaign.

    A campaign's representative is its most copied wording, which for copies each edited in
    a few words is any one of them: two copies can be twice as far from each other as from
    the text they were both made from. The central wording (the member most similar to the
    others) is that text or close to it. A lone text joins a campaign when it reaches the
    threshold against its central wording, has a compatible polarity and negates no cue of
    the central wording nor of the representative. The representative stays what the
    campaign shows; nothing chains further (the central wording was itself verified
    against the representative). Only short texts get the second look: a few edited words
    weigh little in a long one.
    """
    followed = Counter(representative[i] for i in range(len(texts)) if representative[i] != i)
    alone = [i for i, length in compared.lengths()
             if not followed[i] and length < SHORT_TEXT + SHORT_EDITS]
    if not alone:
        return
    centres: dict[int, int] = {}
    for root, members in joined.items():
        if len(members) < 2 or len(compared[root].syllables) >= SHORT_TEXT + 2 * SHORT_EDITS:
            continue
        sample = [root] + members[:CENTRE_SAMPLE - 1]
        items = {i: compared.get(i) or compared.encode(_compared(texts[i], params.shingle_size))
                 for i in sample}
        totals = {i: sum(similarity(items[i], items[j]) for j in sample if j != i) for i in sample}
        centre = max(sample, key=lambda i: (totals[i], i == root))
        if centre != root:
            centres[root] = centre
            if centre not in compared:
                compared[centre] = items[centre]
    if not centres:
        return
    lsh = BucketIndex(params.short_candidate_threshold, params.num_perm, params.bucket_cap, stats)
    keyed = {}
    for root in centres:
        keyed[root] = sketches[root]
        lsh.insert(root, sketches[root])
    for root, centre in centres.items():
        sketch = sketch_of(masked_syllables(texts[centre]).syllables, params.num_perm)
        keyed[("centre", root)] = sketch
        lsh.insert(("centre", root), sketch)
    for index in alone:
        if index in centres:
            continue
        best, best_score = None, params.threshold
        keys = [key for key in lsh.query(sketches[index])
                if _root(key) != index and compatible(signs[_root(key)], polarities[index])]
        roots = dict.fromkeys(_root(key) for key in
                              nearest(sketches[index], keys, keyed, params.max_verified, stats))
        for root in roots:
            stats["verified_centre"] += 1
            score = similarity(compared[index], compared[centres[root]], best_score)
            if score < best_score:
                continue
            if negation_flip(texts[index], texts[centres[root]]) or \
                    negation_flip(texts[index], texts[root]):
                stats["polarity_kept_apart"] += 1
                continue
            best, best_score = root, score
        if best is not None:
            representative[index] = best
            signs[best] = _joined(signs[best], polarities[index])
            stats["joined_centre"] += 1
