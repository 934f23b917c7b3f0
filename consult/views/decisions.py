"""Pages for the drafting team: deciding every opinion, and the synthesis report's files."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_decimal, gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import SelectMultipleField, StringField, TextAreaField

from consult import decisions, scoping, similar, synthesis, synthesis_docx, workload
from consult.auth import role_required
from consult.decisions import InvalidDecision
from consult.domain import DECISION_OUTCOMES, DECISION_REASON_MAX, DRAFTER_ROLES, MODERATOR_ROLES, NEW_WORDING_MAX
from consult.extensions import db
from consult.models import Consultation, Decision
from consult.navigation import add_admin_link

bp = Blueprint("decisions", __name__, url_prefix="/quan-tri/xu-ly")

add_admin_link("decisions.index", _l("Decisions"), roles=DRAFTER_ROLES)
add_admin_link("decisions.my_queue", _l("My queue"), roles=MODERATOR_ROLES)

#: The URL segment of the general opinions (on the draft as a whole), in place of an anchor.
GENERAL = "chung"


class DecisionForm(FlaskForm):
    """Decide the selected opinions. ``consult.decisions`` checks the values and says what is
    wrong (nothing selected, no reason, reason too long), so no validator repeats it here."""

    #: Each checkbox's value names one opinion or a group of identical ones ("c12 c40 l7").
    opinion = SelectMultipleField(_l("Opinions"), validate_choice=False)
    #: A key of ``DECISION_OUTCOMES``, offered as radio buttons by the template.
    outcome = StringField(_l("Decision"))
    reason = TextAreaField(_l("Reason (required except for accepted opinions)"))
    new_wording = TextAreaField(_l("New wording of the provision (optional)"))
    #: A member's user id, "" for nobody: who prepares the selected opinions (or the article).
    assignee = StringField(_l("Assign to"))


_MESSAGES = {
    "nothing_selected": ("opinion", lambda: _("Select at least one opinion.")),
    "unknown_outcome": ("outcome", lambda: _("Choose a decision: accepted, partly accepted, explained or not accepted.")),
    "reason_required": ("reason", lambda: _("Give the reason: it is required for every decision except accepted.")),
    "reason_too_long": ("reason", lambda: _("The reason may be at most %(max)s characters long.",
                                            max=format_decimal(DECISION_REASON_MAX))),
    "new_wording_too_long": ("new_wording", lambda: _("The new wording may be at most %(max)s characters long.",
                                                      max=format_decimal(NEW_WORDING_MAX))),
    "not_decidable": ("opinion", lambda: _("One of the selected opinions can no longer be decided.")),
    "not_on_page": ("opinion", lambda: _("The list has changed since you opened it: a selected opinion is no "
                                         "longer on this page. Nothing was recorded; check the selection "
                                         "and try again.")),
}


@bp.app_context_processor
def _labels() -> dict:
    """Outcome labels and who may decide, for every template (the consultation overview too)."""
    return {"DECISION_OUTCOMES": DECISION_OUTCOMES, "DECISION_ROLES": DRAFTER_ROLES}


def _consultation_or_404(slug: str) -> Consultation:
    return scoping.team_consultation_or_404(slug)


@bp.get("/")
@role_required(*DRAFTER_ROLES)
def index():
    consultations = scoping.team_consultations()
    return render_template("decisions/index.html",
                           rows=[(c, decisions.progress(c)) for c in consultations])


@bp.get("/cua-toi")
@role_required(*MODERATOR_ROLES)
def my_queue():
    """What is assigned to me and not yet decided, article by article, with counts."""
    lines = workload.queue(current_user)
    return render_template("decisions/queue.html", lines=lines, general=GENERAL,
                           total=sum(line.undecided for line in lines),
                           may_decide=current_user.role in DRAFTER_ROLES)


def _assignee_filter() -> str | None:
    """``?nguoi=``: a user id, ``none`` for the unassigned, or None (everyone)."""
    value = request.args.get("nguoi", "")
    if value == workload.UNASSIGNED or (value.isascii() and value.isdigit() and len(value) <= 15):
        return value
    return None


@bp.get("/<slug>")
@role_required(*DRAFTER_ROLES)
def consultation(slug: str):
    found = _consultation_or_404(slug)
    assigned = workload.assignments(found.id)
    articles = decisions.article_progress(found)
    wanted = _assignee_filter()
    if wanted is not None:
        articles = [row for row in articles if _owner_key(assigned, row.anchor) == wanted]
    return render_template("decisions/consultation.html", consultation=found,
                           progress=decisions.progress(found), articles=articles,
                           general=GENERAL, assigned=assigned, article_target=workload.article_target,
                           lapsed=workload.lapsed_assignments(found.id),
                           members=workload.assignable_users(found), assignee_filter=wanted)


def _owner_key(assigned: dict, anchor: str | None) -> str:
    row = assigned.get(workload.article_target(anchor))
    return str(row.user_id) if row is not None else workload.UNASSIGNED


def _scope_or_404(consultation: Consultation, anchor: str) -> decisions.ArticleOpinions:
    scope = decisions.article_opinions(consultation, None if anchor == GENERAL else anchor)
    return scope if scope is not None else abort(404)


def _undecided_only() -> bool:
    return request.args.get("undecided") == "1"


def _page_number() -> int:
    """``?trang=``: anything but a page number gives the first page, the service clamps the rest."""
    return request.args.get("trang", 1, type=int)


def _page(scope: decisions.ArticleOpinions) -> decisions.GroupPage:
    return scope.page(_page_number(), _undecided_only(), keep=_keep(scope))


def _keep(scope: decisions.ArticleOpinions):
    """The ``?nguoi=`` filter as a test on opinions (None: keep all)."""
    wanted = _assignee_filter()
    if wanted is None:
        return None
    assigned = _assigned_of(scope)

    def keep(opinion) -> bool:
        owner = workload.assignee_of(opinion, assigned)
        return (str(owner.id) if owner is not None else workload.UNASSIGNED) == wanted
    return keep


def _assigned_of(scope: decisions.ArticleOpinions) -> dict:
    """The consultation's assignments, read once per request. Kept on the request itself, not
    on ``g``: ``g`` lives as long as the application context, which a test (or a CLI) may
    hold over several requests, and an assignment may lapse between two of them."""
    if not hasattr(request, "gopy_assigned"):
        request.gopy_assigned = workload.assignments(scope.consultation_id)
    return request.gopy_assigned


def _unselectable(scope: decisions.ArticleOpinions, tokens: list[str]) -> str:
    """Why ``tokens`` name no opinion of the page: on another page of the article, or gone."""
    return "not_on_page" if decisions.find_opinions(scope.opinions, tokens) is not None else "not_decidable"


@bp.get("/<slug>/<anchor>")
@role_required(*DRAFTER_ROLES)
def article(slug: str, anchor: str):
    found = _consultation_or_404(slug)
    return _render_article(found, _scope_or_404(found, anchor), anchor, _reused(found))


def _reused(consultation: Consultation) -> DecisionForm:
    """An empty form, or with ``?dung-lai=<decision id>&chon=<tokens>`` one pre-filled with an
    earlier decision of the consultation (outcome, reason, new wording) and the opinions to answer
    with it ticked. Anything unreadable gives the empty form."""
    form = DecisionForm(formdata=None)
    value = request.args.get("dung-lai", "")
    if not (value.isascii() and value.isdigit() and len(value) <= 15):
        return form
    earlier = db.session.get(Decision, int(value))
    if earlier is None or earlier.consultation_id != consultation.id:
        return form
    form.outcome.data, form.reason.data, form.new_wording.data = earlier.outcome, earlier.reason, earlier.new_wording
    tokens = request.args.get("chon", "")[:2000]
    if decisions.well_formed([tokens]):
        form.opinion.data = [tokens]
    return form


@bp.post("/<slug>/<anchor>")
@role_required(*DRAFTER_ROLES)
def decide(slug: str, anchor: str):
    found = _consultation_or_404(slug)
    scope = _scope_or_404(found, anchor)
    form = DecisionForm()
    if not form.validate():  # only the CSRF token can fail here
        flash(_("The form has expired; please select the opinions and try again."), "error")
        return _render_article(found, scope, anchor, form, status=400)
    tokens = form.opinion.data or []
    selected = decisions.find_opinions(_page(scope).opinions, tokens)
    if selected is None:
        if not decisions.well_formed(tokens):
            abort(404)
        # Opinions hidden, rejected or withdrawn since the page was loaded, or moved to another
        # page of the list: say so, record nothing, keep the form.
        form.opinion.errors = [_MESSAGES[_unselectable(scope, tokens)][1]()]
        return _render_article(found, scope, anchor, form, status=422)
    try:
        message = _apply(selected, form)
    except InvalidDecision as error:
        db.session.rollback()
        field, text = _MESSAGES.get(error.code, _MESSAGES["unknown_outcome"])
        form[field].errors = [text()]
        return _render_article(found, scope, anchor, form, status=422)
    db.session.commit()
    flash(*message)
    return redirect(url_for("decisions.article", slug=slug, anchor=anchor, **_list_args()))


def _list_args() -> dict:
    """The list's filters and page, to come back to after deciding."""
    number = _page_number()
    return {"undecided": "1" if _undecided_only() else None, "trang": number if number > 1 else None,
            "nguoi": _assignee_filter()}


