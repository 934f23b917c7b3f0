"""LimeSurvey show-ifs (relevance equations and old-style conditions) as our expressions.

LimeSurvey's Expression Manager reads ``Q1 == "A2" && !is_empty(Q2)``; a question is named by
its code, optionally with ``.NAOK``/``.value``, and a multiple-choice option by
``CODE_SUBCODE`` (``"Y"`` when ticked).  ``translate`` rewrites the common forms into the
XLSForm subset (``${Q1} = 'A2' and ${Q2} != ''``, ``selected(${Q3}, 'SQ1')``) and returns ""
when the result is not an expression our evaluator accepts over the imported questions: the
caller then reports the condition as not imported.  Old-style ``conditions`` rows are turned
into an equation first (``from_conditions``).
"""
from __future__ import annotations

import re

from surveys import expressions

ALWAYS = {"", "1", "true"}
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'')
_IS_EMPTY = re.compile(r"(!\s*)?is_empty\(\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.NAOK|\.value)?\s*\)")
_NAME = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)(\.NAOK|\.value|\.shown)?\b(?!\s*\()")
_OPERATORS = [(r"&&", " and "), (r"\|\|", " or "), (r"==", "="), (r"\beq\b", "="), (r"\bne\b", "!="),
              (r"\bgt\b", ">"), (r"\blt\b", "<"), (r"\bge\b", ">="), (r"\ble\b", "<=")]
_KEYWORDS = {"and", "or", "not", "div", "mod", "true", "false"}


def translate(equation: str, known: set[str], multiple: dict[str, set[str]]) -> str:
    """Our expression for a LimeSurvey equation, "" when it cannot be said (see above).

    ``known``: codes of the imported questions; ``multiple``: code -> option codes of the
    imported multiple-choice questions (``Q3_SQ1 == "Y"`` → ``selected(${Q3}, 'SQ1')``).
    """
    text = (equation or "").strip()
    if text.lower() in ALWAYS:
        return ""
    strings: list[str] = []

    def keep_string(match: re.Match) -> str:
        strings.append(match.group(1) if match.group(1) is not None else match.group(2))
        return f"\x00{len(strings) - 1}\x00"

    text = _STRING.sub(keep_string, text)
    text = _selected(text, multiple, strings)
    text = _IS_EMPTY.sub(lambda m: f"${{{m.group(2)}}} {'!=' if m.group(1) else '='} ''", text)
    for pattern, replacement in _OPERATORS:
        text = re.sub(pattern, replacement, text)
    if "!" in text.replace("!=", ""):
        return ""  # a negation of a sub-expression: not in the forms we translate
    text = _NAME.sub(lambda m: _reference(m, known), text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: "'" + strings[int(m.group(1))].replace("'", "") + "'", text)
    text = " ".join(text.split())
    try:
        expressions.check(text, known)
    except expressions.ExpressionError:
        return ""
    return text


def _selected(text: str, multiple: dict[str, set[str]], strings: list[str]) -> str:
    """``CODE_SUB == "Y"`` (and ``!= "Y"``) of a multiple choice → ``selected(${CODE}, 'SUB')``."""
    def replace(match: re.Match) -> str:
        code, sub, operator, index = match.group(1), match.group(2), match.group(4), int(match.group(5))
        if sub not in multiple.get(code, set()) or strings[index] != "Y":
            return match.group(0)
        call = f"selected(${{{code}}}, '{sub}')"
        return call if operator == "==" else f"not({call})"
    return re.sub(r"\b([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9]+)(\.NAOK)?\s*(==|!=)\s*\x00(\d+)\x00", replace, text)


def _reference(match: re.Match, known: set[str]) -> str:
    name = match.group(1)
    if name in _KEYWORDS or match.string[max(0, match.start() - 2):match.start()].endswith("${"):
        return match.group(0)
    return f"${{{name}}}" if name in known else match.group(0)


def from_conditions(rows: list[dict], codes_by_qid: dict[str, str]) -> str:
    """Old-style conditions as an equation: values on one question are OR-ed, questions are
    AND-ed, scenarios OR-ed (LimeSurvey's rule)."""
    scenarios: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        code = codes_by_qid.get(row.get("cqid", ""))
        field = re.match(r"\+?\d+X\d+X(\d+)(\w*)$", row.get("cfieldname", "").strip())
        if code is not None and field and field.group(2):  # an option of a multiple choice
            code = f"{code}_{field.group(2)}"
        method = row.get("method", "==").strip() or "=="
        if code is None or method not in ("==", "!=", "<", "<=", ">", ">="):
            return "0"  # something we cannot say: never a valid translation
        value = row.get("value", "").replace('"', "")
        test = f'{code} {method} "{value}"'
        scenarios.setdefault(row.get("scenario", "1"), {}).setdefault(code, []).append(test)
    parts = ["(" + " and ".join("(" + " or ".join(tests) + ")" for tests in by_code.values()) + ")"
             for by_code in scenarios.values()]
    return " or ".join(parts)
