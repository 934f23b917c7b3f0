"""The platform administrator's page of drafting agencies' teams (drafters and moderators)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from consult import teams
from consult.auth import role_required
from consult.domain import ROLES
from consult.extensions import db
from consult.forms import ActionForm, TeamMemberForm
from consult.models import Organisation
from consult.navigation import add_admin_link

bp = Blueprint("teams", __name__, url_prefix="/quan-tri")

add_admin_link("teams.members", _l("Drafting agencies' teams"), roles={"admin"})


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
