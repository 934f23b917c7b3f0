"""Read a Word (.docx) draft the way Word shows it, as lines of text for ``legal_text``.

Drafts are typed in Word with its automatic numbering: the "Điều 12.", "1." and "a)" a reader
sees are not in the paragraph's text but computed from ``word/numbering.xml``. This module
recomputes them (numbering definitions, levels, formats, start values, restarts by level and by
``startOverride``) and writes them in front of the paragraph, so a numbered .docx gives the same
lines as the same draft typed as text.

Choices, stated once:

- Tracked changes are accepted: inserted text is kept, deleted text dropped; the report counts both.
- Word keeps one counter per abstract numbering definition, so two numbering instances (``w:num``)
  that share one continue each other's count; an instance with ``w:startOverride`` restarts.
- ``lowerLetter`` / ``upperLetter`` use the Vietnamese point letters (a, b, c, d, đ, e, g …):
  a Vietnamese draft's "e)" after "d)" is the drafter's "đ)".
- A table inside an article stays a table: one line per row, ``| cell | cell |``. Tables before
  the first article (the header block) or holding the signature are read cell by cell, as text.
- A footnote's mark stays in the text as ``[n]`` and its text follows the paragraph as ``[n] …``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from docx.oxml.ns import qn

from consult.legal_text import TABLE_ROW  # noqa: F401  (re-exported)

#: Vietnamese letters in order, as for points (no f, j, w, z).
_LETTERS = tuple("a b c d đ e g h i k l m n o p q r s t u v x y".split())
_SKIPPED = {qn("w:pPr"), qn("w:rPr"), qn("w:del"), qn("w:moveFrom"), qn("w:instrText"),
            qn("w:delText"), qn("w:fldData"), qn("w:drawing"), qn("w:pict"), qn("w:object"),
            qn("w:footnoteRef"), qn("w:commentReference")}


@dataclass
class WordReading:
    """What the reader saw besides the text: for the parse report."""

    lines: list[str] = field(default_factory=list)
    #: 1-based numbers of lines whose leading number came from Word's automatic numbering.
    numbered_lines: set[int] = field(default_factory=set)
    insertions: int = 0
    deletions: int = 0
    footnotes: int = 0
    tables: int = 0
    #: numFmt values met that are read as decimal (``ordinalText`` …).
    unknown_formats: set[str] = field(default_factory=set)

    def notes(self) -> dict:
        """JSON-safe summary for the parse report."""
        return {"insertions": self.insertions, "deletions": self.deletions,
                "footnotes": self.footnotes, "tables": self.tables,
                "unknown_formats": sorted(self.unknown_formats)}


# --- numbering definitions -------------------------------------------------------------------

@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    #: None: restart after any higher level; 0: never; n: after level n-1 (0-based) or higher.
    restart: int | None = None
    legal: bool = False  #: ``isLgl``: higher levels shown as decimal


@dataclass
class Instance:
    abstract_id: str
    starts: dict[int, int]  #: ilvl → startOverride
    levels: dict[int, Level]  #: ilvl → a whole level redefined in ``lvlOverride``


def _val(element, tag: str, default=None):
    child = element.find(qn(tag)) if element is not None else None
    return child.get(qn("w:val"), default) if child is not None else default


def _level(element) -> Level:
    restart = _val(element, "w:lvlRestart")
    legal = element.find(qn("w:isLgl"))
    return Level(start=int(_val(element, "w:start", "1") or 1), fmt=_val(element, "w:numFmt", "decimal"),
                 text=_val(element, "w:lvlText", "") or "",
                 restart=int(restart) if restart is not None else None,
                 legal=legal is not None and legal.get(qn("w:val"), "1") not in ("0", "false"))


def read_numbering(root) -> tuple[dict[str, dict[int, Level]], dict[str, Instance]]:
    """Abstract definitions (id → ilvl → Level) and instances (numId → Instance)."""
    abstracts: dict[str, dict[int, Level]] = {}
    instances: dict[str, Instance] = {}
    if root is None:
        return abstracts, instances
    for abstract in root.findall(qn("w:abstractNum")):
        abstracts[abstract.get(qn("w:abstractNumId"))] = {
            int(lvl.get(qn("w:ilvl"), "0")): _level(lvl) for lvl in abstract.findall(qn("w:lvl"))}
    for num in root.findall(qn("w:num")):
        starts, levels = {}, {}
        for override in num.findall(qn("w:lvlOverride")):
            ilvl = int(override.get(qn("w:ilvl"), "0"))
            start = _val(override, "w:startOverride")
            if start is not None:
                starts[ilvl] = int(start)
            if override.find(qn("w:lvl")) is not None:
                levels[ilvl] = _level(override.find(qn("w:lvl")))
        instances[num.get(qn("w:numId"))] = Instance(_val(num, "w:abstractNumId", ""), starts, levels)
    return abstracts, instances


def format_number(value: int, fmt: str) -> str | None:
    """A counter as Word shows it; None for formats that show no number (bullets)."""
    if fmt in ("bullet",):
        return None
    if fmt == "none":
        return ""
    if fmt in ("lowerLetter", "upperLetter"):
        letter = _LETTERS[(value - 1) % len(_LETTERS)] * ((value - 1) // len(_LETTERS) + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _roman(value: int) -> str:
    result = ""
    for amount, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, value = divmod(value, amount)
        result += letters * count
    return result


_KNOWN_FORMATS = {"decimal", "decimalZero", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman",
                  "bullet", "none"}
_PLACEHOLDER = re.compile(r"%([1-9])")


class Numbering:
    """Counters as Word keeps them while it lays the document out, paragraph by paragraph."""

    def __init__(self, abstracts, instances, reading: WordReading):
        self.abstracts = abstracts
        self.instances = instances
        self.reading = reading
        self.counters: dict[str, dict[int, int]] = {}
        self.used_instances: set[str] = set()

    def level(self, instance: Instance, ilvl: int) -> Level | None:
        if ilvl in instance.levels:
            return instance.levels[ilvl]
        return self.abstracts.get(instance.abstract_id, {}).get(ilvl)

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the counter for ``(num_id, ilvl)`` and return the label, or None if unnumbered."""
        instance = self.instances.get(num_id)
        level = self.level(instance, ilvl) if instance else None
        if level is None or level.fmt == "bullet":
            return None
        counters = self.counters.setdefault(instance.abstract_id, {})
        if num_id not in self.used_instances:
            self.used_instances.add(num_id)
            for overridden in instance.starts:
                counters.pop(overridden, None)
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else instance.starts.get(ilvl, level.start)
        self._restart_deeper(instance, counters, ilvl)
        return self._render(instance, counters, level)

    def _restart_deeper(self, instance: Instance, counters: dict[int, int], ilvl: int) -> None:
        for deeper in [key for key in counters if key > ilvl]:
            level = self.level(instance, deeper)
            restart = level.restart if level else None
            if restart is None or (restart > 0 and ilvl <= restart - 1):
                del counters[deeper]

    def _render(self, instance: Instance, counters: dict[int, int], level: Level) -> str:
        def replace(match):
            ilvl = int(match.group(1)) - 1
            shown = self.level(instance, ilvl)
            value = counters.get(ilvl, shown.start if shown else 1)
            fmt = shown.fmt if shown else "decimal"
            if fmt not in _KNOWN_FORMATS:
                self.reading.unknown_formats.add(fmt)
            if level.legal and fmt != "decimalZero":
                fmt = "decimal"
            return format_number(value, fmt) or ""

        return _PLACEHOLDER.sub(replace, level.text).strip()


