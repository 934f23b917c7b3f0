"""Pages for the drafting team: deciding every opinion, and the synthesis report's files."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_decimal, gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField

from consult import decisions, scoping, synthesis, synthesis_docx
from consult.auth import role_required
from consult.decisions import InvalidDecision
from consult.domain import DECISION_OUTCOMES, DECISION_REASON_MAX, DRAFTER_ROLES
from consult.extensions import db
from consult.models import Consultation
from consult.navigation import add_admin_link

bp = Blueprint("decisions", __name__, url_prefix="/quan-tri/xu-ly")

add_admin_link("decisions.index", _l("Decisions"), roles=DRAFTER_ROLES)

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


_MESSAGES = {
    "nothing_selected": ("opinion", lambda: _("Select at least one opinion.")),
    "unknown_outcome": ("outcome", lambda: _("Choose a decision: accepted, partly accepted, explained or not accepted.")),
    "reason_required": ("reason", lambda: _("Give the reason: it is required for every decision except accepted.")),
    "reason_too_long": ("reason", lambda: _("The reason may be at most %(max)s characters long.",
                                            max=format_decimal(DECISION_REASON_MAX))),
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


@bp.get("/<slug>")
@role_required(*DRAFTER_ROLES)
def consultation(slug: str):
    found = _consultation_or_404(slug)
    return render_template("decisions/consultation.html", consultation=found,
                           progress=decisions.progress(found), articles=decisions.article_progress(found),
                           general=GENERAL)


def _scope_or_404(consultation: Consultation, anchor: str) -> decisions.ArticleOpinions:
    scope = decisions.article_opinions(consultation, None if anchor == GENERAL else anchor)
    return scope if scope is not None else abort(404)


def _undecided_only() -> bool:
    return request.args.get("undecided") == "1"


def _page_number() -> int:
    """``?trang=``: anything but a page number gives the first page, the service clamps the rest."""
    return request.args.get("trang", 1, type=int)


def _page(scope: decisions.ArticleOpinions) -> decisions.GroupPage:
    return scope.page(_page_number(), _undecided_only())


def _unselectable(scope: decisions.ArticleOpinions, tokens: list[str]) -> str:
    """Why ``tokens`` name no opinion of the page: on another page of the article, or gone."""
    return "not_on_page" if decisions.find_opinions(scope.opinions, tokens) is not None else "not_decidable"


@bp.get("/<slug>/<anchor>")
@role_required(*DRAFTER_ROLES)
def article(slug: str, anchor: str):
    found = _consultation_or_404(slug)
    return _render_article(found, _scope_or_404(found, anchor), anchor, DecisionForm(formdata=None))


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
    """The list's filter and page, to come back to after deciding."""
    number = _page_number()
    return {"undecided": "1" if _undecided_only() else None, "trang": number if number > 1 else None}


def _apply(selected: list, form: DecisionForm) -> tuple[str, str]:
    """Record the decision (or remove it); returns the flash message and its category."""
    if request.form.get("action") == "undecide":
        removed = decisions.undecide(selected, current_user)
        if not removed:
            return _("The selected opinions had no decision; nothing changed."), "info"
        return ngettext("Decision removed from %(num)s opinion.", "Decision removed from %(num)s opinions.",
                        removed), "success"
    decision, changed = decisions.decide(selected, form.outcome.data or "", form.reason.data, current_user)
    if not changed:
        return _("This decision was already recorded; nothing changed."), "info"
    return ngettext("%(outcome)s: recorded for %(num)s opinion.", "%(outcome)s: recorded for %(num)s opinions.",
                    len(selected), outcome=DECISION_OUTCOMES[decision.outcome]), "success"


def _render_article(consultation: Consultation, scope, anchor: str, form: DecisionForm, status: int = 200):
    undecided_only = _undecided_only()
    page = _page(scope)
    return render_template(
        "decisions/article.html", consultation=consultation, scope=scope, anchor=anchor, form=form,
        page=page, groups=page.groups, undecided_only=undecided_only,
        selected=set(" ".join(form.opinion.data or []).split()), sources=synthesis.sources_text,
        reason_max=DECISION_REASON_MAX), status


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