_ASSIGN_MESSAGES = {
    "nothing_selected": lambda: _("Select at least one opinion to assign."),
    "unknown_assignee": lambda: _("Choose a member of the drafting team from the list."),
}


@bp.post("/<slug>/<anchor>/phan-cong")
@role_required(*DRAFTER_ROLES)
def assign(slug: str, anchor: str):
    """Give the selected opinions of the page, or the whole article (``whole=1``), to a member."""
    found = _consultation_or_404(slug)
    scope = _scope_or_404(found, anchor)
    form = DecisionForm()
    if not form.validate():
        flash(_("The form has expired; please select the opinions and try again."), "error")
        return _render_article(found, scope, anchor, form, status=400)
    if request.form.get("whole") == "1":
        targets = [workload.article_target(scope.anchor)]
    else:
        tokens = form.opinion.data or []
        selected = decisions.find_opinions(_page(scope).opinions, tokens)
        if selected is None:
            if not decisions.well_formed(tokens):
                abort(404)
            form.opinion.errors = [_MESSAGES[_unselectable(scope, tokens)][1]()]
            return _render_article(found, scope, anchor, form, status=422)
        targets = [opinion.ref.token for opinion in selected]
    try:
        user = workload.assignee_from(form.assignee.data, found)
        changed = workload.assign(found, targets, user, current_user)
        db.session.commit()
    except workload.InvalidAssignment as error:
        db.session.rollback()
        field = form.opinion if error.code == "nothing_selected" else form.assignee
        field.errors = [_ASSIGN_MESSAGES[error.code]()]
        return _render_article(found, scope, anchor, form, status=422)
    except IntegrityError:  # another member assigned the same target at the same moment
        db.session.rollback()
        form.assignee.errors = [_("Someone else assigned this at the same moment; check and try again.")]
        return _render_article(found, scope, anchor, form, status=409)
    if not changed:
        flash(_("Nothing changed: already assigned that way."), "info")
    elif user is None:
        flash(_("Assignment removed."), "success")
    else:
        flash(_("Assigned to %(name)s.", name=user.name or user.email), "success")
    return redirect(url_for("decisions.article", slug=slug, anchor=anchor, **_list_args()))


