"""The team's workload and the quoted new wording: assigning articles and opinions, my queue,
the assignee filter, and a decision's new wording on the decisions page, the public answers and
the synthesis report (roles, CSRF and bad input through the pages)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from consult import answers, decisions, synthesis, synthesis_docx, workload
from consult.extensions import db
from consult.models import Assignment, AuditEvent, Decision
from tests.consult.decision_factories import comment, drafter, letter, organisation
from tests.factories import login, make_consultation, make_user

WORDING = "Điều 3. Thành viên\n1. Cá nhân từ đủ 16 tuổi trở lên có thể trở thành thành viên."


@pytest.fixture()
def consultation(app):
    return make_consultation()


@pytest.fixture()
def team(client, consultation):
    user = drafter()
    login(client, user)
    client.get("/?lang=en")
    return user


def page_url(consultation, anchor: str = "dieu-3") -> str:
    return f"/quan-tri/xu-ly/{consultation.slug}/{anchor}"


def assignments() -> dict[str, int]:
    return {row.target: row.user_id for row in db.session.scalars(select(Assignment))}


# --- the new wording ----------------------------------------------------------------------------

def test_a_decision_quotes_the_new_wording_on_every_page_and_report(client, consultation, team):
    opinion = comment(consultation, "dieu-3", "Đề nghị hạ tuổi thành viên xuống 16.")
    response = client.post(page_url(consultation), data={
        "opinion": f"c{opinion.id}", "outcome": "accepted", "reason": "Đã sửa khoản 1 Điều 3.",
        "new_wording": "  " + WORDING.replace("ê", "e\u0302") + "\x00 "})
    assert response.status_code == 302
    decision = db.session.get(Decision, opinion.decision_id)
    assert decision.new_wording == WORDING  # NFC, control characters and edges cleaned
    page = client.get(page_url(consultation)).text
    assert "Cá nhân từ đủ 16 tuổi trở lên" in page and 'class="new-wording"' in page
    answers.publish(consultation, team)
    db.session.commit()
    public = client.get(f"/du-thao/{consultation.slug}/tiep-thu-giai-trinh").text
    assert "Cá nhân từ đủ 16 tuổi trở lên" in public
    report = synthesis.build_report(consultation)
    [row] = report.rows
    assert row.new_wording == WORDING and row.answer.endswith(WORDING)
    from docx import Document
    from openpyxl import load_workbook

    word = Document(io.BytesIO(synthesis_docx.to_docx(report)))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert any("Cá nhân từ đủ 16 tuổi trở lên" in c and "Đã sửa khoản 1 Điều 3." in c for c in cells)
    sheet = load_workbook(io.BytesIO(synthesis.to_xlsx(report))).active
    assert any("Cá nhân từ đủ 16 tuổi" in str(cell.value) for row in sheet.iter_rows() for cell in row)
    # Changing only the wording edits the decision in place and is audited with the previous one.
    decisions.decide([opinion], "accepted", "Đã sửa khoản 1 Điều 3.", team, new_wording="Điều 3 mới.")
    db.session.commit()
    assert db.session.get(Decision, opinion.decision_id).new_wording == "Điều 3 mới."
    edit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "decision.edit"))
    assert edit.detail["previous_new_wording"] == WORDING


def test_a_too_long_new_wording_keeps_the_form_and_records_nothing(client, consultation, team):
    opinion = comment(consultation, "dieu-3")
    response = client.post(page_url(consultation), data={
        "opinion": f"c{opinion.id}", "outcome": "explained", "reason": "Lý do đã gõ",
        "new_wording": "<script>x</script>" + "đ" * 20001})
    assert response.status_code == 422
    assert "The new wording may be at most 20,000 characters long." in response.text
    assert "Lý do đã gõ" in response.text and "&lt;script&gt;x&lt;/script&gt;" in response.text
    assert db.session.scalar(select(func.count(Decision.id))) == 0
    blank = client.post(page_url(consultation), data={"opinion": f"c{opinion.id}", "outcome": "accepted",
                                                      "new_wording": " \u200b "})
    assert blank.status_code == 302 and db.session.get(Decision, opinion.decision_id).new_wording is None


# --- assignments --------------------------------------------------------------------------------

def test_assigning_the_article_and_single_opinions_then_my_queue(client, consultation, team):
    member = make_user("drafter", email="thanh.vien@example.vn")
    other = make_user("moderator", email="kiem.duyet@example.vn")
    on_three = [comment(consultation, "dieu-3", f"Ý kiến {n}") for n in range(3)]
    sent = letter(consultation, organisation("BTC"), [("dieu-4", "Ý kiến của Bộ về Điều 4.")])
    response = client.post(page_url(consultation) + "/phan-cong", data={"whole": "1", "assignee": str(member.id)})
    assert response.status_code == 302
    assert assignments() == {"a:dieu-3": member.id}
    # One opinion of the article goes to someone else: the opinion's assignment wins.
    response = client.post(page_url(consultation) + "/phan-cong",
                           data={"opinion": f"c{on_three[0].id}", "assignee": str(other.id)})
    assert response.status_code == 302
    client.post(page_url(consultation, "dieu-4") + "/phan-cong",
                data={"opinion": f"l{sent.opinions[0].id}", "assignee": str(member.id)})
    assert assignments() == {"a:dieu-3": member.id, f"c{on_three[0].id}": other.id,
                             f"l{sent.opinions[0].id}": member.id}
    decisions.decide([on_three[1]], "accepted", "", team)
    db.session.commit()
    lines = workload.queue(member)
    assert [(line.anchor, line.undecided, line.whole_article) for line in lines] == [
        ("dieu-3", 1, True), ("dieu-4", 1, False)]
    assert [(line.anchor, line.undecided) for line in workload.queue(other)] == [("dieu-3", 1)]
    audits = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("assignment.%"))).all()
    assert audits == ["assignment.assign"] * 3
    # The member's queue page, with counts; a moderator sees theirs too but no deciding link.
    client.post("/dang-xuat")
    login(client, member)
    page = client.get("/quan-tri/xu-ly/cua-toi?lang=en").text
    assert 'data-total="2"' in page and 'data-anchor="dieu-3" data-undecided="1"' in page
    assert f'href="{page_url(consultation)}?undecided=1' in page
    client.post("/dang-xuat")
    login(client, other)
    page = client.get("/quan-tri/xu-ly/cua-toi?lang=en").text
    assert 'data-total="1"' in page and f'href="{page_url(consultation)}' not in page


def test_the_decisions_pages_show_and_filter_by_assignee(client, consultation, team):
    member = make_user("drafter", email="thanh.vien@example.vn")
    mine = comment(consultation, "dieu-3", "Ý kiến được giao")
    comment(consultation, "dieu-3", "Ý kiến chưa giao")
    comment(consultation, "dieu-4", "Ý kiến ở Điều 4")
    workload.assign(consultation, [f"c{mine.id}"], member, team)
    workload.assign(consultation, ["a:dieu-4"], member, team)
    db.session.commit()
    summary = client.get(f"/quan-tri/xu-ly/{consultation.slug}").text
    assert f'<td class="assignee" data-assignee="{member.id}">' in summary
    only_member = client.get(f"/quan-tri/xu-ly/{consultation.slug}?nguoi={member.id}").text
    assert 'id="row-dieu-4"' in only_member and 'id="row-dieu-3"' not in only_member
    unassigned = client.get(f"/quan-tri/xu-ly/{consultation.slug}?nguoi=none").text
    assert 'id="row-dieu-3"' in unassigned and 'id="row-dieu-4"' not in unassigned
    page = client.get(page_url(consultation) + f"?nguoi={member.id}").text
    assert "Ý kiến được giao" in page and "Ý kiến chưa giao" not in page
    page = client.get(page_url(consultation) + "?nguoi=none").text
    assert "Ý kiến được giao" not in page and "Ý kiến chưa giao" in page
    for junk in ("abc", "-1", "<b>", "9" * 40):  # an unreadable filter shows everyone
        assert client.get(page_url(consultation) + f"?nguoi={junk}").status_code == 200
    # Deciding under a filter comes back to the filtered list.
    response = client.post(page_url(consultation) + f"?nguoi={member.id}",
                           data={"opinion": f"c{mine.id}", "outcome": "accepted"})
    assert response.status_code == 302 and f"nguoi={member.id}" in response.headers["Location"]


LAPSED = "no longer on this consultation's team"


@pytest.mark.parametrize("leaves", ["deactivated", "moved to another agency"])
def test_an_assignment_lapses_when_its_member_leaves_and_the_work_is_shown_unassigned(
        client, consultation, team, leaves):
    """The member given Điều 4 and one opinion of Điều 3 leaves the team of this consultation:
    the pages say the work is unassigned and who had it, the "nobody" filter finds it, the
    opinion falls back to its article's assignee, and assigning it again takes it over."""
    agency = organisation("BKHDT", name="Bộ Kế hoạch và Đầu tư")
    consultation.agency_id = agency.id
    member = make_user("drafter", email="roi.di@example.vn")
    member.organisation_id, member.name = agency.id, "Người Rời Đi"
    stays = make_user("moderator", email="o.lai@example.vn")
    stays.organisation_id = agency.id
    mine = comment(consultation, "dieu-3", "Ý kiến giao riêng")
    comment(consultation, "dieu-4", "Ý kiến ở Điều 4")
    workload.assign(consultation, [f"c{mine.id}"], member, team)
    workload.assign(consultation, ["a:dieu-3"], stays, team)
    workload.assign(consultation, ["a:dieu-4"], member, team)
    db.session.commit()
    if leaves == "deactivated":
        member.active = False
    else:
        member.organisation_id = organisation("BTC").id
    db.session.commit()
    summary = client.get(f"/quan-tri/xu-ly/{consultation.slug}?lang=en").text
    assert f'<td class="assignee" data-assignee="" data-lapsed="{member.id}">' in summary
    assert f"Người Rời Đi, who had it, is {LAPSED}" in summary
    unassigned = client.get(f"/quan-tri/xu-ly/{consultation.slug}?nguoi=none").text
    assert 'id="row-dieu-4"' in unassigned
    article_4 = client.get(page_url(consultation, "dieu-4") + "?lang=en").text
    assert f'data-lapsed="{member.id}"' in article_4 and "assign it again" in article_4
    article_3 = client.get(page_url(consultation) + "?lang=en").text  # the article's assignee takes it
    assert f'data-assignee="{stays.id}"' in article_3 and f'data-lapsed="{member.id}"' not in article_3
    assert workload.queue(member) == []
    # Giving it to someone else replaces the lapsed assignment (no second row, no error).
    response = client.post(page_url(consultation, "dieu-4") + "/phan-cong",
                           data={"whole": "1", "assignee": str(stays.id)})
    assert response.status_code == 302
    assert assignments()["a:dieu-4"] == stays.id
    assert f'data-lapsed="{member.id}"' not in client.get(page_url(consultation, "dieu-4")).text


