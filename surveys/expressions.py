"""Safe evaluation of survey logic written in the XLSForm expression subset.

Questions carry a show-if (``relevant``) and a ``constraint`` expression such as
``${age} >= 18 and selected(${role}, 'member')``.  The server evaluates them here with a small
hand-written tokenizer, parser and interpreter: nothing reaches ``eval``/``exec`` and no Python
attribute is looked up by name, so an expression can only read the answers it is handed.
``surveys/static/surveys/expressions.js`` implements the same grammar and semantics for the
browser, and ``tests/surveys/expression_cases.json`` keeps the two in step.

Values follow XPath 1.0 coercion: a value is a string, a number (always a float) or a boolean; an
unanswered question is ``""``; a multi-select answer is its choices joined by spaces.  ``=`` with a
boolean on either side compares booleans, else with a number on either side compares numbers
(so ``"" = 0`` is false), else strings.  ``<``/``>`` compare numbers, except that two ISO dates
(``YYYY-MM-DD``, optionally with a time) compare as dates, as ODK does for ``${dob} < today()``.

Hostile input is bounded: the expression length, nesting depth and node count are capped; all
arithmetic is IEEE doubles, so overflow gives infinity and division by zero gives NaN or infinity.
``regex()`` does not use ``re``: a backtracking engine can take exponential time on patterns such
as ``(a+)+$``.  Patterns are compiled by the small engine at the end of this module into an NFA
that is simulated state-set by state-set (Thompson/Pike), which costs at most
``len(text) * len(program)`` steps whatever the pattern, under a per-evaluation step budget.
The same engine in the JavaScript file gives the same syntax and answers in both places.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterator, Mapping

MAX_LENGTH = 2000  #: characters in one expression
MAX_DEPTH = 50  #: nesting of brackets, calls and operators
MAX_NODES = 500  #: nodes in one parsed expression
MAX_PATTERN_LENGTH = 200  #: characters in one regex() pattern
MAX_PATTERN_SIZE = 500  #: instructions of one compiled pattern, after expanding {n,m}
MAX_PATTERN_NESTING = 20  #: nested groups in one pattern
MAX_REPEAT = 100  #: largest n or m in a {n,m} quantifier
MAX_SUBJECT_LENGTH = 10_000  #: characters of text that regex() will read
MAX_REGEX_STEPS = 500_000  #: NFA steps one evaluate() call may spend in regex()

ERROR_CODES = frozenset(
    {"syntax", "unknown_function", "unknown_reference", "too_complex", "bad_regex", "type"}
)

#: function name -> (fewest, most) arguments
FUNCTION_ARITY = {
    "selected": (2, 2), "count-selected": (1, 1), "string-length": (1, 1), "regex": (2, 2),
    "number": (1, 1), "int": (1, 1), "round": (1, 2), "if": (3, 3), "coalesce": (2, 2),
    "contains": (2, 2), "starts-with": (2, 2), "today": (0, 0), "true": (0, 0),
    "false": (0, 0), "not": (1, 1),
}


class ExpressionError(Exception):
    """An expression that cannot be parsed or evaluated.

    ``code`` (one of ``ERROR_CODES``) is what callers map to a translated message; ``detail`` is
    English for logs and authors; ``position`` is a character offset into the expression or None.
    """

    def __init__(self, code: str, detail: str, position: int | None = None):
        where = "" if position is None else f" (at character {position})"
        super().__init__(f"{code}: {detail}{where}")
        self.code = code
        self.detail = detail
        self.position = position


@dataclass(frozen=True, eq=False)
class Node:
    """One node of a parsed expression.

    kind is literal, reference, current, negate, binary, logical or call; value is the literal,
    the referenced name, the operator or the function name; depth is the height of the subtree.
    """

    kind: str
    value: Any
    children: tuple["Node", ...]
    position: int
    depth: int


# --- tokens -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, ref, current, op, name, end
    value: Any
    position: int


_TOKEN_PATTERN = re.compile(
    r"(?P<space>[ \t\r\n]+)"
    r"|(?P<ref>\$\{[A-Za-z_][A-Za-z0-9_.-]*\})"
    r"|(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"|(?P<string>'[^']*'|\"[^\"]*\")"
    r"|(?P<op>!=|<=|>=|[=<>+*(),-])"
    r"|(?P<current>\.)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)"
)
_WORD_OPERATORS = frozenset({"and", "or", "div", "mod"})
_PRECEDENCE = {
    "or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
    "+": 5, "-": 5, "*": 6, "div": 6, "mod": 6,
}


def _tokenize(expression: str) -> list[_Token]:
    tokens = []
    position = 0
    while position < len(expression):
        match = _TOKEN_PATTERN.match(expression, position)
        if match is None:
            char = expression[position]
            detail = "unterminated string" if char in "'\"" else f"unexpected character {char!r}"
            raise ExpressionError("syntax", detail, position)
        kind, text = match.lastgroup, match.group()
        if kind == "name" and text in _WORD_OPERATORS:
            kind = "op"
        if kind != "space":
            tokens.append(_Token(kind, _token_value(kind, text), position))
        position = match.end()
    tokens.append(_Token("end", None, len(expression)))
    return tokens


def _token_value(kind: str, text: str) -> Any:
    if kind == "number":
        return float(text)
    if kind == "string":
        return text[1:-1]
    if kind == "ref":
        return text[2:-1]
    return text


def _describe(token: _Token) -> str:
    return "end of expression" if token.kind == "end" else repr(str(token.value))


# --- parser -------------------------------------------------------------------------------

class _Parser:
    """Precedence climbing over the token list; every level of nesting is counted."""

    def __init__(self, expression: str):
        self.tokens = _tokenize(expression)
        self.index = 0
        self.nesting = 0
        self.node_count = 0

    def parse(self) -> Node:
        node = self.expression(1)
        token = self.tokens[self.index]
        if token.kind != "end":
            raise ExpressionError("syntax", f"unexpected {_describe(token)}", token.position)
        return node

    def at(self, value: str) -> bool:
        token = self.tokens[self.index]
        return token.kind == "op" and token.value == value

    def expect(self, value: str) -> None:
        token = self.tokens[self.index]
        if not self.at(value):
            raise ExpressionError("syntax", f"expected {value!r}, found {_describe(token)}",
                                  token.position)
        self.index += 1

    def enter(self, token: _Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise ExpressionError("too_complex", "expression is nested too deeply", token.position)

    def make(self, kind: str, value: Any, children: tuple, position: int) -> Node:
        depth = 1 + max((child.depth for child in children), default=0)
        self.node_count += 1
        if depth > MAX_DEPTH:
            raise ExpressionError("too_complex", "expression is nested too deeply", position)
        if self.node_count > MAX_NODES:
            raise ExpressionError("too_complex", "expression has too many parts", position)
        return Node(kind, value, tuple(children), position, depth)

    def expression(self, min_precedence: int) -> Node:
        left = self.unary()
        while True:
            token = self.tokens[self.index]
            precedence = _PRECEDENCE.get(token.value) if token.kind == "op" else None
            if precedence is None or precedence < min_precedence:
                return left
            self.index += 1
            right = self.expression(precedence + 1)
            left = self.combine(token, left, right)

    def combine(self, token: _Token, left: Node, right: Node) -> Node:
        if token.value not in ("and", "or"):
            return self.make("binary", token.value, (left, right), token.position)
        if left.kind == "logical" and left.value == token.value:  # flatten a or b or c
            self.node_count -= 1
            return self.make("logical", token.value, left.children + (right,), left.position)
        return self.make("logical", token.value, (left, right), left.position)

    def unary(self) -> Node:
        token = self.tokens[self.index]
        if not self.at("-"):
            return self.primary()
        self.index += 1
        self.enter(token)
        operand = self.unary()
        self.nesting -= 1
        return self.make("negate", "-", (operand,), token.position)

    def primary(self) -> Node:
        token = self.tokens[self.index]
        self.index += 1
        if token.kind in ("number", "string"):
            return self.make("literal", token.value, (), token.position)
        if token.kind == "ref":
            return self.make("reference", token.value, (), token.position)
        if token.kind == "current":
            return self.make("current", None, (), token.position)
        if token.kind == "name":
            return self.call(token)
        if token.kind == "op" and token.value == "(":
            self.enter(token)
            inner = self.expression(1)
            self.nesting -= 1
            self.expect(")")
            return inner
        raise ExpressionError("syntax", f"unexpected {_describe(token)}", token.position)

    def call(self, token: _Token) -> Node:
        name = token.value
        if not self.at("("):
            raise ExpressionError(
                "syntax", f"{name!r} is not allowed here; refer to answers as ${{name}}",
                token.position)
        if name not in FUNCTION_ARITY:
            raise ExpressionError("unknown_function", f"unknown function {name}()", token.position)
        self.index += 1
        self.enter(token)
        args = []
        if not self.at(")"):
            args.append(self.expression(1))
            while self.at(","):
                self.index += 1
                args.append(self.expression(1))
        self.nesting -= 1
        self.expect(")")
        fewest, most = FUNCTION_ARITY[name]
        if not fewest <= len(args) <= most:
            raise ExpressionError("type", f"{name}() takes {_arity_text(fewest, most)} arguments, "
                                          f"not {len(args)}", token.position)
        return self.make("call", name, tuple(args), token.position)


def _arity_text(fewest: int, most: int) -> str:
    return str(fewest) if fewest == most else f"{fewest} to {most}"


@functools.lru_cache(maxsize=1024)
def parse(expression: str) -> Node:
    """Parse an expression into a tree; raises ExpressionError. Results are cached."""
    if not isinstance(expression, str):
        raise ExpressionError("type", "an expression must be text")
    if len(expression) > MAX_LENGTH:
        raise ExpressionError("too_complex", f"expression is longer than {MAX_LENGTH} characters")
    if not expression.strip(" \t\r\n"):
        raise ExpressionError("syntax", "empty expression", 0)
    return _Parser(expression).parse()


def _walk(node: Node) -> Iterator[Node]:
    """Every node, in source order."""
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(reversed(item.children))


def references(expression: str) -> set[str]:
    """The question names an expression reads through ``${name}``; raises on bad syntax."""
    return {node.value for node in _walk(parse(expression)) if node.kind == "reference"}


def check(expression: str, known_names: set[str]) -> None:
    """Validate an expression when a survey is authored or imported; raises ExpressionError.

    Checks syntax, function names and argument counts, that every ``${name}`` is a known
    question, and that literal regex() patterns are in the supported syntax.
    """
    for node in _walk(parse(expression)):
        if node.kind == "reference" and node.value not in known_names:
            raise ExpressionError("unknown_reference", f"no question named {node.value!r}",
                                  node.position)
        if node.kind == "call" and node.value == "regex" and node.children[1].kind == "literal":
            _compile_pattern(_to_string(node.children[1].value))


def evaluate(expression: str, values: Mapping[str, Any], current: Any = None, *,
             known_names: set[str] | None = None, today: date | None = None) -> Any:
    """Evaluate an expression against answers; returns a str, float or bool.

    ``current`` is the value of ``.`` (the question being checked by a constraint); with
    ``known_names``, reading a name outside it raises ``unknown_reference``, otherwise a missing
    answer reads as ``""``; ``today`` replaces the clock for ``today()``.
    """
    node = parse(expression)
    return _Evaluation(values, current, known_names, today).run(node)


def is_true(expression: str | None, values: Mapping[str, Any], current: Any = None,
            **options: Any) -> bool:
    """XPath boolean() of an expression; an empty or missing expression is true."""
    if expression is None or not expression.strip(" \t\r\n"):
        return True
    return _to_bool(evaluate(expression, values, current, **options))


# --- values and coercion ------------------------------------------------------------------

_NUMBER_TEXT = re.compile(r"[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*\Z")
_DATE_TEXT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?\Z")
_SPACES = re.compile(r"[ \t\r\n]+")


def _answer_value(value: Any) -> Any:
    """An answer as an expression value: a list becomes space-separated choices."""
    if isinstance(value, (list, tuple)):
        items = (_to_string(_scalar_value(item)) for item in value)
        return " ".join(item for item in items if item)
    return _scalar_value(value)


def _scalar_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, (int, Decimal)):
        try:
            return float(value)
        except OverflowError:  # an int beyond the double range
            return math.inf if value > 0 else -math.inf
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise ExpressionError("type", f"an answer cannot be a {type(value).__name__}")


def _to_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    match = _NUMBER_TEXT.match(value)
    return float(match.group(1)) if match else math.nan


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return len(value) > 0


def _to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_to_string(value)
    return value


def _number_to_string(number: float) -> str:
    """XPath string(): no exponent, no trailing '.0'."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    digits, point = _decimal_digits(abs(number))
    if point <= 0:
        text = "0." + "0" * -point + digits
    elif point >= len(digits):
        text = digits + "0" * (point - len(digits))
    else:
        text = digits[:point] + "." + digits[point:]
    return "-" + text if number < 0 else text


