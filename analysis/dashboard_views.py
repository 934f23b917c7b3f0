"""Dashboards for the drafting team: a thin layer over ``analysis`` tallies.

Pages read the engine (``analysis.overview``, ``analysis.tallies``, ``analysis.crosstab``),
turn keys into Vietnamese labels, draw the charts (``analysis.charts``) and stream exports
(``analysis.exports``). Filters and the cross-tab live in the URL, so a view can be shared.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_babel import format_decimal, format_percent, get_locale, gettext as _, lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select

from analysis import charts, exports
from analysis.crosstab import PROFILE_DIMENSIONS, UnknownDimension, crosstab, grouping_options
from analysis.overview import consultation_overview
from analysis.tallies import AUDIENCES, ResponseFilters, load_survey, summarise_survey
from analysis.tallies.cache import TallyCache, data_version
from analysis.tallies.responses import ResponseTable
from consult.auth import role_required
from consult.domain import (COMMENT_STATUSES, DRAFTER_ROLES, MODERATOR_ROLES, ORGANISATION_KINDS,
                            RESPONDENT_TYPES, province_names)
from consult.extensions import db
from consult.models import Consultation
from consult.navigation import add_admin_link
from surveys.models import Response as SurveyResponse, Survey

bp = Blueprint("dashboards", __name__, url_prefix="/quan-tri/so-lieu", template_folder="templates",
               static_folder="static", static_url_path="/static")
add_admin_link("dashboards.index", _l("Figures and exports"))

EXPORT_WORDS = {
    "receipt_code": _l("Receipt code"), "submitted_at": _l("Submitted at"), "respondent_type": _l("Respondent type"),
    "province": _l("Province"), "organisation": _l("Organisation"), "audience": _l("Answered through"),
    "open": _l("Open link"), "invited": _l("Invitation"), "deleted_option": _l("%(name)s (deleted option)"),
    "other_text": _l("other (specified)"), "comment_id": _l("No."), "sent_at": _l("Sent at"),
    "status": _l("Status"), "article_number": _l("Article"), "article_title": _l("Article title"),
    "provision": _l("Provision"), "body": _l("Opinion"), "comments_sheet": _l("Opinions"),
    "responses_sheet": _l("Responses"), "tally_sheet": _l("Tallies"), "respondents": _l("Respondents"),
    "answered": _l("Answered"), "skipped": _l("Skipped"), "not_shown": _l("Not shown"), "mean": _l("Mean"),
    "median": _l("Median"), "min": _l("Minimum"), "max": _l("Maximum"), "n": _l("Answers"),
    "option": _l("Option"), "count": _l("Count"), "share": _l("Share"), "mean_rank": _l("Average rank"),
    "group": _l("Group"), "counts": _l("Counts"), "shares": _l("Shares"), "statistics": _l("Statistics"),
}
DIMENSION_LABELS = {"respondent_type": _l("Respondent type"), "province": _l("Province"),
                    "organisation_kind": _l("Kind of organisation")}
#: Survey summaries per (survey, filters, language), recomputed when the data changes.
SUMMARIES = TallyCache()
AUDIENCE_LABELS = {"open": _l("Open link"), "invited": _l("Invited organisations")}


def words(key: str) -> str:
    return str(EXPORT_WORDS.get(key, key))


def number(value) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.##")


def percent(value) -> str:
    return "—" if value is None or value != value else format_percent(value, format="#,##0.0%")


def profile_labels() -> dict:
    """Stored keys → labels. An invited organisation's response stores its organisation kind
    as the respondent type, so both lists label that column."""
    respondent_types = {k: str(v) for k, v in ORGANISATION_KINDS.items()}
    respondent_types.update({k: str(v) for k, v in RESPONDENT_TYPES.items()})
    return {"respondent_type": respondent_types,
            "organisation_kind": {k: str(v) for k, v in ORGANISATION_KINDS.items()},
            "status": {k: str(v) for k, v in COMMENT_STATUSES.items()}}


def group_label(dimension: str, labels: dict, key) -> str:
    """A cross-tab or overview group in words; None is "not given"."""
    if key is None:
        return _("Not given")
    if dimension in ("respondent_type", "organisation_kind"):
        return profile_labels()[dimension].get(key, key)
    return labels.get(key, key)


# --- pages -----------------------------------------------------------------------------------

@bp.get("/")
@role_required(*MODERATOR_ROLES)
def index():
    consultations = db.session.scalars(select(Consultation).order_by(Consultation.id)).all()
    counts = dict(db.session.execute(select(SurveyResponse.survey_id, func.count())
                                     .where(SurveyResponse.status == "submitted")
                                     .group_by(SurveyResponse.survey_id)).all())
    surveys = db.session.scalars(select(Survey).order_by(Survey.id)).all()
    return render_template("analysis/dashboards/index.html", consultations=consultations, surveys=surveys,
                           counts=counts)


@bp.get("/tham-van/<int:consultation_id>")
@role_required(*MODERATOR_ROLES)
def overview(consultation_id: int):
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    data = consultation_overview(db.session, consultation.id)
    provinces = province_names()
    chart = {
        "per_day": _timeline_chart(data.per_day),
        "types": Markup(charts.bar_chart(
            [(group_label("respondent_type", {}, k), o + r) for k, o, r in
             data.by_respondent_type[["key", "opinions", "responses"]].itertuples(index=False)],
            title=_("Opinions and responses by respondent type"), number=number)),
        "provinces": Markup(charts.bar_chart(
            [(provinces.get(k, k) if k else _("Not given"), o + r) for k, o, r in
             data.by_province[["key", "opinions", "responses"]].head(15).itertuples(index=False)],
            title=_("The 15 provinces with most opinions and responses"), number=number)),
    }
    return render_template("analysis/dashboards/overview.html", consultation=consultation, data=data,
                           chart=chart, provinces=provinces, number=number, group_label=group_label,
                           surveys=db.session.scalars(select(Survey).where(Survey.consultation_id == consultation.id)
                                                      .order_by(Survey.id)).all())


@bp.get("/khao-sat/<int:survey_id>")
@role_required(*MODERATOR_ROLES)
def results(survey_id: int):
    survey = db.session.get(Survey, survey_id) or abort(404)
    filters, invalid = ResponseFilters.from_args(request.args)
    info = load_survey(db.session, survey.id, _locale())
    summaries = _summaries(survey.id, filters, info)
    table, picker = _crosstab_from_args(info, filters)
    return render_template(
        "analysis/dashboards/results.html", survey=survey, info=info, summaries=summaries, filters=filters,
        invalid=invalid, charts={s.question.id: _question_chart(s) for s in summaries}, number=number,
        percent=percent, picker=picker, crosstab=table, group_label=group_label,
        filter_choices=_filter_choices(), args=filters.to_args(),
        respondents=summaries[0].respondents if summaries else _count(survey.id, filters))


def _summaries(survey_id: int, filters: ResponseFilters, info=None):
    """Summaries from the cache while the survey's data is unchanged."""
    key = (survey_id, tuple(sorted(filters.to_args().items())), _locale())
    return SUMMARIES.get(key, data_version(db.session, survey_id), lambda: summarise_survey(
        db.session, survey_id, filters, _locale(), survey=info, number_format=number))


