"""The platform administrator's page of drafting agencies' teams (drafters and moderators), and
the page where an agency's minimum consultation period is set."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from consult import consultations as consultation_service
from consult import scoping, teams
from consult.auth import role_required
from consult.domain import ROLES
from consult.extensions import db
from consult.forms import ActionForm, MinimumPeriodForm, TeamMemberForm
from consult.models import Consultation, Organisation, User
from consult.navigation import add_admin_link

bp = Blueprint("teams", __name__, url_prefix="/quan-tri")

add_admin_link("teams.members", _l("Drafting agencies' teams"), roles={"admin"})
add_admin_link("teams.minimum_period", _l("Minimum consultation period"), roles={"admin", "drafter"})


def _form(from_request: bool = True) -> TeamMemberForm:
    form = TeamMemberForm() if from_request else TeamMemberForm(formdata=None)
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.name))
    form.organisation.choices = [("", _("— choose —"))] + [(str(o.id), f"{o.name} ({o.code})")
                                                           for o in organisations]
    form.role.choices = [(role, ROLES[role]) for role in teams.AGENCY_ROLES]
    return form


def _render(form: TeamMemberForm, created=None, password=None, status: int = 200):
    return render_template("admin/teams.html", form=form, members=teams.agency_members(),
                           created=created, password=password, roles=ROLES,
                           action_form=ActionForm(formdata=None)), status


@bp.get("/co-quan-soan-thao")
@role_required("admin")
def members():
    return _render(_form(from_request=False))


@bp.post("/co-quan-soan-thao")
@role_required("admin")
def add_member():
    form = _form()
    if not form.validate():
        return _render(form, status=422)
    organisation = db.session.get(Organisation, int(form.organisation.data))
    try:
        user, password = teams.add_member(organisation, form.email.data, form.name.data or "",
                                          form.role.data, current_user)
    except teams.EmailTaken:
        db.session.rollback()
        form.email.errors = [_("An account with this e-mail exists already.")]
        return _render(form, status=422)
    db.session.commit()
    return _render(_form(from_request=False), created=user, password=password)


@bp.post("/co-quan-soan-thao/<int:user_id>/vo-hieu-hoa")
@role_required("admin")
def deactivate_member(user_id: int):
    return _set_active(user_id, False)


@bp.post("/co-quan-soan-thao/<int:user_id>/kich-hoat")
@role_required("admin")
def reactivate_member(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = teams.find_member(user_id) or abort(404)
    if not ActionForm().validate():
        flash(_("The form has expired; please try again."), "error")
    elif teams.set_active(user, active, current_user):
        db.session.commit()
        flash(_("The account of %(email)s is active again.", email=user.email) if active else
              _("The account of %(email)s is deactivated: its sessions are ended and it can no longer "
                "log in.", email=user.email), "success")
    else:
        flash(_("Nothing changed: the account of %(email)s was already so.", email=user.email), "info")
    return redirect(url_for("teams.members") + f"#member-{user.id}")


# --- an agency's minimum consultation period --------------------------------------------------

def _period_agencies() -> list[Organisation]:
    """The agencies whose minimum the signed-in drafter may set: their own; every drafting
    agency for an administrator (or a drafter of no agency)."""
    from consult.views.consultations import AGENCY_KINDS

    own = scoping.agency_of(current_user)
    if own is not None:
        return list(db.session.scalars(select(Organisation).where(Organisation.id == own)))
    return list(db.session.scalars(select(Organisation).where(Organisation.kind.in_(AGENCY_KINDS))
                                   .order_by(Organisation.name)))


def _period_rows(agencies: list[Organisation]) -> list[Organisation]:
    """The agencies listed with their minimum: one's own; for the platform, those that set one,
    run a consultation or have a team."""
    if scoping.agency_of(current_user) is not None:
        return agencies
    running = set(db.session.scalars(select(Consultation.agency_id).where(Consultation.agency_id.is_not(None))))
    staffed = set(db.session.scalars(select(User.organisation_id).where(User.role.in_(teams.AGENCY_ROLES))))
    return [agency for agency in agencies
            if agency.min_consultation_days is not None or agency.id in running | staffed]


def _render_period(form: MinimumPeriodForm | None = None, status: int = 200):
    agencies = _period_agencies()
    if form is None:
        form = MinimumPeriodForm(formdata=None)
        if len(agencies) == 1:
            form.organisation.data = str(agencies[0].id)
            days = agencies[0].min_consultation_days
            form.days.data = "" if days is None else str(days)
    form.organisation.choices = ([] if len(agencies) == 1 else [("", _("— choose —"))]) + [
        (str(agency.id), f"{agency.name} ({agency.code})") for agency in agencies]
    return render_template("admin/minimum_period.html", form=form, rows=_period_rows(agencies),
                           minimum_days=consultation_service.minimum_days,
                           platform_days=consultation_service.minimum_days(None)), status


@bp.get("/thoi-gian-toi-thieu")
@role_required("admin", "drafter")
def minimum_period():
    return _render_period()


@bp.post("/thoi-gian-toi-thieu")
@role_required("admin", "drafter")
def set_minimum_period():
    form = MinimumPeriodForm()
    form.organisation.choices = [(str(agency.id), agency.name) for agency in _period_agencies()]
    if not form.validate():
        return _render_period(form, status=422)
    organisation = db.session.get(Organisation, int(form.organisation.data))
    days = form.chosen_days()
    if teams.set_minimum_period(organisation, days, current_user):
        db.session.commit()
        flash(_("The minimum consultation period of %(agency)s is now %(days)s days.", agency=organisation.name,
                days=consultation_service.minimum_days(organisation)), "success")
    else:
        flash(_("Nothing changed: the minimum consultation period of %(agency)s was already so.",
                agency=organisation.name), "info")
    return redirect(url_for("teams.minimum_period"))
