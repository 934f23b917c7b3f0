"""The JSON API: open data, tokens and scopes, formal submissions, problem+json errors."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from consult.api.openapi import openapi_document
from consult.api.tokens import hash_token
from consult.extensions import db
from consult.models import AuditEvent, Comment, Contribution
from consult.submissions import services
from consult.submissions.models import ApiToken, RosterEntry, Submission
from tests.factories import make_consultation
from tests.submissions.helpers import PDF, make_organisation, make_token, on_roster

LETTER = {"letter_number": "88/BTC-PC", "letter_date": "2022-09-05", "signer_name": "Lê Văn Cường",
          "signer_title": "Thứ trưởng",
          "opinions": [{"article": "2", "clause": "1", "body": "Đề nghị làm rõ."},
                       {"article": "3", "body": "Đề nghị bổ sung."}, {"body": "Ý kiến chung."}]}


@pytest.fixture()
def setup(app):
    consultation = make_consultation()
    btc, btp = on_roster(consultation, "BTC", "BTP")
    return consultation, btc, btp, make_token(btc)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response, status: int):
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["type"] and body["title"] and body["detail"]
    return body


def create(client, token, payload=None, **kwargs):
    return client.post("/api/v1/consultations/luat-htx/submissions", json=LETTER if payload is None else payload,
                       headers=auth(token), **kwargs)


def test_the_document_matches_the_routes_exactly(app):
    documented = {(path, method.upper()) for path, item in openapi_document()["paths"].items()
                  for method in item}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.fallback":
            path = rule.rule.removeprefix("/api").replace("<int:", "{").replace("<", "{").replace(">", "}")
            routed |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed


def test_openapi_document_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.get_json()["openapi"].startswith("3.")


def test_provisions_tree_and_consultations(client, setup):
    tree = client.get("/api/v1/consultations/luat-htx/provisions").get_json()
    chapters = tree["provisions"]
    assert [c["kind"] for c in chapters] == ["chapter", "chapter"]
    article_2 = chapters[0]["children"][1]
    assert (article_2["number"], [c["anchor"] for c in article_2["children"]]) == (
        "2", ["dieu-2-khoan-1", "dieu-2-khoan-2"])
    listing = client.get("/api/v1/consultations").get_json()
    assert listing["total"] == 1 and listing["items"][0]["slug"] == "luat-htx"
    assert_problem(client.get("/api/v1/consultations/khong-co"), 404)
    assert_problem(client.get("/api/v1/consultations/khong-co/provisions"), 404)


def _published_comments(consultation, count: int):
    version = services.current_version(consultation)
    article = next(p for p in version.provisions if p.anchor == "dieu-2-khoan-1")
    for index in range(count):
        contribution = Contribution(consultation=consultation, token=f"t{index}", status="submitted",
                                    respondent_type="citizen" if index % 2 else "cooperative", province_code="01")
        db.session.add(Comment(contribution=contribution, consultation=consultation,
                               provision=article if index < count - 1 else None, body=f"Góp ý {index}",
                               body_normalized=f"góp ý {index}", form_key=f"k{index}",
                               status="published"))
    db.session.add(Comment(contribution=contribution, consultation=consultation, provision=article,
                           body="chưa duyệt", body_normalized="chưa duyệt", form_key="kp", status="pending"))
    db.session.commit()


def test_published_comments_are_paginated(client, setup):
    _published_comments(setup[0], 5)
    first = client.get("/api/v1/consultations/luat-htx/comments?per_page=2")
    body = first.get_json()
    assert body["total"] == 5 and len(body["items"]) == 2 and body["prev"] is None
    assert 'rel="next"' in first.headers["Link"] and "page=2" in body["next"]
    last = client.get("/api/v1/consultations/luat-htx/comments?per_page=2&page=3").get_json()
    assert len(last["items"]) == 1 and last["next"] is None
    assert last["items"][0]["article"] is None  # the general comment
    assert body["items"][0]["article"] == "2" and body["items"][0]["clause"] == "1"
    assert all(item["body"] != "chưa duyệt" for item in body["items"] + last["items"])
    by_article = client.get("/api/v1/consultations/luat-htx/comments?article=2").get_json()
    assert by_article["total"] == 4
    for query in ("per_page=0", "per_page=101", "page=0", "page=abc", "per_page=%C2%B2", "article=" + "9" * 17):
        problem = assert_problem(client.get(f"/api/v1/consultations/luat-htx/comments?{query}"), 400)
        assert problem["errors"] and problem["errors"][0]["pointer"].startswith("?")


def test_counts_per_article_and_respondent_type(client, setup):
    _published_comments(setup[0], 5)
    stats = client.get("/api/v1/consultations/luat-htx/stats").get_json()
    assert stats["published_comments"] == 5 and stats["general_comments"] == 1
    assert {row["article"]: row["comments"] for row in stats["by_article"]} == {"1": 0, "2": 4, "3": 0, "4": 0}
    assert stats["by_respondent_type"] == [{"respondent_type": "citizen", "comments": 2},
                                           {"respondent_type": "cooperative", "comments": 3}]


def test_create_attach_submit_and_supersede(client, setup):
    consultation, btc, _btp, token = setup
    created = create(client, token)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "draft" and body["missing"] == ["attachment"]
    assert [(o["article"], o["clause"]) for o in body["opinions"]] == [("2", "1"), ("3", None), (None, None)]
    assert created.headers["Location"].endswith(f"/api/v1/submissions/{body['id']}")
    sid = body["id"]
    incomplete = assert_problem(client.post(f"/api/v1/submissions/{sid}/submit", headers=auth(token)), 409)
    assert incomplete["errors"][0]["pointer"] == "/attachment"
    attached = client.put(f"/api/v1/submissions/{sid}/attachment", data=PDF, headers={
        **auth(token), "Content-Type": "application/pdf", "Content-Disposition": 'attachment; filename="../../cv.pdf"'})
    assert attached.status_code == 200 and attached.get_json()["attachment"]["filename"] == "cv.pdf"
    submitted = client.post(f"/api/v1/submissions/{sid}/submit", headers=auth(token))
    assert submitted.status_code == 200 and submitted.get_json()["receipt_code"].startswith("CV-")
    again = assert_problem(client.post(f"/api/v1/submissions/{sid}/submit", headers=auth(token)), 409)
    assert again["receipt_code"] == submitted.get_json()["receipt_code"]
    assert_problem(client.put(f"/api/v1/submissions/{sid}/attachment", data=PDF,
                              headers={**auth(token), "Content-Type": "application/pdf"}), 409)
    assert_problem(client.delete(f"/api/v1/submissions/{sid}", headers=auth(token)), 409)
    second = create(client, token, {**LETTER, "opinions": [], "no_comment": True, "letter_number": "90/BTC-PC"})
    second_id = second.get_json()["id"]
    client.put(f"/api/v1/submissions/{second_id}/attachment", data=PDF,
               headers={**auth(token), "Content-Type": "application/pdf"})
    done = client.post(f"/api/v1/submissions/{second_id}/submit", headers=auth(token)).get_json()
    assert done["supersedes"] == sid
    assert client.get(f"/api/v1/submissions/{sid}", headers=auth(token)).get_json()["status"] == "superseded"
    listing = client.get("/api/v1/submissions", headers=auth(token)).get_json()
    assert [item["id"] for item in listing["items"]] == [second_id, sid]
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("submission.%"))).all()
    assert {e.action for e in audit} == {"submission.submit", "submission.supersede"}
    assert all(e.detail["channel"] == "api" for e in audit)


def test_a_second_draft_conflicts_and_can_be_deleted(client, setup):
    token = setup[3]
    first = create(client, token).get_json()
    conflict = assert_problem(create(client, token), 409)
    assert conflict["submission_id"] == first["id"]
    assert client.delete(f"/api/v1/submissions/{first['id']}", headers=auth(token)).status_code == 204
    assert create(client, token).status_code == 201


def test_a_draft_deleted_through_the_api_takes_its_pdf_along(client, setup, app):
    from consult.submissions import attachments

    token = setup[3]
    sid = create(client, token).get_json()["id"]
    client.put(f"/api/v1/submissions/{sid}/attachment", data=PDF, headers={
        **auth(token), "Content-Type": "application/pdf", "Content-Disposition": 'attachment; filename="cv.pdf"'})
    root = attachments.upload_root(app)
    assert len(list(root.iterdir())) == 1
    assert client.delete(f"/api/v1/submissions/{sid}", headers=auth(token)).status_code == 204
    assert list(root.iterdir()) == []


def test_tokens_scopes_and_other_organisations(client, setup):
    consultation, btc, btp, token = setup
    sid = create(client, token).get_json()["id"]
    problem = assert_problem(client.get("/api/v1/submissions"), 401)
    assert client.get("/api/v1/submissions").headers["WWW-Authenticate"].startswith("Bearer")
    assert problem["type"].endswith("unauthorized")
    assert_problem(client.get("/api/v1/submissions", headers=auth("gy_made-up")), 401)
    assert_problem(client.get("/api/v1/submissions", headers={"Authorization": "Basic eDp5"}), 401)
    other = make_token(btp)
    assert_problem(client.get(f"/api/v1/submissions/{sid}", headers=auth(other)), 403)
    assert_problem(client.post(f"/api/v1/submissions/{sid}/submit", headers=auth(other)), 403)
    assert_problem(client.delete(f"/api/v1/submissions/{sid}", headers=auth(other)), 403)
    assert client.get("/api/v1/submissions", headers=auth(other)).get_json()["total"] == 0
    read_only = make_token(btc, scopes=("read",))
    scope = assert_problem(create(client, read_only), 403)
    assert "submissions:write" in scope["detail"]
    # The body has two tokens now: pick the first by its secret's hash, not by table order.
    token_row = db.session.scalar(select(ApiToken).where(ApiToken.organisation_id == btc.id,
                                                         ApiToken.token_hash == hash_token(token)))
    assert token not in token_row.token_hash and len(token_row.token_hash) == 64
    token_row.revoked_at = token_row.created_at
    db.session.commit()
    assert_problem(client.get("/api/v1/submissions", headers=auth(token)), 401)
    outsider = make_token(make_organisation("BYT"))
    assert_problem(create(client, outsider), 403)  # not on the roster
    assert_problem(client.get("/api/v1/submissions/999999", headers=auth(other)), 404)
    assert_problem(client.get("/api/v1/submissions/99999999999999999999", headers=auth(other)), 404)


def test_bad_json_bodies(client, setup):
    token = setup[3]
    url = "/api/v1/consultations/luat-htx/submissions"
    malformed = assert_problem(client.post(url, data=b'{"letter_number": ', headers=auth(token),
                                           content_type="application/json"), 400)
    assert malformed["type"].endswith("malformed-json")
    assert_problem(client.post(url, data=b"\xff\xfe", headers=auth(token), content_type="application/json"), 400)
    assert_problem(client.post(url, data=b"[" * 100000 + b"]" * 100000, headers=auth(token),
                               content_type="application/json"), 400)
    wrong_type = assert_problem(client.post(url, data=json.dumps(LETTER), headers=auth(token),
                                            content_type="text/plain"), 415)
    assert "application/json" in wrong_type["detail"]
    form = assert_problem(client.post(url, data={"letter_number": "1"}, headers=auth(token)), 415)
    assert form["status"] == 415
    huge = json.dumps({**LETTER, "padding": "x" * (5 * 1024 * 1024)})
    assert_problem(client.post(url, data=huge, headers=auth(token), content_type="application/json"), 413)
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_field_errors_are_listed(client, setup):
    token = setup[3]
    body = assert_problem(create(client, token, {"letter_number": " ", "letter_date": "05/09/2022",
                                                 "signer_name": 7, "no_comment": "yes", "extra": 1,
                                                 "opinions": [{"article": "2", "clause": "1"}, "x",
                                                              {"clause": "1", "body": "b"}]}), 422)
    pointers = {error["pointer"] for error in body["errors"]}
    assert pointers == {"/extra", "/letter_number", "/signer_name", "/signer_title", "/letter_date",
                        "/no_comment", "/opinions/0/body", "/opinions/1", "/opinions/2/clause"}
    unknown = assert_problem(create(client, token, {**LETTER, "opinions": [{"article": "99", "body": "x"}]}), 422)
    assert unknown["errors"] == [{"pointer": "/opinions/0/article", "detail": unknown["errors"][0]["detail"]}]
    assert_problem(create(client, token, {**LETTER, "opinions": []}), 422)
    assert_problem(create(client, token, {**LETTER, "no_comment": True}), 422)
    assert_problem(create(client, token, {**LETTER, "letter_date": "2999-01-01"}), 422)
    assert_problem(create(client, token, []), 422)
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_bad_attachments(client, setup, app):
    token = setup[3]
    sid = create(client, token).get_json()["id"]
    url = f"/api/v1/submissions/{sid}/attachment"
    fake = assert_problem(client.put(url, data=b"<html>not a pdf</html>", headers={
        **auth(token), "Content-Type": "application/pdf"}), 422)
    assert fake["type"].endswith("invalid-attachment")
    assert_problem(client.put(url, data=PDF, headers={**auth(token), "Content-Type": "image/png"}), 415)
    app.config["SUBMISSION_PDF_MAX_BYTES"] = 1024
    assert_problem(client.put(url, data=PDF + b"%" * 2048, headers={**auth(token), "Content-Type": "application/pdf"}), 413)
    app.config["MAX_CONTENT_LENGTH"] = 2048
    assert_problem(client.put(url, data=PDF + b"%" * 4096, headers={**auth(token), "Content-Type": "application/pdf"}), 413)
    assert db.session.get(Submission, sid).attachment_name == ""


def test_unknown_addresses_and_methods_are_problems(client, setup):
    assert_problem(client.get("/api/v2/nothing"), 404)
    assert_problem(client.get("/api/"), 404)
    wrong = client.delete("/api/v1/consultations")
    assert_problem(wrong, 405)
    assert "GET" in wrong.headers["Allow"]
    assert client.get("/khong-co-trang-nay").mimetype == "text/html"  # the site keeps its pages


def test_server_errors_are_problems_too(client, setup, monkeypatch):
    from consult.api import views

    def broken(_version):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.drafts, "children_of", broken)
    body = assert_problem(client.get("/api/v1/consultations/luat-htx/provisions"), 500)
    assert "boom" not in json.dumps(body)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_api_takes_bearer_tokens_not_csrf_tokens(client, setup):
    assert create(client, setup[3]).status_code == 201


def test_a_consultation_not_yet_published_is_not_reached_by_a_token(client, setup):
    consultation, _btc, _btp, token = setup
    consultation.published = False
    db.session.commit()
    assert_problem(create(client, token), 404)
    assert db.session.scalar(select(func.count(Submission.id))) == 0


def test_a_tokens_last_use_is_written_once_a_minute_and_counts_failed_calls(client, setup):
    """Parallel calls of a busy client must not each write (and lock) the token's row; the page
    of tokens shows the last use to the minute, and a call that fails later still counts."""
    from datetime import timedelta

    from consult.models import utcnow

    _consultation, _btc, _btp, token = setup
    stored = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    assert stored.last_used_at is None
    assert client.get("/api/v1/submissions", headers=auth(token)).status_code == 200
    db.session.expire_all()
    first = stored.last_used_at
    assert first is not None
    assert client.get("/api/v1/submissions", headers=auth(token)).status_code == 200
    db.session.expire_all()
    assert stored.last_used_at == first  # within the minute: not written again
    stored.last_used_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    assert create(client, token, {"letter_number": "x" * 500}).status_code == 422  # fails after the check
    db.session.expire_all()
    assert stored.last_used_at > utcnow() - timedelta(minutes=1)


def test_the_answer_to_a_create_is_what_reading_the_letter_back_gives(client, setup):
    """The create answers from what was sent and the ids the database gave back
    (``services.start_letter``), not by reading the letter again: the same JSON as a GET."""
    token = setup[3]
    letter = {**LETTER, "signer_name": "  Lê Văn Cường ", "opinions": [
        {"article": "dieu-2", "clause": "2.", "body": "Khoản 2 nên rõ hơn."},
        *LETTER["opinions"], {"article": "3", "body": "Ý kiến thứ hai về điều 3."}]}
    created = create(client, token, letter)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body == client.get(f"/api/v1/submissions/{body['id']}", headers=auth(token)).get_json()
    assert [(o["article"], o["clause"], o["provision_anchor"]) for o in body["opinions"]] == [
        ("2", "2", "dieu-2-khoan-2"), ("2", "1", "dieu-2-khoan-1"), ("3", None, "dieu-3"), (None, None, None),
        ("3", None, "dieu-3")]
    stored = db.session.get(Submission, body["id"])
    assert [o.id for o in stored.opinions] == [o["id"] for o in body["opinions"]]
    assert [o.article.anchor if o.article else None for o in stored.opinions] == [
        "dieu-2", "dieu-2", "dieu-3", None, "dieu-3"]
    assert stored.signer_name == "Lê Văn Cường" and stored.channel == "api" and stored.version_id


def test_a_draft_in_preparation_is_said_before_what_else_is_wrong(client, setup):
    """As when the draft was looked up first: a body with a draft hears of it (409) before an
    unknown article (422), and even once taken off the roster (not 403)."""
    consultation, btc, _btp, token = setup
    first = create(client, token).get_json()["id"]
    unknown = {**LETTER, "opinions": [{"article": "99", "body": "Không có điều này."}]}
    assert assert_problem(create(client, token, unknown), 409)["submission_id"] == first
    db.session.execute(RosterEntry.__table__.delete().where(RosterEntry.organisation_id == btc.id))
    db.session.commit()
    assert assert_problem(create(client, token), 409)["submission_id"] == first
    assert client.delete(f"/api/v1/submissions/{first}", headers=auth(token)).status_code == 204
    assert assert_problem(create(client, token), 403)["type"].endswith("not-on-roster")
    assert assert_problem(create(client, token, unknown), 422)["errors"][0]["pointer"] == "/opinions/0/article"
    assert db.session.scalar(select(func.count(Submission.id))) == 0


def test_a_letter_and_its_tokens_last_use_are_committed_together_or_the_use_alone(client, setup):
    """The create writes the token's last use in the letter's commit; when it answers an error
    instead (here a draft made before: its INSERT conflicted and was rolled back), the use is
    committed on its own after it, as for any failed call."""
    from datetime import timedelta

    from consult.models import utcnow

    token = setup[3]
    stored = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    assert stored.last_used_at is None
    first = create(client, token)
    assert first.status_code == 201
    db.session.expire_all()
    assert stored.last_used_at is not None
    assert db.session.get(Submission, first.get_json()["id"]) is not None
    stored.last_used_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    assert assert_problem(create(client, token), 409)["submission_id"] == first.get_json()["id"]
    db.session.expire_all()
    assert stored.last_used_at > utcnow() - timedelta(minutes=1)
    assert db.session.scalar(select(func.count(Submission.id))) == 1


@pytest.mark.parametrize("article, clause", [
    ("2", "1"), ("dieu-2", "2."), (" 3 ", None), ("3", ""), ("DIEU-3", None), ("99", None), (None, "1"),
    ("2", "9"), ("", ""), (None, None), ("2", "1.a")])
def test_the_kept_tree_finds_the_provision_the_database_does(setup, article, clause):
    """``resolve_node`` (the API's create, from the version's kept tree) answers as
    ``resolve_provision`` (the officers' form, from the database), refusals included."""
    version = services.current_version(setup[0])

    def found(resolve):
        try:
            provision = resolve(version, article, clause)
        except services.UnknownProvision:
            return "unknown"
        return provision.id if provision is not None else None

    assert found(services.resolve_node) == found(services.resolve_provision)
