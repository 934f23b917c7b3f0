"""The analysis pages: roles, the run button, results with links, the respondent filter."""
import pytest
from sqlalchemy import select

from analysis import jobs
from analysis.results import TextAnalysis
from consult.extensions import db
from tests.analysis.text_factories import CAMPAIGN, VARIED, add_comment, provision
from tests.factories import login, make_consultation, make_user


@pytest.fixture()
def app_config():
    """Runs happen in-process here, whatever REDIS_URL the environment sets."""
    return {"REDIS_URL": None}


@pytest.fixture()
def consultation(app):
    consultation = make_consultation()
    for body in VARIED:
        add_comment(consultation, "dieu-3", body)
    first = add_comment(consultation, "dieu-3-khoan-1", CAMPAIGN, respondent_type="enterprise")
    add_comment(consultation, "dieu-3-khoan-1", CAMPAIGN.replace("nông thôn", "miền núi"))
    add_comment(consultation, "dieu-3-khoan-1", CAMPAIGN + " Xin cảm ơn.", status="pending")
    db.session.commit()
    consultation.first_campaign_comment = first.id
    return consultation


@pytest.mark.parametrize("role, status", [("admin", 200), ("drafter", 200), ("moderator", 200),
                                          ("officer", 403)])
def test_the_index_is_for_the_drafting_team(consultation, client, role, status):
    login(client, make_user(role))
    assert client.get("/quan-tri/phan-tich/?lang=en").status_code == status


def test_anonymous_visitors_are_sent_to_log_in(consultation, client):
    response = client.get("/quan-tri/phan-tich/")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_the_menu_links_the_analysis(consultation, client):
    login(client, make_user("drafter"))
    page = client.get("/quan-tri/?lang=en")
    assert b'href="/quan-tri/phan-tich/"' in page.data