def _decimal_digits(number: float) -> tuple[str, int]:
    """(digits, point) with number == 0.DIGITS * 10**point, for a finite number > 0.

    Taken from the shortest text that reads back as the same double, which Python's repr and
    JavaScript's String() both produce, so both sides print and round numbers alike.
    """
    mantissa, _, exponent = repr(number).partition("e")
    whole, _, fraction = mantissa.partition(".")
    all_digits = whole + fraction
    digits = all_digits.lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(all_digits) - len(digits))
    return digits.rstrip("0"), point


def _choices(value: Any) -> list[str]:
    return [item for item in _SPACES.split(_to_string(value)) if item]


# --- operators and functions --------------------------------------------------------------

def _equals(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return _to_bool(left) == _to_bool(right)
    if isinstance(left, float) or isinstance(right, float):
        return _to_number(left) == _to_number(right)
    return left == right


_RELATIONS = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _compare(operator: str, left: Any, right: Any) -> bool:
    if (isinstance(left, str) and isinstance(right, str)
            and _DATE_TEXT.match(left) and _DATE_TEXT.match(right)):
        return _RELATIONS[operator](left, right)
    return _RELATIONS[operator](_to_number(left), _to_number(right))


def _divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _modulo(a: float, b: float) -> float:
    """XPath mod: the remainder of truncating division, with the sign of a."""
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


_ARITHMETIC = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "div": _divide, "mod": _modulo,
}


