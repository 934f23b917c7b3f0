"""Retention: names, contacts and personal answers go once a consultation has been closed long
enough; opinions stay; prepared exports and personal questions' analyses go with them."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from analysis import export_jobs
from analysis.export_jobs import ExportFile
from analysis.results import TextAnalysis
from consult import privacy
from consult.extensions import db
from consult.models import AuditEvent, Comment, Consultation, Contribution, utcnow
from consult.worker import run_retention_if_due
from surveys.models import Answer, Response
from tests.analysis.redis_support import live_redis
from tests.factories import make_consultation
from tests.surveys.factories import make_survey


def closed(slug: str, days_ago: int) -> Consultation:
    consultation = make_consultation(slug)
    consultation.closes_at = utcnow() - timedelta(days=days_ago)
    consultation.opens_at = consultation.closes_at - timedelta(days=60)
    db.session.commit()
    return consultation


def sending(consultation: Consultation, name: str, contact: str, body: str) -> Contribution:
    """A sent contribution with one published comment, built directly (the consultation is closed)."""
    contribution = Contribution(consultation=consultation, token=uuid.uuid4().hex, status="submitted",
                                respondent_type="citizen", province_code="01", name=name, contact=contact,
                                receipt_code=f"GY-{uuid.uuid4().hex[:4]}-{uuid.uuid4().hex[:4]}".upper(),
                                submitted_at=consultation.closes_at - timedelta(days=5))
    db.session.add(Comment(contribution=contribution, consultation=consultation, body=body,
                           body_normalized=body, status="published", form_key=uuid.uuid4().hex))
    db.session.commit()
    return contribution


def export_of(kind: str, scope_id: int, content: bytes = b"PK ...") -> ExportFile:
    """A finished export with its file in EXPORT_DIR."""
    scope = {"survey_id": scope_id} if kind == "responses" else {"consultation_id": scope_id}
    row = ExportFile(kind=kind, status="done", file_name=f"{kind}-{uuid.uuid4().hex[:8]}.xlsx", **scope)
    db.session.add(row)
    db.session.commit()
    path = export_jobs.stored_path(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return row


def profiles(consultation: Consultation) -> list[tuple[str, str]]:
    return sorted(db.session.execute(select(Contribution.name, Contribution.contact)
                                     .where(Contribution.consultation_id == consultation.id)).tuples())


@pytest.fixture()
def three_consultations(app):
    old = closed("dong-lau", days_ago=200)
    recent = closed("moi-dong", days_ago=10)
    open_one = make_consultation("dang-mo")
    for consultation in (old, recent, open_one):
        sending(consultation, "Trần Văn Bình", "0912345678", f"Ý kiến về {consultation.slug}")
        sending(consultation, "", "binh@example.vn", f"Ý kiến thứ hai về {consultation.slug}")
    return old, recent, open_one


def test_the_default_is_documented_and_off_is_possible():
    assert privacy.retention_days({}) == privacy.DEFAULT_RETENTION_DAYS == 180
    assert privacy.retention_days({"RETENTION_DAYS_AFTER_CLOSE": "off"}) is None
    assert privacy.retention_days({"RETENTION_DAYS_AFTER_CLOSE": 30}) == 30
    with pytest.raises(ValueError):
        privacy.retention_days({"RETENTION_DAYS_AFTER_CLOSE": -1})


def test_purge_erases_names_and_contacts_of_expired_consultations_only(app, three_consultations):
    old, recent, open_one = three_consultations
    reports = privacy.purge_expired()
    db.session.commit()
    assert [(r.slug, r.counts["contributions"]) for r in reports] == [("dong-lau", 2)]
    assert profiles(old) == [("", ""), ("", "")]
    assert profiles(recent) == profiles(open_one) == [("", "binh@example.vn"), ("Trần Văn Bình", "0912345678")]
    bodies = db.session.scalars(select(Comment.body).where(Comment.consultation_id == old.id)).all()
    assert sorted(bodies) == ["Ý kiến thứ hai về dong-lau", "Ý kiến về dong-lau"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.retention_purge")).all()
    assert [(e.object_id, e.detail["contributions"]) for e in events] == [(old.id, 2)]
    assert privacy.purge_expired() == []  # nothing left to erase: no second report


def test_a_dry_run_counts_and_changes_nothing(app, three_consultations):
    old, _recent, _open = three_consultations
    reports = privacy.purge_expired(dry_run=True)
    db.session.rollback()
    assert [(r.slug, r.counts["contributions"]) for r in reports] == [("dong-lau", 2)]
    assert ("Trần Văn Bình", "0912345678") in profiles(old)


@pytest.mark.parametrize("app_config", [{"RETENTION_DAYS_AFTER_CLOSE": 5}])
def test_the_setting_moves_the_line(app, three_consultations):
    reports = privacy.purge_expired()
    assert sorted(r.slug for r in reports) == ["dong-lau", "moi-dong"]


def test_the_cli_dry_run_then_purge(app, runner, three_consultations):
    old = three_consultations[0]
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "dong-lau" in dry.output and "would erase contributions 2" in dry.output
    assert ("Trần Văn Bình", "0912345678") in profiles(old)
    real = runner.invoke(args=["privacy", "purge"])
    assert real.exit_code == 0 and "erased contributions 2" in real.output
    db.session.expire_all()
    assert profiles(old) == [("", ""), ("", "")]


@pytest.mark.parametrize("app_config", [{"RETENTION_DAYS_AFTER_CLOSE": "off"}])
def test_the_cli_says_when_retention_is_off(app, runner, three_consultations):
    result = runner.invoke(args=["privacy", "purge"])
    assert "Retention is off" in result.output
    assert ("Trần Văn Bình", "0912345678") in profiles(three_consultations[0])


def personal_survey(consultation: Consultation):
    survey = make_survey(f"ks-{consultation.slug}", [[
        {"name": "ho_ten", "kind": "short_text", "parameters": {"personal": True}},
        {"name": "giay_to", "kind": "file", "parameters": {"personal": True}},
        {"name": "y_kien", "kind": "long_text"},
    ]], consultation=consultation)
    by_name = {q.name: q for q in survey.questions}
    return survey, by_name


def test_answers_to_personal_questions_are_erased_and_their_files_deleted(app, three_consultations):
    old = three_consultations[0]
    survey, questions = personal_survey(old)
    upload = Path(app.instance_path) / "survey_uploads" / str(survey.id) / f"{uuid.uuid4().hex}.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.4 can cuoc")
    response = Response(survey=survey, status="submitted", respondent_type="citizen", province_code="01")
    db.session.add_all([response,
                        Answer(response=response, question=questions["ho_ten"], value_text="Lê Thị Cúc"),
                        Answer(response=response, question=questions["giay_to"], value_text="cccd.pdf",
                               value_number=17, file_path=str(upload.relative_to(app.instance_path))),
                        Answer(response=response, question=questions["y_kien"], value_text="Nên giữ Điều 5.")])
    db.session.commit()
    reports = privacy.purge_expired()
    db.session.commit()
    assert reports[0].counts["survey_answers"] == 2
    db.session.expire_all()
    rows = {a.question.name: a for a in db.session.scalars(select(Answer))}
    assert rows["ho_ten"].is_skip_marker and rows["giay_to"].is_skip_marker
    assert rows["y_kien"].value_text == "Nên giữ Điều 5."
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert not upload.exists()


def test_erasure_deletes_prepared_exports_and_personal_questions_analyses(app, three_consultations):
    old, recent, _open = three_consultations
    survey, questions = personal_survey(old)
    doomed = [export_of("comments", old.id), export_of("responses", survey.id)]
    kept = export_of("comments", recent.id)
    analyses = [TextAnalysis(scope="question", scope_id=questions["ho_ten"].id, status="done"),
                TextAnalysis(scope="question", scope_id=questions["y_kien"].id, status="done"),
                TextAnalysis(scope="consultation", scope_id=old.id, status="done")]
    db.session.add_all(analyses)
    db.session.commit()
    paths = [export_jobs.stored_path(row) for row in doomed]
    privacy.purge_expired()
    assert all(path.exists() for path in paths)  # files wait for the commit
    db.session.commit()
    assert not any(path.exists() for path in paths)
    assert export_jobs.stored_path(kept).exists()
    assert db.session.scalars(select(ExportFile.id)).all() == [kept.id]
    left = sorted((a.scope, a.scope_id) for a in db.session.scalars(select(TextAnalysis)))
    assert left == sorted([("question", questions["y_kien"].id), ("consultation", old.id)])


def test_a_rolled_back_purge_keeps_rows_and_files(app, three_consultations):
    old = three_consultations[0]
    row = export_of("comments", old.id)
    path = export_jobs.stored_path(row)
    privacy.purge_expired()
    db.session.rollback()
    db.session.commit()
    assert path.exists() and db.session.get(ExportFile, row.id) is not None
    assert ("Trần Văn Bình", "0912345678") in profiles(old)


def test_erasure_by_receipt_reaches_the_consultations_exports(app, client):
    consultation = make_consultation("luat-htx")
    contribution = sending(consultation, "Phạm Minh", "minh@example.vn", "Đồng ý với dự thảo.")
    row = export_of("comments", consultation.id)
    path = export_jobs.stored_path(row)
    response = client.post(f"/bien-nhan/{contribution.receipt_code}/xoa-thong-tin")
    assert response.status_code == 302
    assert not path.exists()
    assert db.session.get(ExportFile, row.id) is None
    assert profiles(consultation) == [("", "")]


def test_the_cli_deletes_export_files_no_row_names(app, runner):
    row = export_of("comments", make_consultation("luat-htx").id)
    stray = export_jobs.export_dir() / "comments-999-cut-off.xlsx"
    stray.write_bytes(b"left by a build cut off")
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0 and "1 unlisted export file(s) deleted" in result.output
    assert not stray.exists() and export_jobs.stored_path(row).exists()


def test_the_worker_runs_the_purge_once_per_turn(app, three_consultations):
    connection = live_redis()
    assert run_retention_if_due(connection) == 1
    assert profiles(three_consultations[0]) == [("", ""), ("", "")]
    assert run_retention_if_due(connection) is None  # another turn within the hour: skipped



def test_a_starting_worker_takes_the_retention_turn(app, three_consultations):
    from rq import Queue

    from consult.worker import PlatformWorker

    old, recent = (c.id for c in three_consultations[:2])
    connection = live_redis()
    queue = Queue(f"test-retention-{uuid.uuid4().hex[:8]}", connection=connection)
    worker = PlatformWorker([queue], connection=connection)
    worker.work(burst=True)  # ends its session after its maintenance: objects loaded before are detached
    connection.delete(worker.key)
    assert profiles(db.session.get(Consultation, old)) == [("", ""), ("", "")]
    assert ("Trần Văn Bình", "0912345678") in profiles(db.session.get(Consultation, recent))

def test_authors_mark_a_question_personal_and_take_the_mark_off(app, client):
    from surveys import authoring
    from surveys.authoring import SurveyFields
    from surveys.models import Question
    from tests.factories import login, make_user

    login(client, make_user("drafter"))
    survey = authoring.create_survey(SurveyFields(title={"vi": "Phiếu thử"}))
    db.session.commit()
    data = {"kind": "short_text", "name": "dien_thoai", "label_vi": "Số điện thoại", "relevant": "",
            "constraint": "", "choice_source": "", "profile_field": "", "personal": "y"}
    response = client.post(f"/khao-sat/quan-tri/{survey.id}/trang/{survey.pages[0].id}/cau-hoi-moi", data=data)
    assert response.status_code == 302
    question = db.session.scalar(select(Question).where(Question.name == "dien_thoai"))
    assert question.parameters == {"personal": True}
    form = client.get(f"/khao-sat/quan-tri/{survey.id}/cau-hoi/{question.id}").get_data(as_text=True)
    checkbox = re.search(r'<input[^>]*name="personal"[^>]*>', form).group(0)
    assert " checked " in checkbox
    del data["personal"]
    assert client.post(f"/khao-sat/quan-tri/{survey.id}/cau-hoi/{question.id}", data=data).status_code == 302
    db.session.refresh(question)
    assert question.parameters == {}


def test_a_consultation_with_its_own_retention_erases_on_its_own_schedule(app, three_consultations):
    """``Consultation.retention_days`` overrides the platform's setting, shorter or longer."""
    old, recent, _open = three_consultations
    recent.retention_days = 5  # closed 10 days ago: past its own 5 days
    old.retention_days = 365  # closed 200 days ago: within its own year, past the platform's 180
    db.session.commit()
    reports = privacy.purge_expired()
    db.session.commit()
    assert [r.slug for r in reports] == ["moi-dong"]
    assert profiles(recent) == [("", ""), ("", "")]
    assert ("Trần Văn Bình", "0912345678") in profiles(old)


