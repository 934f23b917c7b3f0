"""Summaries of every question of a survey, counted in SQL and shaped with pandas.

A few ``GROUP BY`` statements over the survey's answers (one per storage shape, see
``answer_groups``) give, per question, how many rows share each (option, matrix row, rank,
number, date) — a few thousand groups even for a million answers. Another counts the
distinct responses with rows for each several-rows-per-answer question (multiple choice,
matrix, ranking), and one counts the responses in the filter. Everything else (shares,
medians, the matrix table, average ranks) is computed from those aggregated rows with
pandas; no answer row reaches Python.

Skipped and not shown (see ``docs/tallies.md``):

- an Answer row whose value columns are all NULL is a *skip marker*: the question was shown
  and left empty;
- a submitted response with no row at all for a question did not see it: *not shown*. When
  the question has no show-if (neither it nor its page), it cannot have been hidden, so such
  a response counts as *skipped* too — this keeps the numbers right whether or not the
  answering side writes skip markers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from analysis.tallies import distributions
from analysis.tallies.filters import ResponseFilters, responses_where
from analysis.tallies.scope import AnswerScope
from analysis.tallies.sql import distribution_stats, share
from analysis.tallies.structure import (CHOICE_FAMILIES, MULTI_ROW_FAMILIES, QuestionInfo, SurveyInfo,
                                        load_survey, nfc)
from consult.lazy import lazy_module
from surveys.models import Answer, Response

np = lazy_module("numpy")
pd = lazy_module("pandas")

KEY_COLUMNS = ["question_id", "choice_id", "row_name", "rank", "value_number", "value_date", "text_key"]
ROW_COLUMNS = [*KEY_COLUMNS, "count"]
MAX_DISTINCT_NUMBERS = distributions.MAX_DISTINCT_NUMBERS
NUMBER_BINS = distributions.NUMBER_BINS


@dataclass
class QuestionSummary:
    """The tally of one question. Shares are fractions (0.25), or None when nothing to divide."""

    question: QuestionInfo
    #: Submitted responses in the filter.
    respondents: int
    #: Responses with a real answer to this question.
    answered: int
    #: Shown and left empty.
    skipped: int
    #: Hidden by the survey's logic.
    not_shown: int
    #: What the chart and the accessible table show: ``label, count, share`` (+ per family:
    #: ``key, deleted, is_other`` for options, ``mean_rank`` for rankings).
    table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())
    #: Scales, numbers and dates: n, mean, median, min, max.
    stats: dict | None = None
    #: Matrix: one row per matrix row, one column per scale option, counts.
    matrix: pd.DataFrame | None = None
    #: Ranking: one row per option, one column per rank position, counts.
    rank_table: pd.DataFrame | None = None

    @property
    def answered_share(self) -> float | None:
        return share(self.answered, self.respondents)


def _has_text():
    return or_(Answer.value_text.is_not(None), Answer.file_path.is_not(None))


def _ids(survey: SurveyInfo, *families: str) -> list[int]:
    return [q.id for q in survey.by_family(*families)]


def answer_groups(scope: AnswerScope, survey: SurveyInfo, group=None, leave_out=frozenset()) -> pd.DataFrame:
    """One row per distinct (question, option, row, rank, number, date, text key) with its count.

    ``group`` (a labelled column, e.g. the response's province; the scope must join what it
    needs) is added to every key: the cross-tabs are these same statements, grouped once more.
    ``leave_out``: number and date questions summarised by ``distributions`` instead.

    Three ``GROUP BY`` statements, one per storage shape, each reading only the columns its
    kinds fill (see docs/tallies.md):

    - options with an id, matrix rows, ranks, numbers and dates: keys that an index on
      ``answer(question_id, choice_id, row_name, rank, value_number, value_date)`` covers,
      grouped in that index's order, so the database never reads the table or sorts;
    - rows of option questions without an option id — built-in lists (provinces), deleted
      options (by their stored name) and skip markers — which need ``value_text``;
    - text and file answers: only whether there is one.

    When the scope joins the responses (filters, cross-tabs) every row is read from the table
    anyway, so the first two are one statement: one pass over the answers instead of two.
    """
    option_ids = _ids(survey, *CHOICE_FAMILIES)
    value_ids = [qid for qid in _ids(survey, "scale", "number", "date") if qid not in leave_out]
    indexed = [Answer.choice_id, Answer.row_name, Answer.rank, Answer.value_number, Answer.value_date]
    plans = []
    if scope.filtered and option_ids:
        uncoded = case((and_(Answer.choice_id.is_(None), Answer.question_id.in_(option_ids)), Answer.value_text),
                       else_=None)
        read = _columns_read(survey, option_ids + value_ids)
        keys = [(name, column) for name, column in zip(KEY_COLUMNS[1:], [*indexed, uncoded]) if name in read]
        plans.append((option_ids + value_ids, [column for _, column in keys], [name for name, _ in keys], []))
    elif option_ids or value_ids:
        plans.append((option_ids + value_ids, indexed, ["choice_id", "row_name", "rank", "value_number", "value_date"],
                      [or_(Answer.choice_id.is_not(None), Answer.question_id.in_(value_ids))]))
    if option_ids and not scope.filtered:
        plans.append((option_ids, [Answer.row_name, Answer.rank, Answer.value_text],
                      ["row_name", "rank", "text_key"], [Answer.choice_id.is_(None)]))
    text_ids = _ids(survey, "text", "file")
    if text_ids:
        plans.append((text_ids, [case((_has_text(), literal("1")), else_=None)], ["text_key"], []))
    extra, extra_names = ([group], ["group"]) if group is not None else ([], [])
    columns = [*extra_names, *KEY_COLUMNS, "count"]
    frames = []
    for question_ids, keys, names, conditions in plans:
        def build(restrict, question_ids=question_ids, keys=[*extra, *keys], conditions=conditions):  # noqa: B006 (binds this loop turn's keys)
            query = (select(Answer.question_id, *keys, func.count().label("count")).select_from(Answer)
                     .where(Answer.question_id.in_(question_ids), *conditions))
            return restrict(query).group_by(Answer.question_id, *keys)
        frame = scope.frame(build, ["question_id", *extra_names, *names, "count"])
        frames.append(frame.reindex(columns=columns))
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)


#: The answer columns each family's rows fill (``surveys.models.Answer``), as tally keys.
FAMILY_COLUMNS = {"single": {"choice_id", "text_key"}, "multiple": {"choice_id", "text_key"},
                  "matrix": {"choice_id", "row_name", "text_key"}, "ranking": {"choice_id", "rank", "text_key"},
                  "scale": {"value_number"}, "number": {"value_number"}, "date": {"value_date"}}


def _columns_read(survey: SurveyInfo, question_ids: list[int]) -> set[str]:
    """The keys these questions' rows can fill. A cross-tab of one single-choice question then
    reads only the option (from the ``(question_id, response_id, choice_id)`` index) and, for
    rows without one, the stored name: not every answer's row in the table."""
    wanted = set(question_ids)
    return set().union(*(FAMILY_COLUMNS[q.family] for q in survey.questions if q.id in wanted))