def _binary(operator: str, left: Any, right: Any) -> Any:
    if operator == "=":
        return _equals(left, right)
    if operator == "!=":
        return not _equals(left, right)
    if operator in _RELATIONS:
        return _compare(operator, left, right)
    return _ARITHMETIC[operator](_to_number(left), _to_number(right))


def _truncate(value: Any) -> float:
    number = _to_number(value)
    return number if math.isinf(number) or math.isnan(number) else float(math.trunc(number))


def _round(value: Any, places: Any = 0.0) -> float:
    """round(x, n): n decimal places, halves away from zero, on the shortest decimal text of x."""
    number, places = _to_number(value), _to_number(places)
    if math.isnan(number) or math.isnan(places):
        return math.nan
    if math.isinf(number) or number == 0 or places > 400:
        return number
    places = int(max(places, -400.0))
    digits, point = _decimal_digits(abs(number))
    keep = point + places
    if keep < 0:
        return math.copysign(0.0, number)
    if keep >= len(digits):
        return number
    kept = int(digits[:keep] or "0") + (1 if digits[keep] >= "5" else 0)
    return math.copysign(float(f"{kept}e{-places}"), number)


_FUNCTIONS = {
    "selected": lambda answer, choice: _to_string(choice).strip(" \t\r\n") in _choices(answer),
    "count-selected": lambda answer: float(len(_choices(answer))),
    "string-length": lambda text: float(len(_to_string(text))),
    "number": _to_number,
    "int": _truncate,
    "round": _round,
    "contains": lambda text, part: _to_string(part) in _to_string(text),
    "starts-with": lambda text, start: _to_string(text).startswith(_to_string(start)),
    "true": lambda: True,
    "false": lambda: False,
    "not": lambda value: not _to_bool(value),
}


