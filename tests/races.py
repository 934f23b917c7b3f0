"""Run the same request several times at once, as a double click or a retrying client does.

Each copy runs in its own thread with its own test client, hence its own app context, its
own database session and its own connection, against the test's database: the twins really
race inside SQLite's or PostgreSQL's locks. A barrier releases them together.
"""
from __future__ import annotations

import threading

from flask import Flask

TWINS = 6


def cookie_of(client, name: str = "session") -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


def race(app: Flask, send, copies: int = TWINS, cookie: str | None = None) -> list:
    """``send(client)`` in ``copies`` threads at once; their responses (or exceptions), in order.

    ``cookie`` is a session cookie every copy carries, as the tabs of one browser do.
    """
    barrier = threading.Barrier(copies)
    results: list = [None] * copies

    def run(index: int) -> None:
        client = app.test_client()
        if cookie is not None:
            client.set_cookie("session", cookie, domain="localhost")
        try:
            barrier.wait(timeout=30)
            results[index] = send(client)
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def statuses(results: list) -> list:
    """Each twin's status code, or the exception it raised instead of answering."""
    return [getattr(result, "status_code", result) for result in results]
