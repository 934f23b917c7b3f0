"""Role × route: every address of the application, enumerated from ``app.url_map``, for each
kind of visitor (anonymous, an organisation's officer, a moderator and a drafter of agency A,
a drafter of agency B, the platform administrator).

A route is either a team page (``consult.scoping.is_team_rule``: under ``/quan-tri``, or a
letter's page) or listed below as public. Every parameter of a team page is placed by
``consult.scoping``, so a new team page is checked without anyone remembering to: with the
parameters filled from agency B's consultation, agency A's team gets 404 on every one of them,
by GET and by POST, and its POSTs change nothing.
"""
from __future__ import annotations

import hashlib

import pytest
from flask import url_for
from sqlalchemy import select

from consult import scoping
from consult.extensions import db
from surveys.models import Survey
from tests.consult.agency_data import EMAILS, PASSWORD, load_agencies, officer_invitation_id, values_of

#: Routes anyone may reach, or that check their visitor themselves (officers' letters, the
#: organisations' API with its tokens). A new route must be added here or be a team page.
PUBLIC_ENDPOINTS = frozenset({
    "answers.public_page", "api.comments", "api.consultation", "api.consultations",
    "api.create_submission", "api.delete_submission", "api.fallback", "api.get_submission",
    "api.list_submissions", "api.openapi_document", "api.provisions", "api.put_attachment",
    "api.stats", "api.submit_submission", "dossier.public_download", "finding.consultations", "finding.feed",
    "subscriptions.confirm", "subscriptions.sent", "subscriptions.subscribe", "subscriptions.unsubscribe",
    "auth.login", "auth.logout", "health.healthz",
    "health.readyz", "metrics.metrics_page", "public.article", "public.draft",
    "public.erase_personal_data", "public.favicon", "public.general_comment", "public.home",
    "public.my_list", "public.receipt", "public.receipt_data", "public.receipt_lookup",
    "public.remove_from_list", "static", "submissions.accept_invitation", "submissions.add_opinion",
    "submissions.edit", "submissions.history", "submissions.home", "submissions.remove_opinion",
    "submissions.save_letter", "submissions.submit", "submissions.upload", "surveys.index",
    "surveys.invitation", "surveys.page", "surveys.pinned", "surveys.receipt", "surveys.resume",
    "surveys.resume_link", "surveys.review", "surveys.saved", "surveys.start", "surveys.static",
})
ROLES = ("anonymous", "officer", "moderator_a", "drafter_a", "drafter_b", "admin")


@pytest.fixture()
def app_config():
    return {"DEMO_OFFICER_PASSWORD": PASSWORD}


@pytest.fixture()
def agencies(app):
    return load_agencies()


def _team_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if scoping.is_team_rule(rule.rule, rule.endpoint)),
                  key=lambda rule: rule.rule)


def _bound(rule) -> bool:
    """Whether a parameter of the route names something of one consultation."""
    return rule.endpoint in scoping.ENDPOINT_RESOLVERS or any(
        name in scoping.PARAMETER_RESOLVERS for name in rule.arguments)


def _url(rule, values: dict) -> str | None:
    wanted = dict(values)
    if rule.endpoint == "textanalysis.result":
        wanted["slug"] = "du-thao"
    if rule.endpoint.startswith("submissions.team_") and "invitation_id" in rule.arguments:
        wanted["invitation_id"] = officer_invitation_id()
    arguments = {name: wanted.get(name) for name in rule.arguments}
    if any(value is None for value in arguments.values()):
        return None
    return url_for(rule.endpoint, **arguments)


