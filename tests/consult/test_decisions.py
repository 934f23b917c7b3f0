"""Decisions on opinions: which opinions count, grouping identical ones, replacing and removing
decisions, and the pages the drafting team decides on (bad input, roles, replays, unknown ids)."""
from __future__ import annotations

import re
import unicodedata

import pytest
from sqlalchemy import func, select

from analysis.overview import decision_counts
from consult import decisions, drafts
from consult.decisions import InvalidDecision, OpinionRef
from consult.extensions import db
from consult.models import AuditEvent, Comment, Decision, Provision
from consult.submissions.models import SubmissionOpinion
from tests.consult.decision_factories import comment, drafter, letter, organisation
from tests.factories import SMALL_LAW, login, make_consultation, make_user

CAMPAIGN = "Đề nghị bỏ mức trần 30% khi chia thu nhập theo vốn góp."


def decision_count() -> int:
    return db.session.scalar(select(func.count(Decision.id)))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("decision.%"))
                                   .order_by(AuditEvent.id)))


@pytest.fixture()
def consultation(app):
    return make_consultation()


# --- which opinions count ---------------------------------------------------------------------

def test_only_published_comments_and_letters_in_force_are_decided(consultation):
    published = comment(consultation, "dieu-3")
    for status in ("draft", "pending", "rejected", "hidden"):
        comment(consultation, "dieu-3", f"Ý kiến {status}", status=status)
    in_force = letter(consultation, organisation("BTC"), [("dieu-3", "Ý kiến trong văn bản")])
    letter(consultation, organisation("BTP"), [("dieu-3", "Văn bản cũ")], status="superseded")
    letter(consultation, organisation("BCT"), [("dieu-3", "Văn bản đang soạn")], status="draft")
    letter(consultation, organisation("UBND-31", "province"), no_comment=True)

    found = {opinion.ref for opinion in decisions.load_opinions(consultation)}
    assert found == {OpinionRef("comment", published.id), OpinionRef("letter", in_force.opinions[0].id)}
    assert decisions.outcome_counts(db.session, consultation.id) == {
        "accepted": 0, "partly_accepted": 0, "explained": 0, "not_accepted": 0, "undecided": 2}
    pending = db.session.scalar(select(Comment).where(Comment.status == "pending"))
    with pytest.raises(InvalidDecision) as error:
        decisions.decide([pending], "accepted", "", None)
    assert error.value.code == "not_decidable"


def test_opinions_come_general_first_then_in_draft_order_with_their_clauses(consultation):
    on_four = comment(consultation, "dieu-4", "Về Điều 4")
    on_point = comment(consultation, "dieu-3-khoan-2-diem-a", "Về điểm a")
    general = comment(consultation, None, "Về toàn bộ dự thảo")
    on_article = comment(consultation, "dieu-3", "Về Điều 3")
    body = letter(consultation, organisation("BTC"), [("dieu-3-khoan-1", "BTC về khoản 1")])

    groups = decisions.opinions_by_article(consultation)
    assert [group.anchor for group in groups] == [None, "dieu-3", "dieu-4"]
    assert [o.ref for o in groups[0].opinions] == [OpinionRef("comment", general.id)]
    assert [o.ref for o in groups[1].opinions] == [
        OpinionRef("comment", on_article.id), OpinionRef("letter", body.opinions[0].id),
        OpinionRef("comment", on_point.id)]
    assert groups[1].article.title == "Điều kiện trở thành thành viên"
    assert [o.ref.id for o in groups[2].opinions] == [on_four.id]


