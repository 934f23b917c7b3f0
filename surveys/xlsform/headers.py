"""Column headers as other tools write them, spelled the way pyxform and the mapping read them.

pyxform splits a header on ``::``, or on ``:`` only when no header of the sheet uses ``::``, so a
sheet mixing ``label::Tiếng Việt (vi)`` with ``label:English`` loses the English labels without a
word; it also keeps ``text:english`` (older forms) as an unknown column.  Our own checks read
``type``/``name``/``relevant`` … by their exact name, so ``Type`` or ``NAME`` would not be found.
``normalised`` rewrites the headers of the ``survey`` and ``choices`` sheets:

* the first part in snake case and lower case when it is a column we know (``Label`` → ``label``,
  ``constraint message`` → ``constraint_message``);
* ``text`` or ``caption`` followed by a language → ``label`` (``text:english`` → ``label::english``);
* a translatable column split on ``:`` → split on ``::`` (``label:English`` → ``label::English``,
  ``media:image:English`` → ``media::image::English``).

A rewrite that would make two headers the same is not done: pyxform then names the problem.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyxform loads with the first import, not with the app
    from pyxform.xls2json_backends import DefinitionData


#: Columns whose text is per language (``column::language``).
TRANSLATABLE = {"label", "hint", "constraint_message", "required_message", "guidance_hint",
                "image", "big-image", "audio", "video", "media"}
KNOWN = TRANSLATABLE | {"type", "name", "relevant", "constraint", "required", "appearance",
                        "calculation", "choice_filter", "parameters", "list_name", "default",
                        "read_only", "repeat_count", "trigger",
                        "platform_parameters"}  # ``mapping.PLATFORM_PARAMETERS``
LABEL_ALIASES = {"text", "caption"}


def canonical(header: str) -> str:
    """The header as pyxform reads it best; unknown columns are left exactly as written."""
    text = str(header).strip()
    if "::" in text:
        tokens = [token.strip() for token in text.split("::")]
    else:
        tokens = [token.strip() for token in text.split(":")]
    first = "_".join(tokens[0].split()).lower()
    if first in LABEL_ALIASES and len(tokens) > 1:
        first = "label"
    if first not in KNOWN or (len(tokens) > 1 and first not in TRANSLATABLE):
        return header
    return "::".join([first, *tokens[1:]])


def normalised(workbook: DefinitionData) -> DefinitionData:
    """The workbook with the survey and choices headers rewritten (see the module docstring)."""
    changes = {}
    for sheet in ("survey", "choices"):
        header = getattr(workbook, f"{sheet}_header") or [{}]
        renames = _renames(list(header[0]) if header else [])
        if renames:
            rows = [{renames.get(key, key): value for key, value in row.items()}
                    for row in getattr(workbook, sheet) or []]
            changes[sheet] = rows
            changes[f"{sheet}_header"] = [{renames.get(key, key): None for key in header[0]}]
    return replace(workbook, **changes) if changes else workbook


def _renames(headers: list[str]) -> dict[str, str]:
    renames = {header: canonical(header) for header in headers}
    renames = {old: new for old, new in renames.items() if old != new}
    final = [renames.get(header, header) for header in headers]
    if len(set(final)) != len(final):
        return {}
    return renames