# --- styles: numbering carried by a paragraph style ------------------------------------------

def read_style_numbering(root) -> dict[str, tuple[str | None, int | None, str | None]]:
    """style id → (numId, ilvl, basedOn) for paragraph styles."""
    styles = {}
    if root is None:
        return styles
    for style in root.findall(qn("w:style")):
        num_pr = style.find(qn("w:pPr") + "/" + qn("w:numPr"))
        num_id = _val(num_pr, "w:numId") if num_pr is not None else None
        ilvl = _val(num_pr, "w:ilvl") if num_pr is not None else None
        styles[style.get(qn("w:styleId"))] = (num_id, int(ilvl) if ilvl is not None else None,
                                              _val(style, "w:basedOn"))
    return styles


def paragraph_numbering(paragraph, styles) -> tuple[str, int] | None:
    """``(numId, ilvl)`` of a paragraph, from its own properties or its style chain."""
    p_pr = paragraph.find(qn("w:pPr"))
    num_pr = p_pr.find(qn("w:numPr")) if p_pr is not None else None
    num_id = _val(num_pr, "w:numId") if num_pr is not None else None
    ilvl = _val(num_pr, "w:ilvl") if num_pr is not None else None
    style_id, seen = _val(p_pr, "w:pStyle"), set()
    while (num_id is None or ilvl is None) and style_id and style_id not in seen:
        seen.add(style_id)
        style_num, style_ilvl, based_on = styles.get(style_id, (None, None, None))
        num_id = num_id if num_id is not None else style_num
        ilvl = ilvl if ilvl is not None else (str(style_ilvl) if style_ilvl is not None else None)
        style_id = based_on
    if num_id in (None, "0"):
        return None
    return num_id, int(ilvl or 0)


# --- the document body -----------------------------------------------------------------------

def _footnote_texts(root) -> dict[str, str]:
    """footnote id → its text; Word's separator pseudo-notes left out."""
    notes = {}
    if root is None:
        return notes
    for note in root.findall(qn("w:footnote")):
        if note.get(qn("w:type")) in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        texts = [_inline_text(p, WordReading(), {}) for p in note.iter(qn("w:p"))]
        notes[note.get(qn("w:id"))] = " ".join(text.strip() for text in texts if text.strip())
    return notes


