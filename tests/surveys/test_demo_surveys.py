"""The demo's surveys: loaded with the demo consultation, answered, invitations by hash."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.demo import load_demo
from consult.extensions import db
from surveys import invitations, responses
from surveys.demo import CITIZEN_SLUG, ORGANISATION_SLUG
from surveys.models import Invitation, Response, Survey


def test_the_demo_loads_both_surveys_with_invitations_and_answers(app, runner):
    load_demo(admin_password="mat-khau-demo-123")
    citizen = responses.survey_by_slug(CITIZEN_SLUG)
    organisation = responses.survey_by_slug(ORGANISATION_SLUG)
    assert citizen.is_open() and citizen.accepts_open_link and not organisation.accepts_open_link
    assert len([q for q in citizen.questions if q.kind != "note"]) >= 12
    kinds = {q.kind for q in citizen.questions + organisation.questions}
    assert {"single_choice", "multiple_choice", "dropdown", "rating", "matrix", "integer",
            "decimal", "long_text", "ranking", "file", "date"} <= kinds
    pinned = {q.provision.anchor for q in citizen.questions if q.provision}
    assert {"dieu-5", "dieu-25"} <= pinned
    article = next(q.provision for q in citizen.questions if q.provision)
    assert responses.questions_for_provision(article.id)
    # every ministry and province is invited; only hashes are stored
    assert len(organisation.invitations) >= 63 + 20
    secret = app.config["SECRET_KEY"]
    first = organisation.invitations[0]
    token = invitations.demo_link_token(secret, first)
    assert token and invitations.find_by_token(organisation, token).id == first.id
    assert db.session.scalar(select(func.count()).where(Invitation.token_hash == token)) == 0
    # answers were generated through the service: submitted responses and varied statuses
    submitted = db.session.scalar(select(func.count(Response.id)).where(
        Response.survey_id == citizen.id, Response.status == "submitted"))
    assert submitted >= 20
    statuses = {i.status for i in organisation.invitations}
    assert statuses == {"sent", "opened", "started", "submitted"}
    # the demo links can be printed on request
    result = runner.invoke(args=["survey", "demo-links"])
    assert result.exit_code == 0 and f"/khao-sat/{ORGANISATION_SLUG}/moi/demo-" in result.output
    # loading again adds nothing
    from surveys.demo import load_demo_surveys
    load_demo_surveys(citizen.consultation)
    assert db.session.scalar(select(func.count(Survey.id))) == 2