class _Evaluation:
    """One evaluate() call: the answers, the value of '.', and the regex step budget."""

    def __init__(self, values: Mapping[str, Any] | None, current: Any,
                 known_names: set[str] | None, today: date | None):
        self.values = values if values is not None else {}
        self.current = _answer_value(current)
        self.known_names = known_names
        self.today = today
        self.regex_steps = 0

    def run(self, node: Node) -> Any:
        kind = node.kind
        if kind == "literal":
            return node.value
        if kind == "reference":
            return self.reference(node)
        if kind == "current":
            return self.current
        if kind == "negate":
            return -_to_number(self.run(node.children[0]))
        if kind == "binary":
            return _binary(node.value, self.run(node.children[0]), self.run(node.children[1]))
        if kind == "logical":
            return self.logical(node)
        return self.call(node)

    def reference(self, node: Node) -> Any:
        if self.known_names is not None and node.value not in self.known_names:
            raise ExpressionError("unknown_reference", f"no question named {node.value!r}",
                                  node.position)
        return _answer_value(self.values.get(node.value))

    def logical(self, node: Node) -> bool:
        wanted = node.value == "or"  # 'or' stops at the first true, 'and' at the first false
        for child in node.children:
            if _to_bool(self.run(child)) == wanted:
                return wanted
        return not wanted

    def call(self, node: Node) -> Any:
        name, args = node.value, node.children
        if name == "if":
            return self.run(args[1] if _to_bool(self.run(args[0])) else args[2])
        if name == "coalesce":
            first = self.run(args[0])
            return first if _to_string(first) != "" else self.run(args[1])
        if name == "today":
            return (self.today or date.today()).isoformat()[:10]
        values = [self.run(arg) for arg in args]
        if name == "regex":
            return self.regex(*values)
        return _FUNCTIONS[name](*values)

    def regex(self, subject: Any, pattern: Any) -> bool:
        text = _to_string(subject)
        if len(text) > MAX_SUBJECT_LENGTH:
            raise ExpressionError(
                "too_complex", f"regex() reads at most {MAX_SUBJECT_LENGTH} characters")
        program = _compile_pattern(_to_string(pattern))
        matched, steps = _search(program, text, MAX_REGEX_STEPS - self.regex_steps)
        self.regex_steps += steps
        return matched