def responses_with_rows(scope: AnswerScope, question_ids: list[int], group=None) -> dict:
    """Distinct responses with any row (answer or skip marker), per question (and group:
    then the keys are ``(question_id, group)``).

    Reads only ``(response_id, question_id)``, which the answers' index holds; the skip
    markers are taken off by the caller (a response has a marker or answers, not both).
    """
    if not question_ids:
        return {}
    extra = [group] if group is not None else []

    def build(restrict):
        pairs = restrict(select(Answer.question_id, Answer.response_id, *extra).select_from(Answer)
                         .where(Answer.question_id.in_(question_ids))).distinct().subquery()
        keys = [pairs.c.question_id, *([pairs.c.group] if extra else [])]
        return select(*keys, func.count().label("count")).group_by(*keys)
    names = ["question_id", *(["group"] if extra else []), "count"]
    frame = scope.frame(build, names)
    keys = zip(frame["question_id"], frame["group"]) if extra else frame["question_id"]
    return dict(zip(keys, frame["count"]))


def count_respondents(session: Session, survey_id: int, filters: ResponseFilters | None) -> int:
    return session.scalar(select(func.count()).select_from(Response).where(responses_where(survey_id, filters)))


def summarise_survey(session: Session, survey_id: int, filters: ResponseFilters | None = None,
                     locale: str = "vi", survey: SurveyInfo | None = None,
                     number_format: Callable[[float], str] | None = None) -> list[QuestionSummary]:
    """Summaries of every tallied question, in answering order. Empty list for no survey.

    ``number_format`` writes the numbers that become labels (bins of a number question); the
    web layer passes Vietnamese formatting ("2,5"), the default writes "2.5".
    """
    survey = survey or load_survey(session, survey_id, locale)
    if survey is None:
        return []
    scope = AnswerScope(session, survey.id, filters)
    number_format = number_format or plain_number
    spread = {qid: p for qid, p in distributions.profiles(scope, _ids(survey, "number"), _ids(survey, "date")).items()
              if p.spread(survey.question(qid).family)}
    groups = answer_groups(scope, survey, leave_out=spread.keys())
    with_rows = responses_with_rows(scope, _ids(survey, *MULTI_ROW_FAMILIES))
    respondents = count_respondents(session, survey.id, filters)
    by_question = dict(tuple(groups.groupby("question_id"))) if not groups.empty else {}
    months = _months(scope, [qid for qid in spread if survey.question(qid).family == "date"])
    return [summarise_spread(scope, q, spread[q.id], respondents, months.get(q.id), number_format)
            if q.id in spread else
            summarise_groups(q, by_question.get(q.id, groups.iloc[0:0]), respondents,
                             with_rows.get(q.id, 0), number_format) for q in survey.questions]