def _inline_text(element, reading: WordReading, marks: dict) -> str:
    """The visible text under ``element`` with insertions accepted and deletions dropped.

    ``marks`` maps footnote ids to the number shown, in order of first reference.
    """
    parts: list[str] = []
    for child in element:
        tag = child.tag
        if tag in (qn("w:del"), qn("w:moveFrom")):
            reading.deletions += 1
        elif tag in _SKIPPED:
            continue
        elif tag == qn("w:t"):
            parts.append(child.text or "")
        elif tag in (qn("w:tab"), qn("w:ptab")):
            parts.append(" ")
        elif tag in (qn("w:br"), qn("w:cr")):
            parts.append("\n")
        elif tag == qn("w:noBreakHyphen"):
            parts.append("-")
        elif tag == qn("w:footnoteReference"):
            note_id = child.get(qn("w:id"))
            marks.setdefault(note_id, len(marks) + 1)
            parts.append(f"[{marks[note_id]}]")
        else:
            if tag in (qn("w:ins"), qn("w:moveTo")):
                reading.insertions += 1
            parts.append(_inline_text(child, reading, marks))
    return "".join(parts)


class BodyReader:
    """Walks ``w:body`` in order and produces the lines of a :class:`WordReading`."""

    def __init__(self, numbering: Numbering, styles: dict, footnotes: dict[str, str],
                 reading: WordReading):
        self.numbering = numbering
        self.styles = styles
        self.footnotes = footnotes
        self.reading = reading
        self.marks: dict[str, int] = {}
        self.seen_article = False

    def read(self, container) -> None:
        for child in container:
            if child.tag == qn("w:p"):
                self.paragraph(child)
            elif child.tag == qn("w:tbl"):
                self.table(child)
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    self.read(content)

    def paragraph_text(self, paragraph) -> tuple[str, bool, list[int]]:
        """(text with its number, whether the number came from numbering, new footnote marks)."""
        known = set(self.marks)
        text = _inline_text(paragraph, self.reading, self.marks)
        numbered = False
        where = paragraph_numbering(paragraph, self.styles)
        if where and not (not text.strip() and _mark_deleted(paragraph)):
            label = self.numbering.label(*where)
            if label:
                text, numbered = f"{label} {text.lstrip()}".rstrip(), True
        new_marks = [number for note, number in self.marks.items() if note not in known]
        return text, numbered, new_marks

    def paragraph(self, paragraph) -> None:
        text, numbered, new_marks = self.paragraph_text(paragraph)
        if numbered:
            self.reading.numbered_lines.add(len(self.reading.lines) + 1)
        self.emit(text)
        by_number = {number: note for note, number in self.marks.items()}
        for number in new_marks:
            self.reading.footnotes += 1
            self.emit(f"[{number}] {self.footnotes.get(by_number[number], '')}".rstrip())

    def emit(self, text: str) -> None:
        from consult.legal_text import is_article_heading

        for line in text.split("\n"):
            self.reading.lines.append(line)
            self.seen_article = self.seen_article or is_article_heading(line)

    def table(self, table) -> None:
        rows = [self.row_cells(row) for row in table.findall(qn("w:tr"))]
        if self.seen_article and not any(_starts_structure(cell) for row in rows for cell in row):
            self.reading.tables += 1
            for row in rows:
                cells = [" ".join(cell.split("\n")).replace("|", "¦").strip() for cell in row]
                self.emit("| " + " | ".join(cells) + " |")
            return
        for row in rows:
            for cell in row:
                self.emit(cell)

    def row_cells(self, row) -> list[str]:
        """Each cell's text (paragraphs on their own lines); a cell merged across rows once."""
        cells = []
        for cell in row.findall(qn("w:tc")):
            merge = cell.find(qn("w:tcPr") + "/" + qn("w:vMerge"))
            if merge is not None and merge.get(qn("w:val"), "continue") == "continue":
                continue
            lines = []
            for block in cell:
                if block.tag == qn("w:p"):
                    lines.append(self.paragraph_text(block)[0])
                elif block.tag == qn("w:tbl"):
                    lines.extend(" ".join(inner) for inner in map(self.row_cells, block.findall(qn("w:tr"))))
            cells.append("\n".join(lines))
        return cells


def _mark_deleted(paragraph) -> bool:
    """The paragraph mark itself is a tracked deletion: Word's final view drops the paragraph."""
    return paragraph.find(qn("w:pPr") + "/" + qn("w:rPr") + "/" + qn("w:del")) is not None


def _starts_structure(cell: str) -> bool:
    """A cell holding a heading or the signature block: the table is layout, not content."""
    from consult.legal_text import is_structure_line

    return any(is_structure_line(line) for line in cell.split("\n"))


def _part_root(document, reltype_suffix: str):
    for relationship in document.part.rels.values():
        if relationship.reltype.endswith(reltype_suffix) and not relationship.is_external:
            from lxml import etree

            return etree.fromstring(relationship.target_part.blob)
    return None


def read_word(document) -> WordReading:
    """Lines of a python-docx ``Document`` as Word shows them, with what was seen on the way."""
    reading = WordReading()
    numbering = Numbering(*read_numbering(_part_root(document, "/numbering")), reading)
    styles = read_style_numbering(_part_root(document, "/styles"))
    reader = BodyReader(numbering, styles, _footnote_texts(_part_root(document, "/footnotes")), reading)
    reader.read(document.element.body)
    return reading