# --- regex engine -------------------------------------------------------------------------
#
# Supported pattern syntax (the common ground of Java, JavaScript and Python regexes):
# literals; '.' (any character but \n and \r); classes [abc] [^a-z] with ranges and escapes;
# \d \D \w \W \s \S (ASCII meanings); \t \n \r \f \v \uXXXX; a backslash before punctuation;
# ^ and $ (start and end of the whole text); groups (...) and (?:...); alternation |;
# quantifiers * + ? {n} {n,} {n,m} (n, m <= MAX_REPEAT), optionally lazy (*? etc.).
# regex() is true when the pattern matches anywhere in the text, as in ODK.
# A class is (negated, ((low, high), ...) code point ranges, named classes like 'd' or 'W').

_NAMED_CLASSES = {
    "d": lambda char: "0" <= char <= "9",
    "w": lambda char: char.isascii() and (char.isalnum() or char == "_"),
    "s": lambda char: char in " \t\n\r\f\v",
}
for _name, _test in list(_NAMED_CLASSES.items()):
    _NAMED_CLASSES[_name.upper()] = (lambda test: lambda char: not test(char))(_test)
_CONTROL_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v"}
_ANY_CHARACTER = (True, ((10, 10), (13, 13)), ())
_QUANTIFIER_BRACES = re.compile(r"\{([0-9]{1,3})(,([0-9]{0,3}))?\}")


def _single(char: str) -> tuple:
    return (False, ((ord(char), ord(char)),), ())


def _class_matches(char_class: tuple, char: str) -> bool:
    negated, ranges, named = char_class
    code = ord(char)
    hit = (any(low <= code <= high for low, high in ranges)
           or any(_NAMED_CLASSES[name](char) for name in named))
    return hit != negated


