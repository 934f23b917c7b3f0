"""Version 2 of the demo draft, made the way drafting rounds change a law.

An article inserted before Điều 12 (every later article renumbered), Điều 29 removed, Điều 36
and Điều 37 merged into one, a few words of Điều 12 changed.
"""
from __future__ import annotations

import re

from consult.demo import demo_draft_text

HEADING = re.compile(r"^(Điều|Chương|Mục) \S")
ARTICLE = re.compile(r"^Điều (\d+)\.\s*(.*)$")
CLAUSE = re.compile(r"^(\d+)\.\s+(.*)$")
INSERTED = ["Điều 12. Sổ đăng ký thành viên",
            "Hợp tác xã lập sổ đăng ký thành viên bằng giấy hoặc điện tử ngay khi được cấp giấy chứng nhận đăng ký."]


def article_blocks(lines: list[str]) -> dict[int, tuple[int, int]]:
    """Article number → (first line, line after its last line), headings of chapters left out."""
    starts = [(index, int(ARTICLE.match(line).group(1))) for index, line in enumerate(lines) if ARTICLE.match(line)]
    blocks = {}
    for index, number in starts:
        end = next((i for i in range(index + 1, len(lines)) if HEADING.match(lines[i])), len(lines))
        while end > index + 1 and not lines[end - 1].strip():
            end -= 1
        blocks[number] = (index, end)
    return blocks


def demo_version_2(text: str | None = None) -> str:
    lines = (text or demo_draft_text()).splitlines()
    blocks = article_blocks(lines)
    out: list[str] = []
    skip_until = -1
    for index, line in enumerate(lines):
        if index < skip_until:
            continue
        match = ARTICLE.match(line)
        number = int(match.group(1)) if match else None
        if number == 12:
            out += INSERTED + [""]
        if number == 29:
            skip_until = blocks[29][1]
            continue
        if number == 36:
            start, end = blocks[36]
            out.append("Điều 36. Tổ chức lại hợp tác xã")
            first = lines[start + 1:end]
            clauses = sum(1 for item in first if CLAUSE.match(item))
            out += first + [renumber_clause(item, clauses) for item in lines[blocks[37][0] + 1:blocks[37][1]]]
            skip_until = blocks[37][1]
            continue
        if number is not None:
            new_number = number + 1 if 12 <= number < 29 else number if number < 12 else number
            if number > 37:
                new_number = number - 1
            line = f"Điều {new_number}. {match.group(2)}"
        out.append(line)
    result = "\n".join(out)
    return result.replace("Vốn góp có thể bằng tiền Việt Nam,", "Vốn góp có thể bằng tiền đồng Việt Nam,", 1)


def renumber_clause(line: str, offset: int) -> str:
    match = CLAUSE.match(line)
    return f"{int(match.group(1)) + offset}. {match.group(2)}" if match else line
