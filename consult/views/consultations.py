"""The drafting team's consultation pages: the list, creating and editing one, and its life
(publish, extend, close early, reopen, archive). Thin: the work is in ``consult.consultations``."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from consult import consultations as service, scoping, subscriptions
from consult.auth import role_required
from consult.consultation_forms import ConsultationForm, LifecycleForm
from consult.domain import CONSULTATION_EVENTS, CONSULTATION_STATES, DOCUMENT_KINDS, MODERATOR_ROLES
from consult.extensions import db
from consult.models import Consultation, DraftVersion, Organisation
from consult.navigation import add_admin_link

bp = Blueprint("consultations", __name__, url_prefix="/quan-tri/tham-van")
add_admin_link("consultations.index", _l("Consultations"))

#: The kinds of body that draft legal documents and so may run a consultation.
AGENCY_KINDS = ("ministry", "ministerial_agency", "government_agency", "province")


def team_consultation(consultation_id: int) -> Consultation:
    """The consultation the signed-in team member may act on, or 404 (another agency's too, so
    as not to reveal it). The one place the team's pages look a consultation up."""
    if not 0 < consultation_id < 2 ** 31:
        abort(404)
    return scoping.team_consultation_or_404(consultation_id)


def team_version(version_id: int) -> DraftVersion:
    """A draft version of a consultation the team member may act on, or 404."""
    version = db.session.get(DraftVersion, version_id) or abort(404)
    team_consultation(version.draft.consultation_id)
    return version


@bp.context_processor
def _labels() -> dict:
    return {"CONSULTATION_STATES": CONSULTATION_STATES, "DOCUMENT_KINDS": DOCUMENT_KINDS,
            "CONSULTATION_EVENTS": CONSULTATION_EVENTS}


def _own_agency_id() -> int | None:
    """A drafter's or moderator's own agency; None for an administrator or a team member of no
    agency (who picks one)."""
    return scoping.agency_of(current_user)


def _agency_choices() -> list[tuple[str, str]]:
    own = _own_agency_id()
    query = select(Organisation).where(Organisation.kind.in_(AGENCY_KINDS)).order_by(Organisation.name)
    if own is not None:
        query = select(Organisation).where(Organisation.id == own)
    return [(str(org.id), org.name) for org in db.session.scalars(query)]


def _form(**kwargs) -> ConsultationForm:
    form = ConsultationForm(agencies=_agency_choices(), **kwargs)
    if _own_agency_id() is not None:
        form.agency_id.data = str(_own_agency_id())
    return form


def _moment(day_text: str | None, clock_text: str | None) -> datetime | None:
    day, clock = service.parse_day(day_text), service.parse_clock(clock_text)
    return service.from_vietnam(day, clock) if day and clock else None


def _fields(form: ConsultationForm) -> service.ConsultationFields:
    """The typed fields, or ``ConsultationError`` for a day or time that cannot be read."""
    opens, closes = _moment(form.opens_on.data, form.opens_time.data), _moment(form.closes_on.data, form.closes_time.data)
    if opens is None:
        raise service.ConsultationError("opens_on", _("Please give the opening day and time, such as 01/03/2027 and 08:00."))
    if closes is None:
        raise service.ConsultationError("closes_on", _("Please give the closing day and time, such as 30/04/2027 and 17:00."))
    agency = form.agency_id.data or ""
    return service.ConsultationFields(
        title=form.title.data or "", document_kind=form.document_kind.data or "",
        agency_id=int(agency) if agency.isascii() and agency.isdigit() and len(agency) < 10 else None,
        opens_at=opens, closes_at=closes, slug=form.slug.data or service.suggest_slug(form.title.data or ""),
        summary=form.summary.data or "", audiences=list(form.audiences.data or []),
        short_period_reason=form.short_period_reason.data or "")


def _show_error(form, error: service.ConsultationError) -> None:
    target = form[error.field] if error.field in form else None
    if target is not None:
        target.errors = list(target.errors or []) + [error.message]
        form._errors = None  # recompute form.errors with the new message
    flash(error.message, "error")


def _fill(form: ConsultationForm, consultation: Consultation) -> None:
    opens, closes = service.to_vietnam(consultation.opens_at), service.to_vietnam(consultation.closes_at)
    form.title.data, form.summary.data, form.slug.data = consultation.title, consultation.summary, consultation.slug
    form.document_kind.data, form.agency_id.data = consultation.document_kind, str(consultation.agency_id or "")
    form.opens_on.data, form.opens_time.data = opens.date().isoformat(), opens.strftime("%H:%M")
    form.closes_on.data, form.closes_time.data = closes.date().isoformat(), closes.strftime("%H:%M")
    form.audiences.data = list(consultation.audiences or [])


@bp.get("/")
@role_required(*MODERATOR_ROLES)
def index():
    return render_template("consultations/index.html",
                           consultations=service.listing(scoping.visible_clause(current_user)))


