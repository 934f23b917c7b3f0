"""The drafting team's authoring pages: roles, forms that keep input, logic messages, moving."""
from __future__ import annotations

import html

import pytest

from consult.extensions import db
from surveys import authoring
from surveys.authoring import QuestionFields, SurveyFields
from consult.models import AuditEvent
from surveys.models import Question, Survey
from tests.factories import login, make_consultation, make_user

BASE = "/khao-sat/quan-tri"


@pytest.fixture()
def drafter(client):
    user = make_user("drafter")
    login(client, user)
    return user


def make_survey(**overrides) -> Survey:
    fields = SurveyFields(title={"vi": "Phiếu thử"}, **overrides)
    survey = authoring.create_survey(fields)
    page = survey.pages[0]
    authoring.add_question(page, QuestionFields(name="tuoi", kind="integer", label={"vi": "Tuổi"}))
    q2 = authoring.add_question(page, QuestionFields(name="vai_tro", kind="single_choice", label={"vi": "Vai trò"}))
    authoring.add_choice(q2, "thanh_vien", {"vi": "Thành viên"})
    authoring.add_choice(q2, "khac", {"vi": "Khác"})
    authoring.add_question(page, QuestionFields(name="y_kien", kind="long_text", label={"vi": "Ý kiến"},
                                                relevant="${tuoi} >= 18"))
    db.session.commit()
    return survey


@pytest.mark.parametrize("role, status", [("moderator", 403), ("officer", 403)])
def test_only_the_drafting_team_may_author(client, app, role, status):
    login(client, make_user(role))
    assert client.get(f"{BASE}/").status_code == status
    assert client.post(f"{BASE}/moi", data={"title_vi": "X"}).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, app):
    response = client.get(f"{BASE}/")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_the_menu_links_to_surveys(client, app, drafter):
    page = client.get(f"{BASE}/?lang=en").get_data(as_text=True)
    assert f'href="{BASE}/"' in page and "New survey" in page


def test_create_a_survey(client, app, drafter):
    consultation = make_consultation()
    response = client.post(f"{BASE}/moi?lang=en", data={
        "title_vi": "Khảo sát người dân", "title_en": "Citizens' survey", "introduction_vi": "Mời bạn",
        "audience": "both", "consultation_id": str(consultation.id), "opens_at": "2030-01-01T08:00",
        "closes_at": "2030-02-01T17:00", "one_response_per_invitation": "y", "resume_days": "15"})
    assert response.status_code == 302
    survey = db.session.query(Survey).one()
    assert survey.title == {"vi": "Khảo sát người dân", "en": "Citizens' survey"}
    assert survey.slug == "khao-sat-nguoi-dan" and survey.status == "draft"
    assert survey.opens_at.hour == 1  # 08:00 in Vietnam is 01:00 UTC
    assert survey.settings == {"anonymous": False, "one_response_per_invitation": True, "resume_days": 15}
    assert len(survey.pages) == 1
    assert db.session.query(AuditEvent).filter_by(action="survey.create").count() == 1


