"""The edge of every request: parameters as the application may store them.

Every query and form parameter (and the name of every uploaded file), of every page and of
the API, is parsed into
``StorableParameters``, which drops what no database column can hold (NUL, lone surrogates:
PostgreSQL refuses them with an error, SQLite keeps them): no form or view has to remember
it, and a field added tomorrow is covered too. JSON bodies get the same treatment through
``storable_json``.

A form body that is not valid UTF-8 is decoded with replacement characters (U+FFFD)
instead of being dropped whole, which made the CSRF check fail and the error page promise
text it did not have: the decodable part comes back to the form, and the free-text checks
(``consult.form_checks``) say which characters could not be read.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Request, current_app
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from consult.textnorm import storable


def _storable(value):
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, FileStorage) and value.filename:
        value.filename = storable(value.filename)  # an upload's name is stored with it
    return value


class StorableParameters(ImmutableMultiDict):
    """Query or form parameters, names and values cleaned by ``textnorm.storable``."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = mapping.items()
        else:
            pairs = mapping
        super().__init__([(_storable(key), _storable(value)) for key, value in pairs])


class LenientFormDataParser(FormDataParser):
    """Reads a urlencoded body that is not UTF-8 with replacement characters, as werkzeug
    already does for multipart fields, instead of silently giving an empty form."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        if (self.max_form_memory_size is not None and content_length is not None
                and content_length > self.max_form_memory_size):
            raise RequestEntityTooLarge()  # werkzeug's own limit, which this override replaces
        text = stream.read().decode("utf-8", "replace")
        # Percent-escaped bytes that are not UTF-8 (a form sent as Windows-1258 or Latin-1)
        # become U+FFFD too, not the escapes themselves: "caf%E9" stored as typed text.
        items = parse_qsl(text, keep_blank_values=True, errors="replace")
        return stream, self.cls(items), self.cls()


#: Endpoints whose requests may be larger than ``MAX_CONTENT_LENGTH``: the endpoint's name, and
#: a function of the app's config giving its own limit (the dossier's uploads, 20 MB). Set on
#: the request class because the CSRF check reads the form before any view could raise it.
LARGE_BODY_LIMITS: dict = {}


def allow_large_body(endpoint: str, limit) -> None:
    """Let ``endpoint`` take bodies up to ``limit(config)`` bytes (never less than the app's
    ``MAX_CONTENT_LENGTH``)."""
    LARGE_BODY_LIMITS[endpoint] = limit


class BoundaryRequest(Request):
    parameter_storage_class = StorableParameters
    form_data_parser_class = LenientFormDataParser

    @property
    def max_content_length(self) -> int | None:
        limit = Request.max_content_length.fget(self)
        own = LARGE_BODY_LIMITS.get(self.endpoint or "")
        if own is not None and current_app and limit is not None:
            return max(limit, int(own(current_app.config)))
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        Request.max_content_length.fset(self, value)


def storable_json(value):
    """A parsed JSON document with every string (keys too) cleaned by ``textnorm.storable``."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list):
        return [storable_json(item) for item in value]
    if isinstance(value, dict):
        return {storable(key): storable_json(item) for key, item in value.items()}
    return value
