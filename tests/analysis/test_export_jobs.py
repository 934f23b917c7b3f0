"""Excel exports of responses and opinions as stored files built outside the request.

Without Redis (most tests): a small export is built in the request, a large one in a thread
of the web process; either way through an ``ExportFile`` row, listed on the exports page and
downloaded from disk. With Redis (the last tests): queued, then built by a burst worker on a
queue made for the test (skipped only when no Redis answers at redis://127.0.0.1:6379).
"""
from __future__ import annotations

import csv
import io
import os
import re
import uuid
from datetime import datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from analysis import export_jobs, exports
from analysis.export_jobs import ExportFile
from consult.extensions import db
from consult.models import utcnow
from tests.analysis.redis_support import REDIS_URL, drop_queue, live_redis, work
from tests.analysis.tally_factories import make_opinion, make_reference_survey
from tests.factories import login, make_consultation, make_user

BASE = "/quan-tri/so-lieu"


@pytest.fixture()
def app_config():
    """Built in-process here, whatever REDIS_URL the environment sets."""
    return {"REDIS_URL": None}


@pytest.fixture()
def drafter(client):
    client.get("/?lang=en")  # the app context keeps the first request's locale: English throughout
    login(client, make_user("drafter"))
    return client


@pytest.fixture()
def survey(app):
    return make_reference_survey()


def exports_of(kind: str) -> list[ExportFile]:
    db.session.expire_all()
    return list(db.session.scalars(select(ExportFile).where(ExportFile.kind == kind).order_by(ExportFile.id)))


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def as_csv_text(rows: list[list], like: list[list[str]]) -> list[list[str]]:
    """Workbook cells as the CSV writes them; a day is a date-time in Excel, a day in the CSV."""
    def text(value, csv_value: str) -> str:
        if isinstance(value, datetime):
            return value.strftime("%d/%m/%Y %H:%M" if " " in csv_value else "%d/%m/%Y")
        return exports.cell_text(value)

    return [[text(value, csv_value) for value, csv_value in zip(row, csv_row)] for row, csv_row in zip(rows, like)]


def start(client, url: str, **form):
    return client.post(url, data=form, follow_redirects=True)


def download_link(page: str, export_id: int) -> str:
    return re.search(rf'href="({BASE}/xuat/{export_id})"', page).group(1)


# --- without Redis ------------------------------------------------------------------------------


def test_a_small_export_is_built_in_the_request_and_matches_the_csv(drafter, survey):
    response = drafter.post(f"{BASE}/khao-sat/{survey.id}/xuat")
    assert response.status_code == 302 and f"{BASE}/khao-sat/{survey.id}/xuat" in response.location
    page = drafter.get(response.location).get_data(as_text=True)
    (row,) = exports_of("responses")
    assert row.status == "done" and row.row_count == 5 and row.locale == "en"
    assert row.byte_count == os.path.getsize(export_jobs.stored_path(row))
    assert "The export is ready" in page and f'id="export-{row.id}"' in page and "refresh" not in page
    first = drafter.get(download_link(page, row.id))
    assert first.status_code == 200 and first.mimetype == exports.XLSX_MIMETYPE
    assert f'filename="phieu-{survey.slug}-' in first.headers["Content-Disposition"]
    workbook = read_xlsx(first.data)
    expected = read_csv(drafter.get(f"{BASE}/khao-sat/{survey.id}/phieu.csv").data)
    assert len(workbook) == len(expected) == 6
    assert as_csv_text(workbook, expected) == expected
    assert drafter.get(download_link(page, row.id)).data == first.data  # the file stays for the next download


def test_filters_are_kept_in_the_export(drafter, survey):
    page = start(drafter, f"{BASE}/khao-sat/{survey.id}/xuat", respondent_type="citizen").get_data(as_text=True)
    (row,) = exports_of("responses")
    assert row.filters == {"respondent_type": "citizen"} and row.row_count == 3
    assert "Respondent type: Citizen" in page
    workbook = read_xlsx(drafter.get(download_link(page, row.id)).data)
    expected = read_csv(drafter.get(f"{BASE}/khao-sat/{survey.id}/phieu.csv?respondent_type=citizen").data)
    assert len(workbook) == 4 and as_csv_text(workbook, expected) == expected


