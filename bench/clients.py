"""Clients that use the platform as people and systems do, through its real forms and API:
a citizen who comments on articles and sends the list, a citizen who answers the open survey,
an organisation's system that sends a letter. Used by bench/faults and .ci/topology.

Every body carries a marker (``[bench c03-0007]``) so that a run can be checked against the
database afterwards. A client that gets no answer, or a 5xx, sends the *same* request again,
as a browser's resend or a retrying system does: the platform must store it once.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

import requests

SLUG = "luat-hop-tac-xa-sua-doi"
SURVEY = "y-kien-nguoi-dan-luat-htx"
ARTICLES = ["dieu-3", "dieu-8", "dieu-12", "dieu-20", "dieu-31", "dieu-45"]
RETRY_SECONDS = 30  # how long one step is resent before the flow gives up
TIMEOUT = 10


class FlowFailed(Exception):
    """The platform did not let the client finish (after retrying)."""


# --- forms ---------------------------------------------------------------------------------

class _FormParser(HTMLParser):
    """The POST forms of a page: their action and fields (name, type, value, options)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": (a.get("method") or "get").lower(),
                               "fields": []})
        elif not self.forms:
            return
        elif tag in ("input", "textarea", "button") and a.get("name"):
            self.forms[-1]["fields"].append({"tag": tag, "name": a["name"], "type": a.get("type", tag),
                                             "value": a.get("value", "")})
        elif tag == "select" and a.get("name"):
            self._select = {"tag": "select", "name": a["name"], "type": "select", "options": []}
            self.forms[-1]["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def post_form(html: str, index: int = -1) -> dict:
    forms = [f for f in _parse(html) if f["method"] == "post"]
    if not forms:
        raise FlowFailed("no form on the page")
    return forms[index]


def _parse(html: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def hidden_fields(form: dict) -> dict:
    return {f["name"]: f["value"] for f in form["fields"] if f["type"] == "hidden"}


def fill_survey_page(form: dict, marker: str) -> dict:
    """Answer each question's main field (``q-<name>``): the first option, the marker as text.
    Secondary fields (other text, matrix rows, ranks, numbers) are left empty."""
    data = hidden_fields(form)
    for f in form["fields"]:
        name = f["name"]
        main = name.startswith("q-") and name.count("-") == 1
        if not main or name in data:
            continue
        if f["type"] == "radio":
            data[name] = f["value"]
        elif f["type"] == "select":
            data[name] = next((o for o in f["options"] if o), "")
        elif f["tag"] == "textarea":
            data[name] = f"Ý kiến thử {marker}"
    data["action"] = "next"
    return data


# --- HTTP with resend ------------------------------------------------------------------------

@dataclass
class Counters:
    """What clients saw: resends and the statuses that made them resend."""

    resends: int = 0
    errors: dict = field(default_factory=dict)

    def saw(self, what: str) -> None:
        self.resends += 1
        self.errors[what] = self.errors.get(what, 0) + 1


def send(session: requests.Session, method: str, url: str, counters: Counters, deadline: float | None = None,
         ok=lambda r: r.status_code < 500, **kwargs) -> requests.Response:
    """Send the same request until it gets an answer ``ok`` accepts (a resend after a lost
    response or a 5xx), for at most ``RETRY_SECONDS``."""
    give_up = time.monotonic() + RETRY_SECONDS
    while True:
        try:
            response = session.request(method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
            if ok(response):
                return response
            counters.saw(str(response.status_code))
        except requests.RequestException as error:
            counters.saw(type(error).__name__)
        if time.monotonic() > give_up:
            raise FlowFailed(f"{method} {url}: no answer after resending for {RETRY_SECONDS} s")
        time.sleep(0.2)


# --- the three kinds of clients ---------------------------------------------------------------

def citizen_comments(base: str, marker: str, counters: Counters, articles: list[str]) -> dict:
    """Comment on ``articles``, send the list with a profile; returns the receipt and markers."""
    session = requests.Session()
    markers = []
    for number, anchor in enumerate(articles):
        url = f"{base}/du-thao/{SLUG}/{anchor}"
        page = send(session, "GET", url, counters)
        data = hidden_fields(post_form(page.text))
        text = f"Đề nghị làm rõ quy định này {marker}-{number}"
        data.update(body=text, provision="")
        answer = send(session, "POST", url, counters, data=data)
        if answer.status_code != 302:
            raise FlowFailed(f"add to list answered {answer.status_code}")
        markers.append(f"{marker}-{number}")
    page = send(session, "GET", f"{base}/du-thao/{SLUG}/gop-y-cua-ban", counters)
    data = hidden_fields(post_form(page.text))
    data.update(respondent_type="citizen", province="01", name="", contact="", consent="y")
    answer = send(session, "POST", f"{base}/du-thao/{SLUG}/gop-y-cua-ban", counters, data=data)
    found = re.search(r"/bien-nhan/([A-Z0-9-]+)", answer.headers.get("Location", ""))
    if answer.status_code != 302 or not found:
        raise FlowFailed(f"sending the list answered {answer.status_code} without a receipt")
    return {"receipt": found.group(1), "markers": markers}


def citizen_survey(base: str, marker: str, counters: Counters, survey: str = SURVEY,
                   other_base: str | None = None) -> dict:
    """Start the open survey, answer every page, submit; returns the receipt code. With
    ``other_base`` the pages after the first are answered on that instance instead."""
    session = requests.Session()
    start = send(session, "GET", f"{base}/khao-sat/{survey}", counters)
    answer = send(session, "POST", f"{base}/khao-sat/{survey}", counters,
                  data=hidden_fields(post_form(start.text)))
    location = answer.headers.get("Location", "")
    if answer.status_code != 302 or "/trang/" not in location:
        raise FlowFailed(f"starting the survey answered {answer.status_code}")
    base = other_base or base
    for _step in range(20):
        url = base + _path(location)
        if "/xem-lai" in url:
            break
        page = send(session, "GET", url, counters)
        if page.status_code == 302:
            location = page.headers["Location"]
            continue
        answer = send(session, "POST", url, counters, data=fill_survey_page(post_form(page.text), marker))
        if answer.status_code == 302:
            location = answer.headers["Location"]
        elif answer.status_code != 200:  # 200: new questions shown on the page; answer it again
            raise FlowFailed(f"a survey page answered {answer.status_code}")
    else:
        raise FlowFailed("the survey did not reach its review page")
    review = send(session, "GET", url, counters)
    answer = send(session, "POST", url, counters, data=hidden_fields(post_form(review.text)))
    if answer.status_code != 302 or "bien-nhan" not in answer.headers.get("Location", ""):
        raise FlowFailed(f"submitting the survey answered {answer.status_code}")
    receipt = send(session, "GET", base + _path(answer.headers["Location"]), counters)
    found = re.search(r'id="receipt-code">([^<]+)<', receipt.text)
    if not found:
        raise FlowFailed("the survey's receipt page shows no code")
    return {"receipt": found.group(1).strip(), "markers": [marker]}


def _path(location: str) -> str:
    return re.sub(r"^https?://[^/]+", "", location)


def api_letter(base: str, token: str, marker: str, counters: Counters, pdf: bytes) -> dict:
    """Create a letter, attach its PDF, submit it; returns its receipt code and number."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    number = marker.replace("[bench ", "").rstrip("]") + "/HH-PC"
    body = {"letter_number": number, "letter_date": "2026-12-01", "signer_name": "Nguyễn Văn A",
            "signer_title": "Chủ tịch", "opinions": [{"article": "8", "body": f"Đề nghị sửa {marker}"}]}
    created = send(session, "POST", f"{base}/api/v1/consultations/{SLUG}/submissions", counters,
                   data=json.dumps(body), headers={"Content-Type": "application/json"})
    if created.status_code not in (201, 409):
        raise FlowFailed(f"creating a letter answered {created.status_code}: {created.text[:200]}")
    submission_id = created.json().get("id") or created.json().get("submission_id")
    attached = send(session, "PUT", f"{base}/api/v1/submissions/{submission_id}/attachment", counters,
                    data=pdf, headers={"Content-Type": "application/pdf",
                                       "Content-Disposition": 'attachment; filename="cv.pdf"'})
    if attached.status_code not in (200, 409):
        raise FlowFailed(f"attaching the PDF answered {attached.status_code}: {attached.text[:200]}")
    submitted = send(session, "POST", f"{base}/api/v1/submissions/{submission_id}/submit", counters)
    code = submitted.json().get("receipt_code")
    if submitted.status_code not in (200, 409) or not code:
        missing = [e.get("pointer") for e in submitted.json().get("errors", [])]
        raise FlowFailed(f"submitting the letter answered {submitted.status_code} (missing {missing}; "
                         f"created {created.status_code}, attached {attached.status_code})")
    return {"receipt": code, "markers": [submitted.json().get("letter_number") or number]}
