"""Cross-tabs: one question's answers broken down by who answered, where, or by the answer to
another single-choice question.

The grouping column is added to the same ``GROUP BY`` statements the summaries use (joined to
the responses), plus one count of responses per group for the denominators; each group's rows
then go through ``summarise_groups``, so every cell is computed exactly as the question's own
summary is.
Groups are the rows of the result, the question's options its columns: a province cross-tab
has 63 rows, which reads (and scrolls) better on a phone than 63 columns.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from analysis.tallies.filters import ResponseFilters, responses_where
from analysis.tallies.structure import (GROUPING_FAMILIES, MULTI_ROW_FAMILIES, QuestionInfo, SurveyInfo,
                                        load_survey, nfc)
from analysis.tallies.scope import AnswerScope
from analysis.tallies.summaries import QuestionSummary, answer_groups, responses_with_rows, summarise_groups
from consult.data import province_names, province_successors
from consult.lazy import lazy_module
from consult.models import Organisation
from surveys.models import Answer, Invitation, Response

pd = lazy_module("pandas")

#: Dimensions that come from the response's profile; ``question:<id>`` names another question.
PROFILE_DIMENSIONS = ("respondent_type", "province", "province_2025", "organisation_kind")


class UnknownDimension(ValueError):
    """The requested grouping is neither a profile column nor a single-choice question."""


@dataclass
class CrossTab:
    question: QuestionInfo
    #: ``respondent_type``, ``province``, ``organisation_kind`` or ``question:<id>``.
    by: str
    #: Group keys in display order; None is "not given / not answered", always last.
    groups: list
    #: Labels known from the data (province names, option labels); the caller labels the rest.
    group_labels: dict
    #: Per group: submitted responses in the filter, and those that answered the question.
    respondents: pd.Series
    answered: pd.Series
    #: Rows: groups; columns: option labels (matrix: "row · option"); counts.
    counts: pd.DataFrame | None = None
    #: ``counts`` divided by the group's ``answered`` (NaN where nobody answered).
    shares: pd.DataFrame | None = None
    #: Scales and numbers: rows groups; columns n, mean, median, min, max.
    stats: pd.DataFrame | None = None
    #: Rankings: rows groups; columns option labels; average rank.
    mean_rank: pd.DataFrame | None = None
    summaries: dict = field(default_factory=dict)

    def label(self, key) -> str | None:
        return self.group_labels.get(key)


def grouping_options(survey: SurveyInfo, question_id: int | None = None) -> list[QuestionInfo]:
    """The questions a cross-tab may group by: single-choice ones, other than the question."""
    return [q for q in survey.questions if q.family in GROUPING_FAMILIES and q.id != question_id]


def _dimension(by: str, survey: SurveyInfo, question: QuestionInfo):
    """(group expression, function adding its joins to a query over Response, labels)."""
    if by == "respondent_type":
        return Response.respondent_type, lambda query: query, {}
    if by == "province":
        return Response.province_code, lambda query: query, province_names(survey.province_map)
    if by == "province_2025":  # a survey on the 63-province map, read on today's 34 units
        if survey.province_map == "2025":
            return Response.province_code, lambda query: query, province_names("2025")
        mapped = case(dict(province_successors()), value=Response.province_code,
                      else_=Response.province_code)
        return mapped, lambda query: query, province_names("2025")
    if by == "organisation_kind":
        def join_organisation(query):
            return (query.outerjoin(Invitation, Invitation.id == Response.invitation_id)
                    .outerjoin(Organisation, Organisation.id == Invitation.organisation_id))
        return Organisation.kind, join_organisation, {}
    if by.startswith("question:"):
        wanted = by.split(":", 1)[1]
        other = survey.question(int(wanted)) if wanted.isascii() and wanted.isdigit() and len(wanted) < 10 else None
        if other is None or other.family not in GROUPING_FAMILIES or other.id == question.id:
            raise UnknownDimension(by)
        grouping = aliased(Answer)

        def join_answer(query):
            return query.outerjoin(grouping, (grouping.response_id == Response.id)
                                   & (grouping.question_id == other.id))
        labels = {name: label for name, label, _, _ in other.choices.values()}
        labels.update(other.builtin or {})
        return grouping.value_text, join_answer, labels
    raise UnknownDimension(by)


def crosstab(session: Session, survey_id: int, question_id: int, by: str,
             filters: ResponseFilters | None = None, locale: str = "vi") -> CrossTab | None:
    """Question ``question_id`` by ``by``; None when the survey or question does not exist.

    Raises ``UnknownDimension`` for a grouping that is not offered (see ``grouping_options``).
    """
    survey = load_survey(session, survey_id, locale)
    question = survey.question(question_id) if survey else None
    if question is None:
        return None
    group, add_joins, labels = _dimension(by, survey, question)
    scoped = SurveyInfo(survey.id, survey.title, survey.consultation_id, [question])
    scope = AnswerScope(session, survey.id, filters, joins=add_joins)
    labelled = group.label("group")
    groups_frame = answer_groups(scope, scoped, labelled)
    respondents = dict(session.execute(
        add_joins(select(group, func.count(Response.id)).select_from(Response))
        .where(responses_where(survey.id, filters)).group_by(group)).all())
    with_rows = {}
    if question.family in MULTI_ROW_FAMILIES:
        with_rows = {g: n for (_, g), n in responses_with_rows(scope, [question.id], labelled).items()}
    if by.startswith("question:"):
        respondents = _merge_nfc(respondents)
        with_rows = _merge_nfc(with_rows)
        groups_frame["group"] = groups_frame["group"].map(lambda k: nfc(k) if isinstance(k, str) else None)
    order = _group_order(respondents, labels if by.startswith("question:") else None)
    keys = groups_frame["group"].astype(object)
    parts = dict(tuple(groups_frame.drop(columns="group").groupby(keys.where(keys.notna(), "\0none"), sort=False)))
    empty = groups_frame.drop(columns="group").iloc[0:0]
    summaries = {key: summarise_groups(question, parts.get("\0none" if key is None else key, empty),
                                       respondents.get(key, 0), with_rows.get(key, 0)) for key in order}
    return _assemble(question, by, order, labels, summaries)


def _merge_nfc(counts: dict) -> dict:
    """Option names as keys, composed (a name stored in NFD and in NFC is one option)."""
    merged: dict = {}
    for key, count in counts.items():
        key = nfc(key) if key else None
        merged[key] = merged.get(key, 0) + count
    return merged


def _group_order(respondents: dict, option_order: dict | None) -> list:
    """Groups by option order (question dimension) or by size; None last."""
    keys = [k for k in respondents if k is not None]
    if option_order is not None:
        position = {name: index for index, name in enumerate(option_order)}
        keys.sort(key=lambda k: (position.get(k, len(position)), str(k)))
    else:
        keys.sort(key=lambda k: (-respondents[k], str(k)))
    return keys + ([None] if None in respondents else [])


def _assemble(question: QuestionInfo, by: str, order: list, labels: dict,
              summaries: dict[object, QuestionSummary]) -> CrossTab:
    index = pd.Index(order, dtype=object, name="group")
    result = CrossTab(
        question, by, order, labels,
        respondents=pd.Series([summaries[k].respondents for k in order], index=index, dtype="int64"),
        answered=pd.Series([summaries[k].answered for k in order], index=index, dtype="int64"),
        summaries=summaries)
    if question.family in ("single", "multiple", "ranking", "scale"):
        result.counts = _wide(order, {k: s.table.set_index("label")["count"] for k, s in summaries.items()})
    elif question.family == "matrix":
        result.counts = _wide(order, {k: s.matrix.stack() for k, s in summaries.items()})
        result.counts.columns = [f"{row} · {option}" for row, option in result.counts.columns]
    if result.counts is not None:
        result.shares = result.counts.div(result.answered.where(result.answered > 0), axis=0)
    if question.family in ("scale", "number"):
        result.stats = pd.DataFrame([summaries[k].stats for k in order], index=index)
    if question.family == "ranking":
        result.mean_rank = _wide(order, {k: s.table.set_index("label")["mean_rank"] for k, s in summaries.items()},
                                 counts=False)
    return result


def _wide(order: list, series: dict, counts: bool = True) -> pd.DataFrame:
    """Stack each group's Series (index = option) into rows. An option missing from a group
    (a deleted option only some groups chose) counts 0 there; an average rank stays empty."""
    if not order:
        return pd.DataFrame()
    frame = pd.DataFrame([series[k] for k in order])
    frame.index = pd.Index(order, dtype=object, name="group")
    return frame.fillna(0).astype("int64") if counts else frame.astype(float)