def test_an_opinion_on_an_older_version_counts_for_the_same_article_now(consultation):
    old_clause = db.session.scalar(select(Provision).where(Provision.anchor == "dieu-3-khoan-1"))
    old_four = db.session.scalar(select(Provision).where(Provision.anchor == "dieu-4"))
    version = drafts.create_version(consultation.draft, SMALL_LAW.split("Điều 4.")[0], "v2.txt")
    drafts.publish_version(version)
    db.session.commit()
    earlier = comment(consultation, "dieu-3", "Viết trên phiên bản 1")
    earlier.provision_id = old_clause.id
    gone = comment(consultation, "dieu-3", "Về Điều 4 đã bỏ")
    gone.provision_id = old_four.id
    db.session.commit()
    now = comment(consultation, "dieu-3-khoan-1", "Viết trên phiên bản 2")

    groups = decisions.opinions_by_article(consultation)
    # Điều 4 is only in version 1: its opinion keeps a key of its own and says it was removed
    assert [group.anchor for group in groups] == ["dieu-3", "v1-dieu-4"]
    assert groups[0].article.version_id == version.id and groups[0].removed_in is None
    assert groups[1].removed_in == 2 and groups[1].opinions[0].carried == "removed"
    assert {o.ref.id for o in groups[0].opinions} == {earlier.id, now.id}
    progress = {row.anchor: row.opinions for row in decisions.article_progress(consultation)}
    assert progress == {None: 0, "dieu-1": 0, "dieu-2": 0, "dieu-3": 2, "v1-dieu-4": 1}


def test_identical_texts_are_grouped_by_their_normalised_form(consultation):
    first = comment(consultation, "dieu-3", CAMPAIGN)
    nfd = comment(consultation, "dieu-3-khoan-1", unicodedata.normalize("NFD", CAMPAIGN))
    other = comment(consultation, "dieu-3", "Một ý kiến khác.")
    same = comment(consultation, "dieu-3", CAMPAIGN)
    scope = decisions.article_opinions(consultation, "dieu-3")
    groups = scope.groups()
    assert [[o.ref.id for o in group.opinions] for group in groups] == [
        [first.id, same.id, nfd.id], [other.id]]
    assert groups[0].tokens.split() == [f"c{first.id}", f"c{same.id}", f"c{nfd.id}"]


# --- deciding -----------------------------------------------------------------------------------

def test_deciding_replaces_earlier_decisions_and_deletes_orphans(consultation):
    team = drafter()
    a, b, c = (comment(consultation, "dieu-3", CAMPAIGN) for _ in range(3))
    first, changed = decisions.decide([a, b], "accepted", "", team)
    assert changed and first.outcome == "accepted" and first.reason == ""
    second, _ = decisions.decide([c], "explained", "Giữ như dự thảo.", team)
    db.session.commit()

    third, changed = decisions.decide([b, c], "not_accepted", "  Không phù hợp.  ", team)
    db.session.commit()
    assert changed and third.reason == "Không phù hợp."
    assert db.session.get(Decision, second.id) is None  # c was its only opinion
    assert db.session.get(Decision, first.id) is not None  # still answers a
    assert [x.decision_id for x in (a, b, c)] == [first.id, third.id, third.id]
    assert decisions.outcome_counts(db.session, consultation.id)["not_accepted"] == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == third.id,
                                                       AuditEvent.action == "decision.decide"))
    assert event.actor_id == team.id and event.detail["replaced"] == sorted([first.id, second.id])
    assert event.detail["deleted"] == [second.id] and event.detail["opinions"] == [f"c{b.id}", f"c{c.id}"]


def test_one_decision_covers_comments_and_letter_opinions(consultation):
    citizen = comment(consultation, "dieu-3", CAMPAIGN)
    body = letter(consultation, organisation("BTC"), [("dieu-3-khoan-1", CAMPAIGN)])
    decision, _ = decisions.decide([citizen, body.opinions[0]], "partly_accepted", "Sửa khoản 1.", None)
    db.session.commit()
    assert db.session.get(SubmissionOpinion, body.opinions[0].id).decision_id == decision.id
    assert decision_counts(db.session, consultation.id) == {
        "accepted": 0, "partly_accepted": 2, "explained": 0, "not_accepted": 0, "undecided": 0}


def test_the_same_answer_again_changes_nothing_and_an_edit_keeps_the_decision(consultation):
    a, b = comment(consultation, "dieu-3"), comment(consultation, "dieu-3")
    decision, _ = decisions.decide([a, b], "explained", "Vì lý do A.", None)
    db.session.commit()
    again, changed = decisions.decide([b, a], "explained", "Vì lý do A.", None)
    assert (again.id, changed) == (decision.id, False)
    edited, changed = decisions.decide([a, b], "accepted", "Đã sửa.", None)
    db.session.commit()
    assert (edited.id, changed, edited.outcome) == (decision.id, True, "accepted")
    assert decision_count() == 1 and audit_actions() == ["decision.decide", "decision.edit"]


