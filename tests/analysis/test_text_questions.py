"""Survey open questions: submitted text answers are analysed like comments."""
import pytest
from sqlalchemy import select

from analysis import jobs
from analysis.results import TextAnalysis
from consult.extensions import db
from surveys.models import Answer, Question, Response
from tests.factories import make_consultation, make_user, login
from tests.surveys.factories import make_survey


@pytest.fixture()
def app_config():
    """Runs happen in-process here, whatever REDIS_URL the environment sets."""
    return {"REDIS_URL": None}


ANSWERS = [
    ("citizen", "Nên hỗ trợ hợp tác xã chuyển đổi số, nhất là phần mềm kế toán miễn phí."),
    ("citizen", "Hợp tác xã cần được vay vốn ưu đãi không phải thế chấp tài sản."),
    ("cooperative", "Chúng tôi cần hỗ trợ đào tạo giám đốc trẻ về quản trị và thị trường."),
    ("cooperative", "Nên hỗ trợ hợp tác xã chuyển đổi số, nhất là phần mềm kế toán miễn phí!"),
]


def make_answers(consultation):
    survey = make_survey(pages=[[{"name": "proposal", "kind": "long_text", "label": "Đề xuất của bạn"},
                                 {"name": "name", "kind": "short_text"}]], consultation=consultation)
    question = db.session.scalar(select(Question).where(Question.name == "proposal"))
    for index, (respondent_type, text) in enumerate(ANSWERS + [("citizen", "chưa xong")]):
        status = "in_progress" if text == "chưa xong" else "submitted"
        response = Response(survey=survey, status=status, respondent_type=respondent_type)
        response.answers.append(Answer(question=question, value_text=text, value_normalized=text))
        db.session.add(response)
    db.session.commit()
    return question


def test_a_question_run_reads_submitted_answers(app):
    question = make_answers(make_consultation())
    row = db.session.get(TextAnalysis, jobs.run_analysis("question", question.id))
    assert row.status == "done", row.error
    assert row.input_count == 4
    assert row.title == "Đề xuất của bạn"
    assert row.view()["voice_count"] == 3  # the two identical answers are one voice
    assert set(row.result["by_respondent_type"]) == {"citizen", "cooperative"}


def test_open_questions_are_listed_and_their_page_links_answers(app, client):
    consultation = make_consultation()
    question = make_answers(consultation)
    assert jobs.open_questions(consultation.id) == [question]
    jobs.run_analysis("question", question.id)
    login(client, make_user("drafter"))
    page = client.get(f"/quan-tri/phan-tich/cau-hoi/{question.id}?lang=en")
    assert page.status_code == 200
    answer_id = db.session.scalar(select(Answer.id).order_by(Answer.id))
    assert f"/quan-tri/phan-tich/tra-loi/{answer_id}".encode() in page.data
    shown = client.get(f"/quan-tri/phan-tich/tra-loi/{answer_id}?lang=en")
    assert shown.status_code == 200 and "chuyển đổi số".encode() in shown.data
