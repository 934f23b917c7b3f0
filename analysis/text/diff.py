"""Word-level differences between a campaign's representative and one of its wordings."""
from __future__ import annotations

from difflib import SequenceMatcher

from consult.textnorm import fold, strip_marks


_PUNCTUATION = ".,;:!?…\"'()[]“”‘’"


def _key(word: str) -> str:
    """Words compare without case, marks or surrounding punctuation: a copy typed without
    diacritics or in capitals shows no difference in its words."""
    return strip_marks(fold(word)).strip(_PUNCTUATION)


def word_diff(representative: str, variant: str) -> list[list[str]]:
    """``[[op, text], …]`` that spell ``variant`` with what it changed: ``equal`` and
    ``insert`` segments hold the variant's words, ``delete`` the representative's words
    it lacks. Plain text: the page escapes it."""
    old, new = representative.split(), variant.split()
    matcher = SequenceMatcher(None, [_key(w) for w in old], [_key(w) for w in new], autojunk=False)
    segments: list[list[str]] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            _append(segments, "equal", new[b1:b2])
        else:
            if a2 > a1:
                _append(segments, "delete", old[a1:a2])
            if b2 > b1:
                _append(segments, "insert", new[b1:b2])
    return segments


def _append(segments: list[list[str]], op: str, words: list[str]) -> None:
    if words:
        segments.append([op, " ".join(words)])
