"""Alembic migrations build exactly the schema the models describe, on both databases."""
from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from consult.extensions import db
from tests.conftest import isolated_database, make_test_app


@pytest.fixture()
def fresh_database(tmp_path):
    with isolated_database(tmp_path, prefix="mig") as found:
        yield found


def test_upgrade_matches_the_models_and_downgrades(fresh_database, tmp_path):
    app = make_test_app(fresh_database, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_start_command_migrates_and_loads_the_demo_once(fresh_database, tmp_path, monkeypatch):
    from consult.cli import prepare_database
    from consult.models import Comment, Consultation, Organisation, User

    monkeypatch.setenv("ADMIN_PASSWORD", "mat-khau-demo-123")
    app = make_test_app(fresh_database, tmp_path)
    with app.app_context():
        assert prepare_database() is None  # the password came from the environment
        assert db.session.query(Consultation).count() == 2  # the 2022 demo and the 2026 decree
        provinces = db.session.query(Organisation).filter_by(kind="province").all()
        assert sum(p.in_force_on(date(2022, 9, 1)) for p in provinces) == 63
        assert sum(p.in_force_on(date(2026, 1, 1)) for p in provinces) == 34
        ministries = db.session.query(Organisation).filter_by(kind="ministry").all()
        assert sum(m.in_force_on(date(2022, 9, 1)) for m in ministries) == 18
        assert sum(m.in_force_on(date(2026, 1, 1)) for m in ministries) == 14
        assert db.session.query(Comment).filter_by(status="published").count() > 20
        admin = db.session.query(User).one()
        assert admin.role == "admin" and admin.check_password("mat-khau-demo-123")
        prepare_database()  # a second start loads nothing more
        assert db.session.query(Consultation).count() == 2
        client = app.test_client()
        assert "Luật Hợp tác xã" in client.get("/").text
        draft = client.get("/du-thao/luat-hop-tac-xa-sua-doi")
        assert draft.status_code == 200 and draft.text.count('class="article"') >= 30
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()
