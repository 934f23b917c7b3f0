"""Uploaded documents checked by their content: PDF and Word (.docx), stored under random names.

Pure module: no Flask. The signed letters (``consult.submissions.attachments``) and the
consultation's dossier (``consult.dossier``) both use it. The name and the declared content
type of an upload say nothing: the bytes decide what a file is.

- PDF: starts with ``%PDF-`` and pypdf reads at least one page (not password-protected).
- Word: a .docx, i.e. a zip package holding ``word/document.xml`` whose main part is a
  document (not a macro-enabled .docm or a template); a package with a VBA project is refused.
  The legacy binary .doc (an OLE compound file, which may carry macros and cannot be checked
  here) is refused with its own message: save it as .docx or PDF.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files are expected input here

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: The extension each accepted content type is stored and downloaded with.
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx"}

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURE = b"PK\x03\x04"
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
#: A Word package unpacks to at most this many bytes and holds at most this many parts: more is
#: a zip bomb, not a report.
_DOCX_UNPACKED_MAX = 300 * 1024 * 1024
_DOCX_PARTS_MAX = 5000
#: Longest file name kept for display, in characters (the column holds 255).
FILENAME_MAX = 180
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_SPACES = re.compile(r"\s+")


class InvalidUpload(Exception):
    """The file cannot be accepted. ``code`` is one of: missing, empty, too_large, not_pdf,
    damaged, encrypted, no_pages, wrong_type, legacy_word, macros, damaged_docx."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CheckedDocument:
    """What the content says a file is."""
    content_type: str
    size: int
    sha256: str
    pages: int | None = None  # a PDF's page count

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def check_size(data: bytes, limit: int) -> None:
    if not data:
        raise InvalidUpload("empty")
    if len(data) > limit:
        raise InvalidUpload("too_large")


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip(b"\x00\t\r\n ").startswith(b"%PDF-")


def check_pdf(data: bytes, limit: int) -> int:
    """Return the page count of a readable PDF, or raise ``InvalidUpload``.

    The bytes must start with the PDF signature and pypdf must read at least one page.
    """
    check_size(data, limit)
    if not is_pdf(data):
        raise InvalidUpload("not_pdf")
    return _count_pages(data)


def _count_pages(data: bytes) -> int:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InvalidUpload("encrypted")
        pages = len(reader.pages)
    except InvalidUpload:
        raise
    except Exception as error:  # pypdf raises many kinds on damaged files
        raise InvalidUpload("damaged") from error
    if pages < 1:
        raise InvalidUpload("no_pages")
    return pages


def check_docx(data: bytes) -> None:
    """Raise ``InvalidUpload`` unless ``data`` is a Word document package without macros."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
            if len(parts) > _DOCX_PARTS_MAX or sum(p.file_size for p in parts) > _DOCX_UNPACKED_MAX:
                raise InvalidUpload("damaged_docx")
            names = {part.filename.lower() for part in parts}
            if "word/document.xml" not in names or "[content_types].xml" not in names:
                raise InvalidUpload("wrong_type")
            types = package.read("[Content_Types].xml").decode("utf-8", "replace")
            if (any(name.endswith("vbaproject.bin") for name in names)
                    or "macroenabled" in types.lower()):
                raise InvalidUpload("macros")
            if _DOCX_MAIN not in types:
                raise InvalidUpload("wrong_type")  # a template (.dotx) or something else
            if package.testzip() is not None:
                raise InvalidUpload("damaged_docx")
    except InvalidUpload:
        raise
    except Exception as error:  # BadZipFile, a bad CRC, a truncated member, ...
        raise InvalidUpload("damaged_docx") from error


def check_document(data: bytes, limit: int) -> CheckedDocument:
    """A PDF or a .docx, by content; raise ``InvalidUpload`` for anything else."""
    check_size(data, limit)
    pages = None
    if is_pdf(data):
        pages = _count_pages(data)
        content_type = PDF
    elif data.startswith(_ZIP_SIGNATURE):
        check_docx(data)
        content_type = DOCX
    elif data.startswith(_OLE_SIGNATURE):
        raise InvalidUpload("legacy_word")
    else:
        raise InvalidUpload("wrong_type")
    return CheckedDocument(content_type=content_type, size=len(data),
                           sha256=hashlib.sha256(data).hexdigest(), pages=pages)


def store_bytes(root: Path, data: bytes, extension: str) -> str:
    """Write ``data`` under a new random name in ``root`` (atomically); return the name.
    The upload's own name is never part of a path."""
    root.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{extension}"
    temporary = root / f".{name}.part"
    temporary.write_bytes(data)
    temporary.replace(root / name)
    return name


def clean_filename(filename: str, extension: str, fallback: str) -> str:
    """A file name fit to show and to download with: NFC, no folders, no control, format or
    reserved characters, no leading dots, at most ``FILENAME_MAX`` characters, ending in ``extension``
    (the one the content calls for). ``fallback`` (without extension) when nothing is left."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/")
    # control and format characters (NUL, a right-to-left override that shows "exe.txt")
    name = "".join(" " if unicodedata.category(char) in ("Cc", "Cf") else char for char in name)
    name = os.path.basename(name)
    name = _SPACES.sub(" ", _UNSAFE_IN_NAME.sub(" ", name)).strip().lstrip(".").strip()
    stem, dot, suffix = name.rpartition(".")
    if dot and ("." + suffix.lower()) in (".pdf", ".docx", ".doc", ".docm"):
        name = stem.rstrip(" .")
    name = name[:FILENAME_MAX - len(extension)].rstrip(" .") or fallback
    return name + extension
