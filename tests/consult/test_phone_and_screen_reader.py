"""What a phone user and a screen reader tripped over (issue 14, item 3), page by page."""
from __future__ import annotations

import re
from pathlib import Path

from analysis.overview import consultation_overview
from consult.extensions import db
from tests.consult import decision_factories as make
from tests.factories import login, make_consultation, make_user
from tests.surveys.factories import make_survey

STATIC = Path(__file__).resolve().parents[2] / "consult" / "static"


def _hex(colour: str) -> tuple[float, float, float]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4))


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in _hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_focus_ring_stands_out_on_every_background_the_pages_use():
    css = (STATIC / "app.css").read_text()
    rule = re.search(r"a:focus[^{]*\{([^}]*)\}", css).group(1)
    ring = re.findall(r"#[0-9a-fA-F]{6}|#fff\b", rule)
    ring = ["#ffffff" if c == "#fff" else c for c in ring]
    assert len(ring) >= 2, rule
    variables = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    for background in ("bg", "soft", "brand", "brand-dark", "focus"):
        best = max(_contrast(colour, variables[background]) for colour in ring)
        assert best >= 3, f"focus ring on --{background}: {best:.2f}:1"


def test_favicon_and_description_are_served(client):
    make_consultation()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"
    page = client.get("/").text
    assert '<meta name="description" content="' in page
    assert 'rel="icon"' in page
    assert client.get(re.search(r'rel="icon" href="([^"]+\.svg(?:\?v=[0-9a-f]+)?)"', page).group(1)).status_code == 200


def test_english_pages_mark_the_vietnamese_law_text_and_titles(client):
    make_consultation()
    draft = client.get("/du-thao/luat-htx?lang=en").text
    assert 'lang="en"' in draft
    assert '<h1 lang="vi">Dự thảo Luật Hợp tác xã (sửa đổi)</h1>' in draft
    assert 'Article 1. <span lang="vi">Phạm vi điều chỉnh</span>' in draft
    assert '<p lang="vi">Luật này quy định' in draft
    article = client.get("/du-thao/luat-htx/dieu-3").text
    assert '<ol class="provision-children" lang="vi">' in article
    assert '<title>Article 3. Điều kiện' in article, "no markup inside <title>"


def test_the_table_of_contents_does_not_number_articles_again(client):
    make_consultation()
    page = client.get("/du-thao/luat-htx").text
    toc = page[page.index('class="toc"'):page.index("</nav>", page.index('class="toc"'))]
    assert '<ul class="toc-articles">' in toc and '<ol class="toc-articles">' not in toc


def test_scrolling_tables_can_be_reached_by_keyboard(client):
    login(client, make_user("admin", email="admin@example.vn"))
    page = client.get("/quan-tri/nhat-ky").text
    scrollers = re.findall(r'<div class="table-scroll"[^>]*>', page)
    assert scrollers
    for tag in scrollers:
        assert 'tabindex="0"' in tag and 'role="region"' in tag and "aria-label=" in tag


def test_sending_the_list_posts_to_an_address_without_a_fragment(client):
    make_consultation()
    client.post("/du-thao/luat-htx/dieu-1", data={"body": "Đề nghị bổ sung định nghĩa.",
                                                  "provision": "", "form_key": "k-fragment"})
    page = client.get("/du-thao/luat-htx/gop-y-cua-ban").text
    action = re.search(r'<form method="post" action="([^"]*)" novalidate class="profile-form"', page)
    assert action and action.group(1) == "/du-thao/luat-htx/gop-y-cua-ban"


def test_a_vietnamese_browser_language_choice_is_not_needed(client):
    make_consultation()
    page = client.get("/du-thao/luat-htx", headers={"Accept-Language": "en-US"}).text
    assert '<html lang="vi">' in page


def test_the_survey_start_page_counts_pages_a_respondent_may_not_see(client):
    make_survey("nhanh", pages=[
        [{"name": "q1", "kind": "single_choice", "choices": ["co", "khong"]}],
        [{"name": "q2", "kind": "short_text", "relevant": "${q1} = 'co'"}],
        [{"name": "q3", "kind": "short_text"}],
    ])
    page = client.get("/khao-sat/nhanh").text
    assert "2 đến 3 trang tùy câu trả lời" in page


def test_a_survey_without_branching_states_its_page_count(client):
    make_survey("thang", pages=[[{"name": "q1", "kind": "short_text"}],
                                [{"name": "q2", "kind": "short_text"}]])
    assert "2 trang" in client.get("/khao-sat/thang").text


def test_a_ministry_letter_counts_in_the_overview_by_respondent_type(app):
    consultation = make_consultation()
    ministry = make.organisation("BTP", kind="ministry", name="Bộ Tư pháp")
    make.letter(consultation, ministry, [("dieu-1", "Ý kiến một."), ("dieu-2", "Ý kiến hai."),
                                         ("dieu-3", "Ý kiến ba.")])
    make.letter(consultation, make.organisation("BNG", kind="ministry"), no_comment=True)
    make.comment(consultation, "dieu-1", "Ý kiến của người dân.")
    data = consultation_overview(db.session, consultation.id, survey_counts=None)
    rows = {row.key: row for row in data.by_respondent_type.itertuples()}
    assert rows["ministry"].opinions == 3 and rows["ministry"].senders == 2
    assert data.totals["opinions"] == 4
    assert int(data.per_day["opinions"].sum()) == 4
    assert None not in set(data.by_province["key"]) or \
        data.by_province.set_index("key").loc[None, "opinions"] <= 1


def test_the_overview_charts_say_what_their_bars_count(client):
    consultation = make_consultation()
    make.letter(consultation, make.organisation("BTP", kind="ministry"), [("dieu-1", "Một ý kiến.")])
    login(client, make_user("admin", email="admin@example.vn"))
    page = client.get(f"/quan-tri/so-lieu/tham-van/{consultation.id}").text
    assert "Ý kiến (góp ý và công văn) theo đối tượng" in page
