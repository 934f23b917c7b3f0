"""Read a Vietnamese draft law and parse it into a provision tree.

Phần / Chương / Mục / Điều / Khoản / Điểm become nodes of kind part, chapter, section, article,
clause and point. The parser is line based and forgiving: odd numbering or stray text never makes it
fail, it is reported as warnings so the drafting team can fix the source and import again. Only a
text without a single "Điều N" is refused. Pure Python: no Flask, no database.
"""
from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Iterator

#: A table row of a Word draft, stored one row a line as ``| cell | cell |``.
TABLE_ROW = re.compile(r"^\|.*\|$")
KINDS = ("part", "chapter", "section", "article", "clause", "point")
CONTAINER_KINDS = ("part", "chapter", "section")
#: Vietnamese point letters, in order: the alphabet has no f, j, w or z.
POINT_LETTERS = tuple("a b c d đ e g h i k l m n o p q r s t u v x y".split())
_LEVEL = {kind: level for level, kind in enumerate(KINDS)}


class UnreadableDocument(Exception):
    """The upload could not be turned into text; ``code`` is one of ``CODES``."""

    CODES = ("empty", "unsupported_type", "bad_encoding", "corrupt_docx")

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class DraftParseError(Exception):
    """The text holds no article ("Điều N"), so it is not a legal text we can structure."""

    def __init__(self, code: str = "no_articles", detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass
class ParsedProvision:
    kind: str  #: one of KINDS
    number: str  #: as written ("II", "12a", "đ"); a "Phần thứ nhất" ordinal becomes "1"
    title: str = ""
    text: str = ""  #: own text only, lines joined with "\n"; children hold the rest
    anchor: str = ""  #: stable ASCII id such as "dieu-12-khoan-2-diem-dd", unique in the result
    line: int = 0  #: 1-based line of the heading in the input text
    children: list[ParsedProvision] = field(default_factory=list)


@dataclass
class ParseWarning:
    code: str  #: numbering_gap, numbering_repeat, empty_article, text_outside_article
    line: int
    params: dict = field(default_factory=dict)


@dataclass
class ParseResult:
    title: str
    preamble: str
    closing: str
    provisions: list[ParsedProvision]
    counts: dict[str, int]
    warnings: list[ParseWarning]

    def walk(self) -> Iterator[tuple[ParsedProvision, ParsedProvision | None, int]]:
        """Yield ``(node, parent, depth)`` for every provision in document order."""

        def visit(nodes, parent, depth):
            for node in nodes:
                yield node, parent, depth
                yield from visit(node.children, node, depth + 1)

        yield from visit(self.provisions, None, 0)


# --- reading files ---------------------------------------------------------------------------

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
#: Formats people upload by mistake; refused whatever the file is called.
_OTHER_BINARY_MAGIC = (b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8",
                       b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"{\\rtf")


@dataclass
class DraftSource:
    """An upload read as text, with what a Word file told besides (for the parse report)."""

    text: str
    #: 1-based lines whose number Word's automatic numbering produced.
    numbered_lines: set[int] = field(default_factory=set)
    #: Tracked changes, footnotes and tables met in a Word file; empty for plain text.
    notes: dict = field(default_factory=dict)


def read_document(filename: str, data: bytes) -> str:
    """Return the text of an uploaded .txt or .docx draft, deciding the type by content."""
    return read_draft(filename, data).text


def read_draft(filename: str, data: bytes) -> DraftSource:
    """Read an uploaded .txt or .docx draft, deciding the type by content."""
    if not data or not data.strip():
        raise UnreadableDocument("empty")
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(_ZIP_MAGIC):
        source = _read_docx(data)
    elif data.startswith(_OTHER_BINARY_MAGIC):
        raise UnreadableDocument("unsupported_type", "binary format")
    elif extension == ".docx":
        raise UnreadableDocument("corrupt_docx", "not a ZIP package")
    elif extension != ".txt":
        raise UnreadableDocument("unsupported_type", extension or "no extension")
    else:
        source = DraftSource(_decode_text(data))
    if not source.text.strip():
        raise UnreadableDocument("empty")
    return source


def _decode_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnreadableDocument("bad_encoding", str(error)) from error
    controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and char not in "\t\n\r\f\v")
    if "\x00" in text or controls * 100 > len(text):
        raise UnreadableDocument("bad_encoding", "binary content")
    return text