class _PatternParser:
    """Recursive descent over a pattern, producing a small tree of tuples."""

    def __init__(self, pattern: str):
        self.pattern = pattern
        self.index = 0
        self.nesting = 0

    def fail(self, detail: str) -> None:
        raise ExpressionError("bad_regex", f"{detail} in pattern {self.pattern!r}")

    def peek(self, ahead: int = 0) -> str | None:
        index = self.index + ahead
        return self.pattern[index] if index < len(self.pattern) else None

    def next(self) -> str | None:
        char = self.peek()
        self.index += 1
        return char

    def parse(self) -> tuple:
        tree = self.alternation()
        if self.index < len(self.pattern):
            self.fail("unbalanced ')'")
        return tree

    def alternation(self) -> tuple:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.index += 1
            branches.append(self.sequence())
        return ("alt", branches) if len(branches) > 1 else branches[0]

    def sequence(self) -> tuple:
        items = []
        while self.peek() not in (None, "|", ")"):
            items.append(self.quantified())
        return ("cat", items)

    def quantified(self) -> tuple:
        atom = self.atom()
        bounds = self.quantifier()
        if bounds is None:
            return atom
        if atom[0] in ("bol", "eol"):
            self.fail("nothing to repeat")
        if self.peek() == "?":  # lazy: the same yes/no answer as greedy
            self.index += 1
        if self.peek() is not None and self.peek() in "*+?{":
            self.fail("repeated quantifier")
        return ("repeat", atom, *bounds)

    def quantifier(self) -> tuple[int, int | None] | None:
        char = self.peek()
        simple = {"*": (0, None), "+": (1, None), "?": (0, 1)}
        if char in simple:
            self.index += 1
            return simple[char]
        if char != "{":
            return None
        match = _QUANTIFIER_BRACES.match(self.pattern, self.index)
        if match is None:
            self.fail("bad {n,m} quantifier (write \\{ for a brace)")
        self.index = match.end()
        low = int(match.group(1))
        high = low if match.group(2) is None else (int(match.group(3)) if match.group(3) else None)
        if low > MAX_REPEAT or (high is not None and (high > MAX_REPEAT or high < low)):
            self.fail(f"bad {{n,m}} quantifier (at most {MAX_REPEAT})")
        return low, high

    def atom(self) -> tuple:
        char = self.next()
        if char == "(":
            return self.group()
        if char == "[":
            return ("set", self.char_class())
        if char == "\\":
            return ("set", self.escape())
        if char in "*+?{":
            self.fail("nothing to repeat")
        simple = {".": ("set", _ANY_CHARACTER), "^": ("bol",), "$": ("eol",)}
        return simple.get(char) or ("set", _single(char))

    def group(self) -> tuple:
        if self.pattern.startswith("?:", self.index):
            self.index += 2
        elif self.peek() == "?":
            self.fail("unsupported group")
        self.nesting += 1
        if self.nesting > MAX_PATTERN_NESTING:
            self.fail("groups nested too deeply")
        inner = self.alternation()
        self.nesting -= 1
        if self.next() != ")":
            self.fail("missing ')'")
        return inner

    def escape(self) -> tuple:
        char = self.next()
        if char is None:
            self.fail("pattern ends with '\\'")
        if char in "dDwWsS":
            return (False, (), (char,))
        if char in _CONTROL_ESCAPES:
            return _single(_CONTROL_ESCAPES[char])
        if char == "u":
            code = self.pattern[self.index:self.index + 4]
            if not re.fullmatch(r"[0-9A-Fa-f]{4}", code):
                self.fail("bad \\u escape")
            self.index += 4
            return _single(chr(int(code, 16)))
        if not char.isascii() or char.isalnum():
            self.fail(f"unsupported escape \\{char}")
        return _single(char)

    def char_class(self) -> tuple:
        negated = self.peek() == "^"
        self.index += negated
        ranges, named = [], []
        first = True
        while True:
            char = self.next()
            if char is None:
                self.fail("missing ']'")
            if char == "]" and not first:
                return (negated, tuple(ranges), tuple(named))
            first = False
            item = self.escape() if char == "\\" else _single(char)
            if item[2]:  # \d, \w ... inside a class
                named.extend(item[2])
                continue
            low = item[1][0][0]
            if self.peek() == "-" and self.peek(1) not in (None, "]"):
                self.index += 1
                high = self.class_range_end()
                if high < low:
                    self.fail("bad character range")
                ranges.append((low, high))
            else:
                ranges.append((low, low))

    def class_range_end(self) -> int:
        char = self.next()
        item = self.escape() if char == "\\" else _single(char)
        if item[2]:
            self.fail("bad character range")
        return item[1][0][0]


