"""Security headers on every response.

The Content-Security-Policy allows scripts and styles from our own static files only: no
``'unsafe-inline'``, so an opinion that slipped a ``<script>`` or a ``style``/``onclick``
attribute past escaping would still not run. Templates therefore carry no inline script,
style block, ``style="…"`` attribute or ``on…=`` handler (tests/consult/test_security.py crawls
the demo to check; the SVG charts use presentation attributes such as ``fill``, which CSP allows).
Pages cannot be framed (``frame-ancestors 'none'`` and, for older browsers, X-Frame-Options).
Strict-Transport-Security is sent only when ``HSTS_SECONDS`` is set and the request came over
HTTPS: turn it on once TLS works for good (docs/operations.md).
"""
from __future__ import annotations

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
#: Features no page of ours uses, refused to any script that would ask.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    #: Receipt codes and invitation tokens travel in our URLs: no other site sees them.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    """The headers above, unless a view chose its own; HSTS when configured and on HTTPS."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    hsts = strict_transport_security(current_app.config)
    if hsts and request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", hsts)
    return response


def strict_transport_security(config) -> str | None:
    """The HSTS header's value from ``HSTS_SECONDS`` (and ``HSTS_INCLUDE_SUBDOMAINS``), or None."""
    seconds = int(config.get("HSTS_SECONDS") or 0)
    if seconds <= 0:
        return None
    return f"max-age={seconds}" + ("; includeSubDomains" if config.get("HSTS_INCLUDE_SUBDOMAINS") else "")


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
