"""Reference and demo data shipped with the application.

Domain facts (the 63 provinces, the consulted organisations) and the demo
consultation (a draft law written for this project and citizen opinions on it)
live here as plain files so that seeding, tests and the CLI read one source.
Pure module: no Flask, no database.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from types import MappingProxyType

DATA_DIR = Path(__file__).resolve().parent

PROVINCES_FILE = DATA_DIR / "provinces.csv"
ORGANISATIONS_FILE = DATA_DIR / "organisations.csv"
DEMO_DRAFT_FILE = DATA_DIR / "demo_draft.txt"
DEMO_COMMENTS_FILE = DATA_DIR / "demo_comments.csv"


def _read_csv(path: Path) -> list[dict]:
    """Read a UTF-8 CSV with a header row into a list of fresh dicts."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def load_provinces() -> list[dict]:
    """The 63 provinces and centrally-run cities (2022), in code order.

    Each row: ``{"code": "01", "name": "Hà Nội", "kind": "city" | "province",
    "region": "Đồng bằng sông Hồng"}``. Codes are the official two-digit
    administrative codes, kept as strings so "01" keeps its leading zero.
    """
    return _read_csv(PROVINCES_FILE)


def load_organisations() -> list[dict]:
    """Ministries, ministerial-level agencies, government agencies and associations.

    Each row: ``{"code": "BKHDT", "kind": "ministry" | "ministerial_agency" |
    "government_agency" | "association", "name": ..., "short_name": ...}``.
    """
    return _read_csv(ORGANISATIONS_FILE)


def demo_draft_text() -> str:
    """The full text of the demo draft law (written for this project, not a real law)."""
    return DEMO_DRAFT_FILE.read_text(encoding="utf-8")


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
def province_names() -> MappingProxyType:
    """Province code → name for the 63 provinces and cities of 2022, read once, read-only."""
    return MappingProxyType({row["code"]: row["name"] for row in load_provinces()})