def _locale() -> str:
    return str(get_locale() or "vi")


def _count(survey_id: int, filters: ResponseFilters) -> int:
    from analysis.tallies import count_respondents

    return count_respondents(db.session, survey_id, filters)


def _filter_choices() -> dict:
    return {"audience": [(k, AUDIENCE_LABELS[k]) for k in AUDIENCES],
            "province_code": sorted(province_names().items(), key=lambda item: item[1]),
            "respondent_type": list(RESPONDENT_TYPES.items()),
            "organisation_kind": list(ORGANISATION_KINDS.items())}


def _crosstab_from_args(info, filters):
    """The cross-tab asked for by ``?q=<question>&by=<dimension or question>``, if any."""
    questions = {q.name: q for q in info.questions} if info else {}
    question, by_name = questions.get(request.args.get("q", "")), request.args.get("by", "")
    picker = {"q": question.name if question else "", "by": by_name, "error": None,
              "dimensions": [(k, DIMENSION_LABELS[k]) for k in PROFILE_DIMENSIONS],
              "groupings": grouping_options(info) if info else []}
    if question is None or not by_name:
        if request.args.get("q") or by_name:
            picker["error"] = _("Choose a question and what to break it down by.")
        return None, picker
    by = by_name if by_name in PROFILE_DIMENSIONS else (
        f"question:{questions[by_name].id}" if by_name in questions else by_name)
    try:
        table = crosstab(db.session, info.id, question.id, by, filters, _locale())
    except UnknownDimension:
        picker["error"] = _("This question cannot be used to break the answers down.")
        return None, picker
    return table, picker


