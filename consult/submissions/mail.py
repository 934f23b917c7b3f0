"""Sending e-mail with the standard library: one message, one SMTP conversation.

Configuration (``consult.config`` reads it from the environment): ``SMTP_HOST`` (default
``localhost``), ``SMTP_PORT`` (25), ``MAIL_FROM``, and optionally ``SMTP_USERNAME``/``SMTP_PASSWORD``
with ``SMTP_STARTTLS``. Pure module: the caller passes ``app.config``.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


class MailNotSent(Exception):
    """The SMTP server could not be reached or refused the message."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0


def settings_from(config) -> MailSettings:
    def value(name: str, default: str = "") -> str:
        return str(config.get(name) or default)

    return MailSettings(
        host=value("SMTP_HOST", "localhost"),
        port=int(value("SMTP_PORT", "25")),
        sender=value("MAIL_FROM", "gopy@localhost"),
        username=value("SMTP_USERNAME"),
        password=value("SMTP_PASSWORD"),
        starttls=str(config.get("SMTP_STARTTLS", False)).lower() in ("1", "true", "yes"),
    )


def build_message(settings: MailSettings, to: str, subject: str, body: str,
                  headers: dict[str, str] | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    for name, value in (headers or {}).items():  # e.g. List-Unsubscribe
        message[name] = value
    message.set_content(body, charset="utf-8")
    return message


def send_mail(settings: MailSettings, to: str, subject: str, body: str,
              headers: dict[str, str] | None = None) -> None:
    """Send a plain-text UTF-8 message; raises ``MailNotSent`` on any SMTP or network error."""
    message = build_message(settings, to, subject, body, headers)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailNotSent(str(error)) from error
