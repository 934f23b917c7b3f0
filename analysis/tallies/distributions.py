"""Numbers and dates with many distinct values, summarised inside the database.

A decimal question ("charter capital, in billions of đồng") can have almost as many distinct
values as answers, and a date question thousands of distinct days. Grouping those by value
would send tens of thousands of rows to Python only to be put into ten bins or a few hundred
months. So for number and date questions the database first returns a *profile* per question
(answers, skip markers, distinct values, minimum, maximum, sum). A question with few distinct
values is then grouped by value like every other question (``answer_groups``); for one with
many:

- numbers: ten equal-width bins between the minimum and the maximum, counted by a ``CASE``
  over the bin edges — the edges and the half-open bins of ``numpy.histogram`` (the last bin
  closed), compared in SQL on the same doubles, so the counts are the ones numpy would give;
  the median is read at its position in value order (``ORDER BY value LIMIT 2 OFFSET k``,
  which the tally index serves in order), the mean is the sum over the count;
- dates: counts per month.

Everything here reads the scope's answers exactly (``AnswerScope.exact``): a distinct count, a
minimum or a value at a position cannot be corrected by subtracting unfinished responses.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from analysis.tallies.scope import AnswerScope
from analysis.tallies.sql import rows_frame, year_month
from consult.lazy import lazy_module
from surveys.models import Answer

np = lazy_module("numpy")
pd = lazy_module("pandas")

#: More distinct numbers than this and a number question's distribution is shown in bins.
MAX_DISTINCT_NUMBERS = 15
NUMBER_BINS = 10
#: More distinct days than this and a date question is counted per month.
MAX_DISTINCT_DAYS = 31


@dataclass
class ValueProfile:
    """One number or date question's answers in the scope, as the database counted them."""

    question_id: int
    #: Rows with a value (one per answering response) and rows without (skip markers).
    answered: int
    blank: int
    distinct: int
    low: object
    high: object
    #: Numbers only: the sum of the values.
    total: float | None = None

    def spread(self, family: str) -> bool:
        """Too many distinct values to list one by one."""
        limit = MAX_DISTINCT_DAYS if family == "date" else MAX_DISTINCT_NUMBERS
        return self.distinct > limit


def profiles(scope: AnswerScope, number_ids: list[int], date_ids: list[int]) -> dict[int, ValueProfile]:
    """Profiles of the given number and date questions: two small ``GROUP BY question_id``."""
    found: dict[int, ValueProfile] = {}
    for ids, column, with_total in ((number_ids, Answer.value_number, True), (date_ids, Answer.value_date, False)):
        if not ids:
            continue
        query = scope.exact(
            select(Answer.question_id, func.count(column), func.count() - func.count(column),
                   func.count(column.distinct()), func.min(column), func.max(column),
                   func.sum(column) if with_total else func.count(column))
            .select_from(Answer).where(Answer.question_id.in_(ids))
        ).group_by(Answer.question_id)
        for question_id, answered, blank, distinct, low, high, total in scope.session.execute(query):
            found[question_id] = ValueProfile(question_id, int(answered), int(blank), int(distinct), low, high,
                                              float(total) if with_total and total is not None else None)
    return found


def _values(scope: AnswerScope, question_id: int):
    """The question's answered values, in the tally index's order (option, row, rank empty)."""
    return (select(Answer.value_number).select_from(Answer)
            .where(Answer.question_id == question_id, Answer.choice_id.is_(None), Answer.row_name.is_(None),
                   Answer.rank.is_(None), Answer.value_number.is_not(None)))


def median(scope: AnswerScope, profile: ValueProfile) -> float | None:
    """The middle value (mean of the two middle ones for an even count), read by position."""
    n = profile.answered
    if not n:
        return None
    query = scope.exact(_values(scope, profile.question_id))
    query = query.order_by(Answer.value_number).offset((n - 1) // 2).limit(1 if n % 2 else 2)
    middle = [float(v) for v in scope.session.scalars(query)]
    return sum(middle) / len(middle) if middle else None


def bin_edges(profile: ValueProfile) -> np.ndarray:
    """``numpy.histogram``'s edges for the profile's range."""
    return np.histogram_bin_edges(np.array([float(profile.low), float(profile.high)]), bins=NUMBER_BINS)


def binned_counts(scope: AnswerScope, profile: ValueProfile, edges: np.ndarray) -> np.ndarray:
    """Answers per bin ``[edge_i, edge_i+1)``, the last bin closed, counted in SQL."""
    inner = [float(edge) for edge in edges[1:-1]]
    position = case(*[(Answer.value_number < edge, index) for index, edge in enumerate(inner)],
                     else_=len(inner))
    query = scope.exact(_values(scope, profile.question_id).with_only_columns(position, func.count()))
    counts = np.zeros(len(edges) - 1, dtype="int64")
    for index, count in scope.session.execute(query.group_by(position)):
        counts[int(index)] = int(count)
    return counts


def number_stats(scope: AnswerScope, profile: ValueProfile) -> dict:
    """Mean, median, minimum and maximum, as ``sql.distribution_stats`` gives them."""
    if not profile.answered:
        return {"n": 0, "mean": None, "median": None, "min": None, "max": None}
    return {"n": profile.answered, "mean": profile.total / profile.answered, "median": median(scope, profile),
            "min": float(profile.low), "max": float(profile.high)}


def month_counts(scope: AnswerScope, question_ids: list[int]) -> pd.DataFrame:
    """``question_id, month ('YYYY-MM'), count`` for date questions counted per month."""
    month = year_month(Answer.value_date)
    query = scope.exact(select(Answer.question_id, month, func.count()).select_from(Answer)
                        .where(Answer.question_id.in_(question_ids), Answer.value_date.is_not(None)))
    return rows_frame(scope.session, query.group_by(Answer.question_id, month), ["question_id", "month", "count"])