def test_a_bad_filter_is_left_out_with_a_message(drafter, survey):
    page = start(drafter, f"{BASE}/khao-sat/{survey.id}/xuat", date_from="31-02-2024", province_code="79")
    assert page.status_code == 200
    assert "Some filters were not understood" in page.get_data(as_text=True)
    (row,) = exports_of("responses")
    assert row.filters == {"province_code": "79"} and row.row_count == 1


def test_opinions_export_matches_the_csv(drafter, app):
    consultation = make_consultation()
    make_opinion(consultation, "dieu-3-khoan-2-diem-a", body="Đề nghị bỏ điểm a.")
    make_opinion(consultation, "dieu-1", status="pending", respondent_type="enterprise", province_code="79")
    make_opinion(consultation, None, status="hidden")
    page = start(drafter, f"{BASE}/tham-van/{consultation.id}/xuat").get_data(as_text=True)
    (row,) = exports_of("comments")
    assert row.status == "done" and row.row_count == 3 and row.consultation_id == consultation.id
    workbook = read_xlsx(drafter.get(download_link(page, row.id)).data)
    expected = read_csv(drafter.get(f"{BASE}/tham-van/{consultation.id}/gop-y.csv").data)
    assert len(workbook) == 4 and as_csv_text(workbook, expected) == expected


def test_the_pages_start_exports_with_a_post(drafter, survey):
    results = drafter.get(f"{BASE}/khao-sat/{survey.id}?respondent_type=citizen").get_data(as_text=True)
    assert f'method="post" action="{BASE}/khao-sat/{survey.id}/xuat"' in results
    assert '<input type="hidden" name="respondent_type" value="citizen">' in results
    assert f"/khao-sat/{survey.id}/phieu.xlsx" not in results
    old_link = drafter.get(f"{BASE}/khao-sat/{survey.id}/phieu.xlsx?province_code=79")
    assert old_link.status_code == 302 and "/xuat?province_code=79" in old_link.location
    assert exports_of("responses") == []  # a GET creates no work
    consultation = make_consultation()
    overview = drafter.get(f"{BASE}/tham-van/{consultation.id}").get_data(as_text=True)
    assert f'method="post" action="{BASE}/tham-van/{consultation.id}/xuat"' in overview


def test_the_start_form_needs_its_csrf_token(drafter, survey, app):
    app.config["WTF_CSRF_ENABLED"] = True  # after logging in
    refused = drafter.post(f"{BASE}/khao-sat/{survey.id}/xuat")
    assert refused.status_code == 400 and "The form has expired" in refused.get_data(as_text=True)
    assert exports_of("responses") == []
    page = drafter.get(f"{BASE}/khao-sat/{survey.id}/xuat").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert start(drafter, f"{BASE}/khao-sat/{survey.id}/xuat", csrf_token=token).status_code == 200
    assert [row.status for row in exports_of("responses")] == ["done"]


def test_only_the_drafting_team_exports(client, survey):
    row = export_jobs.new_request("responses", survey.id)
    db.session.commit()
    urls = [f"{BASE}/khao-sat/{survey.id}/xuat", f"{BASE}/xuat/{row.id}"]
    assert client.get(urls[0]).status_code == 302  # to the login page
    for role in ("moderator", "officer"):
        login(client, make_user(role))
        assert [client.get(url).status_code for url in urls] == [403, 403]
        assert client.post(urls[0]).status_code == 403
        client.post("/dang-xuat")
    assert [r.status for r in exports_of("responses")] == ["queued"]


def test_unknown_exports_and_scopes_are_404(drafter):
    assert drafter.get(f"{BASE}/xuat/999999").status_code == 404
    assert drafter.post(f"{BASE}/khao-sat/999999/xuat").status_code == 404
    assert drafter.get(f"{BASE}/tham-van/999999/xuat").status_code == 404


