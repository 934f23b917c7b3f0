"""A consultation's state follows its dates and the team's acts, on read."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from consult.models import Consultation

NOW = datetime(2026, 12, 5, 3, 0)


def _consultation(**fields) -> Consultation:
    values = dict(slug="x", title="x", published=True, opens_at=NOW - timedelta(days=1),
                  closes_at=NOW + timedelta(days=1))
    values.update(fields)
    return Consultation(**values)


@pytest.mark.parametrize("fields, expected", [
    ({"published": False}, "hidden"),
    ({"opens_at": NOW + timedelta(hours=1)}, "scheduled"),
    ({}, "open"),
    ({"closes_at": NOW}, "closed"),
    ({"closes_at": NOW - timedelta(days=1), "answers_published_at": NOW}, "answered"),
    ({"archived_at": NOW - timedelta(seconds=1)}, "archived"),
    ({"archived_at": NOW + timedelta(days=1)}, "open"),
])
def test_state_follows_the_dates(fields, expected):
    assert _consultation(**fields).state(NOW) == expected


def test_the_closing_instant_itself_is_closed_and_the_opening_instant_open():
    consultation = _consultation(opens_at=NOW, closes_at=NOW + timedelta(days=30))
    assert consultation.state(NOW) == "open"
    assert consultation.state(NOW + timedelta(days=30)) == "closed"
    assert consultation.state(NOW - timedelta(microseconds=1)) == "scheduled"