def test_undecide_removes_the_decision_and_its_orphan(consultation):
    a, b = comment(consultation, "dieu-3"), comment(consultation, "dieu-3")
    decision, _ = decisions.decide([a, b], "accepted", "", None)
    db.session.commit()
    assert decisions.undecide([a], None) == 1
    db.session.commit()
    assert db.session.get(Decision, decision.id) is not None
    assert decisions.undecide([a, b], None) == 1  # a had none left
    db.session.commit()
    assert decision_count() == 0 and a.decision_id is None and b.decision_id is None
    assert audit_actions() == ["decision.decide", "decision.undecide", "decision.undecide"]


@pytest.mark.parametrize("outcome, reason, code", [
    ("accepted", "", None),
    ("partly_accepted", "   ", "reason_required"),
    ("explained", "", "reason_required"),
    ("not_accepted", None, "reason_required"),
    ("rejected", "Lý do", "unknown_outcome"),
    ("", "Lý do", "unknown_outcome"),
    ("explained", "x" * 5001, "reason_too_long"),
    ("explained", "ý" * 5000, None),
    ("explained", "Lý do\x00 có ký tự điều khiển\u200b", None),
])
def test_bad_decisions_are_refused_with_a_reason(consultation, outcome, reason, code):
    opinion = comment(consultation, "dieu-3")
    if code is None:
        decision, changed = decisions.decide([opinion], outcome, reason, None)
        db.session.commit()  # PostgreSQL refuses NUL: the reason is cleaned first
        assert changed and "\x00" not in decision.reason and "\u200b" not in decision.reason
        return
    with pytest.raises(InvalidDecision) as error:
        decisions.decide([opinion], outcome, reason, None)
    assert error.value.code == code and decision_count() == 0


def test_nothing_selected_and_mixed_consultations_are_refused(consultation):
    with pytest.raises(InvalidDecision) as error:
        decisions.decide([], "accepted", "", None)
    assert error.value.code == "nothing_selected"
    other = make_consultation("luat-khac")
    with pytest.raises(InvalidDecision) as error:
        decisions.decide([comment(consultation, "dieu-3"), comment(other, None)], "accepted", "", None)
    assert error.value.code == "mixed_consultations"


def test_article_progress_counts_in_draft_order(consultation):
    a = comment(consultation, "dieu-3-khoan-1")
    comment(consultation, "dieu-3")
    comment(consultation, None)
    decisions.decide([a], "accepted", "", None)
    db.session.commit()
    rows = [(row.anchor, row.opinions, row.decided, row.undecided) for row in decisions.article_progress(consultation)]
    assert rows == [(None, 1, 0, 1), ("dieu-1", 0, 0, 0), ("dieu-2", 0, 0, 0), ("dieu-3", 2, 1, 1),
                    ("dieu-4", 0, 0, 0)]
    progress = decisions.progress(consultation)
    assert (progress.total, progress.decided, progress.undecided) == (3, 1, 2)


# --- pages ----------------------------------------------------------------------------------------

@pytest.fixture()
def team(client, consultation):
    user = drafter()
    login(client, user)
    client.get("/?lang=en")
    return user


def page_url(consultation, anchor: str = "dieu-3") -> str:
    return f"/quan-tri/xu-ly/{consultation.slug}/{anchor}"


def test_pages_need_a_drafting_role(client, consultation):
    opinion = comment(consultation, "dieu-3")
    urls = ["/quan-tri/xu-ly/", f"/quan-tri/xu-ly/{consultation.slug}", page_url(consultation),
            f"/quan-tri/xu-ly/{consultation.slug}/bao-cao.docx"]
    assert client.get(urls[0]).status_code == 302  # to the login page
    for role in ("moderator", "officer"):
        login(client, make_user(role, email=f"{role}@example.vn"))
        for url in urls:
            assert client.get(url).status_code == 403, url
        response = client.post(page_url(consultation), data={"opinion": f"c{opinion.id}", "outcome": "accepted"})
        assert response.status_code == 403
        client.post("/dang-xuat")
    assert decision_count() == 0


