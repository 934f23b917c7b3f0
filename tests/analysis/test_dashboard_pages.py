"""Dashboards through the test client: the overview, survey results, filters, cross-tabs, exports."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import openpyxl
import pytest

from tests.analysis.tally_factories import make_opinion, make_reference_survey, vn_time
from tests.factories import login, make_consultation, make_user


@pytest.fixture()
def app_config():
    """Excel exports are built in-process here, whatever REDIS_URL the environment sets."""
    return {"REDIS_URL": None}


def excel_export(client, start_url: str):
    """Start an Excel export (POST), then download the file the exports page links to."""
    page = client.post(start_url, follow_redirects=True)
    assert page.status_code == 200 and "The export is ready" in page.get_data(as_text=True)
    link = re.search(r'href="(/quan-tri/so-lieu/xuat/\d+)"', page.get_data(as_text=True)).group(1)
    return openpyxl.load_workbook(io.BytesIO(client.get(link).data), read_only=True).worksheets[0]


@pytest.fixture()
def admin_client(client):
    client.get("/?lang=en")  # the app context keeps the first request's locale: English throughout
    login(client, make_user("admin"))
    return client


@pytest.fixture()
def survey(app):
    return make_reference_survey()


def test_pages_need_the_drafting_team(client, survey):
    url = f"/quan-tri/so-lieu/khao-sat/{survey.id}"
    assert client.get(url).status_code == 302  # to the login page
    login(client, make_user("officer"))
    assert client.get(url).status_code == 403


def test_moderators_read_but_do_not_export(client, survey):
    login(client, make_user("moderator"))
    assert client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}").status_code == 200
    assert client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}/phieu.csv").status_code == 403


def test_results_page_shows_every_question_with_chart_and_table(admin_client, survey):
    page = admin_client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}?lang=en").get_data(as_text=True)
    assert "Bạn đánh giá dự thảo thế nào?" in page and "Nội dung cần sửa" in page
    assert page.count('role="img"') >= 8  # one chart per tallied question but the text
    assert "Answered: 4 of 5" in page  # q_view
    assert "Not shown (by the survey's logic): 3" in page  # q_cond
    assert "<td>Chưa tốt</td>" in page and "50.0%" in page
    assert "Điều 5" in page and "Average rank" in page


def test_filters_in_the_url_narrow_the_results(admin_client, survey):
    url = f"/quan-tri/so-lieu/khao-sat/{survey.id}?lang=en&respondent_type=enterprise"
    page = admin_client.get(url).get_data(as_text=True)
    assert "Answered: 1 of 1" in page
    assert '<option value="enterprise" selected>' in page
    assert "respondent_type=enterprise" in page  # the export links keep the filter


def test_bad_filters_are_left_out_with_a_message(admin_client, survey):
    url = f"/quan-tri/so-lieu/khao-sat/{survey.id}?lang=en&date_from=31-02-2024&audience=<script>"
    response = admin_client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Some filters were not understood" in page and "Answered: 4 of 5" in page
    assert "<script>" not in page


def test_crosstab_picker(admin_client, survey):
    page = admin_client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}?lang=en&q=q_view&by=respondent_type")
    text = page.get_data(as_text=True)
    assert "Download this cross-tab" in text and "Citizen" in text
    by_question = admin_client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}?lang=en&q=q_multi&by=q_view")
    assert "Chưa tốt" in by_question.get_data(as_text=True)
    refused = admin_client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}?lang=en&q=q_view&by=q_multi")
    assert refused.status_code == 200 and "cannot be used to break" in refused.get_data(as_text=True)
    for odd in ("question:²", "question:" + "9" * 40, "question:", "question:-1"):  # "²".isdigit() is True
        assert admin_client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}?q=q_view&by={odd}").status_code == 200, odd
        assert admin_client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}/bang-cheo.xlsx?q=q_view&by={odd}"
                                ).status_code < 500, odd
    workbook = admin_client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}/bang-cheo.xlsx?q=q_view&by=province")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.data), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows[1][:4] == ["Hà Nội", 3, 3, 1]  # R1, R2, R4 live in 01; one said "Tốt"


def test_response_exports_download(admin_client, survey):
    response = admin_client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}/phieu.csv?province_code=79")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 2  # header + R3
    sheet = excel_export(admin_client, f"/quan-tri/so-lieu/khao-sat/{survey.id}/xuat")
    assert sheet.max_row == 6
    tallies = admin_client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}/tong-hop.xlsx")
    assert tallies.status_code == 200 and tallies.data[:2] == b"PK"
    assert admin_client.get("/quan-tri/so-lieu/khao-sat/999999/phieu.csv").status_code == 404


def test_overview_counts_opinions_by_day_type_province_and_article(admin_client, app):
    consultation = make_consultation()
    make_opinion(consultation, "dieu-3-khoan-2-diem-a", sent_at=vn_time(date(2024, 5, 1), hour=6))
    make_opinion(consultation, "dieu-3", respondent_type="enterprise", province_code="79",
                 sent_at=vn_time(date(2024, 5, 1), hour=23))
    make_opinion(consultation, "dieu-1", status="pending", sent_at=vn_time(date(2024, 5, 2), hour=0))
    make_opinion(consultation, None, status="hidden", province_code=None, sent_at=vn_time(date(2024, 5, 2)))
    page = admin_client.get(f"/quan-tri/so-lieu/tham-van/{consultation.id}?lang=en").get_data(as_text=True)
    assert "<td>01/05/2024</td><td class=\"num\">2</td>" in page  # 06:00 and 23:00 Vietnam time, same day
    assert "<td>02/05/2024</td><td class=\"num\">2</td>" in page
    assert page.index("Article 3") < page.index("Article 1")  # ranked: two opinions before one
    assert f"/du-thao/{consultation.slug}/dieu-3" in page
    assert "Hồ Chí Minh" in page and "Enterprise" in page
    assert '<tr data-outcome="undecided"><td>Undecided</td><td class="num">2</td></tr>' in page  # nothing decided yet
    comments = admin_client.get(f"/quan-tri/so-lieu/tham-van/{consultation.id}/gop-y.csv")
    rows = list(csv.reader(io.StringIO(comments.data.decode("utf-8-sig"))))
    assert len(rows) == 5 and rows[1][3:6] == ["3", "Điều kiện trở thành thành viên", "dieu-3-khoan-2-diem-a"]
    assert "Receipt" not in rows[0] and not any(cell.startswith("GY-") for row in rows for cell in row)
    assert excel_export(admin_client, f"/quan-tri/so-lieu/tham-van/{consultation.id}/xuat").max_row == 5


def test_index_lists_consultations_and_surveys(admin_client, survey):
    page = admin_client.get("/quan-tri/so-lieu/?lang=en").get_data(as_text=True)
    assert "Cooperative law survey" in page  # the survey's English title, on an English page
    assert f"/quan-tri/so-lieu/khao-sat/{survey.id}" in page


def test_cached_results_follow_new_responses(admin_client, survey):
    from tests.analysis.tally_factories import respond

    url = f"/quan-tri/so-lieu/khao-sat/{survey.id}?lang=en"
    assert "Answered: 4 of 5" in admin_client.get(url).get_data(as_text=True)
    assert "Answered: 4 of 5" in admin_client.get(url).get_data(as_text=True)  # from the cache
    respond(survey, {"q_view": "tot"})
    assert "Answered: 5 of 6" in admin_client.get(url).get_data(as_text=True)


def test_an_empty_survey_and_a_text_crosstab(admin_client, app):
    from tests.analysis.tally_factories import make_survey

    empty = make_survey([], slug="trong")
    page = admin_client.get(f"/quan-tri/so-lieu/khao-sat/{empty.id}?lang=en")
    assert page.status_code == 200 and "no question to tally" in page.get_data(as_text=True)
    text = make_survey([{"name": "t", "kind": "long_text"}], slug="van-ban")
    page = admin_client.get(f"/quan-tri/so-lieu/khao-sat/{text.id}?lang=en&q=t&by=province")
    assert page.status_code == 200 and "crosstab-table" in page.get_data(as_text=True)
    assert admin_client.get(f"/quan-tri/so-lieu/khao-sat/{text.id}/bang-cheo.xlsx?q=nope&by=x").status_code == 404


def test_labels_written_by_anyone_are_text_in_the_charts(admin_client):
    """Choice and matrix labels come from authors and XLSForm files; the charts are marked safe."""
    from tests.analysis.tally_factories import make_survey, respond

    hostile = '<script>alert("x")</script>'
    survey = make_survey([
        {"name": "q_pick", "kind": "single_choice", "label": hostile,
         "choices": [("a", hostile), ("b", "Không")]},
        {"name": "q_grid", "kind": "matrix", "label": "Ma trận",
         "choices": [("1", hostile), ("2", "Tốt")],
         "parameters": {"rows": [{"name": "r1", "label": {"vi": hostile}}]}},
    ], slug="khao-sat-doc")
    respond(survey, {"q_pick": "a", "q_grid": {"r1": "1"}})
    page = admin_client.get(f"/quan-tri/so-lieu/khao-sat/{survey.id}?lang=en").get_data(as_text=True)
    assert page.count('role="img"') >= 2
    assert hostile not in page
    assert "&lt;script&gt;" in page


def test_unknown_profile_values_are_text_in_the_overview_charts(admin_client, app):
    """The overview's charts are marked safe; a respondent type or province code the platform
    does not know (imported data, the API) is shown as its raw value, so it must be escaped."""
    consultation = make_consultation()
    make_opinion(consultation, "dieu-3", respondent_type='<script>alert("t")</script>', province_code="<b>x")
    page = admin_client.get(f"/quan-tri/so-lieu/tham-van/{consultation.id}?lang=en").get_data(as_text=True)
    assert page.count('role="img"') >= 2
    assert '<script>alert("t")</script>' not in page and "<b>x" not in page
    assert "&lt;script&gt;" in page and "&lt;b&gt;x" in page
