"""Settings read from the environment: ``GOPY_`` names, the older unprefixed names, defaults."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask

from consult.config import UNPREFIXED_NAMES, configure
from consult.submissions import attachments
from consult.submissions.mail import settings_from
from tests.conftest import make_test_app


@pytest.fixture()
def environment(monkeypatch):
    """A clean environment: none of our variables set, prefixed or not."""
    for name in list(os.environ):
        if name.startswith("GOPY_") or name in UNPREFIXED_NAMES:
            monkeypatch.delenv(name)
    return monkeypatch


def configured(tmp_path, test_config: dict | None = None) -> dict:
    app = Flask("consult", instance_path=str(tmp_path / "instance"))
    configure(app, test_config)
    return app.config


def test_with_nothing_set_one_machine_works(environment, tmp_path):
    config = configured(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/instance/gopy.sqlite3"
    assert config["SECRET_KEY"] == (tmp_path / "instance" / "secret_key").read_text().strip()
    assert len(config["SECRET_KEY"]) == 64
    assert config["SESSION_COOKIE_SECURE"] is False and config["PROXY_COUNT"] == 0
    assert config["HSTS_SECONDS"] == 0 and config["REDIS_URL"] is None
    assert (config["HOST"], config["PORT"]) == ("127.0.0.1", 5000)
    assert (Path(config["BABEL_TRANSLATION_DIRECTORIES"]) / "vi" / "LC_MESSAGES" / "messages.po").exists()


def test_the_readme_names_without_prefix_still_work(environment, tmp_path):
    environment.setenv("DATABASE_URL", "postgresql://gopy@db:5432/gopy")
    environment.setenv("SECRET_KEY", "bi-mat")
    environment.setenv("REDIS_URL", "redis://redis:6379/0")
    environment.setenv("EXPORT_DIR", str(tmp_path))
    environment.setenv("EXPORT_KEEP", "3")
    environment.setenv("EXPORT_INPROCESS_LIMIT", "100")
    environment.setenv("SMTP_PORT", "2525")
    environment.setenv("SMTP_STARTTLS", "1")
    environment.setenv("PORT", "8080")
    config = configured(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://gopy@db:5432/gopy"
    assert config["SECRET_KEY"] == "bi-mat" and config["REDIS_URL"] == "redis://redis:6379/0"
    assert (config["EXPORT_DIR"], config["EXPORT_KEEP"], config["EXPORT_INPROCESS_LIMIT"]) == (str(tmp_path), 3, 100)
    assert config["PORT"] == 8080
    mail = settings_from(config)
    assert (mail.port, mail.starttls, mail.host) == (2525, True, "localhost")


def test_the_prefixed_name_wins_and_texts_stay_as_typed(environment, tmp_path):
    environment.setenv("SECRET_KEY", "old")
    environment.setenv("GOPY_SECRET_KEY", "1234")
    environment.setenv("EXPORT_KEEP", "3")
    environment.setenv("GOPY_EXPORT_KEEP", "7")
    environment.setenv("GOPY_ADMIN_PASSWORD", "true")
    config = configured(tmp_path)
    assert config["SECRET_KEY"] == "1234"  # not the number 1234
    assert config["EXPORT_KEEP"] == 7
    assert config["ADMIN_PASSWORD"] == "true"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_serving_settings_come_from_the_prefix(environment, tmp_path):
    environment.setenv("GOPY_SESSION_COOKIE_SECURE", "true")
    environment.setenv("GOPY_PROXY_COUNT", "1")
    environment.setenv("GOPY_HSTS_SECONDS", "31536000")
    environment.setenv("GOPY_SUBMISSION_PDF_MAX_BYTES", "2097152")
    environment.setenv("GOPY_SURVEY_UPLOAD_MAX_BYTES", "1048576")
    environment.setenv("GOPY_MAX_CONTENT_LENGTH", "4194304")
    config = configured(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert (config["PROXY_COUNT"], config["HSTS_SECONDS"]) == (1, 31536000)
    assert (config["SUBMISSION_PDF_MAX_BYTES"], config["SURVEY_UPLOAD_MAX_BYTES"]) == (2097152, 1048576)
    assert config["MAX_CONTENT_LENGTH"] == 4194304


@pytest.mark.parametrize("word, expected", [("1", True), ("yes", True), ("on", True), ("false", False),
                                            ("0", False), ("no", False)])
def test_switches_read_the_usual_words(environment, tmp_path, word, expected):
    environment.setenv("GOPY_SESSION_COOKIE_SECURE", word)
    assert configured(tmp_path)["SESSION_COOKIE_SECURE"] is expected


@pytest.mark.parametrize("name, value, message", [
    ("EXPORT_KEEP", "năm", "EXPORT_KEEP must be a whole number"),
    ("GOPY_PROXY_COUNT", "one", "PROXY_COUNT must be a whole number"),
    ("GOPY_PROXY_COUNT", "-1", "PROXY_COUNT must not be negative"),
    ("GOPY_SUBMISSION_PDF_MAX_BYTES", "5MB", "SUBMISSION_PDF_MAX_BYTES must be a whole number"),
    ("GOPY_SESSION_COOKIE_SECURE", "maybe", "SESSION_COOKIE_SECURE must be true or false"),
])
def test_a_value_that_does_not_fit_stops_the_start(environment, tmp_path, name, value, message):
    environment.setenv(name, value)
    with pytest.raises(RuntimeError, match=message):
        configured(tmp_path)


def test_test_config_comes_last(environment, tmp_path):
    environment.setenv("GOPY_PROXY_COUNT", "2")
    environment.setenv("DATABASE_URL", "postgresql://x@y/z")
    config = configured(tmp_path, {"PROXY_COUNT": 0, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert config["PROXY_COUNT"] == 0 and config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


def test_the_pdf_limit_reaches_the_letters(environment, database, tmp_path):
    environment.setenv("GOPY_SUBMISSION_PDF_MAX_BYTES", "1024")
    assert attachments.max_bytes(make_test_app(database, tmp_path)) == 1024


def test_the_session_cookie_is_secure_only_when_configured(environment, database, _schema, tmp_path):
    plain = make_test_app(database, tmp_path).test_client().get("/?lang=en")
    assert plain.status_code == 200 and "Secure" not in plain.headers["Set-Cookie"]
    environment.setenv("GOPY_SESSION_COOKIE_SECURE", "true")
    secure = make_test_app(database, tmp_path).test_client().get("/?lang=en")
    assert "; Secure" in secure.headers["Set-Cookie"]
