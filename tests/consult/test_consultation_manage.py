"""A drafting team creates, edits and runs a consultation from its pages and the CLI:
every check's message with the input kept, roles, the audited lifecycle shown to the public,
the state following the clock."""
from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from consult import consultations as service
from consult import drafts
from consult.extensions import db
from consult.models import AuditEvent, Consultation, ConsultationEvent, Organisation, User
from tests.consult.decision_factories import organisation
from tests.factories import SMALL_LAW, login, make_user

NEW = "/quan-tri/tham-van/moi"
#: SMALL_LAW with Điều 3 missing: the parse report warns of a numbering gap.
GAPPED_LAW = SMALL_LAW.replace("Điều 3. Điều kiện trở thành thành viên", "Điều 5. Điều kiện trở thành thành viên")


def form(agency: Organisation, **changes) -> dict:
    data = {"title": "Dự thảo Nghị định về quản lý hợp tác xã", "document_kind": "decree",
            "agency_id": str(agency.id), "summary": "Tóm tắt nội dung dự thảo.",
            "opens_on": "2027-03-01", "opens_time": "08:00", "closes_on": "2027-04-30",
            "closes_time": "17:00", "audiences": ["citizens", "bodies"], "slug": ""}
    data.update(changes)
    return data


def agency_btp() -> Organisation:
    return organisation("BTP", name="Bộ Tư pháp")


@pytest.fixture()
def drafter(client):
    user = make_user("drafter")
    login(client, user)
    return user


def only_consultation() -> Consultation:
    return db.session.scalars(select(Consultation)).one()