def test_a_reactivated_member_has_the_work_again(client, consultation, team):
    member = make_user("drafter", email="nghi.phep@example.vn")
    comment(consultation, "dieu-4", "Ý kiến ở Điều 4")
    workload.assign(consultation, ["a:dieu-4"], member, team)
    member.active = False
    db.session.commit()
    assert 'data-lapsed' in client.get(page_url(consultation, "dieu-4")).text
    member.active = True
    db.session.commit()
    page = client.get(page_url(consultation, "dieu-4")).text
    assert f'data-user="{member.id}"' in page and "data-lapsed" not in page


def test_unassigning_and_replaying_are_audited_once(client, consultation, team):
    member = make_user("drafter", email="thanh.vien@example.vn")
    url = page_url(consultation) + "/phan-cong"
    for _ in range(2):
        assert client.post(url, data={"whole": "1", "assignee": str(member.id)}).status_code == 302
    again = client.get(page_url(consultation)).text
    assert "Nothing changed: already assigned that way." in again
    assert client.post(url, data={"whole": "1", "assignee": ""}).status_code == 302
    assert assignments() == {}
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("assignment.%"))
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["assignment.assign", "assignment.remove"]


def test_bad_assignments_are_explained_never_500(client, consultation, team):
    opinion = comment(consultation, "dieu-3")
    officer = make_user("officer", email="can.bo@example.vn")
    url = page_url(consultation) + "/phan-cong"
    for value in (str(officer.id), "999999", "abc", "<script>", "x\x00", "9" * 40):
        response = client.post(url, data={"opinion": f"c{opinion.id}", "assignee": value, "reason": "giữ lại"})
        assert response.status_code == 422, value
        assert "Choose a member of the drafting team from the list." in response.text
        assert "giữ lại" in response.text
    nothing = client.post(url, data={"assignee": str(team.id)})
    assert nothing.status_code == 422 and "Select at least one opinion to assign." in nothing.text
    assert client.post(url, data={"opinion": "zz", "assignee": str(team.id)}).status_code == 404
    assert client.post(page_url(consultation, "dieu-99") + "/phan-cong", data={"whole": "1"}).status_code == 404
    assert assignments() == {}


