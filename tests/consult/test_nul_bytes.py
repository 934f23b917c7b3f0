"""A NUL byte (or a forged over-long key) in any field or query parameter of any form never
answers 500: PostgreSQL refuses NUL in text, so it must not reach the database (issue 10).

The forms are not listed by hand: the demo is crawled as a citizen, as the drafting team and
as an organisation's officer, every form found is sent once per field with a NUL in that
field, and every GET form and every link with a query is opened with a NUL in each parameter.
"""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import select

from consult.api import tokens
from consult.auth import find_user
from consult.extensions import db
from consult.models import Comment, Contribution, Draft, DraftVersion, Organisation
from consult.submissions.models import ApiToken
from consult.demo import DEMO_ADMIN_EMAIL, load_demo
from consult.submissions.demo import DEMO_OFFICER_EMAIL
from surveys.responses import open_surveys
from tests.consult.test_crawl import crawl
from tests.factories import SMALL_LAW, login

PASSWORD = "mat-khau-dai-123"
DRAFT = "/du-thao/luat-hop-tac-xa-sua-doi"
NUL = "Ý kiến\x00có NUL"
#: Fields a browser sends as typed text (hidden fields too: a client can forge them); the
#: values of selects, radio buttons and checkboxes are forged as well.
TEXT_TYPES = {"text", "textarea", "email", "search", "tel", "url", "hidden", "password", "number", "date"}
#: Fields tried per role, a little under what the demo gives today (a guard against a crawl
#: that silently finds no forms).
AT_LEAST = {"citizen": 20, "team": 120, "officer": 18}
#: Forms that end the session or that the crawl must not send.
SKIP_ACTIONS = ("/dang-xuat",)


