"""Match the articles (or clauses, or points) of two versions of a legal text, and diff them by word.

Pure Python over plain items: no Flask, no database, so the bench, the tests and the service use
the same code. A draft law changes between rounds by inserting, removing, moving, merging and
splitting articles and renumbering the rest, so a number is a weak clue; the matcher weighs three:

- content: the share of word pairs (bigrams of Vietnamese syllables) two articles have in common;
- title: how alike the titles are (token-sorted, so "Quyền và nghĩa vụ" ≈ "Nghĩa vụ và quyền");
- number and place: the same number or the same relative place breaks near-ties.

Pairs are taken best first, one to one; what is left over is a merge (an old article whose words
mostly went into a new article already matched), a split (a new article whose words mostly came
from an old article already matched), a removal or an addition.
"""
from __future__ import annotations

import difflib
import html
import re
import unicodedata
from dataclasses import dataclass


#: What became of an old provision (or where a new one came from).
MATCH_KINDS = ("same", "changed", "moved", "merged", "split", "removed", "added")
#: Below this, two articles are not taken for the same one.
THRESHOLD = 0.3
#: A merged or split article brings at least this share of its words into the other one …
CONTAINMENT = 0.5
#: … and that part is at least this share of the other one (a short new sentence that happens to
#: reuse a phrase of a long article is an addition, not a piece split off).
SHARE_OF_OTHER = 0.15

_WORD = re.compile(r"\w+")


@dataclass
class Item:
    """One article (clause, point) of a version, as the matcher sees it."""

    key: object  #: the caller's id
    number: str
    title: str
    text: str  #: the whole text, children included


@dataclass
class Match:
    old: object | None  #: the old item's key; None for an added item
    new: object | None  #: the new item's key; None for a removed item
    kind: str  #: one of MATCH_KINDS
    score: float  #: 0 … 1: how alike the two are (1 for an unchanged text)