def test_assigning_needs_a_drafting_role_and_a_csrf_token(client, consultation, app):
    opinion = comment(consultation, "dieu-3")
    url = page_url(consultation) + "/phan-cong"
    assert client.post(url, data={"whole": "1"}).status_code == 302  # to the login page
    assert client.get("/quan-tri/xu-ly/cua-toi").status_code == 302
    for role in ("moderator", "officer"):
        user = make_user(role, email=f"{role}@example.vn")
        login(client, user)
        assert client.post(url, data={"whole": "1", "assignee": str(user.id)}).status_code == 403
        assert client.get("/quan-tri/xu-ly/cua-toi").status_code == (200 if role == "moderator" else 403)
        client.post("/dang-xuat")
    login(client, drafter())
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(url, data={"opinion": f"c{opinion.id}", "assignee": ""})
    assert response.status_code == 400 and assignments() == {}


# --- earlier decisions on similar opinions ------------------------------------------------------

def test_similar_earlier_decisions_are_offered_and_reused(client, consultation, team):
    from analysis import results

    earlier = comment(consultation, "dieu-3", "Đề nghị bỏ quy định về mức góp vốn tối thiểu của thành viên.")
    decisions.decide([earlier], "explained", "Mức góp tối thiểu bảo đảm trách nhiệm của thành viên.", team,
                     new_wording="Khoản 2 giữ nguyên.")
    db.session.commit()
    near = comment(consultation, "dieu-4", "Đề nghị bỏ quy định về mức góp vốn tối thiểu của thành viên!!")
    unrelated = comment(consultation, "dieu-4", "Điều 4 cần định nghĩa rõ hơn.")
    page = client.get(page_url(consultation, "dieu-4")).text
    assert f'id="similar-c{near.id}"' in page and f'id="similar-c{unrelated.id}"' not in page
    assert "Mức góp tối thiểu bảo đảm trách nhiệm của thành viên." in page and 'data-why="text"' in page
    decision_id = earlier.decision_id
    reuse = f"{page_url(consultation, 'dieu-4')}?dung-lai={decision_id}&chon=c{near.id}"
    assert f'href="{page_url(consultation, "dieu-4")}?dung-lai={decision_id}&amp;chon=c{near.id}#decide"' in page
    filled = client.get(reuse).text
    assert 'value="explained" id="outcome-explained" checked' in filled
    assert f'value="c{near.id}" id="select-c{near.id}" aria-labelledby="select-label-c{near.id} body-c{near.id}" checked' \
        in filled
    assert ">Khoản 2 giữ nguyên.</textarea>" in filled
    # The team submits the pre-filled form as it is: a new decision with the same answer.
    response = client.post(page_url(consultation, "dieu-4"), data={
        "opinion": f"c{near.id}", "outcome": "explained",
        "reason": "Mức góp tối thiểu bảo đảm trách nhiệm của thành viên.", "new_wording": "Khoản 2 giữ nguyên."})
    assert response.status_code == 302 and near.decision_id is not None
    # A campaign of the text analysis links texts that look nothing alike.
    other = comment(consultation, "dieu-4", "Một cách nói hoàn toàn khác của cùng chiến dịch.")
    results.create_request("consultation", consultation.id, {}, consultation_id=consultation.id, status="done") \
        .result = {"all": {"campaigns": [{"member_ids": [earlier.id, other.id]}]}}
    db.session.commit()
    page = client.get(page_url(consultation, "dieu-4")).text
    assert f'id="similar-c{other.id}"' in page and 'data-why="campaign"' in page
    # Unreadable or foreign decisions to reuse give the empty form, never a 500.
    foreign = make_consultation(slug="khac")
    elsewhere = comment(foreign, "dieu-3")
    decisions.decide([elsewhere], "not_accepted", "Lý do của cuộc khác.", team)
    db.session.commit()
    for value in ("abc", "-1", "9" * 40, "999999", str(elsewhere.decision_id)):
        response = client.get(f"{page_url(consultation, 'dieu-4')}?dung-lai={value}&chon=<b>")
        assert response.status_code == 200 and "Lý do của cuộc khác." not in response.text
        assert 'id="outcome-explained" checked' not in response.text


