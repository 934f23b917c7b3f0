"""Finding consultations: the home page's sections, the list with filters and search, the time
left, and the Atom feed; hidden consultations never appear."""
from __future__ import annotations

import itertools
import re
import unicodedata
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from consult import finding
from consult.extensions import db
from consult.models import Consultation, Organisation, utcnow
from tests.factories import make_consultation

ATOM = "{http://www.w3.org/2005/Atom}"


def _organisation(code: str, name: str) -> Organisation:
    organisation = Organisation(code=code, kind="ministry", name=name)
    db.session.add(organisation)
    return organisation


def _add(slug: str, title: str, opens: timedelta, closes: timedelta, *, kind: str = "law", agency=None,
         published: bool = True, **fields) -> Consultation:
    """A consultation (no draft) opening and closing at ``now + opens`` / ``now + closes``."""
    now = utcnow()
    consultation = Consultation(slug=slug, title=title, opens_at=now + opens, closes_at=now + closes,
                                published=published, document_kind=kind, agency_organisation=agency,
                                agency=agency.name if agency else "", **fields)
    db.session.add(consultation)
    return consultation


@pytest.fixture()
def catalogue(app):
    """Open, scheduled, recently and long closed, archived and hidden consultations of two agencies."""
    btc, bkhdt = _organisation("BTC", "Bộ Tài chính"), _organisation("BKHDT", "Bộ Kế hoạch và Đầu tư")
    day = timedelta(days=1)
    _add("luat-htx", "Dự thảo Luật Hợp tác xã (sửa đổi)", -10 * day, 12 * day + timedelta(hours=3), agency=bkhdt)
    _add("nd-ho-tro", "Dự thảo Nghị định hỗ trợ kinh tế tập thể", -2 * day, timedelta(hours=5, minutes=30),
         kind="decree", agency=btc)
    _add("tt-thue", "Dự thảo Thông tư hướng dẫn thuế", 3 * day + timedelta(hours=1), 40 * day, kind="circular",
         agency=btc)
    _add("luat-hoa-giai", "Dự thảo Luật Hòa giải ở cơ sở", -60 * day, -20 * day, agency=bkhdt)
    _add("nd-cu", "Dự thảo Nghị định cũ về phí", -200 * day, -100 * day, kind="decree", agency=btc)
    _add("luat-luu-tru", "Dự thảo Luật Lưu trữ", -100 * day, -50 * day, agency=bkhdt,
         archived_at=utcnow() - day)
    _add("nd-an", "Dự thảo Nghị định chưa công bố về hợp tác xã", -1 * day, 30 * day, kind="decree", agency=btc,
         published=False)
    db.session.commit()


def _titles_in_order(html: str, titles: list[str]) -> list[int]:
    return [html.index(title) for title in titles]


def test_home_lists_open_by_closing_then_upcoming_then_recently_closed(client, catalogue):
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert "Lấy ý kiến dự thảo văn bản" in html and "Dự thảo luật đang lấy ý kiến" not in html
    positions = _titles_in_order(html, ["Nghị định hỗ trợ kinh tế tập thể", "Luật Hợp tác xã (sửa đổi)",
                                        "Thông tư hướng dẫn thuế", "Luật Hòa giải ở cơ sở"])
    assert positions == sorted(positions), "open (closing soonest first), upcoming, recently closed"
    assert html.index("Đang lấy ý kiến") < positions[0] < html.index("Sắp lấy ý kiến") < positions[2]
    assert html.index("Mới kết thúc lấy ý kiến") < positions[3]
    for absent in ("Nghị định cũ về phí", "Luật Lưu trữ", "chưa công bố"):
        assert absent not in html  # closed 100 days ago, archived, hidden
    assert "Nghị định · <span lang=\"vi\">Bộ Tài chính</span>" in html
    assert 'id="code"' in html and "/bien-nhan" in html  # the receipt lookup stays


def test_time_left_in_days_hours_and_after_the_end(client, catalogue):
    html = client.get("/").text
    assert "Còn 12 ngày" in html
    assert "Còn 5 giờ" in html
    assert "Mở sau 3 ngày" in html
    closed = db.session.scalar(select(Consultation).where(Consultation.slug == "luat-hoa-giai"))
    closed_day = (closed.closes_at + timedelta(hours=7)).strftime("%d/%m/%Y")
    assert f"Đã kết thúc ngày {closed_day}" in html


