"""The survey logic evaluator: shared cases (Python and JavaScript), hostile input, the API."""
from __future__ import annotations

import json
import math
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from surveys import expressions
from surveys.expressions import ExpressionError, check, evaluate, is_true, parse, references

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
CASES = json.loads((HERE / "expression_cases.json").read_text(encoding="utf-8"))


def _expected(case):
    expected = case["expected"]
    return float(expected["number"]) if isinstance(expected, dict) else expected


def _same(actual, expected) -> bool:
    """Equal and of the same expression type (bool, number or string)."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, (int, float)):
        return type(actual) is float and (
            actual == expected or (math.isnan(actual) and math.isnan(expected)))
    return type(actual) is str and actual == expected


def _evaluate_case(case):
    options = {}
    if "known_names" in case:
        options["known_names"] = set(case["known_names"])
    if "today" in case:
        options["today"] = date.fromisoformat(case["today"])
    return evaluate(case["expr"], case["values"], case.get("current"), **options)


def test_the_shared_cases_are_many_and_well_formed():
    assert len(CASES) >= 80
    for case in CASES:
        assert ("expected" in case) != ("error" in case), case
        assert case.get("error", "syntax") in expressions.ERROR_CODES, case


@pytest.mark.parametrize("case", CASES, ids=[f"{i}:{c['expr'][:40]}" for i, c in enumerate(CASES)])
def test_shared_case_in_python(case):
    if "error" in case:
        with pytest.raises(ExpressionError) as caught:
            _evaluate_case(case)
        assert caught.value.code == case["error"]
    else:
        result = _evaluate_case(case)
        assert _same(result, _expected(case)), f"{case['expr']!r} gave {result!r}"


def test_shared_cases_in_javascript():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed, so the JavaScript evaluator cannot be checked")
    completed = subprocess.run(
        [node, str(HERE / "run_js_cases.mjs")], cwd=ROOT, capture_output=True, text=True,
        timeout=120)
    assert completed.returncode == 0, (
        "JavaScript mismatches:\n" + completed.stdout + completed.stderr)
    assert f"ok {len(CASES)} cases" in completed.stdout


# --- hostile input -------------------------------------------------------------------------

def _error_code(expression, values=None, current=None, **options):
    with pytest.raises(ExpressionError) as caught:
        evaluate(expression, values or {}, current, **options)
    return caught.value.code


def test_ten_thousand_nested_brackets_are_refused():
    assert _error_code("(" * 10_000 + "1" + ")" * 10_000) == "too_complex"


def test_nesting_within_the_length_limit_is_refused_by_depth():
    expression = "(" * 500 + "1" + ")" * 500
    assert len(expression) <= expressions.MAX_LENGTH
    with pytest.raises(ExpressionError) as caught:
        parse(expression)
    assert caught.value.code == "too_complex"
    assert caught.value.position is not None


def test_nested_calls_and_negations_are_refused_by_depth():
    assert _error_code("not(" * 200 + "1" + ")" * 200) == "too_complex"
    assert _error_code("-" * 1000 + "1") == "too_complex"
    assert _error_code(" * ".join(["2"] * 300)) == "too_complex"


def test_a_one_megabyte_expression_is_refused():
    assert _error_code("1 + " * 250_000 + "1") == "too_complex"
    assert _error_code("'" + "a" * 1_000_000 + "'") == "too_complex"


def test_too_many_nodes_are_refused():
    flat = " or ".join(["1=1"] * 250)  # depth stays low, nodes do not
    assert len(flat) < expressions.MAX_LENGTH
    assert _error_code(flat) == "too_complex"


def test_long_or_chains_are_flat_not_deep():
    expression = " or ".join(f"${{q}} = '{i}'" for i in range(100))
    assert evaluate(expression, {"q": "99"}) is True
    assert evaluate(expression, {"q": "x"}) is False


@pytest.mark.parametrize("expression", [
    "1e308 * 1e308",  # exponents are not XPath syntax
    "9**9",
])
def test_exponent_syntax_is_refused(expression):
    assert _error_code(expression) == "syntax"


def test_huge_numbers_become_infinity_not_errors():
    assert evaluate("99999999999999999999999 * 999999999999", {}) == pytest.approx(1e35)
    assert evaluate("9" * 400 + " * " + "9" * 400, {}) == math.inf
    big = " * ".join(["1" + "0" * 200] * 3)
    assert evaluate(big, {}) == math.inf
    assert math.isnan(evaluate(f"{big} - {big}", {}))
    assert evaluate("${n} * 10", {"n": 10 ** 400}) == math.inf
    assert evaluate("${n}", {"n": -(10 ** 400)}) == -math.inf
    assert evaluate("${n} + 1", {"n": Decimal("1e500")}) == math.inf


def test_infinite_values_print_and_round_safely():
    assert evaluate("string-length(1 div 0)", {}) == len("Infinity")
    assert evaluate("round(1 div 0, 1000000000)", {}) == math.inf
    assert evaluate("int(-1 div 0)", {}) == -math.inf
    assert evaluate("string-length(" + "9" * 300 + ")", {}) == 301  # 1e300, written out
    assert evaluate("1 div 0 mod 2", {}) != evaluate("1 div 0 mod 2", {})  # NaN


def test_catastrophic_regex_runs_in_linear_time():
    """(a+)+$ backtracks exponentially in re; the NFA engine just says no."""
    subject = "a" * 5000 + "b"
    assert evaluate("regex(., '(a+)+$')", {}, subject) is False
    assert evaluate("regex(., '^(a|a)*$')", {}, subject) is False
    assert evaluate("regex(., '(x+x+)+y')", {}, "x" * 5000) is False
    assert evaluate("regex(., '(a*)*b')", {}, subject) is True


def test_regex_subject_and_pattern_sizes_are_capped():
    long_text = "a" * (expressions.MAX_SUBJECT_LENGTH + 1)
    assert _error_code("regex(., 'a')", current=long_text) == "too_complex"
    assert _error_code("regex(., '" + "a" * 300 + "')", current="a") == "bad_regex"
    assert _error_code("regex(., '" + "(" * 30 + "a" + ")" * 30 + "')", current="a") == "bad_regex"


def test_regex_step_budget_stops_expensive_patterns(monkeypatch):
    monkeypatch.setattr(expressions, "MAX_REGEX_STEPS", 10_000)
    subject = "a" * 2000
    assert _error_code("regex(., '(a|b)*(a|b)*(a|b)*c')", current=subject) == "too_complex"
    assert evaluate("regex(., '^b')", {}, subject) is False  # anchored: stops at once


def test_regex_budget_is_shared_by_one_evaluation(monkeypatch):
    subject = "a" * 4000
    program = expressions._compile_pattern("(a|b)*c")
    matched, steps = expressions._search(program, subject, 10 ** 9)
    assert matched is False
    monkeypatch.setattr(expressions, "MAX_REGEX_STEPS", steps * 3)
    one = "regex(., '(a|b)*c')"
    assert evaluate(one, {}, subject) is False
    assert _error_code(" or ".join([one] * 5), current=subject) == "too_complex"


@pytest.mark.parametrize("expression", [
    "__import__('os')",
    "open('/etc/passwd')",
    "getattr(${a}, 'x')",
    "exec('1')",
])
def test_python_names_are_unknown_functions(expression):
    assert _error_code(expression, {"a": "x"}) == "unknown_function"


@pytest.mark.parametrize("expression", [
    "${a}.__class__",
    "${a}.__class__.__mro__",
    "().__class__",
    "[].__class__",
    "__builtins__",
    "${a}['x']",
    "lambda: 1",
    "${a}; 1",
])
def test_attribute_access_attempts_are_syntax_errors(expression):
    assert _error_code(expression, {"a": "x"}) == "syntax"


def test_dunder_names_are_only_answer_lookups():
    assert evaluate("${__class__}", {}) == ""
    assert evaluate("${__class__}", {"__class__": "plain"}) == "plain"


def test_answers_of_unsupported_types_are_refused():
    assert _error_code("${a}", {"a": object()}) == "type"
    assert _error_code("${a}", {"a": [["nested"]]}) == "type"
    assert _error_code(".", current={"x": 1}) == "type"


# --- the API -------------------------------------------------------------------------------

def test_references_lists_every_name_once():
    expression = "${age} >= 18 and (selected(${role}, 'member') or ${age} < ${limit})"
    assert references(expression) == {"age", "role", "limit"}
    assert references("1 + 1") == set()
    assert references("'${not_a_reference}' = .") == set()


def test_references_raises_on_bad_syntax():
    with pytest.raises(ExpressionError):
        references("${a} +")


def test_check_accepts_known_references():
    check("${age} >= 18 and regex(${phone}, '^0[0-9]{9}$')", {"age", "phone"})
    check(". > 0", set())


def test_check_reports_the_first_unknown_reference_with_its_position():
    with pytest.raises(ExpressionError) as caught:
        check("${age} > 1 and ${agee} < 100", {"age"})
    assert caught.value.code == "unknown_reference"
    assert caught.value.position == len("${age} > 1 and ")
    assert "agee" in caught.value.detail


def test_check_reports_syntax_functions_and_literal_patterns():
    cases = {
        "${a} >": "syntax",
        "sum(${a})": "unknown_function",
        "regex(${a}, '(')": "bad_regex",
        "selected(${a})": "type",
    }
    for expression, code in cases.items():
        with pytest.raises(ExpressionError) as caught:
            check(expression, {"a"})
        assert caught.value.code == code, expression


def test_syntax_errors_carry_a_position():
    with pytest.raises(ExpressionError) as caught:
        parse("${a} = = 1")
    assert caught.value.code == "syntax"
    assert caught.value.position == 7


def test_evaluate_with_known_names_refuses_unknown_references():
    assert evaluate("${a} = ''", {}, known_names={"a"}) is True
    assert _error_code("${b} = ''", known_names={"a"}) == "unknown_reference"


def test_is_true_treats_a_missing_expression_as_true():
    assert is_true(None, {}) is True
    assert is_true("", {}) is True
    assert is_true("  ", {}) is True


def test_is_true_uses_xpath_boolean():
    assert is_true("${q}", {"q": "no"}) is True
    assert is_true("${q}", {"q": ""}) is False
    assert is_true("${n} - 3", {"n": "3"}) is False
    assert is_true(". >= 18", {}, "21") is True
    assert is_true("${d} < today()", {"d": "2024-01-01"}, today=date(2024, 6, 1)) is True


def test_today_defaults_to_the_real_date_and_accepts_answers_as_dates():
    assert evaluate("today()", {}) == date.today().isoformat()
    assert evaluate("${d} = '2024-05-06'", {"d": date(2024, 5, 6)}) is True


def test_parse_is_cached():
    assert parse("${a} + 1") is parse("${a} + 1")


def test_error_codes_and_message():
    error = ExpressionError("syntax", "unexpected end of expression", 3)
    assert (error.code, error.detail, error.position) == ("syntax", "unexpected end of expression", 3)
    assert "syntax" in str(error)
    assert ExpressionError("type", "x").position is None