# --- decisions on open-text survey answers -------------------------------------------------------

def _survey_answers(consultation):
    """A survey of the consultation: an open question pinned to Điều 3, an open question on
    nothing and a choice question pinned to Điều 3; one submitted and one unfinished response."""
    from consult.models import Provision
    from consult.textnorm import normalize_text
    from surveys.models import Answer, Response
    from tests.surveys.factories import make_survey

    article = db.session.scalar(select(Provision).where(Provision.anchor == "dieu-3"))
    survey = make_survey("ks-htx", [[
        {"name": "y_kien", "kind": "long_text", "label": "Ý kiến về Điều 3", "provision": article},
        {"name": "khac", "kind": "long_text", "label": "Ý kiến khác"},
        {"name": "dong_y", "kind": "single_choice", "choices": ["co", "khong"], "provision": article}]],
        consultation=consultation)
    questions = {q.name: q for q in survey.questions}
    made = {}
    for status, text in (("submitted", "Khảo sát: đề nghị nêu rõ điều kiện thành viên."),
                         ("in_progress", "Câu trả lời chưa gửi.")):
        response = Response(survey=survey, status=status, respondent_type="citizen", province_code="01")
        db.session.add(response)
        made[status] = Answer(response=response, question=questions["y_kien"], value_text=text,
                              value_normalized=normalize_text(text))
        db.session.add_all([made[status],
                            Answer(response=response, question=questions["khac"], value_text="Không gắn điều"),
                            Answer(response=response, question=questions["dong_y"], value_text="co")])
    db.session.commit()
    return made["submitted"], made["in_progress"]


