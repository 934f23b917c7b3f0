"""``flask backup`` then ``flask restore`` into an empty database and instance: the data comes back.

The source is a migrated database with the demo loaded (comments, letters with their signed
PDFs), a citizen's name and contact, a survey upload and a prepared export. The target is a
new SQLite file, or on PostgreSQL a database created for the test and dropped after it.
"""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from consult import backup, comments
from consult.cli import prepare_database
from consult.extensions import db
from consult.models import Comment, Consultation, Contribution
from consult.submissions import attachments
from consult.submissions.models import Submission
from tests.conftest import isolated_database, make_test_app


@pytest.fixture()
def source_database(tmp_path):
    with isolated_database(tmp_path, prefix="bk") as found:
        yield found


@pytest.fixture()
def target_database(tmp_path, source_database):
    """An empty database: a new SQLite file, or a new PostgreSQL database whose search_path
    names the source's schema (pg_restore recreates that schema there)."""
    url, options = source_database
    if url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}", {}
        return
    name = f"gopy_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False), dict(options)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def populate(app) -> dict:
    """Migrate, load the demo, add a citizen's sending, a survey upload and an export file."""
    prepare_database()
    consultation = db.session.scalar(select(Consultation))
    contribution = comments.start_contribution(consultation)
    provision = consultation.draft.current_version.provisions[5]
    comments.add_comment(contribution, provision, "Đề nghị làm rõ khái niệm thành viên liên kết.", "bk-form-1")
    comments.submit_contribution(contribution, respondent_type="citizen", province_code="01",
                                 name="Nguyễn Thị Hoa", contact="hoa@example.vn")
    db.session.commit()
    survey_file = Path(app.instance_path) / "survey_uploads" / "1" / "bao-cao.pdf"
    survey_file.parent.mkdir(parents=True)
    survey_file.write_bytes(b"%PDF-1.4 survey upload")
    export_file = Path(app.instance_path) / "exports" / "comments-1-abc.xlsx"
    export_file.parent.mkdir(parents=True)
    export_file.write_bytes(b"PK xlsx bytes")
    return snapshot(app)


def snapshot(app) -> dict:
    """What must survive: opinions, the citizen's profile, every letter's PDF bytes, files."""
    letters = db.session.scalars(select(Submission).where(Submission.attachment_name != "")).all()
    root = attachments.upload_root(app)
    return {
        "comments": sorted(db.session.scalars(select(Comment.body))),
        "profiles": sorted((c.name, c.contact) for c in db.session.scalars(select(Contribution))),
        "letters": {s.letter_number: hashlib.sha256((root / s.attachment_name).read_bytes()).hexdigest()
                    for s in letters},
        "survey_upload": (Path(app.instance_path) / "survey_uploads/1/bao-cao.pdf").read_bytes(),
        "export": (Path(app.instance_path) / "exports/comments-1-abc.xlsx").read_bytes(),
    }


def test_backup_then_restore_into_an_empty_database_and_instance(tmp_path, source_database,
                                                                  target_database, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "mat-khau-demo-123")
    archive = tmp_path / "gopy-backup.tar.gz"
    source = make_test_app(source_database, tmp_path / "source", SECRET_KEY="the-source-secret")
    with source.app_context():
        expected = populate(source)
        revision = backup.current_revision()
        result = source.test_cli_runner().invoke(args=["backup", str(archive)])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    assert expected["letters"] and len(expected["comments"]) > 20 and revision
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    target = make_test_app(target_database, tmp_path / "target")
    with target.app_context():
        assert backup.target_is_empty(target)
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert snapshot(target) == expected
        assert backup.current_revision() == revision
        assert (tmp_path / "target" / "secret_key").read_text() == "the-source-secret"
        assert ("Nguyễn Thị Hoa", "hoa@example.vn") in expected["profiles"]
        again = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert again.exit_code != 0 and "--force" in again.output
        db.session.remove()
        db.engine.dispose()


def test_the_manifest_lists_versions_revision_and_checksums(tmp_path, source_database, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "mat-khau-demo-123")
    archive = tmp_path / "b.tar.gz"
    app = make_test_app(source_database, tmp_path / "instance")
    with app.app_context():
        populate(app)
        manifest = backup.create_backup(app, archive)
        db.session.remove()
        db.engine.dispose()
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        stored = json.loads(tar.extractfile("manifest.json").read())
        pdf_member = next(n for n in names if n.startswith("files/uploads/submissions/"))
        pdf = tar.extractfile(pdf_member).read()
    assert stored == manifest
    assert names == set(manifest["members"]) | {"manifest.json"}
    assert manifest["members"][pdf_member]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert manifest["packages"]["flask"] and manifest["alembic_revision"]
    database = manifest["database"]
    assert database["member"] in names
    if database["backend"] == "postgresql":
        assert database["pg_dump"].startswith("pg_dump (PostgreSQL) 15") and database["server"].startswith("15")
    assert {"files/survey_uploads/1/bao-cao.pdf", "files/exports/comments-1-abc.xlsx", "secret_key"} <= names


def tampered_copy(archive: Path, destination: Path, member_prefix: str) -> None:
    """The same archive with one member's bytes changed (the manifest left as it was)."""
    with tarfile.open(archive) as source, tarfile.open(destination, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith(member_prefix):
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))


def test_a_damaged_archive_is_refused_before_anything_is_touched(tmp_path, source_database, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "mat-khau-demo-123")
    archive, damaged = tmp_path / "good.tar.gz", tmp_path / "damaged.tar.gz"
    app = make_test_app(source_database, tmp_path / "instance")
    with app.app_context():
        populate(app)
        backup.create_backup(app, archive)
        tampered_copy(archive, damaged, "files/uploads/submissions/")
        before = snapshot(app)
        result = app.test_cli_runner().invoke(args=["restore", "--force", str(damaged)])
        assert result.exit_code != 0 and "checksum mismatch" in result.output
        assert snapshot(app) == before
        db.session.remove()
        db.engine.dispose()


def test_force_replaces_a_target_that_holds_data(tmp_path, source_database, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "mat-khau-demo-123")
    archive = tmp_path / "b.tar.gz"
    app = make_test_app(source_database, tmp_path / "instance")
    with app.app_context():
        expected = populate(app)
        backup.create_backup(app, archive)
        db.session.execute(text("DELETE FROM comment WHERE id IN (SELECT MIN(id) FROM comment)"))
        db.session.commit()
        (Path(app.instance_path) / "exports" / "comments-1-abc.xlsx").unlink()
        (Path(app.instance_path) / "exports" / "stray.xlsx").write_bytes(b"not in the backup")
        refused = app.test_cli_runner().invoke(args=["restore", str(archive)])
        assert refused.exit_code != 0
        forced = app.test_cli_runner().invoke(args=["restore", "--force", str(archive)])
        assert forced.exit_code == 0, forced.output
        assert snapshot(app) == expected
        assert not (Path(app.instance_path) / "exports" / "stray.xlsx").exists()
        db.session.remove()
        db.engine.dispose()


def test_an_archive_with_a_path_outside_is_refused(tmp_path, source_database):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    app = make_test_app(source_database, tmp_path / "instance")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["restore", str(evil)])
        db.engine.dispose()
    assert result.exit_code != 0 and "unexpected member" in result.output
    assert not (tmp_path / "outside.txt").exists()
