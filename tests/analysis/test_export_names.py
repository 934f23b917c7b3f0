"""Export file names carry the date in Vietnam, not the server's UTC date."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from consult import clock
from tests.analysis.tally_factories import make_reference_survey
from tests.factories import login, make_user


def test_vn_today_turns_at_midnight_in_hanoi_not_in_london():
    assert clock.vn_today(datetime(2026, 11, 28, 16, 59)) == date(2026, 11, 28)
    assert clock.vn_today(datetime(2026, 11, 28, 17, 0)) == date(2026, 11, 29)


@pytest.mark.parametrize("utc_hour, day", [(9, "20261128"), (20, "20261129")])
def test_the_csv_file_name_has_the_day_in_vietnam(app, client, monkeypatch, utc_hour, day):
    survey = make_reference_survey()
    login(client, make_user("admin"))
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 11, 28, utc_hour, 30))
    response = client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}/phieu.csv")
    assert response.status_code == 200
    assert f'filename="phieu-{survey.slug}-{day}.csv"' in response.headers["Content-Disposition"]
