"""Many agencies: a drafter or moderator of agency A sees and acts only on A's consultations;
B's answer 404 (not 403, which would say they exist). The administrator creates agencies'
teams on a page and with ``flask team add-member``. Every team page is also walked, role by
role, in tests/consult/test_role_routes.py."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult import auth, scoping, teams
from consult.extensions import db
from consult.models import AuditEvent, Comment, Consultation, Organisation, User
from surveys.models import Survey
from tests.consult.test_comment_journey import add_opinion, send_list
from tests.factories import login, make_consultation, make_user

PASSWORD = "mat-khau-dai-123"
BODY_A, BODY_B = "Góp ý của người dân về dự thảo A.", "Góp ý bí mật về dự thảo B."


class World:
    def __init__(self):
        self.agency_a = Organisation(code="BAAA", kind="ministry", name="Bộ A")
        self.agency_b = Organisation(code="BBBB", kind="ministry", name="Bộ B")
        db.session.add_all([self.agency_a, self.agency_b])
        db.session.flush()
        self.a = make_consultation("luat-a", title="Dự thảo Luật A")
        self.b = make_consultation("luat-b", title="Dự thảo Luật B")
        self.a.agency_id, self.b.agency_id = self.agency_a.id, self.agency_b.id
        self.drafter_a = self._user("drafter", "soanthao@a.vn", self.agency_a)
        self.moderator_a = self._user("moderator", "kiemduyet@a.vn", self.agency_a)
        self.drafter_b = self._user("drafter", "soanthao@b.vn", self.agency_b)
        self.admin = self._user("admin", "admin@nen-tang.vn", None)
        db.session.commit()

    @staticmethod
    def _user(role: str, email: str, agency: Organisation | None) -> User:
        return auth.create_user(email, PASSWORD, role, name=email,
                                organisation_id=agency.id if agency else None)


@pytest.fixture()
def world(client):
    found = World()
    for slug, body in (("luat-a", BODY_A), ("luat-b", BODY_B)):
        add_opinion(client, "dieu-1", body, slug=slug)
        send_list(client, slug=slug)
    return found


def _comment(body: str) -> Comment:
    return db.session.scalar(select(Comment).where(Comment.body == body))


# --- the rule --------------------------------------------------------------------------------

def test_who_sees_which_consultation(world):
    legacy = make_user("drafter", "cu@nen-tang.vn")  # no agency: an account from before agencies
    officer = make_user("officer")
    for user, expected in ((world.admin, {"luat-a", "luat-b"}), (legacy, {"luat-a", "luat-b"}),
                           (world.drafter_a, {"luat-a"}), (world.moderator_a, {"luat-a"}),
                           (world.drafter_b, {"luat-b"}), (officer, set())):
        assert {c.slug for c in scoping.team_consultations(user)} == expected, user.email
    assert scoping.can_see_consultation_id(world.a.id, world.drafter_a)
    assert not scoping.can_see_consultation_id(world.b.id, world.drafter_a)
    assert not scoping.can_see_consultation_id(None, world.drafter_a)  # an unattached survey
    assert scoping.can_see_consultation_id(None, world.admin)


def test_a_drafter_of_a_gets_404_on_b_and_200_on_a(client, world):
    login(client, world.drafter_a, PASSWORD)
    for page in ("/co-quan/quan-tri/{c.slug}", "/co-quan/quan-tri/{c.slug}/theo-dieu",
                 "/quan-tri/xu-ly/{c.slug}", "/quan-tri/xu-ly/{c.slug}/bao-cao.docx",
                 "/quan-tri/so-lieu/tham-van/{c.id}", "/quan-tri/so-lieu/tham-van/{c.id}/gop-y.csv",
                 "/quan-tri/du-thao/{c.draft.id}/nhap", "/quan-tri/phien-ban/{c.draft.versions[0].id}",
                 "/quan-tri/phan-tich/lap-truong/{c.id}", "/quan-tri/phan-tich/du-thao/{c.id}"):
        assert client.get(page.format(c=world.b)).status_code == 404, page
        assert client.get(page.format(c=world.a)).status_code == 200, page


def test_team_lists_offer_only_the_agencys_consultations(client, world):
    login(client, world.drafter_a, PASSWORD)
    for page in ("/quan-tri/", "/co-quan/quan-tri/", "/quan-tri/xu-ly/", "/quan-tri/so-lieu/",
                 "/quan-tri/phan-tich/", "/khao-sat/quan-tri/moi", "/khao-sat/quan-tri/nhap-xlsform"):
        shown = client.get(page).text
        assert "Dự thảo Luật A" in shown and "Dự thảo Luật B" not in shown, page
    asked = client.get(f"/quan-tri/phan-tich/?consultation={world.b.id}").text
    assert "Dự thảo Luật B" not in asked


def test_a_moderator_of_a_moderates_only_as_comments(client, world):
    login(client, world.moderator_a, PASSWORD)
    queue = client.get("/quan-tri/kiem-duyet").text
    assert BODY_A in queue and BODY_B not in queue
    theirs = _comment(BODY_B)
    assert BODY_B not in client.get(f"/quan-tri/kiem-duyet?comment={theirs.id}").text
    assert client.post(f"/quan-tri/kiem-duyet/{theirs.id}", data={"action": "publish"}).status_code == 404
    assert db.session.get(Comment, theirs.id).status == "pending"
    ours = _comment(BODY_A)
    assert client.post(f"/quan-tri/kiem-duyet/{ours.id}", data={"action": "publish"}).status_code == 302
    assert db.session.get(Comment, ours.id).status == "published"


def test_the_audit_trail_shows_only_the_agencys_own_work(client, world):
    login(client, world.admin, PASSWORD)
    client.post(f"/quan-tri/kiem-duyet/{_comment(BODY_B).id}", data={"action": "hide", "reason": "Lạc đề"})
    login(client, world.moderator_a, PASSWORD)
    client.post(f"/quan-tri/kiem-duyet/{_comment(BODY_A).id}", data={"action": "publish"})
    page = client.get("/quan-tri/nhat-ky").text
    assert "comment.publish" in page and world.moderator_a.email in page
    assert "comment.hide" not in page and world.admin.email not in page
    login(client, world.admin, PASSWORD)
    page = client.get("/quan-tri/nhat-ky").text
    assert "comment.publish" in page and "comment.hide" in page


def test_analysis_of_another_agencys_scope_is_refused(client, world):
    login(client, world.drafter_a, PASSWORD)
    response = client.post("/quan-tri/phan-tich/chay", data={"scope": "du-thao", "scope_id": str(world.b.id)})
    assert response.status_code == 404
    from analysis.results import TextAnalysis

    assert db.session.scalar(select(func.count(TextAnalysis.id))) == 0


def test_a_survey_cannot_be_attached_to_another_agencys_consultation(client, world):
    login(client, world.drafter_a, PASSWORD)
    form = {"title_vi": "Phiếu của Bộ A", "audience": "both", "resume_days": "30",
            "opens_at": "2026-01-01T08:00", "closes_at": "2026-02-01T08:00"}
    page = client.get("/khao-sat/quan-tri/moi").text
    assert f'value="{world.a.id}"' in page and f'value="{world.b.id}"' not in page
    for chosen in (str(world.b.id), "", "999999"):
        response = client.post("/khao-sat/quan-tri/moi", data={**form, "consultation_id": chosen})
        assert response.status_code == 422, chosen
        assert "Phiếu của Bộ A" in response.text  # the typed title is kept
    assert db.session.scalar(select(func.count(Survey.id))) == 0
    response = client.post("/khao-sat/quan-tri/moi", data={**form, "consultation_id": str(world.a.id)})
    assert response.status_code == 302
    assert db.session.scalar(select(Survey.consultation_id)) == world.a.id


# --- the administrator creates agencies' teams ------------------------------------------------

def _member_form(world, **changes) -> dict:
    data = {"organisation": str(world.agency_a.id), "email": "moi@a.vn", "name": "Nguyễn Văn Mới",
            "role": "drafter"}
    data.update(changes)
    return data


def test_the_administrator_creates_a_member_of_an_agencys_team(client, world):
    login(client, world.admin, PASSWORD)
    assert "Bộ A (BAAA)" in client.get("/quan-tri/co-quan-soan-thao").text
    response = client.post("/quan-tri/co-quan-soan-thao", data=_member_form(world))
    assert response.status_code == 200 and "moi@a.vn" in response.text
    user = auth.find_user("moi@a.vn")
    assert (user.role, user.organisation_id) == ("drafter", world.agency_a.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "team.add_member"))
    assert event.actor_id == world.admin.id and event.detail["organisation"] == "BAAA"
    password = response.text.split('aria-label="Mật khẩu dùng một lần"')[0].rsplit('value="', 1)[1].split('"')[0]
    client.post("/dang-xuat")
    assert client.post("/dang-nhap", data={"email": "moi@a.vn", "password": password}).status_code == 302
    assert client.get(f"/quan-tri/xu-ly/{world.b.slug}").status_code == 404
    assert client.get(f"/quan-tri/xu-ly/{world.a.slug}").status_code == 200


@pytest.mark.parametrize("changes, message", [
    ({"email": ""}, "Vui lòng nhập e-mail"),
    ({"email": "khong-phai-email"}, "e-mail hợp lệ"),
    ({"email": "x" * 300 + "@a.vn"}, "255"),
    ({"organisation": "999999"}, "danh sách"),
    ({"organisation": ""}, "Vui lòng chọn cơ quan chủ trì soạn thảo."),
    ({"role": "admin"}, "danh sách"),
    ({"name": "<script>alert(1)</script>"}, None),
])
def test_bad_input_on_the_team_page_is_refused_in_vietnamese(client, world, changes, message):
    login(client, world.admin, PASSWORD)
    before = db.session.scalar(select(func.count(User.id)))
    response = client.post("/quan-tri/co-quan-soan-thao", data=_member_form(world, **changes))
    if message is None:  # a name is text: stored as typed, shown escaped
        assert response.status_code == 200 and "<script>alert(1)" not in response.text
        return
    assert response.status_code == 422 and message in response.text
    assert db.session.scalar(select(func.count(User.id))) == before


def test_a_nul_byte_in_the_email_never_reaches_the_database(client, world):
    login(client, world.admin, PASSWORD)
    client.post("/quan-tri/co-quan-soan-thao", data=_member_form(world, email="a\x00@b.vn"))
    emails = list(db.session.scalars(select(User.email)))
    assert emails and not [email for email in emails if "\x00" in email]


def test_an_email_already_used_is_refused_and_a_replay_creates_nothing(client, world):
    login(client, world.admin, PASSWORD)
    assert client.post("/quan-tri/co-quan-soan-thao", data=_member_form(world)).status_code == 200
    replay = client.post("/quan-tri/co-quan-soan-thao", data=_member_form(world, email="MOI@a.vn "))
    assert replay.status_code == 422 and "Đã có tài khoản với e-mail này." in replay.text
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "moi@a.vn")) == 1


def test_only_the_administrator_creates_agencies_teams(client, world):
    login(client, world.drafter_a, PASSWORD)
    assert client.get("/quan-tri/co-quan-soan-thao").status_code == 403
    response = client.post("/quan-tri/co-quan-soan-thao",
                           data=_member_form(world, organisation=str(world.agency_b.id), email="x@b.vn"))
    assert response.status_code == 403 and auth.find_user("x@b.vn") is None
    with pytest.raises(teams.NotAllowed):
        teams.add_member(world.agency_b, "y@b.vn", "", "drafter", world.drafter_a)


def test_the_command_line_adds_a_member(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["team", "add-member", "--agency", "BBBB", "--email", "Bien.Tap@B.vn",
                                 "--role", "moderator"])
    assert result.exit_code == 0, result.output
    user = auth.find_user("bien.tap@b.vn")
    assert (user.role, user.organisation_id) == ("moderator", world.agency_b.id)
    assert result.output.rsplit(": ", 1)[1].strip() and user.check_password(result.output.rsplit(": ", 1)[1].strip())
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "team.add_member")) is None
    assert "bien.tap@b.vn" in runner.invoke(args=["team", "list"]).output
    unknown = runner.invoke(args=["team", "add-member", "--agency", "KHONG", "--email", "z@b.vn"])
    assert unknown.exit_code != 0 and "KHONG" in unknown.output
    again = runner.invoke(args=["team", "add-member", "--agency", "BBBB", "--email", "bien.tap@b.vn"])
    assert again.exit_code != 0 and "already" in again.output


def test_consultations_without_agency_stay_with_the_platform(world):
    world.b.agency_id = None
    db.session.commit()
    assert {c.slug for c in scoping.team_consultations(world.drafter_b)} == set()
    assert {c.slug for c in db.session.scalars(select(Consultation).where(
        scoping.visible_clause(world.admin)))} == {"luat-a", "luat-b"}


def test_the_administrator_deactivates_and_reactivates_a_member(client, app, world):
    member = app.test_client()
    assert member.post("/dang-nhap", data={"email": world.drafter_a.email, "password": PASSWORD}).status_code == 302
    login(client, world.admin, PASSWORD)
    assert "soanthao@a.vn" in client.get("/quan-tri/co-quan-soan-thao").text
    url = f"/quan-tri/co-quan-soan-thao/{world.drafter_a.id}/vo-hieu-hoa"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a replay: nothing more happens
    assert db.session.get(User, world.drafter_a.id).active is False
    assert member.get(f"/quan-tri/xu-ly/{world.a.slug}").status_code == 302  # logged out
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("team.%"))))
    assert actions == ["team.deactivate"]
    assert client.post(f"/quan-tri/co-quan-soan-thao/{world.drafter_a.id}/kich-hoat").status_code == 302
    assert db.session.get(User, world.drafter_a.id).active is True
    assert client.post(f"/quan-tri/co-quan-soan-thao/{world.admin.id}/vo-hieu-hoa").status_code == 404
    login(client, world.drafter_b, PASSWORD)
    assert client.post(url).status_code == 403
    assert db.session.get(User, world.drafter_a.id).active is True