def _months(scope: AnswerScope, date_ids: list[int]) -> dict[int, pd.DataFrame]:
    if not date_ids:
        return {}
    return dict(tuple(distributions.month_counts(scope, date_ids).groupby("question_id")))


def summarise_question(session: Session, survey_id: int, question_id: int,
                       filters: ResponseFilters | None = None, locale: str = "vi",
                       number_format: Callable[[float], str] | None = None) -> QuestionSummary | None:
    """The summary of one question (same numbers as in ``summarise_survey``)."""
    survey = load_survey(session, survey_id, locale)
    if survey is None or survey.question(question_id) is None:
        return None
    survey.questions = [survey.question(question_id)]
    return summarise_survey(session, survey_id, filters, locale, survey, number_format)[0]


def summarise_groups(question: QuestionInfo, rows: pd.DataFrame, respondents: int,
                     with_rows: int = 0, number_format: Callable | None = None) -> QuestionSummary:
    """Turn one question's aggregated rows into its summary.

    ``with_rows``: for several-rows kinds, the distinct responses with any row (answers or a
    skip marker) for the question.

    A question has a handful of aggregated rows, and a cross-tab calls this once per group (63
    provinces): the rows are turned into one NumPy array up front, and option questions are
    counted in plain Python, because pandas' overhead per call would cost more than the work.
    """
    if list(rows.columns) != ROW_COLUMNS:
        rows = rows.reindex(columns=ROW_COLUMNS)
    values = rows.to_numpy(dtype=object)
    counts = values[:, -1].astype("int64")
    real_rows = ~pd.isna(values[:, 1:-1]).all(axis=1)
    blank = int(counts[~real_rows].sum())
    values, counts = values[real_rows], counts[real_rows]
    if question.family in MULTI_ROW_FAMILIES:
        answered = max(with_rows - blank, 0)
    elif question.family == "ranking":
        answered = int(counts[values[:, KEY_COLUMNS.index("rank")] == 1].sum())
    else:
        answered = int(counts.sum())
    summary = _counted(question, respondents, answered, blank)
    if question.family in ("single", "multiple"):
        _options(summary, values[:, KEY_COLUMNS.index("choice_id")], values[:, KEY_COLUMNS.index("text_key")],
                 counts)
    elif question.family in BUILDERS:
        BUILDERS[question.family](summary, rows[real_rows], number_format or plain_number)
    return summary


def _counted(question: QuestionInfo, respondents: int, answered: int, blank: int) -> QuestionSummary:
    """A summary with its answered / skipped / not shown split (see the module docstring)."""
    missing = max(respondents - answered - blank, 0)
    skipped, not_shown = (blank, missing) if question.conditional else (blank + missing, 0)
    return QuestionSummary(question, respondents, answered, skipped, not_shown)