def test_open_text_survey_answers_pinned_to_an_article_are_decided_like_comments(client, consultation, team):
    answer, unfinished = _survey_answers(consultation)
    opinion = comment(consultation, "dieu-3", "Ý kiến công dân.")
    found = {o.ref.token for o in decisions.load_opinions(consultation)}
    assert found == {f"c{opinion.id}", f"s{answer.id}"}
    page = client.get(page_url(consultation)).text
    assert "Khảo sát: đề nghị nêu rõ điều kiện thành viên." in page and "Câu trả lời chưa gửi." not in page
    assert "Survey answer" in page and "Ý kiến về Điều 3" in page
    response = client.post(page_url(consultation), data={
        "opinion": f"s{answer.id}", "outcome": "partly_accepted", "reason": "Đã bổ sung một phần.",
        "new_wording": "Điều kiện thành viên được nêu tại khoản 1."})
    assert response.status_code == 302
    db.session.refresh(answer)
    assert answer.decision_id is not None
    counts = decisions.outcome_counts(db.session, consultation.id)
    assert counts["partly_accepted"] == 1 and counts["undecided"] == 1
    summary = client.get(f"/quan-tri/xu-ly/{consultation.slug}").text
    assert 'id="row-dieu-3" data-opinions="2" data-decided="1" data-undecided="1"' in summary
    report = synthesis.build_report(consultation)
    row = next(r for r in report.rows if "Khảo sát: đề nghị" in r.content)
    assert row.outcome == "partly_accepted" and row.new_wording.startswith("Điều kiện thành viên")
    answers.publish(consultation, team)
    db.session.commit()
    public = client.get(f"/du-thao/{consultation.slug}/tiep-thu-giai-trinh").text
    assert "Khảo sát: đề nghị nêu rõ điều kiện thành viên." in public and "Đã bổ sung một phần." in public
    assert "Câu trả lời chưa gửi." not in public
    # An unfinished response's answer cannot be decided, even by naming it.
    with pytest.raises(decisions.InvalidDecision):
        decisions.decide([unfinished], "accepted", "", team)
    assert client.post(page_url(consultation), data={"opinion": f"s{unfinished.id}", "outcome": "accepted"}) \
        .status_code == 422
    # Removing the decision deletes it: no decision is left without an opinion.
    client.post(page_url(consultation), data={"opinion": f"s{answer.id}", "action": "undecide"})
    db.session.refresh(answer)
    assert answer.decision_id is None and db.session.scalar(select(func.count(Decision.id))) == 0


