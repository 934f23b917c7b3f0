"""The results page caches its tallies by the survey's data version: edits to the survey's
questions or options must show at once (new responses: see test_dashboard_pages)."""
from __future__ import annotations

import pytest

from consult.extensions import db
from surveys import authoring
from surveys.models import Choice, Question
from tests.analysis.tally_factories import make_reference_survey
from tests.factories import login, make_user


@pytest.fixture()
def admin_client(client):
    client.get("/?lang=en")
    login(client, make_user("admin"))
    return client


@pytest.fixture()
def survey(app):
    return make_reference_survey()


def results(client, survey) -> str:
    return client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}?lang=en").get_data(as_text=True)


def q_view(survey) -> Question:
    return db.session.scalar(db.select(Question).where(Question.survey_id == survey.id, Question.name == "q_view"))


def test_a_renamed_option_shows_at_once(admin_client, survey):
    assert "Bình thường" in results(admin_client, survey)
    choice = next(c for c in q_view(survey).choices if c.name == "binh_thuong")
    choice.label = {"vi": "Tạm được"}
    db.session.commit()
    page = results(admin_client, survey)
    assert "Tạm được" in page and "Bình thường" not in page


def test_a_deleted_option_shows_at_once_as_deleted(admin_client, survey):
    assert "Bình thường" in results(admin_client, survey)
    choice = next(c for c in q_view(survey).choices if c.name == "binh_thuong")
    assert authoring.delete_choice(db.session.get(Choice, choice.id), keep_answers=True) == 1
    db.session.commit()
    page = results(admin_client, survey)
    assert "Bình thường" not in page and "binh_thuong" in page  # its answer kept, by its value


def test_a_renamed_question_shows_at_once(admin_client, survey):
    results(admin_client, survey)
    q_view(survey).label = {"vi": "Ý kiến chung về dự thảo"}
    db.session.commit()
    assert "Ý kiến chung về dự thảo" in results(admin_client, survey)
