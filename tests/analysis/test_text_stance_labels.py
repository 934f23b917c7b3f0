"""The team corrects stance; with enough labels a per-consultation model suggests the rest."""
import pytest
from sqlalchemy import func, select

from analysis import jobs, results
from analysis.stance_labels import StanceLabel, set_label
from analysis.text import stance_model
from consult.extensions import db
from tests.analysis.text_factories import add_comment
from tests.factories import login, make_consultation, make_user

AGREE = ["Quy định về {} là thỏa đáng, giữ nguyên như dự thảo.", "Ổn rồi, cứ để {} như vậy."]
DISAGREE = ["Cách viết về {} làm khổ bà con, bỏ đi.", "Viết {} thế này thì dân chịu sao nổi."]
SUBJECTS = ["vốn góp", "lệ phí", "đại hội", "kiểm toán", "thành viên", "tài sản", "chia lãi",
            "ban kiểm soát", "giám đốc", "điều lệ", "tín dụng", "đất đai", "thuế", "hồ sơ"]


def labelled_texts(count):
    texts, labels = [], []
    for index in range(count):
        subject = SUBJECTS[index % len(SUBJECTS)]
        pattern = (AGREE if index % 2 else DISAGREE)[index // 2 % 2]
        texts.append(pattern.format(subject))
        labels.append("agree" if index % 2 else "disagree")
    return texts, labels


@pytest.fixture()
def app_config():
    return {"REDIS_URL": None}


def test_a_model_needs_enough_labels_of_two_stances():
    assert not stance_model.can_train(["agree"] * 48 + ["disagree"])
    assert not stance_model.can_train(["agree"] * 60)
    assert stance_model.can_train(["agree"] * 30 + ["disagree"] * 20)


def test_the_model_learns_the_teams_wording_and_gives_a_confidence():
    texts, labels = labelled_texts(56)
    model = stance_model.train(texts, labels)
    found = stance_model.suggest(model, ["Cách viết về quỹ chung làm khổ bà con, bỏ đi.",
                                         "Ổn rồi, cứ để quỹ chung như vậy."])
    assert [s.stance for s in found] == ["disagree", "agree"]
    assert all(0.5 < s.confidence <= 1 for s in found)


@pytest.fixture()
def consultation(app):
    consultation = make_consultation()
    texts, labels = labelled_texts(50)
    comments = [add_comment(consultation, "dieu-3", text) for text in texts]
    consultation.unlabelled = add_comment(consultation, "dieu-3", "Ổn rồi, cứ để quỹ chung như vậy.")
    db.session.commit()
    consultation.labelled = list(zip(comments, labels))
    return consultation


def test_the_consultation_run_suggests_a_stance_once_fifty_are_labelled(consultation):
    comments = consultation.labelled
    for comment, label in comments[:49]:
        set_label(comment, label, None)
    db.session.commit()
    first = db.session.get(results.TextAnalysis, jobs.run_analysis("consultation", consultation.id))
    assert first.result["stance_suggestions"] is None
    set_label(*comments[49], None)
    db.session.commit()
    second = db.session.get(results.TextAnalysis, jobs.run_analysis("consultation", consultation.id))
    suggestions = second.result["stance_suggestions"]
    assert suggestions["labels"] == 50
    assert suggestions["by_id"][str(consultation.unlabelled.id)][0] == "agree"
    assert str(comments[0][0].id) not in suggestions["by_id"]


def test_the_team_corrects_a_stance_on_the_page(consultation, client):
    login(client, make_user("drafter"))
    comment = add_comment(consultation, "dieu-3", "Giáo trình chưa có hợp lý <i>x</i>")
    db.session.commit()
    page = client.get(f"/quan-tri/phan-tich/lap-truong/{consultation.id}?page=2&lang=en").get_data(as_text=True)
    item = page.split(f'id="opinion-{comment.id}"')[1].split("</article>")[0]
    assert "<mark>chưa có hợp lý</mark>" in item and "&lt;i&gt;x&lt;/i&gt;" in item
    response = client.post(f"/quan-tri/phan-tich/lap-truong/{consultation.id}/{comment.id}?lang=en",
                           data={"stance": "proposes_change", "page": "2"}, follow_redirects=True)
    assert b"The stance was saved." in response.data
    label = db.session.scalar(select(StanceLabel).where(StanceLabel.comment_id == comment.id))
    assert label.stance == "proposes_change"
    client.post(f"/quan-tri/phan-tich/lap-truong/{consultation.id}/{comment.id}", data={"stance": "agree"})
    assert db.session.scalar(select(func.count(StanceLabel.id))) == 1
    db.session.refresh(label)
    assert label.stance == "agree"


def test_an_unknown_stance_or_a_foreign_comment_is_refused(consultation, client):
    login(client, make_user("drafter"))
    comment = consultation.unlabelled
    response = client.post(f"/quan-tri/phan-tich/lap-truong/{consultation.id}/{comment.id}?lang=en",
                           data={"stance": "maybe"}, follow_redirects=True)
    assert response.status_code == 200 and b"The stance was not saved" in response.data
    assert db.session.scalar(select(func.count(StanceLabel.id))) == 0
    other = make_consultation("khac")
    assert client.post(f"/quan-tri/phan-tich/lap-truong/{other.id}/{comment.id}",
                       data={"stance": "agree"}).status_code == 404


def test_officers_cannot_label(consultation, client):
    login(client, make_user("officer"))
    assert client.get(f"/quan-tri/phan-tich/lap-truong/{consultation.id}").status_code == 403