@pytest.mark.parametrize("app_config", [{"RETENTION_DAYS_AFTER_CLOSE": "off"}])
def test_with_the_platforms_retention_off_only_own_retentions_erase(app, runner, three_consultations):
    old, recent, _open = three_consultations
    recent.retention_days = 0  # erase at the close itself
    db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0 and "Retention is off" in result.output and "moi-dong" in result.output
    db.session.expire_all()
    assert profiles(recent) == [("", ""), ("", "")]
    assert ("Trần Văn Bình", "0912345678") in profiles(old)


def test_the_cli_sets_and_resets_a_consultations_retention(app, runner, three_consultations):
    old = three_consultations[0]
    assert runner.invoke(args=["privacy", "retention", "dong-lau", "365"]).exit_code == 0
    db.session.expire_all()
    assert old.retention_days == 365 and privacy.purge_expired() == []
    assert runner.invoke(args=["privacy", "retention", "dong-lau", "-3"]).exit_code != 0
    assert runner.invoke(args=["privacy", "retention", "khong-co", "3"]).exit_code != 0
    assert runner.invoke(args=["privacy", "retention", "dong-lau", "default"]).exit_code == 0
    db.session.expire_all()
    assert old.retention_days is None and [r.slug for r in privacy.purge_expired()] == ["dong-lau"]
