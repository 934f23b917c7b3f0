"""Build Word drafts whose numbers come from Word's automatic numbering, as drafters type them.

``numbered_docx(text)`` takes a draft typed as text, removes every typed "Chương II", "Điều 12.",
"1." and "a)" and gives the paragraph a numbering instead, so the reader must compute them back.
"""
from __future__ import annotations

import io
import re

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = f'xmlns:w="{W}"'

#: Typed numbers the builder turns into numbering: kind → pattern of (number, rest of line).
TYPED = (
    ("chapter", re.compile(r"^Chương ([IVXLC]+)\.?\s*(.*)$")),
    ("section", re.compile(r"^Mục (\d+)\.\s*(.*)$")),
    ("article", re.compile(r"^Điều (\d+)\.\s*(.*)$")),
    ("clause", re.compile(r"^(\d+)\.\s+(.*)$")),
    ("point", re.compile(r"^([a-zđ])\)\s*(.*)$")),
)


def level_xml(ilvl: int, fmt: str, text: str, start: int = 1, restart: int | None = None) -> str:
    restart_xml = f'<w:lvlRestart w:val="{restart}"/>' if restart is not None else ""
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'{restart_xml}<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>')


def numbering_xml(abstracts: dict[int, list[str]], nums: dict[int, tuple[int, dict[int, int]]]) -> str:
    """``abstracts``: id → level XMLs; ``nums``: numId → (abstract id, {ilvl: startOverride})."""
    parts = [f'<w:numbering {NS}>']
    for abstract_id, levels in abstracts.items():
        parts.append(f'<w:abstractNum w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="multilevel"/>'
                     + "".join(levels) + "</w:abstractNum>")
    for num_id, (abstract_id, overrides) in nums.items():
        body = "".join(f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
                       for ilvl, start in overrides.items())
        parts.append(f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{body}</w:num>')
    parts.append("</w:numbering>")
    return "".join(parts)


def set_numbering(document, xml: str) -> None:
    document.part.numbering_part._element = parse_xml(xml)


def number_paragraph(paragraph, num_id: int, ilvl: int) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(parse_xml(f'<w:numPr {NS}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def typed_number(line: str, in_article: bool):
    """(kind, rest) when ``line`` starts with a number Word would draw, else None."""
    for kind, pattern in TYPED:
        match = pattern.match(line)
        if match and (in_article or kind not in ("clause", "point")):
            return kind, match.group(2)
    return None


MULTILEVEL = [
    level_xml(0, "upperRoman", "Chương %1."),
    level_xml(1, "decimal", "Mục %2."),
    level_xml(2, "decimal", "Điều %3.", restart=0),  # articles run through the whole law
    level_xml(3, "decimal", "%4."),
    level_xml(4, "lowerLetter", "%5)"),
]
LEVEL_OF = {"chapter": 0, "section": 1, "article": 2, "clause": 3, "point": 4}


#: Abstract lists of one level each, for the styles that give every kind its own list.
SINGLE_LEVEL = {"chapter": (4, "upperRoman", "Chương %1."), "section": (5, "decimal", "Mục %1."),
                "article": (6, "decimal", "Điều %1."), "clause": (2, "decimal", "%1."),
                "point": (3, "lowerLetter", "%1)")}
#: Kinds whose list restarts under each new parent, through a new instance with startOverride.
RESTARTED = {"multilevel": (), "restarted": ("clause", "point"), "separate": ("section", "clause", "point")}
#: Kinds numbered by a one-level list of their own that runs through the whole law.
OWN_LIST = {"multilevel": (), "restarted": (), "separate": ("chapter", "article")}
ORDER = ("chapter", "section", "article", "clause", "point")


def numbered_docx(text: str, style: str = "multilevel") -> bytes:
    """The draft as a .docx numbered by Word.

    ``multilevel``: one outline list (Chương → Mục → Điều → khoản → điểm), levels restarting on
    their own. ``restarted``: headings from that list; each article's clauses and each clause's
    points a new list instance restarted with ``startOverride``, as "Restart at 1" does.
    ``separate``: chapters and articles each one list of their own; sections, clauses and points
    restarted under each parent (LibreOffice keeps this one as it is: it has no ``lvlRestart``).
    """
    document = docx.Document()
    in_article = False
    abstracts = {1: MULTILEVEL}
    abstracts.update({abstract: [level_xml(0, fmt, label)] for abstract, fmt, label in SINGLE_LEVEL.values()})
    nums: dict[int, tuple[int, dict[int, int]]] = {1: (1, {})}
    own = {kind: len(nums) + 1 + index for index, kind in enumerate(OWN_LIST[style])}
    nums.update({num_id: (SINGLE_LEVEL[kind][0], {}) for kind, num_id in own.items()})
    current: dict[str, int | None] = {}
    for line in text.splitlines():
        found = typed_number(line, in_article)
        if found is None:
            document.add_paragraph(line)
            continue
        kind, rest = found
        in_article = in_article or kind == "article"
        paragraph = document.add_paragraph(rest)
        for deeper in ORDER[ORDER.index(kind) + 1:]:
            current[deeper] = None
        if kind in own:
            number_paragraph(paragraph, own[kind], 0)
        elif kind in RESTARTED[style]:
            if current.get(kind) is None:  # a new list instance restarted at 1
                current[kind] = max(nums) + 1
                nums[current[kind]] = (SINGLE_LEVEL[kind][0], {0: 1})
            number_paragraph(paragraph, current[kind], 0)
        else:
            number_paragraph(paragraph, 1, LEVEL_OF[kind])
    set_numbering(document, numbering_xml(abstracts, nums))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_footnotes(document, notes: dict[int, str]) -> None:
    """A footnotes part holding ``notes`` (id → text), related to the main document."""
    body = "".join(f'<w:footnote w:id="{note_id}"><w:p><w:r><w:footnoteRef/></w:r>'
                   f'<w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote>'
                   for note_id, text in notes.items())
    xml = (f'<w:footnotes {NS}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
           f'</w:footnote>{body}</w:footnotes>')
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    part = Part(PackURI("/word/footnotes.xml"), content_type, xml.encode("utf-8"), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)


def paragraph_from_xml(document, inner: str):
    """Append a paragraph whose runs are given as raw WordprocessingML."""
    paragraph = parse_xml(f"<w:p {NS}>{inner}</w:p>")
    document.element.body.insert(len(document.element.body) - 1, paragraph)
    return paragraph


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