def test_the_survey_receipt_shows_the_answer_once_published_and_the_report_counts_survey_answers(
        client, consultation, team):
    """A respondent's receipt says what became of their open-text answer on an article (outcome,
    reason, new wording, article in force) once the answers are published, never before; the
    synthesis report counts survey answers among the opinions received, an invited body's under
    its audience."""
    import hashlib

    from surveys.models import Answer, Invitation, Response

    answer, _unfinished = _survey_answers(consultation)
    response = answer.response
    response.receipt_code = "KS-TEST-0001"
    db.session.commit()
    with client.session_transaction() as session:
        session["survey_responses"] = {str(response.survey_id): {"id": response.id, "code": None}}
    receipt_url = f"/khao-sat/{response.survey.slug}/bien-nhan"
    decisions.decide([answer], "accepted", "Đã nêu rõ điều kiện.", team, new_wording="Điều 3 (mới). Thành viên")
    db.session.commit()
    before = client.get(receipt_url)
    assert before.status_code == 200 and "KS-TEST-0001" in before.text
    assert "Đã nêu rõ điều kiện." not in before.text and "own-answer" not in before.text

    answers.publish(consultation, team)
    db.session.commit()
    page = client.get(receipt_url).text
    assert f'id="own-answer-s{answer.id}"' in page and 'data-outcome="accepted"' in page
    assert "Đã nêu rõ điều kiện." in page and "Điều 3 (mới). Thành viên" in page
    assert "Ý kiến về Điều 3" in page and "Khảo sát: đề nghị nêu rõ điều kiện thành viên." in page
    found = client.get("/bien-nhan/KS-TEST-0001").text  # the same receipt found by its code
    assert f'id="own-answer-s{answer.id}"' in found and "Đã nêu rõ điều kiện." in found
    # Neither the answer on no article nor the choice is an opinion on the draft.
    assert "Không gắn điều" not in page and f"/du-thao/{consultation.slug}/tiep-thu-giai-trinh" in page
    own = answers.own_survey_answers(response)
    assert [o.answer_id for o in own] == [answer.id] and own[0].provision.anchor == "dieu-3"
    # The comment receipt quotes the new wording too.
    citizen = comment(consultation, "dieu-3", "Ý kiến công dân có biên nhận.")
    from consult.comments import new_receipt_code

    citizen.contribution.receipt_code = new_receipt_code()
    decisions.decide([citizen], "partly_accepted", "Một phần.", team, new_wording="Khoản 1 mới của Điều 3.")
    db.session.commit()
    receipt = client.get(f"/bien-nhan/{citizen.contribution.receipt_code}").text
    assert "Khoản 1 mới của Điều 3." in receipt and 'class="new-wording"' in receipt

    # The report: one citizen's survey answer and one invited province's, both received.
    province = organisation("HN", kind="province", name="UBND thành phố Hà Nội")
    invitation = Invitation(survey=response.survey, organisation=province,
                            token_hash=hashlib.sha256(b"t").hexdigest(), status="submitted")
    invited = Response(survey=response.survey, status="submitted", invitation=invitation,
                       respondent_type="organisation", province_code="01")
    question = answer.question
    db.session.add_all([invitation, invited, Answer(response=invited, question=question,
                                                     value_text="Tỉnh đề nghị giữ Điều 3.")])
    db.session.commit()
    report = synthesis.build_report(consultation)
    assert report.surveyed == 2 and report.received["provinces"] == 1
    assert report.received["citizens"] == 2  # the comment and the citizen's survey answer
    assert report.total == 3
    lines = synthesis.summary_lines(report)
    assert any("survey questions" in line and "2" in line for line in lines)
    from docx import Document

    word = Document(io.BytesIO(synthesis_docx.to_docx(report)))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "answers to survey questions on the draft's articles: 2." in text