def test_the_spans_of_time(app):
    client = app.test_client()
    client.get("/")  # Vietnamese request context for the formatting
    with app.test_request_context("/"):
        assert finding.span(timedelta(minutes=3, seconds=1)) == "4 phút"
        assert finding.span(timedelta(seconds=0)) == "1 phút"
        assert finding.span(timedelta(hours=23, minutes=59)) == "23 giờ"
        assert finding.span(timedelta(days=1)) == "1 ngày"
        assert finding.span(timedelta(days=1200)) == "1.200 ngày"


def test_the_draft_page_says_how_long_is_left(client):
    make_consultation()
    page = client.get("/du-thao/luat-htx").text
    assert "Còn 29 ngày" in page


def _listed(client, query: str = "", **params) -> list[str]:
    response = client.get("/tham-van" + query, query_string=params or None)
    assert response.status_code == 200, response.status_code
    return re.findall(r'href="/du-thao/([^"/]+)"', response.text)


def test_the_list_shows_every_visible_consultation_newest_first(client, catalogue):
    assert _listed(client) == ["tt-thue", "nd-ho-tro", "luat-htx", "luat-hoa-giai", "luat-luu-tru", "nd-cu"]


@pytest.mark.parametrize("params, expected", [
    ({"co-quan": "BTC"}, {"tt-thue", "nd-ho-tro", "nd-cu"}),
    ({"loai": "decree"}, {"nd-ho-tro", "nd-cu"}),
    ({"trang-thai": "open"}, {"luat-htx", "nd-ho-tro"}),
    ({"trang-thai": "scheduled"}, {"tt-thue"}),
    ({"trang-thai": "archived"}, {"luat-luu-tru"}),
    ({"trang-thai": "closed", "co-quan": "BTC"}, {"nd-cu"}),
    ({"co-quan": "BTC", "loai": "decree", "trang-thai": "open"}, {"nd-ho-tro"}),
    ({"trang-thai": "hidden"}, {"tt-thue", "nd-ho-tro", "luat-htx", "luat-hoa-giai", "luat-luu-tru", "nd-cu"}),
])
def test_filters_by_agency_kind_and_state(client, catalogue, params, expected):
    assert set(_listed(client, **params)) == expected


def test_filter_by_the_year_it_opened_in_vietnam(client, app):
    _add("nam-moi", "Dự thảo mở lúc giao thừa", timedelta(0), timedelta(days=30))
    db.session.commit()
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == "nam-moi"))
    consultation.opens_at = datetime(2025, 12, 31, 17, 30)  # 00:30 on 1 January 2026 in Hà Nội
    db.session.commit()
    assert _listed(client, nam="2026") == ["nam-moi"]
    assert _listed(client, nam="2025") == []
    assert "2026" in client.get("/tham-van").text


@pytest.mark.parametrize("query", [
    "hop tac xa", "HỢP TÁC XÃ", "Hợp  tác-xã", unicodedata.normalize("NFD", "Hợp tác xã"), "hợp tác",
])
def test_search_ignores_diacritics_case_punctuation_and_nfd(client, catalogue, query):
    assert _listed(client, q=query) == ["luat-htx"]


def test_search_ignores_tone_mark_style_and_needs_every_word(client, catalogue):
    assert _listed(client, q="Hoà giải") == ["luat-hoa-giai"]  # new-style tone mark, title has "Hòa"
    assert _listed(client, q="hoa giai") == ["luat-hoa-giai"]
    assert _listed(client, q="nghị định thuế") == []
    assert set(_listed(client, q="nghi dinh")) == {"nd-ho-tro", "nd-cu"}
    assert _listed(client, q="chưa công bố") == []  # hidden, even when its title matches
    assert _listed(client, q="100%") == []  # LIKE's wildcards are text


@pytest.mark.parametrize("params", [
    {"q": "\x00"}, {"q": "hợp\x00tác"}, {"q": "x" * 100_000}, {"q": "<script>alert(1)</script>"},
    {"nam": "99999999999999999999"}, {"nam": "-1"}, {"trang": "9" * 60}, {"trang": "-3"}, {"trang": "abc"}, {"nam": "²⁰²⁶"}, {"trang": "٣"},
    {"co-quan": "\x00" * 50}, {"loai": "x" * 5000}, {"q": "%_\\"},
])
def test_bad_parameters_never_fail(client, catalogue, params):
    response = client.get("/tham-van", query_string=params)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert client.get("/tham-van/atom.xml", query_string={"co-quan": params.get("co-quan", "\x00")}).status_code == 200


def test_undecodable_bytes_in_the_query_never_fail(client, catalogue):
    for url in ("/tham-van?q=%ED%A0%80&trang-thai=%FF", "/tham-van/atom.xml?co-quan=%C0%AF", "/?q=%00"):
        assert client.get(url).status_code == 200, url


