"""Ids no row can have and NUL bytes in paths are "page not found" on both databases, never an
error from inside the database (PostgreSQL's integer overflows; it refuses NUL in text)."""
from __future__ import annotations

import pytest

from analysis.tallies import ResponseFilters
from tests.factories import login, make_consultation, make_user

HUGE = "99999999999"


@pytest.mark.parametrize("path", [
    f"/quan-tri/so-lieu/xuat/{HUGE}", f"/quan-tri/so-lieu/khao-sat/{HUGE}/xuat",
    f"/quan-tri/so-lieu/khao-sat/{HUGE}", f"/khao-sat/quan-tri/{HUGE}",
    "/du-thao/x%00", "/khao-sat/abc%00", "/quan-tri/xu-ly/luat%00",
])
def test_out_of_range_ids_and_nul_bytes_are_not_found(client, app, path):
    make_consultation()
    login(client, make_user("admin"))
    assert client.get(path).status_code == 404


def test_posting_to_an_out_of_range_id_is_not_found(client, app):
    login(client, make_user("admin"))
    response = client.post(f"/quan-tri/so-lieu/khao-sat/{HUGE}/xuat")
    assert response.status_code in (404, 405)  # no route takes that id: an error page, not a crash
    assert "<!doctype html>" in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_edge_of_the_calendar_are_refused_as_filters(day):
    filters, invalid = ResponseFilters.from_args({"date_from": day, "date_to": day})
    assert not filters.active and invalid == ["date_from", "date_to"]


def test_a_results_page_with_an_edge_date_explains_instead_of_failing(client, app):
    from tests.analysis.tally_factories import make_reference_survey

    survey = make_reference_survey()
    login(client, make_user("admin"))
    response = client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}?date_to=9999-12-31&lang=en")
    assert response.status_code == 200
    csv = client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}/phieu.csv?date_from=0001-01-01")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
