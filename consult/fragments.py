"""Rendered pieces of pages that cannot change, kept per process.

A published version never changes (a revised text is a new version), so the HTML of its
articles is the same for every reader in a language: rendering it again on every view was most
of the article page's cost. Templates call ``kept(key, macro, *args)``: the macro's output is
kept under ``key`` plus the page's language, in a bounded least-recently-used cache shared by
the threads of one application (per worker process). A key of ``None`` renders without keeping
(an unpublished version, a form holding someone's input). ``version_key`` makes the key of a
version: its id and publication stamp, so a version unpublished and published again is
rendered anew.
"""
from __future__ import annotations

from typing import Callable

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from consult.provision_tree import LruCache

#: Fragments a process keeps: a few drafts' articles and their comment forms, in two languages.
CACHE_SIZE = 4096


def version_key(version) -> tuple | None:
    """The part of a fragment's key naming ``version``; None (do not keep) when unpublished."""
    if version is None or getattr(version, "published_at", None) is None:
        return None
    return (version.id, version.published_at)


def kept(key: tuple | None, render: Callable[..., str], *args, **kwargs) -> Markup:
    """``render(*args, **kwargs)``, kept under ``key`` (and the current language) once made."""
    if key is None or None in key:
        return Markup(render(*args, **kwargs))
    cache = current_app.extensions.get("html_fragments")
    if cache is None:
        cache = current_app.extensions.setdefault("html_fragments", LruCache(CACHE_SIZE))
    full = (*key, str(get_locale()))
    html = cache.get(full)
    if html is None:
        html = Markup(render(*args, **kwargs))
        cache.put(full, html)
    return html


def init_app(app) -> None:
    app.jinja_env.globals.update(kept=kept, version_key=version_key)
