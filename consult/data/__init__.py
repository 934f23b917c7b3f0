"""Reference and demo data shipped with the application.

Domain facts (the 63 provinces, the consulted organisations) and the demo
consultation (a draft law written for this project and citizen opinions on it)
live here as plain files so that seeding, tests and the CLI read one source.
Pure module: no Flask, no database.
"""

from __future__ import annotations

import csv
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType

DATA_DIR = Path(__file__).resolve().parent

PROVINCES_FILE = DATA_DIR / "provinces.csv"
ORGANISATIONS_FILE = DATA_DIR / "organisations.csv"
#: The 34 provincial-level units from 1 July 2025 (Resolution 202/2025/QH15 of 12 June 2025),
#: with their codes (Decision 19/2025/QĐ-TTg) and the 2008 units each was formed from.
PROVINCES_2025_FILE = DATA_DIR / "provinces_2025.csv"
#: The Government's ministries and agencies from 1 March 2025 (Resolution 176/2025/QH15: 14
#: ministries and 3 ministerial-level agencies), with the 2008–2025 bodies each took over.
ORGANISATIONS_2025_FILE = DATA_DIR / "organisations_2025.csv"

#: Reference maps, oldest first: key → the first day it is in force. "2008": the 63 provinces
#: (after Hà Tây joined Hà Nội on 1 August 2008) and the 22 ministries and agencies; "2025":
#: the 34 provinces of 1 July 2025 (the ministries changed earlier, on 1 March 2025).
PROVINCE_MAPS = {"2008": date(2008, 8, 1), "2025": date(2025, 7, 1)}
ORGANISATION_MAPS = {"2008": date(2008, 8, 1), "2025": date(2025, 3, 1)}
_PROVINCE_FILES = {"2008": PROVINCES_FILE, "2025": PROVINCES_2025_FILE}
_ORGANISATION_FILES = {"2008": ORGANISATIONS_FILE, "2025": ORGANISATIONS_2025_FILE}
#: What a built-in survey list is called, per map: answers store the code, so a question
#: keeps the map it was written on.
PROVINCE_SOURCES = {"provinces": "2008", "provinces_2025": "2025"}
DEMO_DRAFT_FILE = DATA_DIR / "demo_draft.txt"
DEMO_COMMENTS_FILE = DATA_DIR / "demo_comments.csv"
#: The second demo consultation's draft decree, dated 2026 (written for this project).
DEMO_DECREE_FILE = DATA_DIR / "demo_decree_2026.txt"


def _read_csv(path: Path) -> list[dict]:
    """Read a UTF-8 CSV with a header row into a list of fresh dicts."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def map_on(maps: dict[str, date], day: date | None) -> str:
    """The key of the newest map in force on ``day`` (the newest of all when None)."""
    keys = [key for key, first in maps.items() if day is None or first <= day]
    return keys[-1] if keys else next(iter(maps))


def province_map_on(day: date | None) -> str:
    return map_on(PROVINCE_MAPS, day)


def organisation_map_on(day: date | None) -> str:
    return map_on(ORGANISATION_MAPS, day)


def load_provinces(map_key: str = "2008") -> list[dict]:
    """The provinces and centrally-run cities of one map, in code order.

    Each row: ``{"code": "01", "name": "Hà Nội", "kind": "city" | "province", ...}`` (the
    2008 map adds ``region``, the 2025 map ``formed_from``, a space-separated list of 2008
    codes). Codes are the official two-digit administrative codes, kept as strings so "01"
    keeps its leading zero. The same code can name different units on the two maps (15 was
    Yên Bái, is now Lào Cai): a stored code is read on the map of its consultation.
    """
    return _read_csv(_PROVINCE_FILES[map_key])


def load_organisations(map_key: str = "2008") -> list[dict]:
    """Ministries, ministerial-level agencies, government agencies and associations.

    Each row: ``{"code": "BKHDT", "kind": "ministry" | "ministerial_agency" |
    "government_agency" | "association", "name": ..., "short_name": ...}``; the 2025 list
    adds ``formed_from``, the 2008 codes whose work the body took over.
    """
    return _read_csv(_ORGANISATION_FILES[map_key])


def demo_draft_text() -> str:
    """The full text of the demo draft law (written for this project, not a real law)."""
    return DEMO_DRAFT_FILE.read_text(encoding="utf-8")


def demo_decree_text() -> str:
    return DEMO_DECREE_FILE.read_text(encoding="utf-8")


def _optional_int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value else None


def load_demo_comments() -> list[dict]:
    """Demo citizen opinions on articles of the demo draft.

    Each row: ``{"article": int, "clause": int | None, "respondent_type": str,
    "province_code": str, "name": str (may be ""), "body": str,
    "status": "published" | "pending"}``. Bodies are kept exactly as written
    (mixed tone-mark styles, one in capitals, a small planted campaign) so the
    normalisation and analysis code has realistic input.
    """
    comments = _read_csv(DEMO_COMMENTS_FILE)
    for comment in comments:
        comment["article"] = int(comment["article"])
        comment["clause"] = _optional_int(comment["clause"])
    return comments


@cache
def province_names(map_key: str = "2008") -> MappingProxyType:
    """Province code → name on one map (the 63 of 2008 by default), read once, read-only."""
    return MappingProxyType({row["code"]: row["name"] for row in load_provinces(map_key)})


@cache
def province_successors() -> MappingProxyType:
    """The official mapping from the 63 units of 2008 to the 34 of 1 July 2025, code → code."""
    return MappingProxyType({old: row["code"] for row in load_provinces("2025")
                             for old in row["formed_from"].split()})


@cache
def organisation_successors() -> MappingProxyType:
    """Ministries and agencies of 2008–2025 → the body that took over their work in 2025."""
    return MappingProxyType({old: row["code"] for row in load_organisations("2025")
                             for old in row["formed_from"].split()})


#: The Vietnamese alphabet: ă and â are letters after a, đ after d, ê after e, ô and ơ after
#: o, ư after u; tone marks only break ties.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
_TONES = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def vietnamese_sort_key(text: str) -> tuple:
    """Sort the Vietnamese way: by letters of the Vietnamese alphabet, then by tones.

    Python's default order puts "Đà Nẵng" after "Yên Bái" (Đ is U+0110); stripping marks puts
    "Đ" among the "D"s and "ă", "â" with "a". Dictionaries, and people, do neither."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFC", text or "").casefold():
        base, *marks = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
        tone = next((m for m in marks if m in _TONES), "")
        if letter.isspace() or letter in "-–":  # word by word: "Cà Mau" before "Cao Bằng"
            letters.append(-1)
        else:
            letters.append(_LETTER_RANK.get(letter, len(_ALPHABET) + ord(letter[0])))
        tones.append(_TONES[tone])
    return tuple(letters), tuple(tones)


def sorted_provinces(map_key: str = "2008") -> list[tuple[str, str]]:
    """(code, name) of one map in Vietnamese alphabetical order (a new list each call, which
    the caller may change; the order itself is worked out once per map)."""
    return list(_sorted_provinces(map_key))


@cache
def _sorted_provinces(map_key: str) -> tuple[tuple[str, str], ...]:
    # Sorting 63 names with ``vietnamese_sort_key`` cost ~2 ms of CPU, and every "send my
    # list" and profile form did it (a quarter of that request's CPU).
    return tuple(sorted(province_names(map_key).items(), key=lambda item: vietnamese_sort_key(item[1])))
