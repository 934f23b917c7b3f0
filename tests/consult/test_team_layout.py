"""The drafting team's pages share one base template: every one shows the team menu once."""
from __future__ import annotations

from consult.auth import find_user
from consult.demo import DEMO_ADMIN_EMAIL, load_demo
from tests.consult.test_crawl import crawl
from tests.factories import login


def test_every_team_page_shows_the_team_menu_once(client, app):
    load_demo(admin_password="mat-khau-dai-123")
    login(client, find_user(DEMO_ADMIN_EMAIL))
    pages = {url for url, status in crawl(client, ["/quan-tri/"], limit=200).items()
             if status == 200 and url.startswith("/quan-tri")}
    assert len(pages) > 30
    for url in sorted(pages):
        response = client.get(url)
        if response.content_type.startswith("text/html"):
            assert response.text.count('class="admin-nav"') == 1, url


def test_the_overview_names_the_role_and_agency_in_vietnamese(client, app):
    from consult.extensions import db
    from tests.consult.decision_factories import organisation
    from tests.factories import make_user

    user = make_user("drafter")
    user.organisation_id = organisation("BTP", name="Bộ Tư pháp").id
    db.session.commit()
    login(client, user)
    assert "Đã đăng nhập với tên Test drafter (Thành viên Ban soạn thảo, Bộ Tư pháp)." in client.get("/quan-tri/").text
    admin = make_user("admin", email="quantri@example.vn")
    client.post("/dang-xuat")
    login(client, admin)
    page = client.get("/quan-tri/").text
    assert "Đã đăng nhập với tên Test admin (Quản trị viên)." in page and "(admin)" not in page