def _apply(selected: list, form: DecisionForm) -> tuple[str, str]:
    """Record the decision (or remove it); returns the flash message and its category."""
    if request.form.get("action") == "undecide":
        removed = decisions.undecide(selected, current_user)
        if not removed:
            return _("The selected opinions had no decision; nothing changed."), "info"
        return ngettext("Decision removed from %(num)s opinion.", "Decision removed from %(num)s opinions.",
                        removed), "success"
    decision, changed = decisions.decide(selected, form.outcome.data or "", form.reason.data, current_user,
                                         new_wording=form.new_wording.data)
    if not changed:
        return _("This decision was already recorded; nothing changed."), "info"
    return ngettext("%(outcome)s: recorded for %(num)s opinion.", "%(outcome)s: recorded for %(num)s opinions.",
                    len(selected), outcome=DECISION_OUTCOMES[decision.outcome]), "success"


def _render_article(consultation: Consultation, scope, anchor: str, form: DecisionForm, status: int = 200):
    undecided_only = _undecided_only()
    page = _page(scope)
    lapsed = workload.lapsed_assignments(consultation.id)
    return render_template(
        "decisions/article.html", consultation=consultation, scope=scope, anchor=anchor, form=form,
        page=page, groups=page.groups, undecided_only=undecided_only,
        selected=set(" ".join(form.opinion.data or []).split()), sources=synthesis.sources_text,
        reason_max=DECISION_REASON_MAX, new_wording_max=NEW_WORDING_MAX,
        assigned=_assigned_of(scope), assignee_of=workload.assignee_of, members=workload.assignable_users(consultation),
        article_owner=_assigned_of(scope).get(workload.article_target(scope.anchor)),
        lapsed=lapsed, lapsed_assignee_of=workload.lapsed_assignee_of,
        article_lapsed=lapsed.get(workload.article_target(scope.anchor)),
        assignee_filter=_assignee_filter(), similar=similar.similar_decisions(consultation, page.groups),
        reuse_why={similar.CAMPAIGN: _("same campaign"), similar.TEXT: _("near-identical text")}), status