def summarise_spread(scope: AnswerScope, question: QuestionInfo, profile: distributions.ValueProfile,
                     respondents: int, months: pd.DataFrame | None, fmt: Callable[[float], str]) -> QuestionSummary:
    """The summary of a number or date question with many distinct values (``distributions``):
    the same figures ``_numbers`` and ``_dates`` give, computed in the database."""
    summary = _counted(question, respondents, profile.answered, profile.blank)
    if question.family == "date":
        months = months if months is not None else pd.DataFrame({"month": [], "count": []})
        months = months.sort_values("month")
        labels = [f"{m[5:7]}/{m[:4]}" for m in months["month"]]
        summary.stats = {"n": profile.answered, "min": _as_date(profile.low), "max": _as_date(profile.high)}
        table = pd.DataFrame({"label": labels, "count": months["count"].to_numpy().astype("int64")})
    else:
        summary.stats = distributions.number_stats(scope, profile)
        edges = distributions.bin_edges(profile)
        counts = distributions.binned_counts(scope, profile, edges)
        labels = [f"{fmt(a)} – {fmt(b)}" for a, b in zip(edges[:-1], edges[1:])]
        table = pd.DataFrame({"label": labels, "count": counts})
    summary.table = table.assign(share=_shares(table["count"], summary.answered))
    return summary


def _as_date(value):
    """A date from the database (SQLite's MIN over a DATE column may come back as text)."""
    if isinstance(value, str):
        return pd.Timestamp(value).date()
    return value


OPTION_COLUMNS = ["key", "name", "label", "deleted", "is_other", "count"]


def option_rows(question: QuestionInfo, choice_ids, texts, counts) -> list[tuple]:
    """Counts per option: every current option (zeros included) in order, then stored values
    whose option is gone (deleted options, unknown built-in codes), marked ``deleted``.

    The three sequences are aggregated rows (one per option at most, per row or rank): a
    row with an option id counts for that option, one without for the option its stored name
    (``text_key``) names. Rows are ``OPTION_COLUMNS`` tuples.
    """
    current = [(choice_id, name, label, is_other) for choice_id, (name, label, _, is_other)
               in question.choices.items()]
    current += [(code, code, label, False) for code, label in (question.builtin or {}).items()]
    totals = {key: 0 for key, *_ in current}
    names = {name: key for key, name, *_ in current}
    extra: dict = {}
    for choice_id, text, count in zip(choice_ids, texts, counts):
        if choice_id is not None and choice_id == choice_id:  # not NULL / NaN
            key = int(choice_id)
            if key in totals:
                totals[key] += int(count)
            else:  # an option id no longer in the survey
                extra[key] = extra.get(key, 0) + int(count)
        elif isinstance(text, str):
            text = nfc(text)
            if text in names:
                totals[names[text]] += int(count)
            else:  # the option was deleted: its stored name is all that is left
                extra[text] = extra.get(text, 0) + int(count)
    rows = [(key, name, label, False, other, totals[key]) for key, name, label, other in current]
    rows += [(key, str(key) if isinstance(key, str) else f"#{key}", str(key) if isinstance(key, str) else f"#{key}",
              True, False, count) for key, count in extra.items()]
    return rows


def option_counts(question: QuestionInfo, real: pd.DataFrame) -> pd.DataFrame:
    """``option_rows`` of aggregated rows in a DataFrame, as a DataFrame."""
    rows = option_rows(question, real["choice_id"].to_numpy(), real["text_key"].to_numpy(), real["count"].to_numpy())
    return pd.DataFrame(rows, columns=OPTION_COLUMNS)


def _options(summary: QuestionSummary, choice_ids, texts, counts) -> None:
    rows = option_rows(summary.question, choice_ids, texts, counts)
    if summary.question.builtin:  # a long list (63 provinces): show the chosen ones, most first
        rows = sorted((row for row in rows if row[-1] > 0), key=lambda row: -row[-1])
    whole = summary.answered
    summary.table = pd.DataFrame([(*row, row[-1] / whole if whole else None) for row in rows],
                                 columns=[*OPTION_COLUMNS, "share"])