def test_unknown_pages_are_404_and_opinions_gone_since_are_explained(client, consultation, team):
    opinion = comment(consultation, "dieu-3")
    elsewhere = comment(consultation, "dieu-4")
    hidden = comment(consultation, "dieu-3", status="hidden")
    assert client.get("/quan-tri/xu-ly/khong-co").status_code == 404
    assert client.get(page_url(consultation, "dieu-99")).status_code == 404
    assert client.get(page_url(consultation, "chung")).status_code == 200
    for value in (f"x{opinion.id}", "c", "c1x", "c" + "9" * 40):
        response = client.post(page_url(consultation), data={"opinion": value, "outcome": "accepted"})
        assert response.status_code == 404, value
    # Well-formed, but not an opinion of this page that can be decided (gone, on another article,
    # hidden since the page was loaded): the page comes back with a message and the form as typed.
    for value in ("c999999", f"c{elsewhere.id}", f"c{hidden.id}", f"c{opinion.id} c999999"):
        response = client.post(page_url(consultation) + "?lang=en",
                               data={"opinion": value, "outcome": "explained", "reason": "Lý do đã gõ"})
        assert response.status_code == 422, value
        page = response.get_data(as_text=True)
        assert "can no longer be decided" in page and "Lý do đã gõ" in page
    assert decision_count() == 0


def test_the_article_page_shows_sources_escaped_text_and_no_citizen_name(client, consultation, team):
    named = comment(consultation, "dieu-3-khoan-1", "<script>alert(1)</script> Đề nghị sửa.",
                    province_code="48")
    named.contribution.name, named.contribution.contact = "Nguyễn Văn Bí Mật", "bimat@example.vn"
    db.session.commit()
    letter(consultation, organisation("BTC", name="Bộ Tài chính"), [("dieu-3", "Ý kiến của Bộ.")],
           number="123/BTC-PC")
    for _ in range(3):
        comment(consultation, "dieu-3", CAMPAIGN)
    page = client.get(page_url(consultation)).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "Nguyễn Văn Bí Mật" not in page and "bimat@example.vn" not in page
    assert "Đà Nẵng" in page and "Citizen" in page and "Clause 1 Article 3" in page
    assert "Bộ Tài chính" in page and "123/BTC-PC" in page
    assert page.count(CAMPAIGN) == 1 and "× 3" in page
    assert 'data-opinions="5" data-decided="0" data-undecided="5"' in page


def test_deciding_a_group_through_the_page(client, consultation, team):
    group = [comment(consultation, "dieu-3", CAMPAIGN) for _ in range(3)]
    single = comment(consultation, "dieu-3", "Một ý kiến khác.")
    tokens = " ".join(f"c{c.id}" for c in group)
    response = client.post(page_url(consultation), data={
        "opinion": tokens, "outcome": "explained", "reason": "Giữ mức trần để bảo đảm bản chất HTX."})
    assert response.status_code == 302 and response.headers["Location"].endswith(page_url(consultation))
    assert {c.decision_id for c in group} != {None} and len({c.decision_id for c in group}) == 1
    assert single.decision_id is None
    page = client.get(response.headers["Location"]).text
    assert "Explained: recorded for 3 opinions." in page and "Giữ mức trần để bảo đảm bản chất HTX." in page
    assert 'data-decided="3" data-undecided="1"' in page
    undecided = client.get(page_url(consultation) + "?undecided=1").text
    assert CAMPAIGN not in undecided and "Một ý kiến khác." in undecided
    summary = client.get(f"/quan-tri/xu-ly/{consultation.slug}").text
    assert 'id="row-dieu-3" data-opinions="4" data-decided="3" data-undecided="1"' in summary