def test_the_run_button_computes_and_shows_the_article(consultation, client):
    login(client, make_user("drafter"))
    article = provision(consultation, "dieu-3")
    index = client.get("/quan-tri/phan-tich/?lang=en")
    assert f"/quan-tri/phan-tich/dieu/{article.id}".encode() in index.data
    response = client.post("/quan-tri/phan-tich/chay?lang=en",
                           data={"scope": "dieu", "scope_id": str(article.id), "include_pending": "y"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert b"The analysis is done." in response.data
    page = response.data.decode()
    assert "3 copies" in page
    assert "Rules" in page
    first = consultation.first_campaign_comment
    anchor = f"/quan-tri/kiem-duyet?comment={first}#comment-{first}"
    assert anchor in page
    # the link opens the moderation page holding that comment, whatever its status
    opened = client.get(anchor.split("#")[0] + "&lang=en").get_data(as_text=True)
    assert f'id="comment-{first}"' in opened


def test_a_consultation_run_fills_every_article_page(consultation, client):
    login(client, make_user("admin"))
    client.post("/quan-tri/phan-tich/chay", data={"scope": "du-thao", "scope_id": str(consultation.id)})
    article = provision(consultation, "dieu-3")
    page = client.get(f"/quan-tri/phan-tich/dieu/{article.id}?lang=en").data.decode()
    assert "2 copies" in page
    whole = client.get(f"/quan-tri/phan-tich/du-thao/{consultation.id}?lang=en")
    assert whole.status_code == 200 and b"Stance" in whole.data
    index = client.get("/quan-tri/phan-tich/?lang=en").data.decode()
    assert "2 opinions · 1 campaign" not in index and "6 opinions · 1 campaign" in index


def test_the_respondent_filter_shows_one_type(consultation, client):
    jobs.run_analysis("article", provision(consultation, "dieu-3").id)
    login(client, make_user("moderator"))
    url = f"/quan-tri/phan-tich/dieu/{provision(consultation, 'dieu-3').id}"
    everyone = client.get(url + "?lang=en").data.decode()
    assert "respondent_type=enterprise" in everyone
    enterprise = client.get(url + "?lang=en&respondent_type=enterprise").data.decode()
    assert "1 opinion, 1 with text" in enterprise
    unknown = client.get(url + "?lang=en&respondent_type=ministry").data.decode()
    assert "No opinion from this respondent type." in unknown


def test_a_failed_run_shows_its_error_and_the_button(consultation, client, monkeypatch):
    monkeypatch.setattr(jobs, "analyse", lambda *a, **k: 1 / 0)
    login(client, make_user("drafter"))
    article = provision(consultation, "dieu-3")
    response = client.post("/quan-tri/phan-tich/chay?lang=en",
                           data={"scope": "dieu", "scope_id": str(article.id)}, follow_redirects=True)
    assert b"The analysis failed" in response.data
    assert b"ZeroDivisionError" in response.data
    assert db.session.scalar(select(TextAnalysis.status)) == "failed"


@pytest.mark.parametrize("app_config", [{"REDIS_URL": "redis://127.0.0.1:1/0"}])
def test_an_unreachable_queue_marks_the_run_failed_with_the_reason(consultation, client):
    """Redis down: the run is not left "queued" for a worker that will never see it, and the
    page says why instead of an error page."""
    login(client, make_user("drafter"))
    article = provision(consultation, "dieu-3")
    response = client.post("/quan-tri/phan-tich/chay",
                           data={"scope": "dieu", "scope_id": str(article.id)}, follow_redirects=True)
    assert response.status_code == 200
    assert "Phân tích thất bại; lỗi được hiển thị bên dưới." in response.text
    assert "ConnectionError" in response.text
    row = db.session.scalars(select(TextAnalysis)).one()
    assert row.status == "failed" and "ConnectionError" in row.error and row.job_id is None


@pytest.mark.parametrize("data", [{"scope": "dieu"}, {"scope": "nope", "scope_id": "1"},
                                  {"scope": "dieu", "scope_id": "abc"}, {"scope": "dieu", "scope_id": "²"},
                                  {"scope": "du-thao", "scope_id": "9" * 40}, {"scope": "cau-hoi", "scope_id": "0"}])
def test_a_broken_run_form_is_refused_politely(consultation, client, data):
    login(client, make_user("drafter"))
    response = client.post("/quan-tri/phan-tich/chay?lang=en", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert b"could not be started" in response.data


def test_unknown_items_are_404(consultation, client):
    login(client, make_user("drafter"))
    assert client.get("/quan-tri/phan-tich/dieu/999999").status_code == 404
    assert client.get("/quan-tri/phan-tich/cau-hoi/999999").status_code == 404
    response = client.post("/quan-tri/phan-tich/chay", data={"scope": "dieu", "scope_id": "999999"})
    assert response.status_code == 404


def test_the_run_form_needs_csrf(consultation, database, tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(database, tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        make_user("drafter", email="csrf@example.vn")
        client.post("/dang-nhap", data={"email": "csrf@example.vn", "password": "mat-khau-dai-123"})
        response = client.post("/quan-tri/phan-tich/chay", data={"scope": "dieu", "scope_id": "1"})
        assert response.status_code == 400
        assert db.session.scalar(select(TextAnalysis.id)) is None


def test_a_campaign_shows_its_representative_member_stances_and_escaped_word_differences(app, client):
    consultation = make_consultation()
    base = ("Tôi đồng ý với Điều 3 vì quy định này giúp hợp tác xã nhỏ ở vùng sâu vùng xa có "
            "thời gian chuẩn bị hồ sơ")
    for _ in range(3):
        add_comment(consultation, "dieu-3", base + ".")
    add_comment(consultation, "dieu-3", base + " <script>alert(1)</script>.")
    for _ in range(2):
        add_comment(consultation, "dieu-3", base.replace("đồng ý", "không đồng ý") + ".")
    db.session.commit()
    login(client, make_user("drafter"))
    article = provision(consultation, "dieu-3")
    client.post("/quan-tri/phan-tich/chay", data={"scope": "dieu", "scope_id": str(article.id)})
    page = client.get(f"/quan-tri/phan-tich/dieu/{article.id}?lang=en").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;.</ins>" in page
    assert "Representative text" in page
    assert "Agrees: 4" in page and "Disagrees: 2" in page
    assert "4 copies" in page and "2 copies" in page
    assert "<mark>không đồng ý</mark>" in page


def test_groups_that_do_not_come_back_alike_are_shown_as_a_reading_aid(app, client):
    """The demo's opinions have no reproducible grouping: the page says the groups only help
    to read, in Vietnamese, above them; a stored result from before the flag shows no hint."""
    from consult.data import load_demo_comments

    consultation = make_consultation()
    for row in load_demo_comments():
        add_comment(consultation, "dieu-3", row["body"])
    db.session.commit()
    login(client, make_user("drafter"))
    article = provision(consultation, "dieu-3")
    client.post("/quan-tri/phan-tich/chay", data={"scope": "dieu", "scope_id": str(article.id)})
    url = f"/quan-tri/phan-tich/dieu/{article.id}"
    hint = "Các nhóm này chỉ giúp đọc nhanh các ý kiến"
    assert hint in client.get(url).get_data(as_text=True)
    row = db.session.scalars(select(TextAnalysis).where(TextAnalysis.scope_id == article.id)).one()
    result = dict(row.result)
    result["all"] = {k: v for k, v in result["all"].items() if k != "groups_reading_aid"}
    row.result = result
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert page.count('class="card analysis-group"') >= 2 and hint not in page