@bp.route("/moi", methods=["GET", "POST"])
@role_required(*MODERATOR_ROLES)
def create():
    form = _form()
    if form.validate_on_submit():
        try:
            consultation = service.create(_fields(form), actor=current_user)
        except service.ConsultationError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            consultation_id = consultation.id
            db.session.commit()
            flash(_("The consultation was created. Import its draft's text next."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation_id))
    elif request.method == "POST":
        flash(_("The form has expired; your text is kept: please send it again."), "error")
    return render_template("consultations/form.html", form=form, consultation=None), \
        422 if request.method == "POST" else 200


@bp.get("/<int:consultation_id>")
@role_required(*MODERATOR_ROLES)
def show(consultation_id: int):
    consultation = team_consultation(consultation_id)
    return _render_show(consultation)


def _render_show(consultation: Consultation, form: LifecycleForm | None = None, status: int = 200):
    from surveys.models import Survey

    version = service.latest_version(consultation)
    surveys = db.session.scalars(select(Survey).where(Survey.consultation_id == consultation.id)
                                 .order_by(Survey.id)).all()
    return render_template(
        "consultations/show.html", consultation=consultation, state=consultation.state(),
        version=version, unacknowledged=service.unacknowledged_warnings(version),
        surveys=surveys, history=service.history(consultation), form=form or LifecycleForm(formdata=None),
        short=service.is_short(consultation)), status


@bp.route("/<int:consultation_id>/sua", methods=["GET", "POST"])
@role_required(*MODERATOR_ROLES)
def edit(consultation_id: int):
    consultation = team_consultation(consultation_id)
    form = _form()
    if request.method == "GET":
        _fill(form, consultation)
    elif form.validate_on_submit():
        try:
            service.update(consultation, _fields(form), actor=current_user)
        except service.ConsultationError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("The consultation was saved."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation_id))
    else:
        flash(_("The form has expired; your text is kept: please send it again."), "error")
    return render_template("consultations/form.html", form=form, consultation=consultation), \
        422 if request.method == "POST" else 200


def _lifecycle_step(consultation_id: int, step, done_message: str, needs_time: bool = False):
    """Run one step of the consultation's life from the posted form; back to its page."""
    consultation = team_consultation(consultation_id)
    form = LifecycleForm()
    if not form.validate_on_submit():
        flash(_("The form has expired; your text is kept: please send it again."), "error")
        return _render_show(consultation, form, 422)
    try:
        moment = _moment(form.closes_on.data, form.closes_time.data) if needs_time else None
        if needs_time and moment is None:
            raise service.ConsultationError("closes_on", _("Please give the new closing day and time, such as 30/04/2027 and 17:00."))
        step(consultation, form, moment)
    except service.ConsultationError as error:
        db.session.rollback()
        _show_error(form, error)
        return _render_show(team_consultation(consultation_id), form, 422)
    db.session.commit()
    flash(done_message, "success")
    return redirect(url_for("consultations.show", consultation_id=consultation_id))


@bp.post("/<int:consultation_id>/cong-bo")
@role_required(*MODERATOR_ROLES)
def publish(consultation_id: int):
    answer = _lifecycle_step(consultation_id, lambda c, f, _m: service.publish(c, current_user, f.reason.data),
                             _("The consultation is published: it is visible, and open from its opening time."))
    if getattr(answer, "status_code", None) == 302:  # published: tell the subscribers, in the background
        subscriptions.notify_new(consultation_id)
    return answer


@bp.post("/<int:consultation_id>/gia-han")
@role_required(*MODERATOR_ROLES)
def extend(consultation_id: int):
    return _lifecycle_step(
        consultation_id,
        lambda c, f, moment: service.extend(c, moment, f.reason.data, f.requested_by.data, current_user),
        _("The deadline was extended; the public page says so."), needs_time=True)


@bp.post("/<int:consultation_id>/dong")
@role_required(*MODERATOR_ROLES)
def close(consultation_id: int):
    return _lifecycle_step(consultation_id, lambda c, f, _m: service.close_early(c, f.reason.data, current_user),
                           _("The consultation is closed."))


@bp.post("/<int:consultation_id>/mo-lai")
@role_required(*MODERATOR_ROLES)
def reopen(consultation_id: int):
    return _lifecycle_step(
        consultation_id, lambda c, f, moment: service.reopen(c, moment, f.reason.data, current_user),
        _("The consultation is open again."), needs_time=True)


@bp.post("/<int:consultation_id>/luu-tru")
@role_required(*MODERATOR_ROLES)
def archive(consultation_id: int):
    return _lifecycle_step(consultation_id, lambda c, f, _m: service.archive(c, f.reason.data, current_user),
                           _("The consultation is archived."))


@bp.post("/phien-ban/<int:version_id>/da-xem-canh-bao")
@role_required(*MODERATOR_ROLES)
def acknowledge_warnings(version_id: int):
    version = team_version(version_id)
    form = LifecycleForm()
    if form.validate_on_submit() and service.acknowledge_warnings(version, current_user):
        db.session.commit()
        flash(_("Noted: the warnings of this version were looked at."), "success")
    return redirect(url_for("admin.version_report", version_id=version_id))