def test_the_query_is_kept_in_the_form(client, catalogue):
    html = client.get("/tham-van", query_string={"q": "hợp tác", "loai": "law"}).text
    assert 'value="hợp tác"' in html and '<option value="law" selected>' in html


def test_the_list_is_paginated_keeping_the_filters(client, app):
    for number in range(25):
        _add(f"nd-{number:02}", f"Dự thảo Nghị định số {number}", timedelta(days=-number), timedelta(days=30),
             kind="decree")
    _add("luat-khac", "Dự thảo Luật khác", timedelta(days=-1), timedelta(days=30))
    db.session.commit()
    first = client.get("/tham-van", query_string={"loai": "decree"}).text
    assert "Tìm thấy 25 đợt lấy ý kiến" in first and "Trang 1/2" in first
    assert len(re.findall(r'href="/du-thao/', first)) == finding.PAGE_SIZE
    next_link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "loai=decree" in next_link and "trang=2" in next_link
    second = _listed(client, next_link.removeprefix("/tham-van"))
    assert second == [f"nd-{number:02}" for number in range(20, 25)]
    assert _listed(client, loai="decree", trang="7") == second  # past the end: the last page


def test_the_sql_state_agrees_with_the_python_state(app):
    now = utcnow()
    hour = timedelta(hours=1)
    grid = itertools.product([True, False], [-2 * hour, hour], [-hour, 2 * hour], [None, -hour],
                             [None, -hour, hour])
    for index, (published, opens, closes, answered, archived) in enumerate(grid):
        if closes <= opens:
            continue
        db.session.add(Consultation(slug=f"s{index}", title="x", published=published, opens_at=now + opens,
                                    closes_at=now + closes,
                                    answers_published_at=now + answered if answered is not None else None,
                                    archived_at=now + archived if archived is not None else None))
    db.session.commit()
    everything = db.session.scalars(select(Consultation)).all()
    for state in ("hidden", "scheduled", "open", "closed", "answered", "archived"):
        in_sql = set(db.session.scalars(select(Consultation.slug).where(Consultation.state_is(state, now))))
        in_python = {c.slug for c in everything if c.state(now) == state}
        assert in_sql == in_python, state
        assert in_python, f"the grid covers {state}"


def test_the_title_key_follows_the_title(app):
    consultation = make_consultation(title="Dự thảo Luật Đất đai")
    assert consultation.title_key == "du thao luat dat dai"
    consultation.title = "Nghị định HOÀ GIẢI"
    db.session.commit()
    assert db.session.scalar(select(Consultation.title_key).where(Consultation.id == consultation.id)) \
        == "nghi dinh hoa giai"


def _feed(client, **params) -> ET.Element:
    response = client.get("/tham-van/atom.xml", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.data)


def test_the_atom_feed_is_valid_with_new_and_closing_entries(client, catalogue):
    feed = _feed(client)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id").startswith("http://localhost/")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", feed.findtext(f"{ATOM}updated"))
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["alternate"] == "http://localhost/tham-van" and links["self"].endswith("/tham-van/atom.xml")
    entries = feed.findall(f"{ATOM}entry")
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(ids) == len(set(ids)), "entry ids are unique"
    for entry in entries:
        for child in ("id", "title", "updated", "published"):
            assert entry.findtext(f"{ATOM}{child}"), child
        alternate = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert alternate.startswith("http://localhost/du-thao/")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert "Sắp hết hạn lấy ý kiến: Dự thảo Nghị định hỗ trợ kinh tế tập thể" in titles
    assert "Dự thảo Thông tư hướng dẫn thuế" in titles and "Dự thảo Luật Hòa giải ở cơ sở" in titles
    assert not any("chưa công bố" in t or "Lưu trữ" in t or "cũ về phí" in t for t in titles)
    assert not any(t.endswith("Luật Hợp tác xã (sửa đổi)") and t.startswith("Sắp") for t in titles)


def test_the_feed_of_one_agency(client, catalogue):
    entries = _feed(client, **{"co-quan": "BKHDT"}).findall(f"{ATOM}entry")
    assert {entry.findtext(f"{ATOM}title") for entry in entries} == {
        "Dự thảo Luật Hợp tác xã (sửa đổi)", "Dự thảo Luật Hòa giải ở cơ sở"}
    assert _feed(client, **{"co-quan": "KHONG-CO"}).findall(f"{ATOM}entry") == []


def test_pages_link_the_feed(client, catalogue):
    for url in ("/", "/tham-van"):
        assert '<link rel="alternate" type="application/atom+xml" href="/tham-van/atom.xml"' in client.get(url).text