def _read_docx(data: bytes) -> DraftSource:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile as error:
        raise UnreadableDocument("corrupt_docx", str(error)) from error
    if "word/document.xml" not in names:
        raise UnreadableDocument("unsupported_type", "ZIP package without a Word document")
    from docx import Document  # python-docx and lxml load with the first upload, not with the app

    from consult.word_draft import read_word

    try:  # python-docx raises many kinds of errors on a damaged package; all mean the same here
        reading = read_word(Document(io.BytesIO(data)))
    except Exception as error:  # noqa: BLE001
        raise UnreadableDocument("corrupt_docx", str(error)) from error
    return DraftSource("\n".join(reading.lines), reading.numbered_lines, reading.notes())


# --- cleaning and line patterns --------------------------------------------------------------

_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u0189": "Đ", "\u00f0": "đ", "\u0256": "đ"})
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[^\S\n]+")


def _clean_lines(text: str) -> list[str]:
    """Stripped lines, one per input line, so a list index + 1 is the line number."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES)
    return [line.strip() for line in _SPACES.sub(" ", text).split("\n")]


_ROMAN = r"(?-i:[IVXLC]+)"
_UNITS = "một|hai|ba|bốn|tư|lăm|năm|sáu|bảy|tám|chín"
_ORDINAL = rf"thứ\s+(?:nhất|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười(?:\s+(?:{_UNITS}))?)"
_TAIL = r"(?!\w)\s*(?P<sep>[.:\-–—])?\s*(?P<rest>.*)$"
_HEADINGS = (
    ("part", re.compile(rf"^phần\s+(?P<num>{_ORDINAL}|{_ROMAN}|\d+){_TAIL}", re.I)),
    ("chapter", re.compile(rf"^chương\s+(?P<num>{_ROMAN}|\d+){_TAIL}", re.I)),
    ("section", re.compile(rf"^mục\s+(?P<num>\d+|{_ROMAN}){_TAIL}", re.I)),
    ("article", re.compile(rf"^điều\s+(?P<num>\d+[a-zđ]?){_TAIL}", re.I)),
)
_CLAUSE = re.compile(r"^(?P<num>\d+)\.(?!\d)\s*(?P<rest>.*)$")
_POINT = re.compile(rf"^(?P<num>[{''.join(POINT_LETTERS)}])\)\s*(?P<rest>.*)$")
_DOCUMENT_TYPE = re.compile(r"^(?:DỰ THẢO\s+)?(?:BỘ LUẬT|LUẬT|NGHỊ ĐỊNH|NGHỊ QUYẾT|PHÁP LỆNH|THÔNG TƯ)(?!\w)")
_CLOSING = (
    re.compile(r"^(?:bộ luật|luật|nghị quyết|pháp lệnh) này (?:đã )?được quốc hội(?!\w)", re.I),
    re.compile(r"^(?:TM|KT|TL|TUQ|Q)\.\s*\S"),
    re.compile(r"^nơi nhận\s*:", re.I),
    re.compile(r"^[^\W\d][\w .]{1,40}, ngày .{1,12} tháng .{1,12} năm .{1,12}$"),
)
_SIGNER_TITLE = re.compile(r"^(?:PHÓ )?(?:CHỦ TỊCH|THỦ TƯỚNG|BỘ TRƯỞNG|TỔNG THƯ KÝ)(?!\w)")
_ORDINAL_WORDS = {"nhất": 1, "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "lăm": 5, "năm": 5,
                  "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _is_upper(line: str) -> bool:
    return any(char.isalpha() for char in line) and line == line.upper()


def _match_heading(line: str) -> tuple[str, str, str] | None:
    """``(kind, number, title)`` for a Phần/Chương/Mục/Điều heading line, else None.

    After the number there must be a separator, nothing, or an upper-case title, so a sentence
    that happens to start with "Điều 5 của Luật này" stays ordinary text.
    """
    for kind, pattern in _HEADINGS:
        match = pattern.match(line)
        if match and (match["sep"] or not match["rest"] or _is_upper(match["rest"])):
            number = match["num"]
            if kind == "part" and number.lower().startswith("thứ"):
                number = str(_ordinal_value(number))
            elif kind == "article":
                number = number.lower()
            return kind, number, match["rest"].strip()
    return None


def _match_item(line: str) -> tuple[str, str, str] | None:
    """``(kind, number, text)`` for a clause "1. …" or point "a) …" line, else None."""
    for kind, pattern in (("clause", _CLAUSE), ("point", _POINT)):
        match = pattern.match(line)
        if match:
            return kind, match["num"], match["rest"].strip()
    return None


def _is_closing_start(line: str) -> bool:
    if any(pattern.match(line) for pattern in _CLOSING):
        return True
    return bool(_SIGNER_TITLE.match(line)) and _is_upper(line)


def is_article_heading(line: str) -> bool:
    """Whether a raw line opens an article ("Điều 12. …")."""
    heading = _match_heading(_clean_lines(line)[0])
    return bool(heading and heading[0] == "article")


def is_structure_line(line: str) -> bool:
    """Whether a raw line is a Phần/Chương/Mục/Điều heading or opens the signature block."""
    cleaned = _clean_lines(line)[0]
    return bool(cleaned and (_match_heading(cleaned) or _is_closing_start(cleaned)))


def _ordinal_value(words: str) -> int:
    parts = words.lower().split()[1:]  # drop "thứ"
    values = [_ORDINAL_WORDS[word] for word in parts]
    return values[0] + sum(values[1:]) if values[0] == 10 else values[0]


def _roman_value(roman: str) -> int:
    values = [_ROMAN_VALUES[char] for char in roman]
    return sum(-value if value < after else value for value, after in zip(values, values[1:] + [0]))


def _to_roman(value: int) -> str:
    result = ""
    for amount, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                            (5, "V"), (4, "IV"), (1, "I")):
        count, value = divmod(value, amount)
        result += letters * count
    return result


def _slug(number: str) -> str:
    return re.sub(r"[^a-z0-9]", "", number.lower().replace("đ", "dd"))


# --- numbering checks ------------------------------------------------------------------------

def _sequence_key(kind: str, number: str) -> tuple[int, str]:
    """A comparable ``(value, suffix)``: Roman as integers, point letters by position."""
    if kind == "point":
        return POINT_LETTERS.index(number), ""
    if number.isdigit():
        return int(number), ""
    if kind == "article":
        return int(number[:-1]), number[-1]
    return _roman_value(number), ""


def _expected_label(kind: str, value: int, found: str) -> str:
    if kind == "point":
        return POINT_LETTERS[value] if value < len(POINT_LETTERS) else "?"
    return _to_roman(value) if not found[:1].isdigit() else str(value)


# --- building the tree -----------------------------------------------------------------------

class _TreeBuilder:
    """Feeds cleaned lines one by one into a stack of open provisions."""

    def __init__(self):
        self.provisions: list[ParsedProvision] = []
        self.stack: list[ParsedProvision] = []
        self.preamble_lines: list[str] = []
        self.warnings: list[ParseWarning] = []
        self.awaiting_title: ParsedProvision | None = None  # heading seen, title on a later line
        self.open_title: ParsedProvision | None = None  # upper-case title that may wrap a line
        self.sequences: dict[tuple, dict] = {}
        self.anchors: set[str] = set()

    def feed(self, line_number: int, line: str) -> None:
        if not line:
            self.open_title = None
            if not self.stack:
                self.preamble_lines.append(line)
            return
        heading = _match_heading(line)
        if heading:
            self._open(line_number, *heading)
            return
        item = _match_item(line) if self._in_article() else None
        if item:
            self._open(line_number, *item)
        elif not self._take_title(line):
            self._add_text(line_number, line)

    def _in_article(self) -> bool:
        return any(node.kind == "article" for node in self.stack)

    def _open(self, line_number: int, kind: str, number: str, title: str) -> None:
        while self.stack and _LEVEL[self.stack[-1].kind] >= _LEVEL[kind]:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        text = ""
        if kind in ("clause", "point"):
            title, text = "", title
        node = ParsedProvision(kind, number, title, text, "", line_number, [])
        node.anchor = self._unique_anchor(self._anchor(kind, number, parent))
        self._check_number(node, parent)
        (parent.children if parent else self.provisions).append(node)
        self.stack.append(node)
        is_container = kind in CONTAINER_KINDS
        self.awaiting_title = node if is_container and not title else None
        self.open_title = node if is_container and _is_upper(title) else None

    def _anchor(self, kind: str, number: str, parent: ParsedProvision | None) -> str:
        if kind in ("clause", "point"):
            return f"{parent.anchor}-{'khoan' if kind == 'clause' else 'diem'}-{_slug(number)}"
        prefix = {"part": "phan", "chapter": "chuong", "section": "muc", "article": "dieu"}[kind]
        if kind == "section":
            outer = self._enclosing("chapter") or self._enclosing("part")
            if outer:
                return f"{outer.anchor}-muc-{_slug(number)}"
        return f"{prefix}-{_slug(number)}"

    def _unique_anchor(self, anchor: str) -> str:
        candidate, copy = anchor, 1
        while candidate in self.anchors:  # only when numbering repeats
            copy += 1
            candidate = f"{anchor}-{copy}"
        self.anchors.add(candidate)
        return candidate

    def _enclosing(self, kind: str) -> ParsedProvision | None:
        return next((node for node in reversed(self.stack) if node.kind == kind), None)

    def _check_number(self, node: ParsedProvision, parent: ParsedProvision | None) -> None:
        """Chapters, parts and articles run through the whole law; the rest restart per parent."""
        scope_owner = parent if node.kind in ("clause", "point") else None
        if node.kind == "section":
            scope_owner = self._enclosing("chapter") or self._enclosing("part")
        within = scope_owner.anchor if scope_owner else ""
        sequence = self.sequences.setdefault((node.kind, within), {"last": None, "seen": set()})
        key = _sequence_key(node.kind, node.number)
        last = sequence["last"]
        start = 0 if node.kind == "point" else 1
        next_value = last[0] + 1 if last else start
        params = {"kind": node.kind, "expected": _expected_label(node.kind, next_value, node.number),
                  "found": node.number, "within": within}
        if key in sequence["seen"]:
            self.warnings.append(ParseWarning("numbering_repeat", node.line, params))
        elif key[1]:  # "12a" is fine right after "12" or "12b"
            if not last or last[0] != key[0]:
                self.warnings.append(ParseWarning("numbering_gap", node.line, params))
        elif key[0] != next_value:
            self.warnings.append(ParseWarning("numbering_gap", node.line, params))
        sequence["seen"].add(key)
        sequence["last"] = key

    def _take_title(self, line: str) -> bool:
        """Use the line as the pending or wrapped title of a Phần/Chương/Mục, if one is open."""
        node = self.awaiting_title
        if node is not None:
            node.title = line
            self.awaiting_title = None
            self.open_title = node if _is_upper(line) else None
            return True
        node = self.open_title
        if node is not None and _is_upper(line):
            node.title = f"{node.title} {line}"
            return True
        return False

    def _add_text(self, line_number: int, line: str) -> None:
        self.open_title = None
        if not self.stack:
            self.preamble_lines.append(line)
            return
        node = self.stack[-1]
        if node.kind in CONTAINER_KINDS:
            params = {"kind": node.kind, "number": node.number, "anchor": node.anchor}
            self.warnings.append(ParseWarning("text_outside_article", line_number, params))
        node.text = f"{node.text}\n{line}" if node.text else line


def parse_legal_text(text: str) -> ParseResult:
    """Parse a draft law into a :class:`ParseResult`; raise DraftParseError without articles."""
    lines = _clean_lines(text)
    heading_indexes = [index for index, line in enumerate(lines) if _match_heading(line)]
    if not any(_match_heading(lines[index])[0] == "article" for index in heading_indexes):
        raise DraftParseError("no_articles")
    closing_start = _find_closing(lines, heading_indexes[-1])
    builder = _TreeBuilder()
    for index, line in enumerate(lines[:closing_start]):
        builder.feed(index + 1, line)
    result = ParseResult(
        title=_guess_title(builder.preamble_lines),
        preamble="\n".join(line for line in builder.preamble_lines if line),
        closing="\n".join(line for line in lines[closing_start:] if line),
        provisions=builder.provisions, counts={}, warnings=builder.warnings)
    result.counts = {kind: 0 for kind in KINDS}
    for node, _parent, _depth in result.walk():
        result.counts[node.kind] += 1
        if node.kind == "article" and not node.text and not node.children:
            params = {"kind": "article", "number": node.number, "anchor": node.anchor}
            result.warnings.append(ParseWarning("empty_article", node.line, params))
    result.warnings.sort(key=lambda warning: warning.line)
    return result


def _find_closing(lines: list[str], last_heading: int) -> int:
    """Index of the first closing/signature line after the last heading, else len(lines)."""
    for index in range(last_heading + 1, len(lines)):
        if lines[index] and _is_closing_start(lines[index]):
            return index
    return len(lines)


def _guess_title(preamble_lines: list[str]) -> str:
    """The first upper-case "LUẬT …"/"NGHỊ ĐỊNH …" line, joined with upper-case lines under it."""
    for index, line in enumerate(preamble_lines):
        if _DOCUMENT_TYPE.match(line):
            title = [line]
            for following in preamble_lines[index + 1:]:
                if not _is_upper(following):
                    break
                title.append(following)
            return " ".join(title)
    return ""
