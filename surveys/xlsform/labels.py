"""Texts of an imported form that would otherwise be lost or break the export, each reported.

* A filled cell in a column the platform does not use (``default``, ``read_only``,
  ``guidance_hint``…) is named in the report.
* Media (``image``, ``audio``, ``video``, ``big-image`` columns, on a question or its options)
  are not shown by the platform: the text is kept and the media named in the report.
* A label, hint or message may insert another field's value with ``${name}``.  When that field
  was not imported (a calculation, ``start``/``deviceid`` metadata, a question in a loop),
  the export would name a field that does not exist and pyxform would refuse it, so the
  reference is written as ``[name]`` and the report says so.
"""
from __future__ import annotations

import re

from surveys.xlsform.report import ImportReport

#: Columns the import reads or reports on its own (the first part of ``column::language``).
READ_COLUMNS = {"type", "name", "label", "hint", "required", "relevant", "constraint",
                "constraint_message", "required_message", "appearance", "parameters",
                "choice_filter", "media", "image", "big-image", "audio", "video",
                "platform_parameters", "jr:constraintMsg", "jr:requiredMsg"}
REFERENCE = re.compile(r"\$\{\s*([^}\s]*)\s*\}")
MEDIA_KEYS = ("image", "big-image", "audio", "video")


def report_media(mapper, element: dict, row: int | None, name: str) -> None:
    kinds = _media_kinds(element.get("media"))
    if kinds:
        mapper.report.add("changed", "media_dropped", row=row, name=name, media=", ".join(kinds))
    choice_kinds = sorted({kind for choice in element.get("choices") or []
                           for kind in _media_kinds(choice.get("media"))})
    if choice_kinds:
        mapper.report.add("changed", "choice_media_dropped", row=row, name=name,
                          media=", ".join(choice_kinds))


def report_ignored_columns(report: ImportReport, values: dict, row: int | None, name: str) -> None:
    """A line for each filled cell of the row in a column the platform does not use."""
    for column, value in values.items():
        text = str(value if value is not None else "").strip()
        if text and str(column).split("::")[0] not in READ_COLUMNS:
            report.add("changed", "column_ignored", row=row, name=name, column=str(column),
                       value=text[:80])


def _media_kinds(media) -> list[str]:
    if not isinstance(media, dict):
        return []
    return [kind for kind in MEDIA_KEYS if media.get(kind)]


def rewrite_references(pages, report: ImportReport) -> None:
    """``${name}`` of a field that was not imported → ``[name]`` in every text of the plan."""
    known = set()
    for page in pages:
        for question in page.questions:
            known.add(question.name)
            known.update(row.get("name", "") for row in question.parameters.get("rows") or [])
    for page in pages:
        missing = _rewrite_texts(page.title, known)
        if missing:
            report.add("changed", "reference_rewritten", row=page.row, name=page.name,
                       references=", ".join(sorted(missing)))
        for question in page.questions:
            missing = set()
            for texts in (question.label, question.hint, question.constraint_message,
                          *(choice.label for choice in question.choices),
                          *(row.get("label") or {} for row in question.parameters.get("rows") or [])):
                missing |= _rewrite_texts(texts, known)
            if missing:
                report.add("changed", "reference_rewritten", row=question.row, name=question.name,
                           references=", ".join(sorted(missing)))


def _rewrite_texts(texts: dict, known: set[str]) -> set[str]:
    """Rewrite ``texts`` (language → text) in place; returns the names written as ``[name]``."""
    missing: set[str] = set()

    def replace(match: re.Match) -> str:
        if match.group(1) in known:
            return match.group(0)
        missing.add(match.group(1) or "?")
        return f"[{match.group(1)}]"

    for language, text in list((texts or {}).items()):
        if isinstance(text, str) and "${" in text:
            texts[language] = REFERENCE.sub(replace, text)
    return missing