def audit_actions() -> list[str]:
    return [event.action for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


# --- creating -----------------------------------------------------------------------------

def test_drafter_creates_a_consultation_in_vietnam_time_with_an_empty_draft(client, drafter):
    agency = agency_btp()
    response = client.post(NEW, data=form(agency))
    assert response.status_code == 302
    consultation = only_consultation()
    assert consultation.slug == "du-thao-nghi-dinh-ve-quan-ly-hop-tac-xa"
    assert consultation.opens_at == datetime(2027, 3, 1, 1, 0)  # 08:00 in Hà Nội is 01:00 UTC
    assert consultation.closes_at == datetime(2027, 4, 30, 10, 0)
    assert (consultation.document_kind, consultation.agency_id, consultation.agency) == ("decree", agency.id, "Bộ Tư pháp")
    assert consultation.audiences == ["citizens", "bodies"]
    assert consultation.state() == "hidden" and consultation.draft.title == consultation.title
    assert "consultation.create" in audit_actions()
    page = client.get(response.headers["Location"])
    assert f"/quan-tri/du-thao/{consultation.draft.id}/nhap" in page.text  # import the text from here
    assert "Chưa công bố" in page.text
    assert client.get("/quan-tri/tham-van/").text.count(consultation.title) == 1
    assert client.get(f"/du-thao/{consultation.slug}").status_code == 404  # not visible yet


def test_a_drafter_of_an_agency_creates_for_their_own_agency_whatever_is_posted(client):
    own, other = agency_btp(), organisation("BTC", name="Bộ Tài chính")
    user = make_user("moderator")
    user.organisation_id = own.id
    db.session.commit()
    login(client, user)
    page = client.get(NEW)
    assert "Bộ Tư pháp" in page.text and "Bộ Tài chính" not in page.text
    assert client.post(NEW, data=form(other)).status_code == 302
    assert only_consultation().agency_id == own.id


@pytest.mark.parametrize("changes, message, kept", [
    ({"closes_on": "2027-02-01"}, "Thời điểm kết thúc phải sau thời điểm bắt đầu", "2027-02-01"),
    ({"opens_on": "ngày mai"}, "Vui lòng nhập ngày và giờ bắt đầu", "ngày mai"),
    ({"closes_time": "25:00"}, "Vui lòng nhập ngày và giờ kết thúc", "25:00"),
    ({"title": "   "}, "Vui lòng nhập tiêu đề", "Tóm tắt nội dung dự thảo."),
    ({"title": "Nghị định " * 100}, "Tiêu đề dài tối đa 500 ký tự", "Nghị định Nghị định"),
    ({"document_kind": "treaty"}, "Vui lòng chọn loại văn bản", "Tóm tắt nội dung dự thảo."),
    ({"agency_id": "999999999999999"}, "Vui lòng chọn cơ quan chủ trì", "Tóm tắt nội dung dự thảo."),
    ({"agency_id": "²"}, "Vui lòng chọn cơ quan chủ trì", "Tóm tắt nội dung dự thảo."),  # "²".isdigit()
    ({"audiences": []}, "Vui lòng chọn đối tượng lấy ý kiến", "Tóm tắt nội dung dự thảo."),
    ({"slug": "Dự thảo có dấu"}, "Địa chỉ chỉ gồm chữ thường không dấu", "Dự thảo có dấu"),
    ({"summary": "x" * 10_001}, "Phần tóm tắt dài tối đa", "Dự thảo Nghị định về quản lý hợp tác xã"),
])
def test_each_check_says_why_in_vietnamese_and_keeps_the_input(client, drafter, changes, message, kept):
    response = client.post(NEW, data=form(agency_btp(), **changes))
    assert response.status_code == 422
    assert message in response.text
    assert kept in response.text
    assert db.session.scalars(select(Consultation)).first() is None


def test_a_slug_already_used_is_refused_with_a_free_one_suggested(client, drafter):
    agency = agency_btp()
    client.post(NEW, data=form(agency, slug="nghi-dinh-htx"))
    again = client.post(NEW, data=form(agency, slug="nghi-dinh-htx", title="Một dự thảo khác"))
    assert again.status_code == 422
    assert "Địa chỉ nghi-dinh-htx đã được dùng" in again.text and "nghi-dinh-htx-2" in again.text
    assert "Một dự thảo khác" in again.text


def test_a_slug_taken_by_a_simultaneous_request_gets_the_same_message_not_a_500(client, drafter, monkeypatch):
    agency = agency_btp()
    client.post(NEW, data=form(agency, slug="nghi-dinh-htx"))
    monkeypatch.setattr(service, "slug_taken", lambda slug, consultation_id=None: False)  # both checked first
    again = client.post(NEW, data=form(agency, slug="nghi-dinh-htx", title="Một dự thảo khác"))
    assert again.status_code == 422
    assert "Địa chỉ nghi-dinh-htx đã được dùng" in again.text and "Một dự thảo khác" in again.text
    assert len(db.session.scalars(select(Consultation)).all()) == 1


def test_a_period_shorter_than_the_agency_minimum_is_kept_only_with_a_recorded_reason(client, drafter):
    agency = agency_btp()
    agency.min_consultation_days = 60
    db.session.commit()
    short = form(agency, closes_on="2027-03-20")
    refused = client.post(NEW, data=short)
    assert refused.status_code == 422
    assert "ngắn hơn mức tối thiểu 60 ngày của Bộ Tư pháp" in refused.text and "2027-03-20" in refused.text
    kept = client.post(NEW, data=dict(short, short_period_reason="Văn bản cần ban hành gấp theo Nghị quyết 01"))
    assert kept.status_code == 302
    created = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consultation.create"))
    assert created.detail["short_period_reason"] == "Văn bản cần ban hành gấp theo Nghị quyết 01"
    assert "Ngắn hơn thời gian tối thiểu" in client.get(kept.headers["Location"]).text


def test_the_platform_minimum_comes_from_the_setting(app, client, drafter):
    app.config["MIN_CONSULTATION_DAYS"] = 10
    assert client.post(NEW, data=form(agency_btp(), closes_on="2027-03-15")).status_code == 302


def test_nul_html_and_nfd_input_is_stored_clean_and_shown_escaped(client, drafter):
    nfd_title = unicodedata.normalize("NFD", "Dự thảo Thông tư <script>alert(1)</script>\x00 về phí")
    response = client.post(NEW, data=form(agency_btp(), title=nfd_title, document_kind="circular"))
    assert response.status_code == 302
    consultation = only_consultation()
    assert "\x00" not in consultation.title
    assert consultation.slug.startswith("du-thao-thong-tu-script-alert-1-script-ve-phi")
    page = client.get(response.headers["Location"])
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text


# --- roles and forms ------------------------------------------------------------------------

def test_anonymous_is_sent_to_login_and_an_officer_is_refused(client):
    agency = agency_btp()
    assert client.get(NEW).status_code == 302
    assert "/dang-nhap" in client.post(NEW, data=form(agency)).headers["Location"]
    officer = make_user("officer")
    login(client, officer)
    assert client.get("/quan-tri/tham-van/").status_code == 403
    assert client.post(NEW, data=form(agency)).status_code == 403
    assert db.session.scalars(select(Consultation)).first() is None


def test_a_form_without_its_csrf_token_changes_nothing_and_keeps_the_input(app, client, drafter):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(NEW, data=form(agency_btp()))
    assert response.status_code == 400
    assert "Dự thảo Nghị định về quản lý hợp tác xã" in response.text  # shown to be copied
    assert db.session.scalars(select(Consultation)).first() is None


def test_an_unknown_consultation_is_404(client, drafter):
    assert client.get("/quan-tri/tham-van/424242").status_code == 404
    assert client.post("/quan-tri/tham-van/424242/gia-han", data={"reason": "x"}).status_code == 404


# --- editing --------------------------------------------------------------------------------

def test_edit_changes_the_particulars_and_audits_what_changed(client, drafter):
    client.post(NEW, data=form(agency_btp()))
    consultation = only_consultation()
    page = client.get(f"/quan-tri/tham-van/{consultation.id}/sua")
    assert 'value="2027-03-01"' in page.text and 'value="17:00"' in page.text
    response = client.post(f"/quan-tri/tham-van/{consultation.id}/sua",
                           data=form(agency_btp(), title="Dự thảo Nghị định (lần 2)", slug=consultation.slug,
                                     audiences=["citizens"]))
    assert response.status_code == 302
    db.session.expire_all()
    assert consultation.title == "Dự thảo Nghị định (lần 2)" and consultation.draft.title == consultation.title
    assert consultation.audiences == ["citizens"]
    edit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consultation.edit"))
    assert edit.detail["changed"]["title"][1] == "Dự thảo Nghị định (lần 2)"


def published_consultation(actor: User | None = None, opens_in: timedelta = -timedelta(days=1),
                           text: str = SMALL_LAW) -> Consultation:
    now = service.utcnow()
    consultation = service.create(service.ConsultationFields(
        title="Dự thảo Nghị định về hợp tác xã", document_kind="decree", agency_id=agency_btp().id,
        opens_at=now + opens_in, closes_at=now + opens_in + timedelta(days=40), slug="nghi-dinh-htx"), actor)
    version = drafts.create_version(consultation.draft, text, "du-thao.txt")
    service.acknowledge_warnings(version, actor)
    service.publish(consultation, actor)
    db.session.commit()
    return consultation


def test_the_dates_of_a_published_consultation_change_only_through_its_lifecycle(client, drafter):
    consultation = published_consultation(drafter)
    data = form(agency_btp(), slug=consultation.slug, closes_on="2099-01-01")
    data["opens_on"] = service.to_vietnam(consultation.opens_at).date().isoformat()
    data["opens_time"] = service.to_vietnam(consultation.opens_at).strftime("%H:%M")
    response = client.post(f"/quan-tri/tham-van/{consultation.id}/sua", data=data)
    assert response.status_code == 422 and "hãy gia hạn, kết thúc sớm hoặc mở lại" in response.text


# --- publishing -------------------------------------------------------------------------------

def test_publishing_needs_the_text_and_its_warnings_looked_at(client, drafter):
    client.post(NEW, data=form(agency_btp()))
    consultation = only_consultation()
    url = f"/quan-tri/tham-van/{consultation.id}/cong-bo"
    no_text = client.post(url, data={"reason": ""})
    assert no_text.status_code == 422 and "Hãy nhập văn bản dự thảo" in no_text.text
    version = drafts.create_version(consultation.draft, GAPPED_LAW, "du-thao.txt")
    db.session.commit()
    assert version.parse_report["warnings"]
    warned = client.post(url, data={"reason": ""})
    assert warned.status_code == 422 and "có cảnh báo chưa ai xem" in warned.text
    report = client.get(f"/quan-tri/phien-ban/{version.id}")
    assert "Tôi đã xem các cảnh báo này" in report.text
    client.post(f"/quan-tri/tham-van/phien-ban/{version.id}/da-xem-canh-bao")
    published = client.post(url, data={"reason": ""})
    assert published.status_code == 302
    db.session.expire_all()
    assert consultation.published and version.published_at is not None
    assert consultation.state() == "scheduled"  # opens on 1 March 2027
    assert {"draft_version.acknowledge_warnings", "draft_version.publish", "consultation.published"} <= set(audit_actions())
    public = client.get(f"/du-thao/{consultation.slug}")
    assert public.status_code == 200 and "Nhận ý kiến từ 08:00 01/03/2027 đến 17:00 30/04/2027" in public.text
    assert "Công bố; nhận ý kiến đến 17:00 ngày 30/04/2027" in public.text


# --- the lifecycle ----------------------------------------------------------------------------

def lifecycle(client, consultation: Consultation, step: str, **data):
    return client.post(f"/quan-tri/tham-van/{consultation.id}/{step}", data=data)


def test_extend_close_reopen_archive_are_audited_and_shown_to_the_public(client, drafter):
    consultation = published_consultation(drafter)
    slug, cid = consultation.slug, consultation.id
    assert consultation.state() == "open"
    extended = lifecycle(client, consultation, "gia-han", reason="Theo đề nghị của các bộ",
                         requested_by="Bộ Tư pháp", closes_on="2099-12-30", closes_time="17:00")
    assert extended.status_code == 302
    public = client.get(f"/du-thao/{slug}").text
    assert "Gia hạn đến 17:00 ngày 30/12/2099 theo đề nghị của Bộ Tư pháp" in public
    assert "Lý do: Theo đề nghị của các bộ" in public
    consultation = db.session.get(Consultation, cid)
    assert consultation.closes_at == datetime(2099, 12, 30, 10, 0)

    assert lifecycle(client, consultation, "dong", reason="Đã đủ ý kiến").status_code == 302
    db.session.expire_all()
    assert consultation.state() == "closed"
    assert "Kết thúc sớm" in client.get(f"/du-thao/{slug}").text

    assert lifecycle(client, consultation, "mo-lai", reason="Bổ sung điều khoản mới",
                     closes_on="2099-06-01", closes_time="09:30").status_code == 302
    db.session.expire_all()
    assert consultation.state() == "open" and "Mở lại đến 09:30 ngày 01/06/2099" in client.get(f"/du-thao/{slug}").text

    lifecycle(client, consultation, "dong", reason="Hết thời gian")
    assert lifecycle(client, consultation, "luu-tru", reason="Đã ban hành nghị định").status_code == 302
    db.session.expire_all()
    assert consultation.state() == "archived"
    kinds = [event.kind for event in db.session.scalars(select(ConsultationEvent).order_by(ConsultationEvent.id))]
    assert kinds == ["published", "extended", "closed", "reopened", "closed", "archived"]
    assert {"consultation.extended", "consultation.closed", "consultation.reopened",
            "consultation.archived"} <= set(audit_actions())
    extension = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consultation.extended"))
    assert extension.actor_id == drafter.id and extension.detail["requested_by"] == "Bộ Tư pháp"


@pytest.mark.parametrize("step, data, message", [
    ("gia-han", {"reason": "", "requested_by": "Bộ Tư pháp", "closes_on": "2099-12-30", "closes_time": "17:00"},
     "Vui lòng nêu lý do"),
    ("gia-han", {"reason": "Đề nghị", "closes_on": "2000-01-01", "closes_time": "17:00"},
     "Thời điểm kết thúc mới phải sau"),
    ("gia-han", {"reason": "Đề nghị", "closes_on": "", "closes_time": "17:00"}, "Vui lòng nhập ngày và giờ kết thúc mới"),
    ("gia-han", {"reason": "Đề nghị", "requested_by": "B" * 300, "closes_on": "2099-12-30", "closes_time": "17:00"},
     "tối đa 255 ký tự"),
    ("dong", {"reason": "\u200b\u200b"}, "Vui lòng nêu lý do"),
    ("mo-lai", {"reason": "Lý do", "closes_on": "2099-12-30", "closes_time": "17:00"}, "Chỉ mở lại được"),
    ("luu-tru", {"reason": "Lý do"}, "Chỉ lưu trữ được đợt lấy ý kiến đã kết thúc"),
    ("cong-bo", {"reason": ""}, "đã được công bố"),
])
def test_a_refused_step_says_why_and_keeps_the_input(client, drafter, step, data, message):
    consultation = published_consultation(drafter)
    closes = consultation.closes_at
    response = lifecycle(client, consultation, step, **data)
    assert response.status_code == 422 and message in response.text
    if data.get("requested_by"):
        assert data["requested_by"][:50] in response.text
    db.session.expire_all()
    assert consultation.closes_at == closes and consultation.state() == "open"


def test_the_state_follows_the_clock(app):
    consultation = published_consultation(opens_in=timedelta(hours=2))
    opens, closes = consultation.opens_at, consultation.closes_at
    assert consultation.state(opens - timedelta(minutes=1)) == "scheduled"
    assert consultation.state(opens) == "open" and consultation.is_open(opens)
    assert consultation.state(closes) == "closed" and not consultation.is_open(closes)
    with pytest.raises(service.ConsultationError):
        service.close_early(consultation, "Sớm", now=opens - timedelta(minutes=1))  # not open yet
    service.close_early(consultation, "Sớm", now=opens + timedelta(days=1))
    assert consultation.closes_at == opens + timedelta(days=1)
    service.archive(consultation, "Xong", now=opens + timedelta(days=2))
    assert consultation.state(opens + timedelta(days=3)) == "archived"


def test_each_step_is_stamped_with_its_own_moment_in_the_public_history(app):
    consultation = published_consultation(opens_in=timedelta(hours=2))
    opens = consultation.opens_at
    extended_at, closed_at = opens + timedelta(days=3), opens + timedelta(days=9)
    service.extend(consultation, consultation.closes_at + timedelta(days=5), "Đề nghị", "Bộ Nội vụ",
                   now=extended_at)
    service.close_early(consultation, "Đủ ý kiến", now=closed_at)
    db.session.commit()
    steps = [(event.kind, event.at) for event in service.history(consultation)]
    assert steps[1:] == [("extended", extended_at), ("closed", closed_at)]


def test_closing_early_does_not_make_the_period_short(client, drafter):
    consultation = published_consultation(drafter)  # 40 days planned, minimum 30
    assert not service.is_short(consultation)
    assert lifecycle(client, consultation, "dong", reason="Đã đủ ý kiến").status_code == 302
    db.session.expire_all()
    assert consultation.state() == "closed" and not service.is_short(consultation)
    page = client.get(f"/quan-tri/tham-van/{consultation.id}").text
    assert "Đã kết thúc" in page and "Ngắn hơn thời gian tối thiểu" not in page
    # reopened for five days: the new plan is what counts, and it is short
    assert lifecycle(client, consultation, "mo-lai", reason="Bổ sung", closes_on="2000-01-01",
                     closes_time="17:00").status_code == 422
    reopened_until = service.to_vietnam(consultation.opens_at + timedelta(days=6)).date().isoformat()
    assert lifecycle(client, consultation, "mo-lai", reason="Bổ sung", closes_on=reopened_until,
                     closes_time="17:00").status_code == 302
    db.session.expire_all()
    assert service.is_short(consultation)


def test_the_demo_consultations_keep_working(app, client):
    from consult import demo

    demo.load_demo("mat-khau-demo-123")
    slugs = [c.slug for c in db.session.scalars(select(Consultation))]
    for slug in slugs:
        assert client.get(f"/du-thao/{slug}").status_code == 200
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    login(client, admin, "mat-khau-demo-123")
    listing = client.get("/quan-tri/tham-van/")
    assert listing.status_code == 200 and all(c.title in listing.text for c in db.session.scalars(select(Consultation)))
    for consultation in db.session.scalars(select(Consultation)):
        assert client.get(f"/quan-tri/tham-van/{consultation.id}").status_code == 200


# --- the CLI ----------------------------------------------------------------------------------

def test_cli_creates_edits_lists_and_sets_the_minimum(runner):
    agency_btp()
    result = runner.invoke(args=["consultation", "min-days", "BTP", "20"])
    assert result.exit_code == 0 and "BTP: 20 days" in result.output
    result = runner.invoke(args=["consultation", "create", "--title", "Dự thảo Thông tư về phí",
                                 "--kind", "circular", "--agency", "BTP", "--opens", "2027-03-01 08:00",
                                 "--closes", "2027-03-31 17:00"])
    assert result.exit_code == 0, result.output
    consultation = only_consultation()
    assert consultation.slug == "du-thao-thong-tu-ve-phi" and consultation.opens_at == datetime(2027, 3, 1, 1, 0)
    result = runner.invoke(args=["consultation", "edit", consultation.slug, "--closes", "2027-03-05 17:00"])
    assert result.exit_code != 0 and "ngắn hơn mức tối thiểu 20 ngày" in result.output
    result = runner.invoke(args=["consultation", "edit", consultation.slug, "--closes", "2027-03-05 17:00",
                                 "--short-period-reason", "Gấp"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["consultation", "list"])
    assert "du-thao-thong-tu-ve-phi\thidden\tcircular\tBTP\t2027-03-05 17:00" in result.output
    result = runner.invoke(args=["consultation", "create", "--title", "X", "--kind", "decree", "--agency", "NOPE",
                                 "--opens", "2027-03-01 08:00", "--closes", "2027-06-01 08:00"])
    assert result.exit_code != 0 and "No organisation" in result.output


def test_a_consultation_of_bodies_only_takes_no_public_comment_and_keeps_the_text(client):
    consultation = published_consultation()
    consultation.audiences = ["bodies"]
    db.session.commit()
    article = client.get(f"/du-thao/{consultation.slug}/dieu-1")
    assert "chỉ lấy ý kiến các cơ quan trong danh sách" in article.text and 'id="your-opinion"' not in article.text
    refused = client.post(f"/du-thao/{consultation.slug}/dieu-1",
                          data={"body": "Ý kiến của người dân.", "provision": "", "form_key": "k1"})
    assert refused.status_code == 200 and "Ý kiến của người dân." in refused.text
    assert "người dân không gửi ý kiến tại đây" in refused.text
    from consult.models import Comment
    assert db.session.scalars(select(Comment)).first() is None


def test_a_scheduled_consultation_is_readable_and_says_when_it_opens(client):
    consultation = published_consultation(opens_in=timedelta(days=2))
    article = client.get(f"/du-thao/{consultation.slug}/dieu-1")
    assert article.status_code == 200 and "Nhận ý kiến từ" in article.text
    assert "đã kết thúc" not in article.text and 'id="your-opinion"' not in article.text
