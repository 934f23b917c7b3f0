"""The analysis job through RQ on the real Redis (redis://127.0.0.1:6379, or TEST_REDIS_URL).

A unique queue per run, worked by an in-process burst SimpleWorker inside the test app,
then deleted with its jobs. Skipped only when no Redis answers.
"""
import uuid

import pytest
from sqlalchemy import select

from analysis import jobs
from analysis.results import TextAnalysis
from consult.extensions import db
from tests.analysis.redis_support import REDIS_URL, drop_queue, live_redis, work
from tests.analysis.text_factories import CAMPAIGN, VARIED, add_comment, provision
from tests.factories import login, make_consultation, make_user



@pytest.fixture()
def redis_queue(app):
    import rq

    connection = live_redis()
    name = f"test-analysis-{uuid.uuid4().hex[:12]}"
    app.config.update(REDIS_URL=REDIS_URL, ANALYSIS_QUEUE=name)
    queue = rq.Queue(name, connection=connection)
    yield queue
    drop_queue(queue)
    connection.close()


def test_the_page_button_enqueues_and_a_worker_computes(redis_queue, client):
    consultation = make_consultation()
    for body in VARIED:
        add_comment(consultation, "dieu-3", body)
    add_comment(consultation, "dieu-3-khoan-1", CAMPAIGN)
    add_comment(consultation, "dieu-3-khoan-2", CAMPAIGN.replace("tham gia", "vào"))
    db.session.commit()
    login(client, make_user("drafter"))
    article = provision(consultation, "dieu-3")
    page = client.post("/quan-tri/phan-tich/chay?lang=en", data={"scope": "dieu", "scope_id": str(article.id)},
                       follow_redirects=True)
    assert b"The analysis was queued" in page.data
    row = db.session.scalar(select(TextAnalysis))
    assert row.status == "queued" and row.job_id
    assert redis_queue.count == 1

    work(redis_queue)

    db.session.expire_all()
    row = db.session.get(TextAnalysis, row.id)
    assert row.status == "done", row.error
    assert row.input_count == 6
    assert row.view()["campaigns"][0]["size"] == 2
    job = redis_queue.fetch_job(row.job_id)
    assert job.is_finished and job.return_value() == row.id
    shown = client.get(f"/quan-tri/phan-tich/dieu/{article.id}?lang=en").data.decode()
    assert "2 copies" in shown


def test_a_failing_job_is_marked_failed_not_left_running(redis_queue, monkeypatch):
    consultation = make_consultation()
    add_comment(consultation, "dieu-3", VARIED[0])
    db.session.commit()
    monkeypatch.setattr(jobs, "analyse", lambda *a, **k: 1 / 0)
    result_id = jobs.queue_analysis("article", provision(consultation, "dieu-3").id)
    work(redis_queue)
    db.session.expire_all()
    row = db.session.get(TextAnalysis, result_id)
    assert row.status == "failed" and "ZeroDivisionError" in row.error