class ReportForm(FlaskForm):
    """Prepare the synthesis report in Word (only the CSRF token)."""


#: Seconds between reloads of the report's page while the file is being built.
REPORT_REFRESH_SECONDS = 3


@bp.get("/<slug>/bao-cao")
@role_required(*DRAFTER_ROLES)
def report_files(slug: str):
    """The prepared Word files of the synthesis report: progress while one is built, then the download."""
    from analysis import export_jobs

    found = _consultation_or_404(slug)
    rows = export_jobs.recent("synthesis", found.id)
    return render_template("decisions/report_files.html", consultation=found, rows=rows, form=ReportForm(),
                           refresh=any(row.is_active for row in rows), refresh_seconds=REPORT_REFRESH_SECONDS)


@bp.post("/<slug>/bao-cao")
@role_required(*DRAFTER_ROLES)
def prepare_report(slug: str):
    """Build the Word report outside the request (RQ, or a thread; small ones at once)."""
    from analysis import export_jobs

    found = _consultation_or_404(slug)
    if not ReportForm().validate():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("decisions.report_files", slug=slug))
    row, state = export_jobs.request_export(
        "synthesis", found.id, locale=synthesis.REPORT_LOCALE, export_format="docx",
        download_name=synthesis.report_filename(found, "docx"), requested_by_id=current_user.id)
    messages = {"failed": (_("The report could not be prepared; the error is shown below."), "error"),
                "done": (_("The report is ready: download it below."), "success")}
    flash(*messages.get(state, (_("The report is being prepared. This page refreshes until it is ready."), "info")))
    return redirect(url_for("decisions.report_files", slug=slug) + f"#export-{row.id}")


@bp.get("/<slug>/bao-cao.<any(docx, xlsx):extension>")
@role_required(*DRAFTER_ROLES)
def report(slug: str, extension: str):
    found = _consultation_or_404(slug)
    writers = {
        "docx": (synthesis_docx.to_docx,
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "xlsx": (synthesis.to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    }
    write, mimetype = writers[extension]
    with force_locale(synthesis.REPORT_LOCALE):  # the official document is in Vietnamese
        body = write(synthesis.build_report(found))
    filename = synthesis.report_filename(found, extension)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
