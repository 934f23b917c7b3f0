"""A local SMTP server (aiosmtpd) for the tests of every kind of e-mail the platform sends."""
from __future__ import annotations

import socket
from email import message_from_bytes, policy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def start_smtp(app=None):
    """Start a server on a free port (and point ``app``'s mail settings at it); the caller stops
    the returned controller."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    if app is not None:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="gopy@example.vn")
    return controller, inbox