def test_a_replayed_form_changes_nothing(client, consultation, team):
    opinion = comment(consultation, "dieu-3")
    form = {"opinion": f"c{opinion.id}", "outcome": "accepted", "reason": "Đã sửa tại khoản 2 Điều 3."}
    assert client.post(page_url(consultation), data=form).status_code == 302
    replay = client.post(page_url(consultation), data=form, follow_redirects=True)
    assert replay.status_code == 200 and "already recorded; nothing changed" in replay.text
    assert decision_count() == 1 and audit_actions() == ["decision.decide"]


def assert_kept(response, reason: str, checked_value: str, message: str):
    assert response.status_code == 422
    assert message in response.text
    textarea = re.search(r'<textarea id="reason"[^>]*>(.*?)</textarea>', response.text, re.S).group(1)
    assert textarea == reason.replace("<", "&lt;").replace(">", "&gt;")
    if checked_value:
        assert f'value="{checked_value}" id="select-{checked_value.split()[0]}"' in response.text
        tag = re.search(rf'<input type="checkbox" name="opinion" value="{checked_value}"[^>]*>', response.text)
        assert tag and " checked" in tag.group(0)
    assert decision_count() == 0


def test_bad_input_keeps_what_was_typed(client, consultation, team):
    opinions = [comment(consultation, "dieu-3", CAMPAIGN) for _ in range(2)]
    tokens = " ".join(f"c{o.id}" for o in opinions)
    url = page_url(consultation)
    assert_kept(client.post(url, data={"outcome": "explained", "reason": "Lý do <b>đậm</b>"}),
                "Lý do <b>đậm</b>", "", "Select at least one opinion.")
    assert_kept(client.post(url, data={"opinion": tokens, "outcome": "explained", "reason": " "}),
                " ", tokens, "Give the reason: it is required for every decision except accepted.")
    too_long = "Dài quá. " * 600
    assert_kept(client.post(url, data={"opinion": tokens, "outcome": "not_accepted", "reason": too_long}),
                too_long, tokens, "The reason may be at most 5,000 characters long.")
    assert_kept(client.post(url, data={"opinion": tokens, "reason": "Có lý do"}),
                "Có lý do", tokens, "Choose a decision")
    assert_kept(client.post(url, data={"opinion": tokens, "outcome": "<b>x</b>", "reason": "Có lý do"}),
                "Có lý do", tokens, "Choose a decision")
    kept_outcome = client.post(url, data={"opinion": tokens, "outcome": "explained", "reason": ""})
    assert 'value="explained" id="outcome-explained" checked' in kept_outcome.text


def test_removing_a_decision_through_the_page(client, consultation, team):
    opinion = comment(consultation, "dieu-3")
    decisions.decide([opinion], "accepted", "", team)
    db.session.commit()
    response = client.post(page_url(consultation), data={"opinion": f"c{opinion.id}", "action": "undecide"},
                           follow_redirects=True)
    assert "Decision removed from 1 opinion." in response.text
    assert opinion.decision_id is None and decision_count() == 0
    again = client.post(page_url(consultation), data={"opinion": f"c{opinion.id}", "action": "undecide"},
                        follow_redirects=True)
    assert "had no decision; nothing changed" in again.text


def test_a_form_without_its_csrf_token_is_refused(client, consultation, team, app):
    opinion = comment(consultation, "dieu-3")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(page_url(consultation), data={"opinion": f"c{opinion.id}", "outcome": "accepted"})
    assert response.status_code == 400 and decision_count() == 0


def test_the_overview_counts_decisions_and_links_to_them(client, consultation, team):
    a = comment(consultation, "dieu-3")
    comment(consultation, "dieu-3")
    decisions.decide([a], "not_accepted", "Không phù hợp.", team)
    db.session.commit()
    page = client.get(f"/quan-tri/so-lieu/tham-van/{consultation.id}").text
    assert '<tr data-outcome="not_accepted"><td>Not accepted</td><td class="num">1</td></tr>' in page
    assert '<tr data-outcome="undecided"><td>Undecided</td><td class="num">1</td></tr>' in page
    assert f'href="/quan-tri/xu-ly/{consultation.slug}"' in page