def _client(app, role: str):
    client = app.test_client()
    if role != "anonymous":
        response = client.post("/dang-nhap", data={"email": EMAILS[role], "password": PASSWORD})
        assert response.status_code == 302, role
    return client


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _database_fingerprint() -> str:
    """A digest of every row of every table: equal before and after means nothing changed."""
    digest = hashlib.sha256()
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_every_route_is_a_team_page_or_listed_as_public(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unlisted = sorted(rule.rule for rule in app.url_map.iter_rules()
                      if not scoping.is_team_rule(rule.rule, rule.endpoint) and rule.endpoint not in PUBLIC_ENDPOINTS)
    assert unlisted == [], "a new route: make it a team page (/quan-tri) or list it in PUBLIC_ENDPOINTS"
    assert PUBLIC_ENDPOINTS <= endpoints, sorted(PUBLIC_ENDPOINTS - endpoints)


def test_every_parameter_of_a_team_page_is_placed_by_scoping(app):
    unknown = {rule.rule: scoping.unknown_parameters(rule.endpoint, rule.arguments) for rule in _team_rules(app)}
    assert {rule: names for rule, names in unknown.items() if names} == {}, \
        "teach consult.scoping the parameter (resolves) or list it in UNBOUND_PARAMETERS"


def test_an_unknown_parameter_fails_closed(app, agencies):
    @app.get("/quan-tri/_thu/<int:mystery_id>")
    def _mystery(mystery_id: int):
        return "shown"

    assert _client(app, "drafter_a").get("/quan-tri/_thu/1").status_code == 404
    assert _client(app, "admin").get("/quan-tri/_thu/1").status_code == 200


def _markers(consultation) -> list[str]:
    """Text that only a page showing agency B's consultation or its surveys would hold."""
    surveys = db.session.scalars(select(Survey).where(Survey.consultation_id == consultation.id))
    return [consultation.slug, consultation.title, *((s.title or {}).get("vi", "") for s in surveys)]


def test_each_role_on_each_team_page_of_another_agency(app, agencies):
    values, markers = values_of(agencies.b), _markers(agencies.b)
    rules = [(rule, _url(rule, values)) for rule in _team_rules(app)]
    skipped = [rule.rule for rule, url in rules if url is None]
    assert skipped == [], "no demo value for these parameters"
    seen: dict = {}
    for role in ROLES:
        client = _client(app, role)
        for rule, url in rules:
            for method in _methods(rule):
                if method == "POST" and (role in ("drafter_b", "admin") or not _bound(rule)):
                    continue  # their POSTs are real work; unbound POSTs are tested by name
                response = client.open(url, method=method)
                seen[role, rule.endpoint, method, url] = response.status_code
                _check(role, rule, method, url, response, markers)
    bound = {rule.endpoint for rule, _url in rules if _bound(rule)}
    for (role, endpoint, method, url), status in seen.items():
        if role == "drafter_b" and method == "GET" and endpoint in bound:
            # On its own consultation, an agency's drafter gets what the administrator gets.
            assert status == seen["admin", endpoint, method, url], (endpoint, url)
    assert len(seen) > 300


def _check(role: str, rule, method: str, url: str, response, markers: list[str]) -> None:
    where = (role, method, url)
    status = response.status_code
    assert status < 500, where
    if role == "anonymous":
        assert status == 302 and "/dang-nhap" in response.headers["Location"], where
    elif role == "officer":
        assert status in (403, 404), where
    elif role in ("moderator_a", "drafter_a"):
        if _bound(rule):
            assert status == 404, where
        elif method == "GET" and status == 200 and response.mimetype == "text/html":
            shown = response.get_data(as_text=True)
            assert not [marker for marker in markers if marker and marker in shown], where


def test_posts_of_another_agency_change_nothing(app, agencies):
    values = values_of(agencies.b)
    posts = [(rule, _url(rule, values)) for rule in _team_rules(app)
             if "POST" in rule.methods and _bound(rule)]
    before = _database_fingerprint()
    for role in ("moderator_a", "drafter_a"):
        client = _client(app, role)
        for rule, url in posts:
            assert client.post(url, data={"action": "hide", "outcome": "accepted", "reason": "x",
                                          "stance": "support"}).status_code == 404, (role, url)
    assert len(posts) > 25
    assert _database_fingerprint() == before


def test_both_agencies_teams_reach_their_own_consultation(app, agencies):
    """The same pages, for agency A's own decree: the checks let them through."""
    client = _client(app, "drafter_a")
    own = agencies.a
    for url in (f"/co-quan/quan-tri/{own.slug}", f"/quan-tri/xu-ly/{own.slug}",
                f"/quan-tri/so-lieu/tham-van/{own.id}", f"/quan-tri/phan-tich/lap-truong/{own.id}",
                f"/quan-tri/du-thao/{own.draft.id}/nhap"):
        assert client.get(url).status_code == 200, url
