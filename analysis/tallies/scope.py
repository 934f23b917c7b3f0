"""Which answers a tally query reads, and the cheapest correct way to restrict them.

A survey's answers are found by ``question_id`` (indexed). Only submitted responses count, so
an unfiltered tally would need a join to ``response`` on every answer row — on SQLite that
join costs more than the counting itself. ``AnswerScope`` avoids it: it counts all the
survey's answers, then the answers of the survey's unfinished responses (few, found through
the ``(response_id, question_id)`` index), and subtracts. With filters (date, province, …) the
responses must be looked at anyway, and the query joins ``response`` once.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from analysis.tallies.filters import SUBMITTED, ResponseFilters, responses_where
from analysis.tallies.sql import rows_frame
from consult.lazy import lazy_module
from surveys.models import Answer, Response

pd = lazy_module("pandas")


class AnswerScope:
    def __init__(self, session: Session, survey_id: int, filters: ResponseFilters | None,
                 joins: Callable[[Select], Select] | None = None):
        """``joins`` adds tables a grouping needs (then the responses are always joined)."""
        self.session, self.survey_id, self.filters, self.joins = session, survey_id, filters, joins
        self.filtered = bool(filters and filters.active) or joins is not None
        self.unfinished = 0 if self.filtered else session.scalar(
            select(func.count()).select_from(Response)
            .where(Response.survey_id == survey_id, Response.status != SUBMITTED))

    def frame(self, build: Callable[[Callable[[Select], Select]], Select], columns: list[str],
              count_column: str = "count") -> pd.DataFrame:
        """Run ``build(restrict)`` in scope; ``restrict`` adds the response restriction.

        ``count_column`` is summed over identical keys when a correction is subtracted.
        """
        if self.filtered:
            return self._run(build(self._join_filtered), columns)
        total = self._run(build(lambda query: query), columns)
        if not self.unfinished:
            return total
        unfinished = self._run(build(self._only_unfinished), columns)
        keys = [c for c in columns if c != count_column]
        merged = pd.concat([total, unfinished.assign(**{count_column: -unfinished[count_column]})])
        merged = merged.groupby(keys, dropna=False, as_index=False, sort=False)[count_column].sum()
        return merged[merged[count_column] != 0].reset_index(drop=True)[columns]

    def exact(self, query: Select) -> Select:
        """``query`` restricted to the scope's answers without the subtraction: for aggregates
        that cannot be corrected afterwards (distinct counts, minimum, a value at a position)."""
        if self.filtered:
            return self._join_filtered(query)
        if self.unfinished:
            return query.where(Answer.response_id.not_in(self._unfinished_ids()))
        return query

    def _run(self, query: Select, columns: list[str]) -> pd.DataFrame:
        return rows_frame(self.session, query, columns)

    def _join_filtered(self, query: Select) -> Select:
        query = query.join(Response, Response.id == Answer.response_id)
        if self.joins is not None:
            query = self.joins(query)
        return query.where(responses_where(self.survey_id, self.filters))

    def _only_unfinished(self, query: Select) -> Select:
        return query.where(Answer.response_id.in_(self._unfinished_ids()))

    def _unfinished_ids(self) -> Select:
        return select(Response.id).where(Response.survey_id == self.survey_id, Response.status != SUBMITTED)