def test_a_file_missing_on_disk_gives_a_message(drafter, survey):
    page = start(drafter, f"{BASE}/khao-sat/{survey.id}/xuat").get_data(as_text=True)
    (row,) = exports_of("responses")
    os.unlink(export_jobs.stored_path(row))
    response = drafter.get(download_link(page, row.id), follow_redirects=True)
    assert response.status_code == 200
    assert "no longer on the server" in response.get_data(as_text=True)


def test_an_unfinished_export_has_nothing_to_download(drafter, survey):
    row = export_jobs.new_request("responses", survey.id)
    db.session.commit()
    response = drafter.get(f"{BASE}/xuat/{row.id}", follow_redirects=True)
    assert response.status_code == 200 and "no file to download yet" in response.get_data(as_text=True)


def test_a_failing_build_is_marked_failed_with_its_message(drafter, survey, monkeypatch, app):
    def broken(table, title, path):
        with open(path, "wb") as handle:
            handle.write(b"half a file")
        raise RuntimeError("đĩa đầy")

    monkeypatch.setattr(exports, "write_responses_xlsx", broken)
    page = start(drafter, f"{BASE}/khao-sat/{survey.id}/xuat").get_data(as_text=True)
    (row,) = exports_of("responses")
    assert row.status == "failed" and row.error == "RuntimeError: đĩa đầy" and row.finished_at
    assert "The export failed" in page and "RuntimeError: đĩa đầy" in page
    assert os.listdir(export_jobs.export_dir()) == []  # no partial file left behind
    assert drafter.get(f"{BASE}/xuat/{row.id}").status_code == 302


@pytest.mark.parametrize("app_config", [{"REDIS_URL": None, "EXPORT_INPROCESS_LIMIT": 2}])
def test_a_large_export_without_redis_is_built_in_a_thread(drafter, survey):
    page = start(drafter, f"{BASE}/khao-sat/{survey.id}/xuat").get_data(as_text=True)
    assert "The export is being built" in page and "No background queue" in page
    export_jobs.wait_for_background()
    (row,) = exports_of("responses")
    assert row.status == "done" and row.row_count == 5 and row.started_at and row.finished_at
    assert len(read_xlsx(drafter.get(f"{BASE}/xuat/{row.id}").data)) == 6


def test_the_page_reloads_while_an_export_runs(drafter, survey):
    row = export_jobs.new_request("responses", survey.id)
    db.session.commit()
    page = drafter.get(f"{BASE}/khao-sat/{survey.id}/xuat").get_data(as_text=True)
    # The refresh names the page without its "#export-N" (to the same URL with a fragment,
    # a browser only scrolls and never reloads).
    assert (f'<meta http-equiv="refresh" content="5; url=/quan-tri/so-lieu/khao-sat/{survey.id}/xuat">' in page
            and 'data-export-status="queued"' in page)
    export_jobs.perform(row.id)
    page = drafter.get(f"{BASE}/khao-sat/{survey.id}/xuat").get_data(as_text=True)
    assert "http-equiv" not in page and 'data-export-status="done"' in page


def test_a_run_cut_off_long_ago_shows_as_stopped_and_stops_the_reload(drafter, survey):
    row = export_jobs.new_request("responses", survey.id)
    row.status, row.started_at = "running", utcnow() - export_jobs.RUNNING_LIMIT - timedelta(minutes=1)
    db.session.commit()
    page = drafter.get(f"{BASE}/khao-sat/{survey.id}/xuat").get_data(as_text=True)
    assert "Stopped (no result)" in page and "http-equiv" not in page


@pytest.mark.parametrize("app_config", [{"REDIS_URL": None, "EXPORT_KEEP": 2}])
def test_older_files_go_when_a_new_one_is_ready(drafter, survey):
    for _ in range(3):
        start(drafter, f"{BASE}/khao-sat/{survey.id}/xuat")
    rows = exports_of("responses")
    assert len(rows) == 2 and all(row.status == "done" for row in rows)
    assert sorted(os.listdir(export_jobs.export_dir())) == sorted(row.file_name for row in rows)
    consultation = make_consultation()
    start(drafter, f"{BASE}/tham-van/{consultation.id}/xuat")
    assert len(exports_of("responses")) == 2  # another scope keeps its own


