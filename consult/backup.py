"""Backup and restore of everything the platform keeps, in one ``.tar.gz``.

A dump of the database alone restores nothing useful: the letters' PDFs, the survey
uploads, the prepared exports and the secret key live on disk. The archive holds:

- ``manifest.json``: format, time, versions (platform packages, Python, database server and
  ``pg_dump``), the Alembic revision, and the size and SHA-256 of every other member;
- ``database.sqlite3`` (SQLite's online backup API: consistent while the site runs) or
  ``database.pgdump`` (``pg_dump --format=custom``, restored with ``pg_restore``);
- ``files/uploads/…`` (``UPLOAD_FOLDER``: letters' PDFs, dossiers' documents), ``files/survey_uploads/…``,
  ``files/exports/…`` (``EXPORT_DIR``);
- ``secret_key``: the key that signs sessions and forms.

The archive holds personal data and the secret key: it is written readable by its owner only
and must be stored encrypted (docs/privacy.md).

``restore_backup`` checks every checksum before it touches anything, refuses a target that
already holds data unless ``force``, then loads the database and puts the files back.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from consult.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
SECRET_MEMBER = "secret_key"
_PACKAGES = ("flask", "sqlalchemy", "alembic", "psycopg", "rq", "prometheus-client")
_SEARCH_PATH = re.compile(r"search_path=([A-Za-z0-9_]+)")


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why."""


@dataclass
class RestoreReport:
    revision: str | None
    files: int
    database: str


# --- where things live ------------------------------------------------------------------------


def file_roots(app: Flask) -> dict[str, Path]:
    """The folders that hold files, by their name inside the archive."""
    instance = Path(app.instance_path)
    return {
        "uploads": Path(app.config.get("UPLOAD_FOLDER") or instance / "uploads"),
        "survey_uploads": instance / "survey_uploads",
        "exports": Path(app.config.get("EXPORT_DIR") or instance / "exports"),
    }


def backend(app: Flask) -> str:
    return "sqlite" if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite" \
        else "postgresql"


# --- backup -----------------------------------------------------------------------------------


def create_backup(app: Flask, destination: Path) -> dict:
    """Write the archive at ``destination``; returns its manifest."""
    with tempfile.TemporaryDirectory(prefix="gopy-backup-") as work:
        staging = Path(work)
        database_info = _dump_database(app, staging)
        _copy_files(app, staging)
        (staging / SECRET_MEMBER).write_text(str(app.config["SECRET_KEY"]))
        manifest = _manifest(app, staging, database_info)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        _write_archive(staging, destination, manifest)
    return manifest


def _dump_database(app: Flask, staging: Path) -> dict:
    if backend(app) == "sqlite":
        source = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
        with sqlite3.connect(source) as live, sqlite3.connect(staging / SQLITE_MEMBER) as copy:
            live.backup(copy)
        copy.close()
        live.close()
        return {"backend": "sqlite", "member": SQLITE_MEMBER, "sqlite": sqlite3.sqlite_version}
    server_version = _server_version()
    tool_version = _tool_major("pg_dump")
    if tool_version < int(server_version.split(".")[0]):
        raise BackupError(f"pg_dump {tool_version} cannot dump a PostgreSQL {server_version} server")
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
               f"--file={staging / PG_MEMBER}"]
    schema = _schema(app)
    if schema:
        command.append(f"--schema={schema}")
    _run(command + [_libpq_url(app)], app)
    return {"backend": "postgresql", "member": PG_MEMBER, "server": server_version,
            "pg_dump": _tool_version_text("pg_dump"), "schema": schema}


def _copy_files(app: Flask, staging: Path) -> None:
    for name, root in file_roots(app).items():
        if root.is_dir():
            shutil.copytree(root, staging / "files" / name,
                            ignore=shutil.ignore_patterns("*.part", ".*.part"))


def _manifest(app: Flask, staging: Path, database_info: dict) -> dict:
    from consult.models import utcnow

    return {
        "format": FORMAT,
        "created_at": utcnow().isoformat() + "Z",
        "python": platform.python_version(),
        "packages": {name: _package_version(name) for name in _PACKAGES},
        "database": database_info,
        "alembic_revision": current_revision(),
        "members": {path: _fingerprint(staging / path) for path in _members(staging)},
    }


def _members(staging: Path) -> list[str]:
    return sorted(str(path.relative_to(staging)) for path in staging.rglob("*")
                  if path.is_file() and path.name != MANIFEST)


def _fingerprint(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"sha256": digest.hexdigest(), "size": path.stat().st_size}


def _write_archive(staging: Path, destination: Path, manifest: dict) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as archive:
        archive.add(staging / MANIFEST, arcname=MANIFEST)
        for member in manifest["members"]:
            archive.add(staging / member, arcname=member)
    os.replace(partial, destination)


# --- restore ----------------------------------------------------------------------------------


