"""Stage 2: sentences and words.

Sentences are split by a small rule (end punctuation or a line break, not after a known
abbreviation).  Words are segmented by underthesea's CRF model (VLSP 2013), which ships
inside the pip package (``underthesea/pipeline/word_tokenize/models``) and downloads
nothing: see docs/text-analysis.md for the measurements behind this choice.  When
underthesea is not installed, each syllable is a word (``SyllableSegmenter``), so the
pipeline still runs, with poorer key phrases.

A word is returned lower case with its syllables joined by ``_`` ("hợp_tác_xã"); tokens
without a letter or a digit (punctuation) are dropped.
"""
from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import Protocol

#: Words that end with a full stop without ending the sentence.
ABBREVIATIONS = frozenset({
    "tp", "tt", "ts", "ths", "pgs", "gs", "bs", "ks", "q", "p", "tx", "vv", "v.v", "ông",
    "bà", "st", "nxb", "đ", "đt", "no", "art", "vd", "v.d", "mr", "mrs", "dr",
})
_SENTENCE_END_RE = re.compile(r"([.!?…]+)[\"”’)\]]*\s+|\n+")
_TOKEN_RE = re.compile(r"\w+(?:[.,/%]\w+)*%?", re.UNICODE)
_HAS_WORD_RE = re.compile(r"\w", re.UNICODE)


class Segmenter(Protocol):
    name: str

    def segment(self, sentence: str) -> list[str]:
        """Words of one sentence, lower case, syllables joined by ``_``."""


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, each stripped; no empty sentence."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        if match.group(1) == "." and _ends_with_abbreviation(text, match.start()):
            continue
        sentence = text[start:match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _ends_with_abbreviation(text: str, end: int) -> bool:
    begin = text.rfind(" ", 0, end) + 1
    word = text[begin:end].lower().strip("(\"“")
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


class SyllableSegmenter:
    """Every syllable a word: the fallback when no segmenter package is installed."""

    name = "syllables"

    def segment(self, sentence: str) -> list[str]:
        return [token.lower() for token in _TOKEN_RE.findall(sentence)]


class UndertheseaSegmenter:
    """underthesea's CRF word segmenter, loaded from the package on first use."""

    def __init__(self) -> None:
        from underthesea import word_tokenize
        from underthesea.version import __version__

        self._word_tokenize = word_tokenize
        self.name = f"underthesea {__version__} (CRF, VLSP 2013)"

    def segment(self, sentence: str) -> list[str]:
        words = self._word_tokenize(sentence)
        return [_intern(word.lower().replace(" ", "_")) for word in words
                if _HAS_WORD_RE.search(word)]


def _intern(word: str) -> str:
    """One string object per distinct word keeps 100,000 segmented opinions small."""
    return sys.intern(word)


@lru_cache(maxsize=1)
def default_segmenter() -> Segmenter:
    try:
        return UndertheseaSegmenter()
    except ImportError:  # pragma: no cover - underthesea is in requirements
        return SyllableSegmenter()


def segment_text(text: str, segmenter: Segmenter | None = None) -> list[list[str]]:
    """Words of each sentence of ``text`` (as ``split_sentences`` cuts it)."""
    segmenter = segmenter or default_segmenter()
    return [segmenter.segment(sentence) for sentence in split_sentences(text)]


def encode_segmentation(sentences: list[list[str]]) -> str:
    """A compact string for the cache: sentences on lines, words separated by spaces."""
    return "\n".join(" ".join(words) for words in sentences)


def decode_segmentation(stored: str) -> list[list[str]]:
    if not stored:
        return []
    return [[_intern(word) for word in line.split()] for line in stored.split("\n")]