@pytest.mark.parametrize("app_config", [{"REDIS_URL": "redis://127.0.0.1:1/0"}])
def test_an_unreachable_queue_marks_the_export_failed(drafter, survey):
    page = start(drafter, f"{BASE}/khao-sat/{survey.id}/xuat")
    assert page.status_code == 200 and "The export failed" in page.get_data(as_text=True)
    (row,) = exports_of("responses")
    assert row.status == "failed" and "ConnectionError" in row.error


# --- with Redis ---------------------------------------------------------------------------------


@pytest.fixture()
def redis_queues(app):
    """An exports queue and an analysis queue made for this test, deleted after it."""
    import rq

    connection = live_redis()
    suffix = uuid.uuid4().hex[:12]
    app.config.update(REDIS_URL=REDIS_URL, EXPORT_QUEUE=f"test-exports-{suffix}",
                      ANALYSIS_QUEUE=f"test-analysis-{suffix}")
    queues = [rq.Queue(app.config[name], connection=connection) for name in ("EXPORT_QUEUE", "ANALYSIS_QUEUE")]
    yield queues[0]
    for queue in queues:
        drop_queue(queue)
    connection.close()


def test_with_redis_the_export_is_queued_then_built_by_a_worker(redis_queues, drafter, survey):
    page = start(drafter, f"{BASE}/khao-sat/{survey.id}/xuat", province_code="79").get_data(as_text=True)
    assert "The export was queued" in page and '<meta http-equiv="refresh"' in page
    assert "No background queue" not in page
    (row,) = exports_of("responses")
    assert row.status == "queued" and row.job_id and redis_queues.count == 1

    work(redis_queues)

    (row,) = exports_of("responses")
    assert row.status == "done", row.error
    assert row.row_count == 1 and row.locale == "en"
    assert redis_queues.fetch_job(row.job_id).is_finished
    page = drafter.get(f"{BASE}/khao-sat/{survey.id}/xuat").get_data(as_text=True)
    assert "http-equiv" not in page
    workbook = read_xlsx(drafter.get(download_link(page, row.id)).data)
    expected = read_csv(drafter.get(f"{BASE}/khao-sat/{survey.id}/phieu.csv?province_code=79").data)
    assert as_csv_text(workbook, expected) == expected


def test_the_analysis_worker_command_serves_the_exports_queue(redis_queues, drafter, app, monkeypatch):
    from consult import worker

    # Its retention and announcement turns under keys of its own, as in tests/ops.
    keys = [f"test:gopy:{name}:{uuid.uuid4().hex}" for name in ("purge-lock", "send-due-lock")]
    monkeypatch.setattr(worker, "PURGE_LOCK_KEY", keys[0])
    monkeypatch.setattr(worker, "ANNOUNCE_LOCK_KEY", keys[1])
    consultation = make_consultation()
    make_opinion(consultation, "dieu-3")
    start(drafter, f"{BASE}/tham-van/{consultation.id}/xuat")
    try:
        result = app.test_cli_runner().invoke(args=["analysis", "worker", "--burst"])
    finally:
        redis_queues.connection.delete(*keys)
    assert result.exit_code == 0, result.output
    (row,) = exports_of("comments")
    assert row.status == "done" and row.row_count == 1, row.error


def test_with_redis_a_failing_job_is_marked_failed_not_left_running(redis_queues, survey, monkeypatch):
    monkeypatch.setattr(exports, "write_responses_xlsx", lambda *args: 1 / 0)
    row = export_jobs.new_request("responses", survey.id)
    db.session.commit()
    row.job_id = export_jobs.enqueue(row.id)
    db.session.commit()
    work(redis_queues)
    (row,) = exports_of("responses")
    assert row.status == "failed" and "ZeroDivisionError" in row.error