class _Forms(HTMLParser):
    """Every form of a page: method, action, enctype and fields with a plausible value."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"method": attrs.get("method", "get").lower(), "action": attrs.get("action", ""),
                               "multipart": "multipart" in attrs.get("enctype", ""), "fields": {}})
            return
        if not self.forms or "name" not in attrs:
            if tag == "option" and self._select and self.forms and attrs.get("value"):
                self.forms[-1]["fields"].setdefault(self._select, ("select", attrs["value"]))
            return
        fields, name = self.forms[-1]["fields"], attrs["name"]
        if tag == "textarea":
            fields[name] = ("textarea", "Ý kiến thử")
        elif tag == "select":
            self._select = name
        elif tag in ("input", "button"):
            kind = attrs.get("type", "text" if tag == "input" else "submit").lower()
            if kind in ("checkbox", "radio", "submit") and name in fields:
                return
            if kind == "file":
                return
            fields[name] = (kind, attrs.get("value", "") or ("2022-09-05" if kind == "date" else "1"))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _signature(page: str, form: dict) -> tuple:
    """Forms that differ only by the article they are on are sent once."""
    action = form["action"] or page
    path = urlsplit(action).path
    shape = "/".join("N" if part.isdigit() or part.startswith("dieu-") else part for part in path.split("/"))
    return form["method"], shape, tuple(sorted(form["fields"]))


def _send(client, page: str, form: dict, data: dict):
    action = (form["action"] or page).replace("&amp;", "&")
    if form["method"] == "get":
        return client.get(urlsplit(action).path, query_string=data)
    if form["multipart"]:
        return client.post(action, data=data, content_type="multipart/form-data")
    return client.post(action, data=data)


def nul_everywhere(client, pages: list[str]) -> tuple[dict, int]:
    """Send each form of ``pages`` with a NUL in each field in turn; the failures found and
    how many fields were tried."""
    failures, sent, tried = {}, set(), 0
    for page in pages:
        reply = client.get(page)
        if reply.status_code != 200 or not reply.content_type.startswith("text/html"):
            continue
        for form in forms_of(reply.text):
            if form["action"].startswith(SKIP_ACTIONS) or _signature(page, form) in sent:
                continue
            sent.add(_signature(page, form))
            defaults = {name: value for name, (_kind, value) in form["fields"].items()}
            for name, (kind, _value) in form["fields"].items():
                if kind not in TEXT_TYPES and kind not in ("select", "radio", "checkbox"):
                    continue
                value = "k" * 300 if name == "form_key" else NUL
                tried += 1
                answer = _send(client, page, form, {**defaults, name: value})
                if answer.status_code >= 500:
                    failures[f"{form['method'].upper()} {form['action'] or page} {name}"] = answer.status_code
    return failures, tried


def nul_in_queries(client, urls: list[str]) -> dict:
    """Open every URL that has a query with a NUL in each parameter in turn."""
    failures = {}
    for url in urls:
        parts = urlsplit(url)
        params = parse_qsl(parts.query, keep_blank_values=True)
        for index, (name, _value) in enumerate(params):
            forged = params[:index] + [(name, NUL)] + params[index + 1:]
            answer = client.get(f"{parts.path}?{urlencode(forged)}")
            if answer.status_code >= 500:
                failures[f"{parts.path}?{name}"] = answer.status_code
    return failures


@pytest.fixture()
def demo(app):
    app.config["DEMO_OFFICER_PASSWORD"] = PASSWORD  # settings are read once, into the config
    load_demo(admin_password=PASSWORD)


def _check(client, start: list[str], limit: int, at_least: int) -> None:
    """No failure, and at least ``at_least`` form fields were tried (the crawl found the forms)."""
    pages = [url for url, status in crawl(client, start, limit=limit).items() if status == 200]
    failures, tried = nul_everywhere(client, pages)
    failures |= nul_in_queries(client, pages)
    assert not failures, failures
    assert tried >= at_least, tried


def test_nul_in_every_citizen_form_and_query(client, demo):
    """With an opinion in the list (so the profile form shows) and a survey started."""
    client.post(f"{DRAFT}/dieu-1", data={"body": "Ý kiến", "provision": "", "form_key": "k-nul"})
    survey = next(survey for survey in open_surveys() if survey.accepts_open_link)
    first_page = client.post(f"/khao-sat/{survey.slug}", data={"form_key": "k-nul"}).location
    extra = ["/bien-nhan?code=GY-0000-0000", f"{DRAFT}/gop-y-cua-ban", first_page]
    _check(client, ["/", "/khao-sat/", *extra], limit=80, at_least=AT_LEAST["citizen"])


def test_nul_in_every_team_form_and_query(client, demo):
    login(client, find_user(DEMO_ADMIN_EMAIL), PASSWORD)
    _check(client, ["/quan-tri/", "/khao-sat/quan-tri/", "/co-quan/quan-tri/"], limit=160,
           at_least=AT_LEAST["team"])


def test_nul_in_every_officer_form(client, demo):
    login(client, find_user(DEMO_OFFICER_EMAIL), PASSWORD)
    _check(client, ["/co-quan/"], limit=40, at_least=AT_LEAST["officer"])


def test_nul_in_the_login_form(client, demo):
    answer = client.post("/dang-nhap", data={"email": "admin\x00@gopy.example.vn", "password": "x\x00"})
    assert answer.status_code < 500


@pytest.mark.parametrize("path", ["/api/v1/consultations/luat-hop-tac-xa-sua-doi/comments?article=%00",
                                  "/api/v1/consultations/luat-hop-tac-xa-sua-doi/comments?page=%00",
                                  "/bien-nhan?code=%00"])
def test_nul_in_named_query_parameters(client, demo, path):
    assert client.get(path).status_code < 500


def test_nul_in_the_profile_name_and_contact(client, demo):
    client.post(f"{DRAFT}/dieu-1", data={"body": "Ý kiến", "provision": "", "form_key": "k-profile"})
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', client.get(f"{DRAFT}/gop-y-cua-ban").text)
    answer = client.post(f"{DRAFT}/gop-y-cua-ban", data={
        "respondent_type": "citizen", "province": "79", "consent": "y", "token": token.group(1),
        "name": "Nguyễn\x00Văn A", "contact": "a\x00@example.vn"})
    assert answer.status_code == 302
    db.session.expire_all()
    sent = db.session.scalar(select(Contribution).where(Contribution.token == token.group(1)))
    assert sent.name == "NguyễnVăn A" and sent.contact == "a@example.vn"


def test_nul_in_a_moderation_reason(client, demo):
    login(client, find_user(DEMO_ADMIN_EMAIL), PASSWORD)
    pending = db.session.scalar(select(Comment).where(Comment.status == "pending"))
    answer = client.post(f"/quan-tri/kiem-duyet/{pending.id}", data={"action": "reject", "reason": "Trùng\x00lặp"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(Comment, pending.id).moderation_reason == "Trùnglặp"


def test_nul_in_an_api_token_label(client, demo):
    login(client, find_user(DEMO_ADMIN_EMAIL), PASSWORD)
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == "BTC"))
    answer = client.post("/co-quan/quan-tri/api", data={"organisation": str(organisation.id), "scopes": "read",
                                                "label": "Hệ thống\x00một cửa"})
    assert answer.status_code == 200
    assert db.session.scalar(select(ApiToken.label).where(ApiToken.label.like("Hệ thống%"))) == "Hệ thốngmột cửa"


def test_nul_and_lone_surrogates_in_api_json(client, demo):
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == "BTC"))
    _token, raw = tokens.create_token(organisation, ["read", "submissions:write"], "test", None)
    db.session.commit()
    body = ('{"letter_number": "1\\u0000/BTC", "letter_date": "2022-09-05", "signer_name": "A\\ud800",'
            ' "signer_title": "B", "opinions": [{"article": "\\u0000", "body": "x\\u0000y"}]}')
    answer = client.post("/api/v1/consultations/luat-hop-tac-xa-sua-doi/submissions", data=body,
                         headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"})
    assert answer.status_code < 500, answer.get_data(as_text=True)[:300]


def test_nul_in_an_uploaded_file_name(client, demo):
    login(client, find_user(DEMO_ADMIN_EMAIL), PASSWORD)
    draft = db.session.scalar(select(Draft))
    text = SMALL_LAW.encode("utf-8")
    answer = client.post(f"/quan-tri/du-thao/{draft.id}/nhap", content_type="multipart/form-data",
                         data={"document": (io.BytesIO(text), "du\x00thao.txt")})
    assert answer.status_code < 500
    db.session.expire_all()
    assert all("\x00" not in (version.source_filename or "") for version in db.session.scalars(select(DraftVersion)))