# --- the Word report prepared outside the request ------------------------------------------------

@pytest.fixture()
def exports_dir(app, tmp_path):
    app.config.update(EXPORT_DIR=str(tmp_path / "exports"), REDIS_URL=None)
    return tmp_path / "exports"


def test_the_word_report_is_prepared_in_the_background_then_downloaded(client, consultation, team,
                                                                       exports_dir, monkeypatch):
    from docx import Document

    from analysis import export_jobs

    for number in range(3):
        comment(consultation, "dieu-3", f"Ý kiến số {number} về Điều 3.")
    url = f"/quan-tri/xu-ly/{consultation.slug}/bao-cao"
    assert 'id="report-docx" href="' + url + '"' in client.get(f"/quan-tri/xu-ly/{consultation.slug}").text
    # Small: built at once, the page offers the download.
    response = client.post(url)
    assert response.status_code == 302
    page = client.get(url).text
    assert 'data-export-status="done"' in page and '<meta http-equiv="refresh"' not in page
    [row] = export_jobs.recent("synthesis", consultation.id)
    download = client.get(f"/quan-tri/so-lieu/xuat/{row.id}")
    assert download.status_code == 200 and "wordprocessingml" in download.mimetype
    assert row.download_name in download.headers["Content-Disposition"]
    text = "\n".join(cell.text for table in Document(io.BytesIO(download.data)).tables
                     for r in table.rows for cell in r.cells)
    assert "Ý kiến số 2 về Điều 3." in text and "Chưa xử lý" in text  # in Vietnamese, like the direct one
    # Large: built in a thread; the page reloads while it runs.
    monkeypatch.setattr(export_jobs, "SYNTHESIS_INPROCESS_LIMIT", 0)
    started = threading_event_block(monkeypatch)
    assert client.post(url).status_code == 302
    waiting = client.get(url).text
    assert '<meta http-equiv="refresh"' in waiting and 'id="report-progress"' in waiting
    started.set()
    export_jobs.wait_for_background(30)
    page = client.get(url).text
    assert page.count('data-export-status="done"') == 2 and '<meta http-equiv="refresh"' not in page


def threading_event_block(monkeypatch):
    """Hold the background build until the returned event is set, so the test sees it running."""
    import threading

    from analysis import export_jobs

    gate = threading.Event()
    original = export_jobs._write_synthesis

    def held(row, path):
        gate.wait(30)
        return original(row, path)

    monkeypatch.setattr(export_jobs, "_write_synthesis", held)
    return gate


def test_preparing_the_report_needs_a_drafting_role_and_a_csrf_token(client, consultation, app, exports_dir):
    from analysis import export_jobs

    url = f"/quan-tri/xu-ly/{consultation.slug}/bao-cao"
    assert client.post(url).status_code == 302 and export_jobs.recent("synthesis", consultation.id) == []
    login(client, make_user("moderator", email="kiem.duyet@example.vn"))
    assert client.get(url).status_code == 403 and client.post(url).status_code == 403
    client.post("/dang-xuat")
    login(client, drafter())
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(url).status_code == 400
    assert export_jobs.recent("synthesis", consultation.id) == []
    assert client.get("/quan-tri/xu-ly/khong-co/bao-cao").status_code == 404