def _emit(tree: tuple, program: list) -> None:
    """Append the instructions of a pattern tree: set, split, jmp, bol, eol."""
    kind = tree[0]
    if kind == "cat":
        for item in tree[1]:
            _emit(item, program)
    elif kind == "alt":
        jumps = []
        for branch in tree[1][:-1]:
            split = _append(program, ["split", len(program) + 1, None])
            _emit(branch, program)
            jumps.append(_append(program, ["jmp", None]))
            split[2] = len(program)
        _emit(tree[1][-1], program)
        for jump in jumps:
            jump[1] = len(program)
    elif kind == "repeat":
        _emit_repeat(tree, program)
    else:
        _append(program, list(tree))


def _emit_repeat(tree: tuple, program: list) -> None:
    _, item, low, high = tree
    for _ in range(low):
        _emit(item, program)
    if high is None:  # item*
        start = len(program)
        split = _append(program, ["split", start + 1, None])
        _emit(item, program)
        _append(program, ["jmp", start])
        split[2] = len(program)
        return
    splits = []
    for _ in range(high - low):  # item? repeated
        splits.append(_append(program, ["split", len(program) + 1, None]))
        _emit(item, program)
    for split in splits:
        split[2] = len(program)


def _append(program: list, instruction: list) -> list:
    if len(program) >= MAX_PATTERN_SIZE:
        raise ExpressionError("bad_regex", "pattern is too large once its repeats are expanded")
    program.append(instruction)
    return instruction


@functools.lru_cache(maxsize=256)
def _compile_pattern(pattern: str) -> tuple:
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ExpressionError("bad_regex", f"pattern is longer than {MAX_PATTERN_LENGTH} characters")
    program: list = []
    _emit(_PatternParser(pattern).parse(), program)
    program.append(["match"])
    return tuple(tuple(instruction) for instruction in program)


def _search(program: tuple, text: str, budget: int) -> tuple[bool, int]:
    """Whether the program matches anywhere in text, and the steps spent (Pike VM, no captures).

    All live threads advance together one character at a time, so a pattern like (a+)+$ costs
    the same as a+$; each instruction is visited at most once per text position.
    """
    marks = [-1] * len(program)
    anchored = program[0][0] == "bol"
    spent = 0

    def follow(pc: int, position: int, threads: list) -> bool:
        nonlocal spent
        stack = [pc]
        while stack:
            pc = stack.pop()
            if marks[pc] == position:
                continue
            marks[pc] = position
            spent += 1
            op = program[pc]
            if op[0] == "set":
                threads.append(pc)
            elif op[0] == "match":
                return True
            elif op[0] == "jmp":
                stack.append(op[1])
            elif op[0] == "split":
                stack.extend((op[2], op[1]))
            elif (op[0] == "bol" and position == 0) or (op[0] == "eol" and position == len(text)):
                stack.append(pc + 1)
        return False

    threads: list = []
    if follow(0, 0, threads):
        return True, spent
    for index, char in enumerate(text):
        following: list = []
        for pc in threads:
            if _class_matches(program[pc][1], char) and follow(pc + 1, index + 1, following):
                return True, spent
        if not anchored and follow(0, index + 1, following):
            return True, spent
        spent += len(threads)
        if spent > budget:
            raise ExpressionError("too_complex", "regex() needs too many steps")
        if anchored and not following:
            return False, spent
        threads = following
    return False, spent
