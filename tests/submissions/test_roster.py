"""The roster: importing bodies, their answers, deadlines, overdue bodies and the reminder CSV."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from consult.demo import load_demo
from consult.extensions import db
from consult.submissions import roster, services
from consult.submissions.models import RosterEntry, Submission
from tests.factories import login, make_consultation, make_user
from tests.submissions.helpers import PDF, make_officer, make_organisation, on_roster
from consult.submissions.attachments import StoredPdf


@pytest.fixture()
def team(client, app):
    login(client, make_user("drafter"))
    client.get("/co-quan/quan-tri/?lang=en")
    return client


def submit_letter(consultation, organisation, *, no_comment=False) -> Submission:
    draft, _ = services.start_draft(consultation, organisation, None)
    services.update_letter(draft, letter_number="1/X", letter_date=date(2022, 9, 1), signer_name="A",
                           signer_title="B", no_comment=no_comment)
    services.attach_pdf(draft, StoredPdf("0" * 32 + ".pdf", len(PDF), "0" * 64, 1), "x.pdf")
    if not no_comment:
        services.add_opinion(draft, None, "Ý kiến chung")
    db.session.flush()
    services.submit(draft, None)
    db.session.commit()
    return draft


def test_vietnam_days_and_deadlines():
    assert roster.end_of_vn_day(date(2022, 10, 1)) == datetime(2022, 10, 1, 16, 59, 59)
    noon_utc = datetime(2022, 9, 30, 18, 0)  # 01:00 on 1 October in Vietnam
    assert roster.days_left(roster.end_of_vn_day(date(2022, 10, 1)), noon_utc) == 0
    assert roster.days_left(roster.end_of_vn_day(date(2022, 10, 3)), noon_utc) == 2
    assert roster.parse_day("05/09/2022") == date(2022, 9, 5) == roster.parse_day("2022-09-05")
    assert roster.parse_day("31/02/2022") is None


def test_csv_import_reports_unknown_codes_per_line(app):
    consultation = make_consultation()
    make_organisation("BTC"), make_organisation("UBND-01", "province"), make_organisation("LMHTX", "association")
    text = "\ufeffcode,deadline\nBTC,15/10/2022\nKHONGCO,\nubnd-01,\n\n,01/10/2022\nLMHTX,31/13/2022\nBTC,\n"
    report = roster.import_csv(consultation, text, roster.end_of_vn_day(date(2022, 10, 20)))
    assert (report.added, report.updated) == (2, 0)
    assert report.problems == [(3, "KHONGCO", "unknown_code"), (6, "", "missing_code"),
                               (7, "LMHTX", "bad_deadline"), (8, "BTC", "duplicate")]
    deadlines = {e.organisation.code: roster.vn_date(e.deadline) for e in db.session.scalars(select(RosterEntry))}
    assert deadlines == {"BTC": date(2022, 10, 15), "UBND-01": date(2022, 10, 20)}
    again = roster.import_csv(consultation, "BTC\nUBND-01\n", roster.end_of_vn_day(date(2022, 11, 1)))
    assert (again.added, again.updated, again.problems) == (0, 2, [])


def test_statuses_days_left_and_overdue(app):
    consultation = make_consultation()
    btc, btp, byt = on_roster(consultation, "BTC", "BTP", "BYT")
    (late,) = on_roster(consultation, "BCT", days=-2)
    (late_done,) = on_roster(consultation, "BXD", days=-2)
    submit_letter(consultation, btc)
    submit_letter(consultation, btp, no_comment=True)
    services.start_draft(consultation, byt, None)
    submit_letter(consultation, late_done)
    db.session.commit()
    rows = {row.organisation.code: row for row in roster.roster_rows(consultation)}
    assert {code: row.status for code, row in rows.items()} == {
        "BTC": "submitted", "BTP": "no_comment", "BYT": "draft", "BCT": "not_started", "BXD": "submitted"}
    assert [code for code, row in rows.items() if row.overdue] == ["BCT"]
    assert rows["BTC"].days_left in (19, 20) and rows["BCT"].days_left in (-2, -3)
    counts = roster.status_counts(list(rows.values()))
    assert counts == {"not_started": 1, "draft": 1, "submitted": 2, "no_comment": 1, "overdue": 1}


def test_roster_page_and_filters(team):
    consultation = make_consultation()
    btc, _btp = on_roster(consultation, "BTC", "BTP")
    submit_letter(consultation, btc)
    page = team.get("/co-quan/quan-tri/luat-htx")
    assert page.status_code == 200 and "Cơ quan BTC" in page.text and "Cơ quan BTP" in page.text
    assert 'data-status="submitted"' in page.text and 'data-status="not_started"' in page.text
    only = team.get("/co-quan/quan-tri/luat-htx?status=not_started")
    assert "Cơ quan BTP" in only.text and "Cơ quan BTC" not in only.text
    assert team.get("/co-quan/quan-tri/luat-htx?status=%3Cscript%3E").status_code == 200
    assert team.get("/co-quan/quan-tri/khong-co").status_code == 404
    assert team.get("/co-quan/quan-tri/").status_code == 200


def test_reminder_csv_has_a_bom_and_one_line_per_body(team):
    consultation = make_consultation()
    (btc,) = on_roster(consultation, "BTC")
    on_roster(consultation, "BCT", days=-1)
    btc.name = "=HYPERLINK(\"x\")"
    db.session.commit()
    response = team.get("/co-quan/quan-tri/luat-htx/nhac-han.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Code", "Organisation"] and len(rows) == 3
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["BCT"][6] == "x" and by_code["BTC"][6] == ""
    assert by_code["BCT"][3] == "Not started"
    assert by_code["BTC"][1].startswith("'=")  # no formula runs in a spreadsheet


def test_import_page_reports_problems_per_line(team):
    make_consultation()
    make_organisation("BTC")
    response = team.post("/co-quan/quan-tri/luat-htx/them/csv", content_type="multipart/form-data", data={
        "csv_file": (io.BytesIO("code\nBTC\nBOGUS\n".encode()), "ds.csv"), "deadline": "30/10/2022"})
    assert response.status_code == 200
    assert "Line 3" in response.text and "BOGUS" in response.text and "no organisation has this code" in response.text
    assert db.session.scalar(select(func.count()).select_from(RosterEntry)) == 1
    bad = team.post("/co-quan/quan-tri/luat-htx/them/csv", content_type="multipart/form-data", data={
        "csv_file": (io.BytesIO(b"\xff\xfe\x00B"), "ds.csv"), "deadline": "30/10/2022"})
    assert bad.status_code == 422 and "UTF-8" in bad.text
    empty = team.post("/co-quan/quan-tri/luat-htx/them/csv", data={"csv_text": "", "deadline": ""})
    assert empty.status_code == 422 and "dd/mm/yyyy" in empty.text


def test_add_a_whole_group(team):
    make_consultation()
    for code in ("UBND-01", "UBND-79"):
        make_organisation(code, "province")
    make_organisation("BTC")
    response = team.post("/co-quan/quan-tri/luat-htx/them/nhom", data={"group": "province", "deadline": "2022-10-30"})
    assert response.status_code == 302
    codes = {e.organisation.code for e in db.session.scalars(select(RosterEntry))}
    assert codes == {"UBND-01", "UBND-79"}
    assert team.post("/co-quan/quan-tri/luat-htx/them/nhom", data={"group": "aliens", "deadline": "2022-10-30"}).status_code == 422


def test_opinions_by_article_and_by_body(team):
    consultation = make_consultation()
    btc, btp = on_roster(consultation, "BTC", "BTP")
    version = services.current_version(consultation)
    for organisation, article in ((btp, "3"), (btc, "2")):
        draft, _ = services.start_draft(consultation, organisation, None)
        services.update_letter(draft, letter_number=f"9/{organisation.code}", letter_date=date(2022, 9, 1),
                               signer_name="A", signer_title="B", no_comment=False)
        services.attach_pdf(draft, StoredPdf("1" * 32 + ".pdf", 1, "0" * 64, 1), "x.pdf")
        services.add_opinion(draft, services.resolve_provision(version, article, "1"), f"Ý kiến của {organisation.code}")
        services.add_opinion(draft, None, f"Ý kiến chung của {organisation.code}")
        db.session.flush()
        services.submit(draft, None)
    db.session.commit()
    groups = roster.opinions_by_article(consultation)
    assert [(article.number if article else None, [o.body for o in opinions]) for article, opinions in groups] == [
        (None, ["Ý kiến chung của BTP", "Ý kiến chung của BTC"]),
        ("2", ["Ý kiến của BTC"]), ("3", ["Ý kiến của BTP"])]
    page = team.get("/co-quan/quan-tri/luat-htx/theo-dieu")
    assert page.status_code == 200 and "Ý kiến của BTC" in page.text
    body = team.get("/co-quan/quan-tri/luat-htx/co-quan/BTC")
    assert body.status_code == 200 and "9/BTC" in body.text
    assert team.get("/co-quan/quan-tri/luat-htx/co-quan/NOPE").status_code == 404


def test_officers_and_citizens_cannot_see_the_roster(client, app):
    consultation = make_consultation()
    (btc,) = on_roster(consultation, "BTC")
    assert client.get("/co-quan/quan-tri/luat-htx").status_code == 302
    login(client, make_officer(btc))
    for url in ("/co-quan/quan-tri/", "/co-quan/quan-tri/luat-htx", "/co-quan/quan-tri/luat-htx/nhac-han.csv",
                "/co-quan/quan-tri/can-bo", "/co-quan/quan-tri/api", "/co-quan/quan-tri/luat-htx/theo-dieu"):
        assert client.get(url).status_code == 403, url
    client.post("/dang-xuat")
    login(client, make_user("moderator"))
    assert client.get("/co-quan/quan-tri/luat-htx").status_code == 403


def test_demo_roster_and_letters(app):
    load_demo(admin_password="mat-khau-demo-123")
    from consult.demo import DEMO_SLUG
    from consult.models import Consultation

    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
    rows = roster.roster_rows(consultation)
    kinds = {row.organisation.kind for row in rows}
    assert {"ministry", "province", "association"} <= kinds
    assert sum(row.organisation.kind == "province" for row in rows) == 63
    assert "BKHDT" not in {row.organisation.code for row in rows}  # the drafting ministry
    statuses = {row.organisation.code: row.status for row in rows}
    assert statuses["BTP"] == "submitted" and statuses["UBND-31"] == "no_comment" and statuses["BTC"] == "draft"
    assert all(24 <= row.days_left <= 31 for row in rows)


def test_cli_import_and_overdue(app, runner, tmp_path):
    make_consultation()
    make_organisation("BTC"), make_organisation("BCT")
    path = tmp_path / "ds.csv"
    path.write_text("code,deadline\nBTC,01/01/2020\nBCT,\nXYZ,\n", encoding="utf-8")
    result = runner.invoke(args=["roster", "import", "luat-htx", str(path), "--deadline", "31/12/2099"])
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated, 1 skipped" in result.output and "line 4: XYZ: unknown_code" in result.output
    overdue = runner.invoke(args=["roster", "overdue", "luat-htx"])
    assert overdue.output.startswith("BTC\t") and "BCT" not in overdue.output
    bad = runner.invoke(args=["roster", "import", "luat-htx", str(path), "--deadline", "mai"])
    assert bad.exit_code != 0
