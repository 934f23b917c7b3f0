"""Which of our question kinds an XLSForm type becomes, and what else it brings along.

| XLSForm | our kind |
| --- | --- |
| ``select_one`` | ``single_choice``; ``dropdown`` with appearance ``minimal``/``autocomplete``/``search``; ``rating`` with appearance ``likert`` when the options are the whole numbers of a scale |
| ``select_multiple`` | ``multiple_choice`` (``or_other`` on either: an "other, specify" option) |
| ``rank`` | ``ranking`` |
| ``text`` | ``short_text``; ``long_text`` with appearance ``multiline`` |
| ``integer``, ``decimal``, ``date``, ``note`` | the same |
| ``range`` | ``rating`` (whole numbers, at most 20 steps), else ``integer`` with min and max |
| ``file`` | ``file`` (PDF only; ``max-file-size`` kept) |
"""
from __future__ import annotations

from surveys.kinds import xlsform_kind
from surveys.xlsform.mapping import PlannedChoice
from surveys.xlsform.report import ImportReport

#: pyxform's spelling of a type -> XLSForm's (``Kind.xlsform_type``).
_PYXFORM_TYPES = {"select one": "select_one", "select all that apply": "select_multiple"}
_FROM_FILE = ("select_one_from_file", "select_multiple_from_file", "select_one_external",
              "select one from file", "select multiple from file")
MAX_RATING_STEPS = 20


def kind_for(mapper, element: dict, values: dict) -> str | None:
    """Our kind for the element, or None after reporting why it cannot be imported."""
    from surveys.xlsform.mapping import METADATA_TYPES

    report: ImportReport = mapper.report
    type_ = element.get("type", "")
    raw_type = str(values.get("type", type_)).strip()
    where = {"row": mapper.row(element), "name": element.get("name", "")}
    appearance = mapper.appearance(element)
    if raw_type.split(" ")[0].lower() in _FROM_FILE or (
            type_ in ("select one", "select all that apply") and not element.get("choices")):
        report.add("unsupported", "select_from_file", type=raw_type, **where)
        return None
    if type_ in METADATA_TYPES:
        report.add("unsupported", "metadata", type=type_, **where)
        return None
    if type_ == "calculate":
        report.add("unsupported", "calculate", **where)
        return None
    if type_ == "range":
        return "rating" if _range_ends(element, rating=True) else "integer"
    kind = xlsform_kind(_PYXFORM_TYPES.get(type_, type_), appearance)
    if kind is not None and kind.key == "rating" and not _scale(mapper, element):
        kind = xlsform_kind(kind.xlsform_type)  # likert on options that are not a scale
    if kind is not None:
        if kind.key == "dropdown":
            report.add("changed", "dropdown", appearance=appearance, **where)
        return kind.key
    report.add("unsupported", "unsupported_type", type=raw_type or type_, **where)
    return None


def complete(mapper, question, element: dict, values: dict) -> None:
    """Fill what the kind needs beyond the common columns: options, scale ends, limits."""
    where = {"row": question.row, "name": question.name}
    with_other = "or_other" in str(values.get("type", "")).split()
    if question.kind == "ranking":  # an option to rank, without a text box
        question.choices = mapper.choices(element, with_other=False)
        if with_other:
            question.choices.append(PlannedChoice("other", {"vi": "Khác", "en": "Other"}))
            mapper.report.add("changed", "or_other_ranking", **where)
    elif question.kind in ("single_choice", "dropdown", "multiple_choice"):
        question.choices = mapper.choices(element, with_other=with_other)
        if with_other:
            mapper.report.add("changed", "or_other", **where)
    elif question.kind == "rating" and element.get("type") == "select one":
        low, high, choices = _scale(mapper, element)
        question.parameters.update({"min": low, "max": high})
        for key, choice in (("min_label", choices[0]), ("max_label", choices[-1])):
            if set(choice.label.values()) - {choice.name}:  # a label, not just the number
                question.parameters[key] = choice.label
        mapper.report.add("changed", "likert", **where)
    elif element.get("type") == "range":
        _range(mapper, question, element)
    elif question.kind == "file":
        size = _file_size(element.get("parameters"))
        if size:
            question.parameters["max_mb"] = size
        mapper.report.add("changed", "file_pdf_only", size=size or 5, **where)


def _scale(mapper, element: dict):
    """(low, high, choices) when the options are the consecutive whole numbers low…high."""
    choices = mapper.choices(element, with_other=False)
    try:
        numbers = [int(choice.name) for choice in choices]
    except ValueError:
        return None
    if len(numbers) < 2 or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return None
    if numbers[-1] - numbers[0] > MAX_RATING_STEPS:
        return None
    return numbers[0], numbers[-1], choices


def _range_ends(element: dict, rating: bool = False):
    parameters = element.get("parameters") or {}
    try:
        low, high = float(parameters.get("start", 1)), float(parameters.get("end", 10))
        step = float(parameters.get("step", 1))
    except (TypeError, ValueError):
        return None
    if rating and not (low.is_integer() and high.is_integer() and 0 < high - low <= MAX_RATING_STEPS):
        return None
    return low, high, step


def _range(mapper, question, element: dict) -> None:
    low, high, step = _range_ends(element) or (1.0, 10.0, 1.0)
    question.parameters.update({"min": _number(low), "max": _number(high)})
    if step != 1:
        mapper.report.add("changed", "range_step", row=question.row, name=question.name,
                          step=_number(step), low=_number(low), high=_number(high))


def _number(value: float):
    return int(value) if float(value).is_integer() else value


def _file_size(parameters) -> float | None:
    """``max-file-size`` (MB) from a file question's parameters (a dict or ``k=v`` text)."""
    if isinstance(parameters, str):
        parameters = dict(part.split("=", 1) for part in parameters.split() if "=" in part)
    try:
        size = float((parameters or {}).get("max-file-size", ""))
    except ValueError:
        return None
    return _number(size) if size > 0 else None
