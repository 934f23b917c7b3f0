"""Vietnam's calendar from the naive-UTC timestamps the database stores.

Vietnam keeps UTC+7 all year (no daylight saving), so a fixed shift is exact. Use these for
what a person reads as a date — a deadline's day, a file name's date — never ``date.today()``,
which is the server's (UTC) day: between 17:00 and 24:00 UTC it is already tomorrow in Hà Nội.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from consult.models import utcnow

VIETNAM_OFFSET = timedelta(hours=7)


def vn_date(moment: datetime) -> date:
    """The calendar day in Vietnam of a naive-UTC moment."""
    return (moment + VIETNAM_OFFSET).date()


def vn_today(now: datetime | None = None) -> date:
    """Today in Vietnam (``now``: a naive-UTC moment, for tests)."""
    return vn_date(now or utcnow())