def restore_backup(app: Flask, source: Path, *, force: bool = False) -> RestoreReport:
    """Check the archive, refuse a non-empty target unless ``force``, load it."""
    with tempfile.TemporaryDirectory(prefix="gopy-restore-") as work:
        staging = Path(work)
        manifest = _extract(source, staging)
        verify(staging, manifest)
        if manifest["database"]["backend"] != backend(app):
            raise BackupError(f"the archive holds a {manifest['database']['backend']} database, "
                              f"the target is {backend(app)}")
        if not force:
            _refuse_non_empty(app)
        db.session.remove()
        db.engine.dispose()
        _load_database(app, staging, manifest["database"])
        count = _restore_files(app, staging)
        _restore_secret(app, staging)
        revision = current_revision()
    if revision != manifest.get("alembic_revision"):
        raise BackupError(f"restored database at {revision}, the archive says {manifest.get('alembic_revision')}")
    return RestoreReport(revision=revision, files=count, database=manifest["database"]["backend"])


def _extract(source: Path, staging: Path) -> dict:
    """Unpack regular files with plain relative names only; return the manifest."""
    try:
        with tarfile.open(source, mode="r:gz") as archive:
            for member in archive.getmembers():
                if not member.isfile() or not _safe_name(member.name):
                    raise BackupError(f"unexpected member in the archive: {member.name!r}")
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"cannot read {source}: {error}") from error
    try:
        manifest = json.loads((staging / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError("the archive has no readable manifest") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown archive format {manifest.get('format')!r}")
    return manifest


def _safe_name(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def verify(staging: Path, manifest: dict) -> None:
    """Every listed member present with its size and checksum, and nothing unlisted."""
    listed = manifest.get("members") or {}
    present = set(_members(staging))
    if present != set(listed):
        missing, extra = sorted(set(listed) - present), sorted(present - set(listed))
        raise BackupError(f"archive members differ from the manifest: missing {missing}, unlisted {extra}")
    for name, expected in listed.items():
        if _fingerprint(staging / name) != expected:
            raise BackupError(f"checksum mismatch: {name}")


def target_is_empty(app: Flask) -> bool:
    """No table holds a row (``alembic_version`` aside) and no file folder holds a file."""
    with db.engine.connect() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
        for table in tables:
            quoted = connection.dialect.identifier_preparer.quote(table)
            if connection.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1")).first() is not None:
                return False
    return not any(root.is_dir() and any(p.is_file() for p in root.rglob("*"))
                   for root in file_roots(app).values())


def _refuse_non_empty(app: Flask) -> None:
    if not target_is_empty(app):
        raise BackupError("the target database or file folders already hold data; use --force to replace them")


def _load_database(app: Flask, staging: Path, info: dict) -> None:
    if info["backend"] == "sqlite":
        target = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(staging / SQLITE_MEMBER) as archived, sqlite3.connect(target) as live:
            archived.backup(live)
        archived.close()
        live.close()
        return
    _tool_major("pg_restore")
    _run(["pg_restore", "--no-owner", "--no-privileges", "--clean", "--if-exists", "--exit-on-error",
          "--single-transaction", f"--dbname={_libpq_url(app)}", str(staging / PG_MEMBER)], app)


def _restore_files(app: Flask, staging: Path) -> int:
    """Replace each file folder with the archive's copy; returns the number of files."""
    count = 0
    for name, root in file_roots(app).items():
        archived = staging / "files" / name
        if root.exists():
            shutil.rmtree(root)
        if archived.is_dir():
            shutil.copytree(archived, root)
            count += sum(1 for p in root.rglob("*") if p.is_file())
    return count


def _restore_secret(app: Flask, staging: Path) -> None:
    """The key goes to ``instance/secret_key`` (used when ``SECRET_KEY`` is not set)."""
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write((staging / SECRET_MEMBER).read_text())


# --- helpers ----------------------------------------------------------------------------------


def current_revision() -> str | None:
    from consult.health import database_revisions

    with db.engine.connect() as connection:
        return ",".join(sorted(database_revisions(connection))) or None


def _server_version() -> str:
    with db.engine.connect() as connection:
        return connection.execute(text("SHOW server_version")).scalar().split()[0]


def _schema(app: Flask) -> str | None:
    """The schema set by the engine's ``search_path`` option (tests use one per run)."""
    options = (app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}).get("connect_args", {}).get("options", "")
    match = _SEARCH_PATH.search(options or "")
    return match.group(1) if match else None


def _libpq_url(app: Flask) -> str:
    """The database as a libpq URL without its password (that goes in ``PGPASSWORD``, out of
    the process list)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql", password=None)
    return url.render_as_string(hide_password=False)


def _tool_version_text(tool: str) -> str:
    try:
        return subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as error:
        raise BackupError(f"{tool} is not available: {error}") from error


def _tool_major(tool: str) -> int:
    match = re.search(r"(\d+)\.\d+", _tool_version_text(tool))  # "pg_dump (PostgreSQL) 15.20 (Debian …)"
    if not match:
        raise BackupError(f"cannot read the version of {tool}")
    return int(match.group(1))


def _run(command: list[str], app: Flask) -> None:
    environment = dict(os.environ)
    password = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).password
    if password:
        environment["PGPASSWORD"] = password
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