def test_a_decided_personal_answer_leaves_its_decision_and_no_decision_is_left_empty(app, three_consultations):
    """A personal open-text question pinned to an article was decided: once its answer is erased,
    the decision that answered only it is deleted (audited); one shared with a comment stays,
    answering the comment alone."""
    from consult import decisions
    from consult.models import Decision, Provision
    from tests.consult.decision_factories import comment, drafter

    old = three_consultations[0]
    article = db.session.scalar(select(Provision).where(Provision.anchor == "dieu-3",
                                                        Provision.version_id == old.draft.current_version.id))
    survey = make_survey(f"ks-{old.slug}", [[
        {"name": "ho_ten_y_kien", "kind": "long_text", "provision": article, "parameters": {"personal": True}},
        {"name": "y_kien", "kind": "long_text", "provision": article}]], consultation=old)
    questions = {q.name: q for q in survey.questions}
    rows = []
    for number in range(2):
        response = Response(survey=survey, status="submitted", respondent_type="citizen", province_code="01")
        rows.append(Answer(response=response, question=questions["ho_ten_y_kien"],
                           value_text=f"Tôi là Lê Thị Cúc {number}, đề nghị sửa Điều 3."))
        db.session.add_all([response, rows[-1]])
    kept_answer = Answer(response=response, question=questions["y_kien"], value_text="Nên giữ Điều 3.")
    db.session.add(kept_answer)
    db.session.commit()
    team = drafter()
    citizen = comment(old, "dieu-3", "Ý kiến của công dân về Điều 3.")
    decisions.decide([rows[0]], "accepted", "", team)
    decisions.decide([rows[1], citizen, kept_answer], "explained", "Giữ như dự thảo.", team)
    db.session.commit()
    alone, shared = rows[0].decision_id, rows[1].decision_id
    undecided = decisions.outcome_counts(db.session, old.id)["undecided"]
    assert {o.ref.token for o in decisions.load_opinions(old) if o.decision} == \
        {f"s{rows[0].id}", f"s{rows[1].id}", f"c{citizen.id}", f"s{kept_answer.id}"}

    reports = privacy.purge_expired()
    db.session.commit()
    assert reports[0].counts["survey_answers"] == 2 and reports[0].counts["survey_decisions_deleted"] == 1
    db.session.expire_all()
    assert db.session.get(Decision, alone) is None
    assert db.session.get(Decision, shared) is not None
    assert all(db.session.get(Answer, row.id).decision_id is None for row in rows)
    assert db.session.get(Answer, kept_answer.id).decision_id == shared
    # Every decision left answers an opinion, and the tallies count only opinions.
    decided = {o.ref.token: o.decision.id for o in decisions.load_opinions(old) if o.decision}
    assert decided == {f"c{citizen.id}": shared, f"s{kept_answer.id}": shared}
    assert set(db.session.scalars(select(Decision.id))) == {shared}
    counts = decisions.outcome_counts(db.session, old.id)
    assert counts["explained"] == 2 and counts["accepted"] == 0 and counts["undecided"] == undecided
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "decision.erased_with_answer"))
    assert event.object_id == alone and event.detail["outcome"] == "accepted"