def words(text: str) -> list[str]:
    """Lower-case Vietnamese syllables (NFC), punctuation left out."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def _bigrams(tokens: list[str]) -> set[tuple[str, str]]:
    return set(zip(tokens, tokens[1:])) or {(token, "") for token in tokens}


class Profile:
    """What the matcher compares of one item, computed once."""

    def __init__(self, item: Item):
        tokens = words(item.text)
        self.item = item
        self.plain = " ".join(tokens)
        self.bigrams = _bigrams(tokens)
        self.title = " ".join(words(item.title))


def match_items(old_items: list[Item], new_items: list[Item]) -> list[Match]:
    """Every old item's fate and every new item's origin; see the module docstring."""
    from consult.match_scores import Scores  # numpy, scipy and rapidfuzz: only when matching

    old = [Profile(item) for item in old_items]
    new = [Profile(item) for item in new_items]
    scores = Scores(old, new)
    forward: dict[int, int] = {}
    backward: dict[int, int] = {}
    for score, i, j in scores.candidates():
        if i not in forward and j not in backward:
            forward[i], backward[j] = j, i
    matches = [_pair(old[i], new[j], float(scores.combined[i, j])) for i, j in sorted(forward.items())]
    matches += _merges_and_removals(scores, forward, backward, matches)
    matches += _splits_and_additions(scores, forward, backward, matches)
    return matches


def _pair(old: Profile, new: Profile, score: float) -> Match:
    if old.plain == new.plain:
        kind, score = ("same" if old.item.number == new.item.number else "moved"), 1.0
    else:
        kind = "changed" if old.item.number == new.item.number else "moved"
    return Match(old.item.key, new.item.key, kind, round(score, 3))


def _relabel(matches: list[Match], key, side: str, kind: str) -> None:
    for match in matches:
        if getattr(match, side) == key and match.old is not None and match.new is not None:
            match.kind = kind


def _merges_and_removals(scores, forward, backward, matches: list[Match]) -> list[Match]:
    extra = []
    for i in range(len(scores.old)):
        if i in forward:
            continue
        best = max(backward, key=lambda j: scores.in_old[i, j], default=None)
        if best is not None and scores.in_old[i, best] >= CONTAINMENT and scores.in_new[i, best] >= SHARE_OF_OTHER:
            _relabel(matches, scores.new[best].item.key, "new", "merged")
            extra.append(Match(scores.old[i].item.key, scores.new[best].item.key, "merged",
                               round(float(scores.in_old[i, best]), 3)))
        else:
            extra.append(Match(scores.old[i].item.key, None, "removed", 0.0))
    return extra


def _splits_and_additions(scores, forward, backward, matches: list[Match]) -> list[Match]:
    extra = []
    for j in range(len(scores.new)):
        if j in backward:
            continue
        best = max(forward, key=lambda i: scores.in_new[i, j], default=None)
        if best is not None and scores.in_new[best, j] >= CONTAINMENT and scores.in_old[best, j] >= SHARE_OF_OTHER:
            _relabel(matches, scores.old[best].item.key, "old", "split")
            extra.append(Match(scores.old[best].item.key, scores.new[j].item.key, "split",
                               round(float(scores.in_new[best, j]), 3)))
        else:
            extra.append(Match(None, scores.new[j].item.key, "added", 0.0))
    return extra


def pair_kind(old: Item, new: Item) -> tuple[str, float]:
    """Kind and score of a pair the drafting team chose (one to one)."""
    from consult.match_scores import Scores

    old_profile, new_profile = Profile(old), Profile(new)
    scores = Scores([old_profile], [new_profile])
    match = _pair(old_profile, new_profile, float(scores.combined[0, 0]))
    return match.kind, match.score


# --- word-level differences ------------------------------------------------------------------

_TOKEN = re.compile(r"\n|[^\s]+")


def diff_tokens(old_text: str, new_text: str) -> list[tuple[str, str]]:
    """``(op, text)`` runs, op one of ``equal``, ``delete``, ``insert``, by whole words.

    Vietnamese words are syllables separated by spaces, so the unit is a space-separated token
    (punctuation stays with its word); a line break is a token of its own. Lines (clauses) are
    aligned first and words compared only inside lines that changed: the same result for a
    reader, and a 200-article comparison stays well under a second.
    """
    if old_text == new_text:
        return [("equal", old_text)] if old_text else []
    old_lines, new_lines = (old_text or "").split("\n"), (new_text or "").split("\n")
    tokens: list[tuple[str, str]] = []
    lines = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in lines.get_opcodes():
        if op == "replace":
            for old_line, new_line in zip(old_lines[i1:i2], new_lines[j1:j2]):
                _add_line(tokens, _word_ops(old_line, new_line))
            pairs = min(i2 - i1, j2 - j1)
            for line in old_lines[i1 + pairs:i2]:
                _add_line(tokens, [("delete", token) for token in _TOKEN.findall(line)])
            for line in new_lines[j1 + pairs:j2]:
                _add_line(tokens, [("insert", token) for token in _TOKEN.findall(line)])
            continue
        side, first, last = (new_lines, j1, j2) if op == "insert" else (old_lines, i1, i2)
        for line in side[first:last]:
            _add_line(tokens, [(op, token) for token in _TOKEN.findall(line)])
    if tokens and tokens[-1][1] == "\n":
        tokens.pop()
    return _merge_runs(tokens)


def _word_ops(old_line: str, new_line: str) -> list[tuple[str, str]]:
    old, new = _TOKEN.findall(old_line), _TOKEN.findall(new_line)
    ops: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op in ("equal", "delete", "replace"):
            ops += [("equal" if op == "equal" else "delete", token) for token in old[i1:i2]]
        if op in ("insert", "replace"):
            ops += [("insert", token) for token in new[j1:j2]]
    return ops


def _add_line(tokens: list[tuple[str, str]], line: list[tuple[str, str]]) -> None:
    """A line's tokens, then its line break, marked like the line (kept when any word is)."""
    tokens.extend(line)
    ops = {op for op, _token in line}
    tokens.append(("equal" if "equal" in ops or not ops or ops == {"delete", "insert"} else ops.pop(), "\n"))


def _merge_runs(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    runs: list[tuple[str, list[str]]] = []
    for op, token in tokens:
        if runs and runs[-1][0] == op:
            runs[-1][1].append(token)
        else:
            runs.append((op, [token]))
    return [(op, _join(group)) for op, group in runs]


def _join(tokens: list[str]) -> str:
    text = " ".join(tokens)
    return text.replace(" \n ", "\n").replace("\n ", "\n").replace(" \n", "\n") if "\n" in text else text


def diff_html(runs: list[tuple[str, str]], side: str) -> str:
    """One side (``old`` or ``new``) of a diff as escaped HTML with ``<del>`` / ``<ins>`` marks."""
    skip, mark = ("insert", "del") if side == "old" else ("delete", "ins")
    parts = []
    for op, text in runs:
        if op == skip:
            continue
        escaped = html.escape(text).replace("\n", "<br>")
        parts.append(escaped if op == "equal" else f"<{mark}>{escaped}</{mark}>")
    return " ".join(part for part in parts if part).replace(" <br>", "<br>").replace("<br> ", "<br>")
