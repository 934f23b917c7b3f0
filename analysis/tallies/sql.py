"""SQL building blocks shared by the tallies, the cross-tabs and the overview.

Everything here is SQLAlchemy Core that compiles on SQLite and PostgreSQL alike; where the
two dialects spell a thing differently (the calendar day in Vietnam time) a small compiled
construct hides the difference, so the callers write one query.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from consult.clock import VIETNAM_OFFSET
from consult.lazy import lazy_module

pd = lazy_module("pandas")


def dialect_function(name: str, doc: str, **spellings: str) -> type[FunctionElement]:
    """A one-argument SQL function spelled per dialect: ``sqlite=``, ``postgresql=`` and
    ``default=`` templates where ``{}`` stands for the compiled argument."""
    function = type(name, (FunctionElement,), {"type": String(), "name": name, "inherit_cache": True,
                                                "__doc__": doc})
    for dialect, template in spellings.items():
        def spell(element, compiler, _template=template, **kw):
            return _template.format(compiler.process(element.clauses, **kw))
        compiles(function, *([] if dialect == "default" else [dialect]))(spell)
    return function


vn_day = dialect_function(
    "vn_day", "The calendar day, in Vietnam time, of a naive-UTC timestamp, as ``'YYYY-MM-DD'`` text.",
    sqlite="date({}, '+7 hours')", postgresql="to_char({} + interval '7 hours', 'YYYY-MM-DD')",
    default="CAST({} AS DATE)")
year_month = dialect_function(
    "year_month", "The ``'YYYY-MM'`` month of a date column (dates are stored without a time of day).",
    sqlite="strftime('%Y-%m', {})", postgresql="to_char({}, 'YYYY-MM')",
    default="substr(CAST({} AS VARCHAR(10)), 1, 7)")


def vn_day_start_utc(day: date) -> datetime:
    """Midnight of ``day`` in Vietnam, as the naive UTC timestamp the database stores."""
    return datetime.combine(day, time()) - VIETNAM_OFFSET


def vn_day_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    """Naive-UTC ``[start, end)`` for the Vietnam calendar days ``date_from``…``date_to`` inclusive."""
    start = vn_day_start_utc(date_from) if date_from else None
    end = vn_day_start_utc(date_to + timedelta(days=1)) if date_to else None
    return start, end


def distribution_stats(values: pd.Series, counts: pd.Series) -> dict:
    """Mean, median, minimum and maximum from a value → count distribution.

    The database returns one row per distinct value (``GROUP BY value``), never one per
    answer; the median is the middle of the cumulative counts. With an even total the
    median is the mean of the two middle values, as statistics textbooks (and pandas) do.
    """
    frame = pd.DataFrame({"value": values.astype(float), "count": counts.astype("int64")})
    frame = frame[frame["count"] > 0].sort_values("value", kind="stable")
    total = int(frame["count"].sum())
    if total == 0:
        return {"n": 0, "mean": None, "median": None, "min": None, "max": None}
    cumulative = frame["count"].cumsum().to_numpy()
    values_sorted = frame["value"].to_numpy()

    def nth(position: int) -> float:  # 1-based position in the sorted answers
        return float(values_sorted[(cumulative >= position).argmax()])

    if total % 2:
        median = nth(total // 2 + 1)
    else:
        median = (nth(total // 2) + nth(total // 2 + 1)) / 2
    mean = float((frame["value"] * frame["count"]).sum() / total)
    return {"n": total, "mean": mean, "median": median,
            "min": float(values_sorted[0]), "max": float(values_sorted[-1])}


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide by."""
    return part / whole if whole else None


def rows_frame(session, query, columns: list[str]) -> pd.DataFrame:
    """Run a Core ``select`` and put its rows in a DataFrame, column by column.

    Goes through the session's connection (no ORM row processing) and hands pandas plain
    columns instead of Row objects, which it would otherwise probe one by one.
    """
    rows = session.connection().execute(query).fetchall()
    if not rows:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows)))), columns=columns)
