"""Dashboards for the drafting team: a thin layer over ``analysis`` tallies.

Pages read the engine (``analysis.overview``, ``analysis.tallies``, ``analysis.crosstab``),
turn keys into Vietnamese labels, draw the charts (``analysis.charts``) and stream exports
(``analysis.exports``). Filters and the cross-tab live in the URL, so a view can be shared.

CSV and the small aggregated workbooks (tallies, cross-tabs) are written in the request. The
responses and opinions workbooks can be large: a POST stores an export request
(``analysis.export_jobs``) and the exports page lists the files, reloading until they are ready.
"""
from __future__ import annotations

from datetime import date

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_babel import format_decimal, format_percent, get_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from analysis import charts, export_jobs, exports
from analysis.crosstab import PROFILE_DIMENSIONS, UnknownDimension, crosstab, grouping_options
from analysis.export_jobs import profile_labels, words
from analysis.overview import consultation_overview
from analysis.tallies import AUDIENCES, ResponseFilters, load_survey, summarise_survey
from analysis.tallies.cache import TallyCache, data_version
from analysis.tallies.responses import ResponseTable
from consult import scoping
from consult.auth import role_required
from consult.clock import vn_today
from consult.data import province_names, sorted_provinces
from consult.domain import DRAFTER_ROLES, MODERATOR_ROLES, ORGANISATION_KINDS, RESPONDENT_TYPES
from consult.extensions import db
from consult.models import Consultation
from consult.navigation import add_admin_link
from surveys.models import Response as SurveyResponse, Survey

bp = Blueprint("dashboards", __name__, url_prefix="/quan-tri/so-lieu", template_folder="templates")
add_admin_link("dashboards.index", _l("Figures and exports"))

DIMENSION_LABELS = {"respondent_type": _l("Respondent type"), "province": _l("Province"),
                    "province_2025": _l("Province, on the 34 units from 1 July 2025"),
                    "organisation_kind": _l("Kind of organisation")}
#: Survey summaries per (survey, filters, language), recomputed when the data changes.
SUMMARIES = TallyCache()
AUDIENCE_LABELS = {"open": _l("Open link"), "invited": _l("Invited organisations")}


def number(value) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.##")


def percent(value) -> str:
    return "—" if value is None or value != value else format_percent(value, format="#,##0.0%")


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
    consultations = scoping.team_consultations()
    counts = dict(db.session.execute(select(SurveyResponse.survey_id, func.count())
                                     .where(SurveyResponse.status == "submitted")
                                     .group_by(SurveyResponse.survey_id)).all())
    surveys = db.session.scalars(select(Survey).where(scoping.consultation_id_clause(Survey.consultation_id))
                                 .order_by(Survey.id)).all()
    return render_template("analysis/dashboards/index.html", consultations=consultations, surveys=surveys,
                           counts=counts)


@bp.get("/tham-van/<int:consultation_id>")
@role_required(*MODERATOR_ROLES)
def overview(consultation_id: int):
    consultation = scoping.team_consultation_or_404(consultation_id)
    province_map = _province_map_asked(consultation)
    data = consultation_overview(db.session, consultation.id, province_map=province_map)
    provinces = province_names(province_map)
    chart = {
        "per_day": _timeline_chart(data.per_day),
        "types": Markup(charts.bar_chart(
            [(group_label("respondent_type", {}, k), o) for k, o in
             _most_opinions(data.by_respondent_type).itertuples(index=False)],
            title=_("Opinions (comments and letters) by respondent type"), number=number)),
        "provinces": Markup(charts.bar_chart(
            [(provinces.get(k, k) if k else _("Not given"), o) for k, o in
             _most_opinions(data.by_province).head(15).itertuples(index=False)],
            title=_("Opinions (comments and letters): the 15 provinces with most"),
            number=number)),
    }
    return render_template("analysis/dashboards/overview.html", consultation=consultation, data=data,
                           chart=chart, provinces=provinces, number=number, group_label=group_label,
                           province_map=province_map,
                           surveys=db.session.scalars(select(Survey).where(Survey.consultation_id == consultation.id)
                                                      .order_by(Survey.id)).all())


def _most_opinions(frame):
    """Key and opinions, most opinions first (the tables rank by opinions and responses
    together; the charts count opinions only), "not given" last."""
    ranked = frame.assign(_unknown=frame["key"].isna()).sort_values(
        ["_unknown", "opinions"], ascending=[True, False], kind="stable")
    return ranked[["key", "opinions"]]


def _province_map_asked(consultation: Consultation) -> str:
    """``?ban-do=2025`` shows a consultation held on the 63-province map on today's 34 units
    (the official mapping); anything else shows the consultation's own map."""
    if request.args.get("ban-do") == "2025":
        return "2025"
    return consultation.province_map


