"""Files replaced by a new upload leave the disk; official records never do.

(a) A formal letter still in draft: its previous signed PDF is deleted once the new one is
stored; a submitted or superseded letter's PDF is kept whatever happens next.
(b) A survey's file question answered again or emptied: the replaced file is deleted.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage, MultiDict

from consult.extensions import db
from consult.submissions import attachments, services
from consult.submissions.demo import sample_letter_pdf
from consult.submissions.models import Submission
from surveys.kinds import kind_of
from surveys.models import Answer, Response
from tests.factories import login
from tests.submissions.helpers import on_roster, setup_body
from tests.submissions.test_submission_web import add_opinion, draft_id, save_letter, submit
from tests.surveys.factories import make_survey

FIRST, SECOND, THIRD = (sample_letter_pdf(f"Cong van so {n}/BTC-PC") for n in (1, 2, 3))


# --- (a) the signed letter of a formal submission --------------------------------------------

@pytest.fixture()
def body(app, client):
    consultation, organisation, officer = setup_body()
    login(client, officer)
    client.get("/co-quan/?lang=en")
    return consultation, organisation


def send_pdf(client, content: bytes, filename: str = "cong-van.pdf"):
    return client.post("/co-quan/luat-htx/van-ban/tep", content_type="multipart/form-data",
                       data={"document": (io.BytesIO(content), filename)})


def stored_file(app, submission: Submission) -> Path:
    return attachments.upload_root(app) / submission.attachment_name


def current_draft(consultation, organisation) -> Submission:
    db.session.expire_all()
    return services.find_draft(consultation, organisation.id)


def test_a_new_pdf_on_a_draft_deletes_the_previous_one(app, client, body):
    consultation, organisation = body
    assert send_pdf(client, FIRST).status_code == 302
    first = stored_file(app, current_draft(consultation, organisation))
    assert first.read_bytes() == FIRST
    assert send_pdf(client, SECOND).status_code == 302
    second = stored_file(app, current_draft(consultation, organisation))
    assert second.read_bytes() == SECOND and not first.exists()
    assert sorted(p.name for p in attachments.upload_root(app).iterdir()) == [second.name]


def test_a_refused_pdf_keeps_the_one_attached(app, client, body):
    consultation, organisation = body
    send_pdf(client, FIRST)
    first = stored_file(app, current_draft(consultation, organisation))
    assert send_pdf(client, b"%PDF-1.4 but broken").status_code == 422
    assert first.read_bytes() == FIRST
    assert current_draft(consultation, organisation).attachment_name == first.name


def test_submitted_and_superseded_letters_keep_their_pdf(app, client, body):
    consultation, organisation = body
    save_letter(client, consultation, organisation)
    send_pdf(client, FIRST)
    add_opinion(client, "dieu-1")
    letter = current_draft(consultation, organisation)
    assert submit(client, consultation, organisation).status_code == 302
    official = stored_file(app, letter)
    # a new letter: it starts without a file; two uploads on it replace only its own file
    save_letter(client, consultation, organisation, letter_number="15/BTC-PC")
    send_pdf(client, SECOND)
    replaced = stored_file(app, current_draft(consultation, organisation))
    send_pdf(client, THIRD)
    assert not replaced.exists() and official.read_bytes() == FIRST
    add_opinion(client, "dieu-2")
    assert submit(client, consultation, organisation).status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, letter.id).status == "superseded"
    assert official.read_bytes() == FIRST
    assert {p.read_bytes() for p in attachments.upload_root(app).iterdir()} == {FIRST, THIRD}


def test_a_submitted_letters_file_is_never_deleted_even_if_a_draft_names_it(app, body):
    """Defence in depth: a draft that somehow holds the same stored name lets go of nothing
    another letter still holds."""
    consultation, organisation = body
    root = attachments.upload_root(app)
    shared = attachments.store_pdf(root, FIRST, 1)
    other = attachments.store_pdf(root, SECOND, 1)
    draft, _ = services.start_draft(consultation, organisation, None)
    services.attach_pdf(draft, shared, "a.pdf")
    db.session.commit()
    (other_body,) = on_roster(consultation, "BTP")
    holder = Submission(consultation=consultation, organisation=other_body, status="superseded",
                        attachment_name=shared.name)
    db.session.add(holder)
    db.session.flush()
    holder.draft_slot = None
    db.session.commit()
    services.attach_pdf(draft, other, "b.pdf")
    db.session.commit()
    assert (root / shared.name).read_bytes() == FIRST


def test_nothing_is_deleted_when_the_change_is_rolled_back(app, body):
    consultation, organisation = body
    root = attachments.upload_root(app)
    first = attachments.store_pdf(root, FIRST, 1)
    draft, _ = services.start_draft(consultation, organisation, None)
    services.attach_pdf(draft, first, "a.pdf")
    db.session.commit()
    services.attach_pdf(draft, attachments.store_pdf(root, SECOND, 1), "b.pdf")
    db.session.rollback()
    db.session.commit()  # a later, unrelated commit deletes nothing either
    assert (root / first.name).read_bytes() == FIRST
    assert current_draft(consultation, organisation).attachment_name == first.name


def test_a_discarded_draft_takes_its_pdf_along(app, body):
    consultation, organisation = body
    root = attachments.upload_root(app)
    stored = attachments.store_pdf(root, FIRST, 1)
    draft, _ = services.start_draft(consultation, organisation, None)
    services.attach_pdf(draft, stored, "a.pdf")
    db.session.commit()
    services.discard_draft(draft, None, root)
    assert (root / stored.name).exists()  # not before the commit
    db.session.commit()
    assert not (root / stored.name).exists()


def test_a_stored_name_that_is_not_ours_is_never_watched(app, body):
    consultation, organisation = body
    outside = Path(app.instance_path) / "keep.pdf"
    outside.write_bytes(FIRST)
    draft, _ = services.start_draft(consultation, organisation, None)
    draft.attachment_name = "../keep.pdf"
    services.attach_pdf(draft, attachments.store_pdf(attachments.upload_root(app), SECOND, 1), "b.pdf")
    db.session.commit()
    assert outside.read_bytes() == FIRST


# --- (b) a survey's file question ------------------------------------------------------------

@pytest.fixture()
def file_survey(app, client):
    make_survey(pages=[[{"name": "report", "kind": "file"}], [{"name": "note", "kind": "short_text"}]])
    reply = client.post("/khao-sat/khao-sat?lang=en", data={"form_key": "key-1"})
    assert reply.status_code == 302


def post_file(client, content: bytes | None, **extra):
    data = {"action": "save", **extra}
    if content is not None:
        data["q-report"] = (io.BytesIO(content), "bao-cao.pdf")
    return client.post("/khao-sat/khao-sat/trang/1?lang=en", content_type="multipart/form-data",
                       data=data)


def stored_answer_file(app) -> Path | None:
    db.session.expire_all()
    answer = db.session.query(Answer).filter(Answer.file_path.is_not(None)).one_or_none()
    return Path(app.instance_path) / answer.file_path if answer else None


def upload_files(app) -> list[Path]:
    return sorted((Path(app.instance_path) / "survey_uploads").rglob("*.pdf"))


def test_a_file_answered_again_replaces_the_old_one_on_disk(app, client, file_survey):
    assert post_file(client, FIRST).status_code in (200, 302)
    first = stored_answer_file(app)
    assert first.read_bytes() == FIRST
    post_file(client, SECOND)
    second = stored_answer_file(app)
    assert second != first and second.read_bytes() == SECOND
    assert not first.exists() and upload_files(app) == [second]


def test_a_page_saved_without_a_new_file_keeps_it(app, client, file_survey):
    post_file(client, FIRST)
    first = stored_answer_file(app)
    post_file(client, None)
    assert stored_answer_file(app) == first and first.read_bytes() == FIRST


def test_a_refused_new_file_keeps_the_old_one(app, client, file_survey):
    post_file(client, FIRST)
    first = stored_answer_file(app)
    reply = post_file(client, b"GIF89a not a pdf")
    assert reply.status_code == 422
    assert stored_answer_file(app) == first and first.read_bytes() == FIRST
    assert upload_files(app) == [first]


def test_removing_the_file_deletes_it(app, client, file_survey):
    post_file(client, FIRST)
    first = stored_answer_file(app)
    post_file(client, None, **{"q-report-remove": "1"})
    assert stored_answer_file(app) is None and not first.exists()
    assert upload_files(app) == []


def _read(question, files=None, previous=None, **form):
    return kind_of(question).read(question, MultiDict(form), files or {}, previous)


def test_a_rolled_back_upload_leaves_neither_file_lost_nor_orphaned(app):
    survey = make_survey(pages=[[{"name": "report", "kind": "file"}]])
    question = survey.questions[0]
    kind = kind_of(question)
    entry = _read(question, {"q-report": FileStorage(io.BytesIO(FIRST), "a.pdf")})
    response = Response(survey=survey, status="in_progress")
    for row in kind.to_rows(question, entry):
        response.answers.append(Answer(question=question, **row))
    db.session.add(response)
    db.session.commit()
    first = Path(app.instance_path) / entry.value["path"]
    replacement = _read(question, {"q-report": FileStorage(io.BytesIO(SECOND), "b.pdf")},
                        previous=entry)
    written = Path(app.instance_path) / replacement.value["path"]
    assert written.exists()
    db.session.rollback()
    assert not written.exists() and first.read_bytes() == FIRST
    db.session.commit()
    assert first.read_bytes() == FIRST


def test_a_file_of_a_question_hidden_later_leaves_the_disk(app, client):
    """The respondent uploads a report, then goes back and answers so that the question is
    hidden: its answer is discarded, and its file goes too."""
    make_survey(slug="an-bao-cao", pages=[
        [{"name": "has", "kind": "single_choice", "choices": ["yes", "no"]}],
        [{"name": "report", "kind": "file", "relevant": "${has} = 'yes'"}]])
    assert client.post("/khao-sat/an-bao-cao?lang=en", data={"form_key": "key-h"}).status_code == 302
    client.post("/khao-sat/an-bao-cao/trang/1?lang=en", data={"action": "save", "q-has": "yes"})
    client.post("/khao-sat/an-bao-cao/trang/2?lang=en", content_type="multipart/form-data",
                data={"action": "save", "q-report": (io.BytesIO(FIRST), "bao-cao.pdf")})
    first = stored_answer_file(app)
    assert first is not None and first.read_bytes() == FIRST
    client.post("/khao-sat/an-bao-cao/trang/1?lang=en", data={"action": "save", "q-has": "no"})
    assert stored_answer_file(app) is None
    assert not first.exists() and upload_files(app) == []