def _question_chart(summary) -> Markup | None:
    """The chart of one question; a matrix gets stacked bars, text and files none."""
    question = summary.question
    title = question.label
    if summary.matrix is not None:
        return Markup(charts.stacked_bars(list(summary.matrix.index), list(summary.matrix.columns),
                                          summary.matrix.to_numpy().tolist(), title=title, number=number))
    if question.family in ("text", "file") or summary.table.empty:
        return None
    column = "mean_rank" if question.family == "ranking" else "count"
    items = [(label, value if value == value else 0) for label, value in zip(summary.table["label"], summary.table[column])]
    suffix = None if column == "mean_rank" else (lambda value: f" ({percent(value / summary.answered)})"
                                                 if summary.answered else "")
    return Markup(charts.bar_chart(items, title=title, number=number, suffix=suffix))


def _timeline_chart(per_day) -> Markup:
    """Columns per day; per month when the consultation spans more than three months."""
    totals = per_day.assign(total=per_day["opinions"] + per_day["responses"])
    if len(totals) > 92:
        months = totals.groupby(totals["day"].str[:7], sort=True)["total"].sum()
        items = [(f"{month[5:7]}/{month[:4]}", int(count)) for month, count in months.items()]
        title = _("Opinions and survey responses per month")
    else:
        items = [(date.fromisoformat(day).strftime("%d/%m"), int(count))
                 for day, count in zip(totals["day"], totals["total"])]
        title = _("Opinions and survey responses per day")
    return Markup(charts.column_chart(items, title=title, number=number))


# --- exports ---------------------------------------------------------------------------------

def _download(body, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/khao-sat/<int:survey_id>/phieu.<any(csv, xlsx):form>")
@role_required(*DRAFTER_ROLES)
def export_responses(survey_id: int, form: str):
    survey = db.session.get(Survey, survey_id) or abort(404)
    filters, _invalid = ResponseFilters.from_args(request.args)
    table = ResponseTable(db.session, survey.id, filters, words=words, labels=profile_labels(), locale=_locale())
    name = f"phieu-{survey.slug}-{date.today():%Y%m%d}.{form}"
    if form == "csv":
        return _download(stream_with_context(exports.responses_csv(table)), name, exports.CSV_MIMETYPE)
    path = exports.responses_xlsx(table, words("responses_sheet"))
    return _download(exports.stream_file(path), name, exports.XLSX_MIMETYPE)


@bp.get("/khao-sat/<int:survey_id>/tong-hop.xlsx")
@role_required(*DRAFTER_ROLES)
def export_tallies(survey_id: int):
    survey = db.session.get(Survey, survey_id) or abort(404)
    filters, _invalid = ResponseFilters.from_args(request.args)
    summaries = _summaries(survey.id, filters)
    path = exports.tallies_xlsx(summaries, words, survey.title_in(_locale()))
    return _download(exports.stream_file(path), f"tong-hop-{survey.slug}.xlsx", exports.XLSX_MIMETYPE)


@bp.get("/khao-sat/<int:survey_id>/bang-cheo.xlsx")
@role_required(*DRAFTER_ROLES)
def export_crosstab(survey_id: int):
    survey = db.session.get(Survey, survey_id) or abort(404)
    filters, _invalid = ResponseFilters.from_args(request.args)
    table, _picker = _crosstab_from_args(load_survey(db.session, survey.id, _locale()), filters)
    if table is None:
        abort(404)
    dimension = table.by if not table.by.startswith("question:") else "question"
    path = exports.crosstab_xlsx(table, words, lambda key: group_label(dimension, table.group_labels, key),
                                 table.question.label)
    return _download(exports.stream_file(path), f"bang-cheo-{survey.slug}.xlsx", exports.XLSX_MIMETYPE)


@bp.get("/tham-van/<int:consultation_id>/gop-y.<any(csv, xlsx):form>")
@role_required(*DRAFTER_ROLES)
def export_comments(consultation_id: int, form: str):
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    name = f"gop-y-{consultation.slug}-{date.today():%Y%m%d}.{form}"
    if form == "csv":
        body = exports.comments_csv(db.session, consultation.id, words, profile_labels())
        return _download(stream_with_context(body), name, exports.CSV_MIMETYPE)
    path = exports.comments_xlsx(db.session, consultation.id, words, profile_labels())
    return _download(exports.stream_file(path), name, exports.XLSX_MIMETYPE)