@pytest.mark.parametrize("data, message", [
    ({"title_vi": "  "}, "Please give the survey a title in Vietnamese."),
    ({"title_vi": "Phiếu", "opens_at": "2030-02-01T08:00", "closes_at": "2030-01-01T08:00"},
     "The closing time must be after the opening time."),
    ({"title_vi": "Phiếu", "opens_at": "31/13/2030"}, "Please give a date and time such as 31/05/2024 17:00."),
    ({"title_vi": "Phiếu", "resume_days": "mười"}, "Please give a whole number."),
])
def test_bad_survey_forms_keep_the_input_and_say_why(client, app, drafter, data, message):
    form = {"audience": "open", "resume_days": "30", "introduction_vi": "Giữ lại đoạn này", **data}
    response = client.post(f"{BASE}/moi?lang=en", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and "Giữ lại đoạn này" in page
    assert db.session.query(Survey).count() == 0


def test_edit_a_survey_shows_stored_values_in_vietnam_time(client, app, drafter):
    survey = make_survey()
    client.post(f"{BASE}/{survey.id}/sua", data={"title_vi": "Phiếu mới", "audience": "open",
                                                   "closes_at": "2030-03-01T23:30", "resume_days": "30"})
    page = client.get(f"{BASE}/{survey.id}/sua").get_data(as_text=True)
    assert 'value="2030-03-01T23:30"' in page and "Phiếu mới" in page


def question_data(**overrides):
    data = {"kind": "short_text", "name": "nghe", "label_vi": "Nghề nghiệp", "relevant": "",
            "constraint": "", "choice_source": "", "profile_field": ""}
    data.update(overrides)
    return data


def test_add_a_question_with_logic_and_a_pinned_article(client, app, drafter):
    consultation = make_consultation()
    survey = make_survey(consultation_id=consultation.id)
    article = authoring.pinnable_articles(survey)[1]
    response = client.post(f"{BASE}/{survey.id}/trang/{survey.pages[0].id}/cau-hoi-moi", data=question_data(
        relevant="${tuoi} >= 18 and selected(${vai_tro}, 'thanh_vien')", constraint="string-length(.) <= 50",
        constraint_message_vi="Tối đa 50 ký tự", provision_id=str(article.id), required="y",
        max_length="50"))
    assert response.status_code == 302
    question = db.session.query(Question).filter_by(name="nghe").one()
    assert question.required and question.provision_id == article.id
    assert question.constraint_message == {"vi": "Tối đa 50 ký tự"}
    assert question.parameters == {"max_length": 50}
    assert question.position == 3


@pytest.mark.parametrize("field, value, message", [
    ("relevant", "${tuoii} > 1",
     "“${tuoii} > 1” refers to ${tuoii}, but the survey has no question named “tuoii”."),
    ("relevant", "${tuoi} > ",
     "“${tuoi} >” stops too early: something is missing at its end (a value or a closing bracket?)."),
    ("constraint", ". >> 2", "“. >> 2” cannot be read at character 4 (after “. >”)."),
    ("relevant", "${tuoi > 3", "the reference that starts at character 1 has no closing “}”"),
    ("constraint", "len(.) < 3", "uses the function “len()”, which is not supported"),
    ("name", "tuổi", "The name may hold only letters without marks"),
    ("name", "tuoi", "Another question of this survey is already named “tuoi”."),
])
def test_bad_logic_and_names_point_at_the_problem_and_keep_the_input(client, app, drafter, field, value, message):
    survey = make_survey()
    response = client.post(f"{BASE}/{survey.id}/trang/{survey.pages[0].id}/cau-hoi-moi?lang=en",
                           data=question_data(label_vi="Câu hỏi giữ lại", **{field: value}))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert message in page and "Câu hỏi giữ lại" in page
    assert db.session.query(Question).count() == 3


def test_renaming_a_question_that_logic_refers_to_is_refused(client, app, drafter):
    survey = make_survey()
    question = survey.question_named("tuoi")
    response = client.post(f"{BASE}/{survey.id}/cau-hoi/{question.id}?lang=en",
                           data=question_data(kind="integer", name="nam_sinh", label_vi="Tuổi"))
    assert response.status_code == 422
    assert "the logic of y_kien refers to ${tuoi}" in response.get_data(as_text=True)
    db.session.expire_all()
    assert survey.question_named("tuoi") is not None


def test_move_questions_up_and_down_without_javascript(client, app, drafter):
    survey = make_survey()
    ids = {q.name: q.id for q in survey.questions}
    client.post(f"{BASE}/{survey.id}/cau-hoi/{ids['y_kien']}/di-chuyen/up")
    db.session.expire_all()
    assert [q.name for q in survey.pages[0].questions] == ["tuoi", "y_kien", "vai_tro"]
    client.post(f"{BASE}/{survey.id}/trang")
    client.post(f"{BASE}/{survey.id}/cau-hoi/{ids['vai_tro']}/di-chuyen/down")
    db.session.expire_all()
    assert [[q.name for q in p.questions] for p in survey.pages] == [["tuoi", "y_kien"], ["vai_tro"]]
    assert client.post(f"{BASE}/{survey.id}/cau-hoi/{ids['tuoi']}/di-chuyen/sideways").status_code == 404


def test_choices_are_added_edited_moved_and_deleted(client, app, drafter):
    survey = make_survey()
    question = survey.question_named("vai_tro")
    url = f"{BASE}/{survey.id}/cau-hoi/{question.id}/lua-chon"
    assert client.post(url, data={"name": "htx", "label_vi": "Hợp tác xã", "label_en": "Cooperative"}).status_code == 302
    bad = client.post(url + "?lang=en", data={"name": "htx", "label_vi": "Lại"})
    assert bad.status_code == 422 and "already has an option with the value “htx”" in bad.get_data(as_text=True)
    db.session.expire_all()
    htx = question.choices[-1]
    client.post(f"{BASE}/{survey.id}/lua-chon/{htx.id}/di-chuyen/up")
    client.post(f"{BASE}/{survey.id}/lua-chon/{htx.id}", data={"name": "htx", "label_vi": "HTX", "is_other": "y"})
    db.session.expire_all()
    assert [(c.name, c.is_other) for c in question.choices] == [("thanh_vien", False), ("htx", True), ("khac", False)]
    client.post(f"{BASE}/{survey.id}/lua-chon/{htx.id}/xoa")
    db.session.expire_all()
    assert [c.name for c in question.choices] == ["thanh_vien", "khac"]


def test_deleting_a_question_others_refer_to_is_refused(client, app, drafter):
    survey = make_survey()
    question = survey.question_named("tuoi")
    response = client.post(f"{BASE}/{survey.id}/cau-hoi/{question.id}/xoa?lang=en", follow_redirects=True)
    assert "“tuoi” cannot be deleted: the logic of y_kien refers to it." in response.get_data(as_text=True)
    client.post(f"{BASE}/{survey.id}/cau-hoi/{survey.question_named('y_kien').id}/xoa")
    client.post(f"{BASE}/{survey.id}/cau-hoi/{question.id}/xoa")
    db.session.expire_all()
    assert [q.name for q in survey.questions] == ["vai_tro"]


def test_publish_close_and_the_problems_that_stop_publishing(client, app, drafter):
    survey = authoring.create_survey(SurveyFields(title={"vi": "Trống"}))
    db.session.commit()
    response = client.post(f"{BASE}/{survey.id}/trang-thai/published?lang=en", follow_redirects=True)
    assert "The survey has no question to answer yet." in response.get_data(as_text=True)
    assert survey.status == "draft"
    survey = make_survey()
    client.post(f"{BASE}/{survey.id}/trang-thai/published")
    db.session.expire_all()
    assert survey.status == "published"
    client.post(f"{BASE}/{survey.id}/trang-thai/closed")
    db.session.expire_all()
    assert survey.status == "closed"
    assert client.post(f"{BASE}/{survey.id}/trang-thai/deleted").status_code == 404


def test_every_authoring_page_renders(client, app, drafter):
    survey = make_survey(consultation_id=make_consultation().id)
    question = survey.question_named("vai_tro")
    for url in (f"{BASE}/", f"{BASE}/moi", f"{BASE}/{survey.id}", f"{BASE}/{survey.id}/sua",
                f"{BASE}/{survey.id}/trang/{survey.pages[0].id}", f"{BASE}/{survey.id}/cau-hoi/{question.id}",
                f"{BASE}/{survey.id}/trang/{survey.pages[0].id}/cau-hoi-moi", f"{BASE}/{survey.id}/xem-thu",
                f"{BASE}/{survey.id}/xem-thu?trang=99", f"{BASE}/{survey.id}/xem-thu?trang=²",
                f"{BASE}/{survey.id}/xem-thu?trang={'9' * 5000}", f"{BASE}/{survey.id}/loi-moi", f"{BASE}/nhap-xlsform"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"{BASE}/999").status_code == 404


def test_the_preview_renders_questions_as_respondents_see_them(client, app, drafter):
    survey = make_survey()
    page = client.get(f"{BASE}/{survey.id}/xem-thu?lang=en").get_data(as_text=True)
    assert 'name="q-vai_tro"' in page and 'value="thanh_vien"' in page
    assert "Shown only if" in page and "${tuoi} &gt;= 18" in page


def test_forms_need_csrf_when_it_is_on(app, drafter):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    login_response = client.get("/dang-nhap")
    assert login_response.status_code == 200
    survey = make_survey()
    response = client.post(f"{BASE}/{survey.id}/trang-thai/published")
    assert response.status_code in (302, 400)
    db.session.expire_all()
    assert survey.status == "draft"


# --- deleting an option that answers chose ---------------------------------------------------

def answered_survey():
    """Three submitted responses: roles thanh_vien ×2, khac ×1; needs von ×2, dat_dai ×2."""
    from werkzeug.datastructures import MultiDict

    from surveys import responses
    from tests.surveys.factories import make_survey as make_published_survey

    survey = make_published_survey("chon-lua", pages=[[
        {"name": "vai_tro", "kind": "single_choice", "choices": ["thanh_vien", "khac", "htx"]},
        {"name": "nhu_cau", "kind": "multiple_choice", "choices": ["von", "dat_dai"]}]])
    for index, (role, needs) in enumerate([("thanh_vien", ["von"]), ("thanh_vien", ["von", "dat_dai"]),
                                           ("khac", ["dat_dai"])]):
        response, _code = responses.start_open_response(survey, f"key-{index}")
        db.session.commit()
        form = MultiDict([("q-vai_tro", role)] + [("q-nhu_cau", name) for name in needs])
        responses.save_page(response, survey.pages[0], form, {})
        responses.submit(response)
    db.session.commit()
    return survey


def tally(survey, name):
    from analysis.tallies import summarise_survey

    summary = next(s for s in summarise_survey(db.session, survey.id) if s.question.name == name)
    return {(label, bool(deleted)): int(count) for label, deleted, count
            in zip(summary.table["label"], summary.table["deleted"], summary.table["count"])}


def test_deleting_a_chosen_option_asks_first_then_keeps_its_answers(client, app, drafter):
    from analysis.tallies.responses import ResponseTable
    from surveys.models import Answer, Choice

    survey = answered_survey()
    role = survey.question_named("vai_tro")
    chosen = role.choices[0]
    url = f"{BASE}/{survey.id}/lua-chon/{chosen.id}/xoa"
    asked = client.post(url + "?lang=en", data={"question_id": role.id})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "2 answers chose this option. They are kept and shown in the results as a deleted option." in page
    assert 'name="confirm" value="1"' in page and f'action="{url}"' in page
    db.session.expire_all()
    assert [c.name for c in role.choices] == ["thanh_vien", "khac", "htx"]  # nothing changed yet

    confirmed = client.post(url + "?lang=en", data={"question_id": role.id, "confirm": "1"})
    assert confirmed.status_code == 302 and confirmed.location.endswith(f"/cau-hoi/{role.id}#choices")
    db.session.expire_all()
    assert [c.name for c in role.choices] == ["khac", "htx"]
    kept = db.session.query(Answer).filter_by(question_id=role.id, value_text="thanh_vien").all()
    assert len(kept) == 2 and all(answer.choice_id is None for answer in kept)
    assert tally(survey, "vai_tro") == {("Khac", False): 1, ("Htx", False): 0, ("thanh_vien", True): 2}
    assert tally(survey, "nhu_cau") == {("Von", False): 2, ("Dat_Dai", False): 2}
    event = db.session.query(AuditEvent).filter_by(action="survey.choice_delete").one()
    assert event.detail == {"question": "vai_tro", "choice": "thanh_vien", "answers_kept": 2}

    table = ResponseTable(db.session, survey.id)
    column = [c.key for c in table.columns].index(f"q{role.id}")
    assert [row[column] for row in table.rows()] == ["thanh_vien", "thanh_vien", "Khac"]

    # the confirmation sent again (back button, double click): a message, nothing else
    replay = client.post(url + "?lang=en", data={"question_id": role.id, "confirm": "1"},
                         follow_redirects=True)
    assert replay.status_code == 200
    assert "This option no longer exists: it may have been deleted already." in replay.get_data(as_text=True)
    assert db.session.query(Answer).filter_by(question_id=role.id).count() == 3
    assert db.session.get(Choice, chosen.id) is None


def test_a_deleted_option_of_a_multiple_choice_keeps_its_own_export_column(client, app, drafter):
    from analysis.tallies.responses import ResponseTable

    survey = answered_survey()
    needs = survey.question_named("nhu_cau")
    url = f"{BASE}/{survey.id}/lua-chon/{needs.choices[0].id}/xoa"
    assert client.post(url, data={"confirm": "1"}).status_code == 302
    assert tally(survey, "nhu_cau") == {("Dat_Dai", False): 2, ("von", True): 2}
    assert tally(survey, "vai_tro") == {("Thanh_Vien", False): 2, ("Khac", False): 1, ("Htx", False): 0}
    table = ResponseTable(db.session, survey.id)
    headers = [c.header for c in table.columns]
    column = headers.index("nhu_cau: von (deleted option)")
    assert [row[column] for row in table.rows()] == [1, 1, None]


def test_an_option_nobody_chose_goes_at_once_and_a_replay_without_the_question_is_harmless(
        client, app, drafter):
    survey = answered_survey()
    role = survey.question_named("vai_tro")
    unused = role.choices[2]
    url = f"{BASE}/{survey.id}/lua-chon/{unused.id}/xoa"
    assert client.post(url).location.endswith(f"/cau-hoi/{role.id}#choices")
    db.session.expire_all()
    assert [c.name for c in role.choices] == ["thanh_vien", "khac"]
    replay = client.post(url + "?lang=en", data={"question_id": "not a number"})
    assert replay.status_code == 302 and replay.location.endswith(f"{BASE}/{survey.id}")


@pytest.mark.parametrize("role", ["moderator", "officer", None])
def test_only_the_drafting_team_may_delete_a_chosen_option(client, app, role):
    survey = answered_survey()
    chosen = survey.question_named("vai_tro").choices[0]
    if role:
        login(client, make_user(role))
    reply = client.post(f"{BASE}/{survey.id}/lua-chon/{chosen.id}/xoa", data={"confirm": "1"})
    assert reply.status_code == 403 if role else "/dang-nhap" in reply.headers["Location"]
    db.session.expire_all()
    assert [c.name for c in survey.question_named("vai_tro").choices] == ["thanh_vien", "khac", "htx"]


def test_a_question_shown_but_never_answered_can_still_change_kind_or_go(client, app, drafter):
    """Skip markers (shown, left empty) are not answers: they do not lock a question."""
    from werkzeug.datastructures import MultiDict

    from surveys import responses
    from surveys.models import Answer

    survey = make_survey()
    authoring.set_status(survey, "published")
    response, _code = responses.start_open_response(survey, "key-1")
    db.session.commit()
    responses.save_page(response, survey.pages[0], MultiDict(), {}, require=False)
    db.session.commit()
    role = survey.question_named("vai_tro")
    assert db.session.query(Answer).filter_by(question_id=role.id).count() == 1  # its marker
    age = survey.question_named("tuoi")
    reply = client.post(f"{BASE}/{survey.id}/cau-hoi/{age.id}",
                        data=question_data(kind="decimal", name="tuoi", label_vi="Tuổi"))
    assert reply.status_code == 302
    assert client.post(f"{BASE}/{survey.id}/cau-hoi/{role.id}/xoa").status_code == 302
    db.session.expire_all()
    assert survey.question_named("tuoi").kind == "decimal" and survey.question_named("vai_tro") is None
    assert db.session.query(Answer).filter_by(question_id=role.id).count() == 0