@bp.get("/khao-sat/<int:survey_id>")
@role_required(*MODERATOR_ROLES)
def results(survey_id: int):
    survey = scoping.object_or_404(Survey, survey_id)
    filters, invalid = ResponseFilters.from_args(request.args)
    info = load_survey(db.session, survey.id, _locale())
    summaries = _summaries(survey.id, filters, info)
    table, picker = _crosstab_from_args(info, filters)
    return render_template(
        "analysis/dashboards/results.html", survey=survey, info=info, summaries=summaries, filters=filters,
        invalid=invalid, charts={s.question.id: _question_chart(s) for s in summaries}, number=number,
        percent=percent, picker=picker, crosstab=table, group_label=group_label,
        filter_choices=_filter_choices(survey.province_map), args=filters.to_args(),
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


def _filter_choices(province_map: str = "2008") -> dict:
    return {"audience": [(k, AUDIENCE_LABELS[k]) for k in AUDIENCES],
            "province_code": sorted_provinces(province_map),
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
    """CSV streams as it is written; Excel is built as a stored export (an old link lands on its page)."""
    survey = scoping.object_or_404(Survey, survey_id)
    filters, _invalid = ResponseFilters.from_args(request.args)
    if form == "xlsx":
        return redirect(url_for(".survey_exports", survey_id=survey.id, **filters.to_args()))
    table = ResponseTable(db.session, survey.id, filters, words=words, labels=profile_labels(), locale=_locale())
    name = f"phieu-{survey.slug}-{vn_today():%Y%m%d}.csv"
    return _download(stream_with_context(exports.responses_csv(table)), name, exports.CSV_MIMETYPE)


@bp.get("/khao-sat/<int:survey_id>/xuat")
@role_required(*DRAFTER_ROLES)
def survey_exports(survey_id: int):
    survey = scoping.object_or_404(Survey, survey_id)
    filters, invalid = ResponseFilters.from_args(request.args)
    return _exports_page("responses", survey.id, survey.title_in(_locale()) or survey.slug,
                         url_for(".results", survey_id=survey.id, **filters.to_args()),
                         url_for(".start_response_export", survey_id=survey.id), filters, invalid)


@bp.post("/khao-sat/<int:survey_id>/xuat")
@role_required(*DRAFTER_ROLES)
def start_response_export(survey_id: int):
    survey = scoping.object_or_404(Survey, survey_id)
    filters, invalid = ResponseFilters.from_args(request.form)
    page = url_for(".survey_exports", survey_id=survey.id, **filters.to_args())
    if invalid:
        flash(_("Some filters were not understood and were left out."), "error")
    name = f"phieu-{survey.slug}-{vn_today():%Y%m%d}.xlsx"
    return _start_export("responses", survey.id, filters.to_args(), name, page)


@bp.get("/tham-van/<int:consultation_id>/gop-y.<any(csv, xlsx):form>")
@role_required(*DRAFTER_ROLES)
def export_comments(consultation_id: int, form: str):
    consultation = scoping.team_consultation_or_404(consultation_id)
    if form == "xlsx":
        return redirect(url_for(".consultation_exports", consultation_id=consultation.id))
    name = f"gop-y-{consultation.slug}-{vn_today():%Y%m%d}.csv"
    body = exports.comments_csv(db.session, consultation.id, words, profile_labels())
    return _download(stream_with_context(body), name, exports.CSV_MIMETYPE)


@bp.get("/tham-van/<int:consultation_id>/xuat")
@role_required(*DRAFTER_ROLES)
def consultation_exports(consultation_id: int):
    consultation = scoping.team_consultation_or_404(consultation_id)
    return _exports_page("comments", consultation.id, consultation.title,
                         url_for(".overview", consultation_id=consultation.id),
                         url_for(".start_comment_export", consultation_id=consultation.id))


@bp.post("/tham-van/<int:consultation_id>/xuat")
@role_required(*DRAFTER_ROLES)
def start_comment_export(consultation_id: int):
    consultation = scoping.team_consultation_or_404(consultation_id)
    name = f"gop-y-{consultation.slug}-{vn_today():%Y%m%d}.xlsx"
    page = url_for(".consultation_exports", consultation_id=consultation.id)
    return _start_export("comments", consultation.id, {}, name, page)


@bp.get("/xuat/<int:export_id>")
@role_required(*DRAFTER_ROLES)
def download_export(export_id: int):
    """A finished export, streamed from disk and kept there for the next download."""
    row = _export_or_404(export_id)
    page = _exports_page_url(row)
    if row.status != "done":
        flash(_("This export has no file to download yet."), "error")
        return redirect(page)
    try:
        body = exports.stream_stored_file(export_jobs.stored_path(row))
    except FileNotFoundError:
        flash(_("The file of this export is no longer on the server. Start a new export."), "error")
        return redirect(page)
    mimetype = DOCX_MIMETYPE if row.format == "docx" else exports.XLSX_MIMETYPE
    response = _download(body, row.download_name or f"export-{row.id}.{row.format}", mimetype)
    response.headers["Content-Length"] = str(row.byte_count)
    return response


def _export_or_404(export_id: int):
    """An export file of one of the user's consultations (or of its surveys)."""
    row = db.session.get(export_jobs.ExportFile, export_id) or abort(404)
    scoping.check_consultation_id(_export_consultation(export_id))
    return row


@scoping.resolves("export_id")
def _export_consultation(value: int):
    """An export file's consultation: its own, or its survey's."""
    found = db.session.execute(
        select(func.coalesce(export_jobs.ExportFile.consultation_id, Survey.consultation_id))
        .outerjoin(Survey, Survey.id == export_jobs.ExportFile.survey_id)
        .where(export_jobs.ExportFile.id == value)).first()
    return scoping.MISSING if found is None else found[0]

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

EXPORT_STATES = {
    "queued": (_l("The export was queued. This page refreshes until the file is ready."), "info"),
    "background": (_l("The export is being built. This page refreshes until the file is ready."), "info"),
    "done": (_l("The export is ready: download it below."), "success"),
    "failed": (_l("The export failed; the error is shown below."), "error"),
}


def _start_export(kind: str, scope_id: int, filters: dict, download_name: str, page: str):
    """Start an export and go to the exports page, which shows how it goes. The POST carries
    the CSRF token, checked for every form by ``CSRFProtect`` before the view runs."""
    row, state = export_jobs.request_export(kind, scope_id, filters=filters, locale=_locale(),
                                            download_name=download_name, requested_by_id=current_user.id)
    flash(*EXPORT_STATES[state])
    return redirect(page + f"#export-{row.id}")


#: Seconds between reloads of the exports page while a file is being built.
REFRESH_SECONDS = 5


def _exports_page(kind: str, scope_id: int, title: str, back: str, action: str,
                  filters: ResponseFilters | None = None, invalid: list | None = None):
    """The recent exports of one scope, the form that starts another, a reload while one runs."""
    rows = export_jobs.recent(kind, scope_id)
    return render_template(
        "analysis/dashboards/exports.html", kind=kind, title=title, back=back, action=action, rows=rows,
        filters=filters, invalid=invalid, described=_described_filters(filters),
        describe=lambda args: _described_filters(ResponseFilters.from_args(args or {})[0]),
        refresh=any(row.is_active for row in rows), refresh_seconds=REFRESH_SECONDS,
        queue=bool(current_app.config.get("REDIS_URL")), file_size=file_size)


def _exports_page_url(row) -> str:
    if row.kind == "synthesis":
        return url_for("decisions.report_files", slug=db.session.get(Consultation, row.consultation_id).slug)
    if row.kind == "responses":
        return url_for(".survey_exports", survey_id=row.survey_id)
    return url_for(".consultation_exports", consultation_id=row.consultation_id)


def _described_filters(filters: ResponseFilters | None) -> list[tuple[str, str]]:
    """The filters in words: [(what, value)], for the exports page and its list."""
    if filters is None:
        return []
    names = {"audience": dict(AUDIENCE_LABELS), "province_code": province_names(),
             "respondent_type": profile_labels()["respondent_type"],
             "organisation_kind": profile_labels()["organisation_kind"]}
    described = []
    for key, label in FILTER_LABELS.items():
        value = getattr(filters, key)
        if value:
            text = value.strftime("%d/%m/%Y") if isinstance(value, date) else names[key].get(value, value)
            described.append((str(label), str(text)))
    return described


FILTER_LABELS = {"date_from": _l("From (day)"), "date_to": _l("To (day)"), "audience": _l("Answered through"),
                 "respondent_type": _l("Respondent type"), "province_code": _l("Province"),
                 "organisation_kind": _l("Kind of organisation")}


def file_size(count: int | None) -> str:
    """Bytes in kB or MB, with the locale's decimal mark."""
    count = count or 0
    if count >= 1024 * 1024:
        return f"{format_decimal(count / 1024 / 1024, format='#,##0.#')} MB"
    return f"{format_decimal(count / 1024, format='#,##0.#')} kB"


@bp.get("/khao-sat/<int:survey_id>/tong-hop.xlsx")
@role_required(*DRAFTER_ROLES)
def export_tallies(survey_id: int):
    survey = scoping.object_or_404(Survey, survey_id)
    filters, _invalid = ResponseFilters.from_args(request.args)
    summaries = _summaries(survey.id, filters)
    path = exports.tallies_xlsx(summaries, words, survey.title_in(_locale()))
    return _download(exports.stream_file(path), f"tong-hop-{survey.slug}.xlsx", exports.XLSX_MIMETYPE)


@bp.get("/khao-sat/<int:survey_id>/bang-cheo.xlsx")
@role_required(*DRAFTER_ROLES)
def export_crosstab(survey_id: int):
    survey = scoping.object_or_404(Survey, survey_id)
    filters, _invalid = ResponseFilters.from_args(request.args)
    table, _picker = _crosstab_from_args(load_survey(db.session, survey.id, _locale()), filters)
    if table is None:
        abort(404)
    dimension = table.by if not table.by.startswith("question:") else "question"
    path = exports.crosstab_xlsx(table, words, lambda key: group_label(dimension, table.group_labels, key),
                                 table.question.label)
    return _download(exports.stream_file(path), f"bang-cheo-{survey.slug}.xlsx", exports.XLSX_MIMETYPE)