def _ranking(summary: QuestionSummary, real: pd.DataFrame, _fmt) -> None:
    ranked = real.dropna(subset=["rank"])
    options = option_counts(summary.question, ranked)
    key = ranked["choice_id"].where(ranked["choice_id"].notna(), ranked["text_key"])
    key = key.map(lambda k: int(k) if isinstance(k, float) else k)
    per_rank = (ranked.assign(key=key, rank=ranked["rank"].astype(int))
                .pivot_table(index="key", columns="rank", values="count", aggfunc="sum", fill_value=0))
    per_rank = per_rank.reindex(options["key"], fill_value=0)
    positions = np.array(per_rank.columns, dtype=float)
    totals = per_rank.sum(axis=1).to_numpy()
    weighted = (per_rank.to_numpy() * positions).sum(axis=1) if len(positions) else np.zeros(len(per_rank))
    mean_rank = np.where(totals > 0, weighted / np.where(totals > 0, totals, 1), np.nan)
    table = options.assign(mean_rank=mean_rank, share=_shares(options["count"], summary.answered))
    summary.table = table.sort_values("mean_rank", kind="stable", na_position="last").reset_index(drop=True)
    per_rank.index = options["label"]
    summary.rank_table = per_rank


def _matrix(summary: QuestionSummary, real: pd.DataFrame, _fmt) -> None:
    question = summary.question
    answered_rows = real.dropna(subset=["row_name"])
    scale = option_counts(question, answered_rows)
    key = answered_rows["choice_id"].where(answered_rows["choice_id"].notna(), answered_rows["text_key"])
    key = key.map(lambda k: int(k) if isinstance(k, float) else k)
    table = (answered_rows.assign(key=key)
             .pivot_table(index="row_name", columns="key", values="count", aggfunc="sum", fill_value=0))
    row_order = list(question.rows) + [r for r in table.index if r not in question.rows]
    table = table.reindex(index=row_order, columns=list(scale["key"]), fill_value=0)
    table.index = [question.rows.get(name, name) for name in row_order]
    table.columns = list(scale["label"])
    summary.matrix = table.astype("int64")
    summary.table = scale.assign(share=_shares(scale["count"], summary.answered))


def _numbers(summary: QuestionSummary, real: pd.DataFrame, fmt) -> None:
    values = real.dropna(subset=["value_number"])
    summary.stats = distribution_stats(values["value_number"], values["count"])
    distribution = values.groupby("value_number")["count"].sum().sort_index()
    parameters = summary.question.parameters
    low, high = parameters.get("min"), parameters.get("max")
    if summary.question.family == "scale" and _whole(low) and _whole(high) and int(high) - int(low) <= 20:
        distribution = distribution.reindex(np.arange(int(low), int(high) + 1, dtype=float), fill_value=0)
    if len(distribution) > MAX_DISTINCT_NUMBERS:
        edges = np.histogram_bin_edges(distribution.index.to_numpy(), bins=NUMBER_BINS)
        counts, _ = np.histogram(distribution.index.to_numpy(), bins=edges, weights=distribution.to_numpy())
        labels = [f"{fmt(a)} – {fmt(b)}" for a, b in zip(edges[:-1], edges[1:])]
        table = pd.DataFrame({"label": labels, "count": counts.astype("int64")})
    else:
        table = pd.DataFrame({"label": [fmt(v) for v in distribution.index],
                              "value": distribution.index, "count": distribution.to_numpy().astype("int64")})
    summary.table = table.assign(share=_shares(table["count"], summary.answered))


def _dates(summary: QuestionSummary, real: pd.DataFrame, _fmt) -> None:
    dates = real.dropna(subset=["value_date"])
    days = pd.to_datetime(dates["value_date"])
    per_day = dates.assign(day=days).groupby("day")["count"].sum().sort_index()
    if len(per_day) > distributions.MAX_DISTINCT_DAYS:
        per_day = per_day.groupby(per_day.index.strftime("%m/%Y"), sort=False).sum()
        labels = list(per_day.index)
    else:
        labels = [d.strftime("%d/%m/%Y") for d in per_day.index]
    summary.stats = {"n": int(per_day.sum()),
                     "min": days.min().date() if len(days) else None,
                     "max": days.max().date() if len(days) else None}
    table = pd.DataFrame({"label": labels, "count": per_day.to_numpy().astype("int64")})
    summary.table = table.assign(share=_shares(table["count"], summary.answered))


def _shares(counts: pd.Series, whole: int) -> pd.Series:
    return counts / whole if whole else pd.Series([None] * len(counts), index=counts.index, dtype=object)


def _whole(value) -> bool:
    return isinstance(value, (int, float)) and float(value).is_integer()


def plain_number(value: float) -> str:
    """A number as people write it: 3 not 3.0, at most 2 decimals."""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


BUILDERS = {"ranking": _ranking, "matrix": _matrix,
            "scale": _numbers, "number": _numbers, "date": _dates}
