"""Stage 1: normalise one opinion for analysis and flag what is odd about it.

The boundary normaliser (``consult.textnorm``) repairs encodings, composes NFC and puts
tone marks in one place.  Here we add what only analysis needs: teen-code expanded,
capitals lowered, very long text cut, and flags (empty, emoji only, all capitals,
very long, probably not Vietnamese, teen-code, no diacritics) that the pages count.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from consult.textnorm import normalize_text, strip_marks

#: Change it whenever ``prepare`` may give another result for the same text (stored
#: normalisations of another version are not reused).
NORMALISER_VERSION = "normalise-2026-12-05"

#: Characters of an opinion kept for analysis; the rest is cut and the opinion flagged.
MAX_ANALYSIS_CHARS = 5000

#: Common Vietnamese teen-code in comments → the words it stands for (flagged ``teen_code``).
#: Keys are lower case; only whole words are replaced.
TEEN_CODE = {
    "ko": "không", "k": "không", "hok": "không", "hông": "không", "khum": "không",
    "kg": "không", "khg": "không", "kh": "không", "hem": "không", "hk": "không",
    "dc": "được", "đc": "được", "ng": "người", "mn": "mọi người", "mng": "mọi người",
    "vs": "với", "cx": "cũng", "cg": "cũng", "trc": "trước", "bít": "biết",
    "ntn": "như thế nào", "j": "gì", "z": "vậy", "v": "vậy", "tv": "thành viên",
    "tvien": "thành viên",
}
#: Abbreviations of the field, expanded the same way but normal usage (not flagged).
ABBREVIATIONS = {
    "htx": "hợp tác xã", "lhhtx": "liên hiệp hợp tác xã", "thtx": "tổ hợp tác",
    "sd": "sử dụng", "qđ": "quy định", "qd": "quy định", "nđ": "nghị định",
    "ubnd": "ủy ban nhân dân", "hđnd": "hội đồng nhân dân", "hđqt": "hội đồng quản trị",
    "đhtv": "đại hội thành viên", "tctd": "tổ chức tín dụng", "dn": "doanh nghiệp",
    "nn": "nhà nước", "bst": "ban soạn thảo",
}
_EXPANSIONS = {**ABBREVIATIONS, **TEEN_CODE}
_EXPANSION_RE = re.compile(
    r"(?<![\w/])(?:" + "|".join(sorted(map(re.escape, _EXPANSIONS), key=len, reverse=True)) + r")(?![\w/-])",
    re.IGNORECASE)
#: Words after which a teen-code key is a real letter: "điểm k khoản 2", "mục v".
_LETTER_CONTEXT = frozenset({"điểm", "mục", "phần", "chương", "tiết"})
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_LETTER_RE = re.compile(r"[^\W\d_]", re.UNICODE)
#: The shape of a Vietnamese syllable written without marks (đ read as d).
_PLAIN_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?"
    r"(?:[aeiouy]{1,3})(?:ch|ng|nh|[cmnpt])?"
)
_MARKED = frozenset("ăâêôơưđ")
_OTHER_SCRIPT_RE = re.compile(r"[^\W\d_\u0000-\u024f\u1e00-\u1eff]")


@dataclass(frozen=True, slots=True)
class PreparedText:
    """One opinion ready for the stages after normalisation."""

    #: Repaired, NFC, one tone style, teen-code expanded, capitals lowered, cut: what is analysed.
    text: str
    #: Hash of the folded text: the exact-copy key and the cache key.
    key: str
    flags: frozenset[str]
    #: Word-like tokens (syllables, numbers) in ``text``.
    syllables: int


def prepare(text: str | None, max_chars: int = MAX_ANALYSIS_CHARS) -> PreparedText:
    """Normalise ``text`` and flag it; never raises on a string or None."""
    flags: set[str] = set()
    normalized = normalize_text(text or "")
    if len(normalized) > max_chars:
        normalized = _cut(normalized, max_chars)
        flags.add("truncated")
    if not normalized:
        return PreparedText("", "", frozenset({"empty"}), 0)
    if not _LETTER_RE.search(normalized) and not any(c.isdigit() for c in normalized):
        return PreparedText("", "", frozenset(flags | {"emoji_only"}), 0)
    if _is_all_capitals(normalized):
        flags.add("all_caps")
        normalized = normalized.lower()
    expanded, slang = expand_teen_code(normalized)
    if slang:
        flags.add("teen_code")
    words = _WORD_RE.findall(expanded)
    flags.update(_language_flags(words))
    return PreparedText(expanded, text_key(expanded), frozenset(flags), len(words))


def text_key(text: str) -> str:
    """The exact-copy key: a hash of the folded text (so case and accent style do not count).

    ``text`` is already normalised (``prepare``), so casefolding completes ``textnorm.fold``.
    """
    return hashlib.blake2b(text.casefold().encode("utf-8"), digest_size=16).hexdigest()


def expand_teen_code(text: str) -> tuple[str, int]:
    """Replace teen-code ("ko", "dc") and abbreviations ("htx") by the words they stand for.

    Returns the text and how many teen-code (not abbreviation) words were replaced.
    """
    slang = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal slang
        word = match.group()
        lower = word.lower()
        if len(lower) == 1 and word.isupper():  # "K" alone is more often a letter than "không"
            return word
        before = match.string[max(0, match.start() - 12):match.start()].split()
        if before and before[-1].lower() in _LETTER_CONTEXT:
            return word
        slang += lower in TEEN_CODE
        return _EXPANSIONS[lower]

    return _EXPANSION_RE.sub(replace, text), slang


def _cut(text: str, max_chars: int) -> str:
    """Cut at the last space before ``max_chars`` so no word is broken."""
    cut = text[:max_chars]
    space = cut.rfind(" ", max_chars - 200)
    return cut[:space] if space > 0 else cut


def _is_all_capitals(text: str) -> bool:
    head = text[:60]
    if sum(1 for c in head if c.islower()) > 6:  # the common case, decided early
        return False
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 12:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper >= 0.9 * len(letters)


def _language_flags(words: list[str]) -> set[str]:
    """``not_vietnamese`` when few words have a Vietnamese syllable's shape or marks;
    ``no_diacritics`` for Vietnamese typed without any mark."""
    lettered = [w for w in words if not w.isdigit()]
    if _mostly_other_script(lettered):
        return {"not_vietnamese"}
    if len(lettered) < 4:
        return set()
    marked = shaped = 0
    for word in lettered:
        is_marked, is_shaped = _word_class(word)
        marked += is_marked
        shaped += is_shaped
    flags = set()
    if marked < 0.3 * len(lettered) and shaped < 0.85 * len(lettered):
        flags.add("not_vietnamese")
    elif marked == 0 and len(lettered) >= 6:
        flags.add("no_diacritics")
    return flags


def _mostly_other_script(words: list[str]) -> bool:
    """Chinese, Thai, Cyrillic…: most letters outside the Latin blocks Vietnamese uses."""
    letters = "".join(words)
    if not _OTHER_SCRIPT_RE.search(letters):
        return False
    other = sum(1 for c in letters if c.isalpha() and not (c < "\u0250" or "\u1e00" <= c <= "\u1eff"))
    return other > len(letters) / 2


@lru_cache(maxsize=200_000)
def _word_class(word: str) -> tuple[bool, bool]:
    """(has Vietnamese marks, has the shape of a Vietnamese syllable) for one word."""
    lower = word.lower()
    plain = strip_marks(lower)
    marked = plain != lower or any(c in _MARKED for c in lower)
    return marked, _PLAIN_SYLLABLE_RE.fullmatch(plain) is not None
