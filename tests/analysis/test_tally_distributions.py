"""Numbers and dates with many distinct values are binned, counted per month and their median
read in the database (``analysis.tallies.distributions``): the figures must be the ones counted
here from the raw values, and the ones the value-by-value path gives."""
from __future__ import annotations

import statistics
from datetime import date, timedelta

import numpy as np
import pytest

from analysis.tallies import ResponseFilters, summarise_survey
from analysis.tallies.distributions import MAX_DISTINCT_DAYS, MAX_DISTINCT_NUMBERS
from analysis.tallies.scope import AnswerScope
from analysis.tallies.structure import load_survey
from analysis.tallies.summaries import answer_groups, summarise_groups
from consult.extensions import db
from tests.analysis.tally_factories import make_survey, respond

QUESTIONS = [
    {"name": "capital", "kind": "decimal", "label": "Vốn điều lệ (tỷ đồng)"},
    {"name": "founded", "kind": "date", "label": "Ngày thành lập"},
    {"name": "members", "kind": "integer", "label": "Số thành viên"},
]
#: 41 distinct capitals from 0 to 20 in steps of 0.5: bin edges 0, 2, 4 … 20, so values fall
#: exactly on edges (they belong to the bin they open; 20 closes the last bin).
CAPITALS = [i / 2 for i in range(41)]
FIRST_DAY = date(2023, 12, 20)


def day_of(index: int) -> date:
    return FIRST_DAY + timedelta(days=3 * index)  # 41 days from December to April


@pytest.fixture()
def survey(app):
    survey = make_survey(QUESTIONS)
    for index, capital in enumerate(CAPITALS):
        respond(survey, {"capital": capital, "founded": day_of(index), "members": 7 + index % 4},
                province_code="79" if index % 3 == 0 else "01")
    respond(survey, {}, skipped=("capital", "founded", "members"))
    # Never counted: extreme values in an unfinished response would move every figure.
    respond(survey, {"capital": 10_000.0, "founded": date(1990, 1, 1), "members": 999}, status="in_progress")
    return survey


def by_name(summaries):
    return {s.question.name: s for s in summaries}


def test_many_distinct_numbers_are_binned_as_numpy_bins_them(survey):
    assert len(set(CAPITALS)) > MAX_DISTINCT_NUMBERS
    s = by_name(summarise_survey(db.session, survey.id))["capital"]
    assert (s.respondents, s.answered, s.skipped, s.not_shown) == (42, 41, 1, 0)
    expected, edges = np.histogram(CAPITALS, bins=10)
    assert list(edges) == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]
    assert list(s.table["count"]) == list(expected) == [4] * 9 + [5]
    assert list(s.table["label"])[:2] == ["0 – 2", "2 – 4"]
    assert s.stats == {"n": 41, "mean": pytest.approx(statistics.mean(CAPITALS)),
                       "median": statistics.median(CAPITALS), "min": 0.0, "max": 20.0}


def test_an_even_count_takes_the_mean_of_the_two_middle_values(survey):
    respond(survey, {"capital": 20.5})
    s = by_name(summarise_survey(db.session, survey.id))["capital"]
    assert s.stats["median"] == statistics.median(CAPITALS + [20.5]) == 10.25


def test_many_distinct_days_are_counted_per_month(survey):
    days = [day_of(i) for i in range(len(CAPITALS))]
    assert len(set(days)) > MAX_DISTINCT_DAYS
    s = by_name(summarise_survey(db.session, survey.id))["founded"]
    per_month: dict[str, int] = {}
    for day in days:
        per_month[day.strftime("%m/%Y")] = per_month.get(day.strftime("%m/%Y"), 0) + 1
    assert dict(zip(s.table["label"], s.table["count"])) == per_month
    assert list(s.table["label"]) == ["12/2023", "01/2024", "02/2024", "03/2024", "04/2024"]
    assert s.stats == {"n": 41, "min": days[0], "max": days[-1]}
    assert (s.answered, s.skipped) == (41, 1)


def test_few_distinct_numbers_are_still_listed_value_by_value(survey):
    s = by_name(summarise_survey(db.session, survey.id))["members"]
    assert list(s.table["label"]) == ["7", "8", "9", "10"]
    assert list(s.table["count"]) == [11, 10, 10, 10]


@pytest.mark.parametrize("filters", [None, ResponseFilters(province_code="79")])
def test_database_figures_equal_the_value_by_value_path(survey, filters):
    """The in-database path gives exactly what grouping by value and shaping in pandas gives."""
    info = load_survey(db.session, survey.id, "vi")
    fast = by_name(summarise_survey(db.session, survey.id, filters))
    scope = AnswerScope(db.session, survey.id, filters)
    groups = answer_groups(scope, info)
    respondents = fast["capital"].respondents
    for question in info.questions:
        rows = groups[groups["question_id"] == question.id]
        slow = summarise_groups(question, rows, respondents)
        quick = fast[question.name]
        assert (quick.answered, quick.skipped, quick.not_shown) == (slow.answered, slow.skipped, slow.not_shown)
        assert list(quick.table["label"]) == list(slow.table["label"]), question.name
        assert list(quick.table["count"]) == list(slow.table["count"]), question.name
        assert quick.stats == pytest.approx(slow.stats) if question.kind != "date" else quick.stats == slow.stats


def test_filters_reach_the_database_figures(survey):
    s = by_name(summarise_survey(db.session, survey.id, ResponseFilters(province_code="79")))["capital"]
    chosen = [c for i, c in enumerate(CAPITALS) if i % 3 == 0]
    assert s.answered == len(chosen) == 14
    assert s.stats["median"] == statistics.median(chosen)
    assert len(chosen) <= MAX_DISTINCT_NUMBERS  # so listed value by value in this filter
    assert list(s.table["label"]) == [f"{c:g}" for c in chosen] and set(s.table["count"]) == {1}
