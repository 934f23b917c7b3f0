"""Invitations for the drafting team: invite organisations, follow their status, remind."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import format_datetime, gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult.auth import role_required
from consult.domain import DRAFTER_ROLES, ORGANISATION_KINDS
from consult.extensions import db
from consult.models import Organisation
from surveys import author_invitations, blueprint, invitations
from surveys.author_forms import InviteForm
from surveys.models import Invitation
from surveys.views_author import ADMIN, _checked_action, _render, _survey


def _invite_form(survey) -> InviteForm:
    form = InviteForm()
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.name))
    form.organisations.choices = [(o.id, o.name) for o in organisations]
    return form


def _page(survey, form, created=None, status=200, new_link=None):
    roster = author_invitations.roster_organisation_ids(survey)
    rows = _waiting_first(author_invitations.invitation_list(survey))
    waiting_only = request.args.get("chua-tra-loi") == "1"
    if waiting_only:
        rows = [row for row in rows if row.status not in ("submitted", invitations.REVOKED)]
    secret = current_app.config["SECRET_KEY"]
    demo_links = {row.id: invitations.demo_link_token(secret, row) for row in rows
                  if row.status != invitations.REVOKED}
    return _render("invitations.html", status, survey=survey, form=form, rows=rows,
                   counts=invitations.status_counts(survey), created=created or [],
                   new_link=new_link, roster_size=None if roster is None else len(roster),
                   demo_links=demo_links, status_labels_invitation=invitations.STATUS_LABELS,
                   organisation_kinds=ORGANISATION_KINDS,
                   not_answered=len(invitations.not_answered(survey)), waiting_only=waiting_only)


@blueprint.route(f"{ADMIN}/<int:survey_id>/loi-moi", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
def author_invitations_page(survey_id: int):
    """GET: the list. POST: invite; the new links are shown on this response only."""
    survey = _survey(survey_id)
    form = _invite_form(survey)
    if request.method == "GET":
        return _page(survey, form)
    if not form.validate_on_submit():
        return _page(survey, form, status=422)
    if not survey.accepts_invitations:
        flash(_("This survey is open to citizens only. Change who may answer to invite organisations."), "error")
        return _page(survey, form, status=422)
    chosen = author_invitations.organisations_to_invite(
        survey, form.kinds.data or [], form.organisations.data or [], bool(form.roster.data))
    created = author_invitations.invite(survey, chosen, current_user)
    db.session.commit()
    if created:
        flash(_("%(count)s invitations were made. Copy their links now: they are shown only once.",
                count=len(created)), "success")
    else:
        flash(_("Every chosen organisation was already invited; nothing changed."), "info")
    return _page(survey, form, created=created)


def _waiting_first(rows: list[Invitation]) -> list[Invitation]:
    """Those still expected to answer, then those who submitted, then the withdrawn ones."""
    last = {"submitted": 1, invitations.REVOKED: 2}
    return sorted(rows, key=lambda row: last.get(row.status, 0))


@blueprint.post(f"{ADMIN}/<int:survey_id>/loi-moi/<int:invitation_id>/lien-ket-moi")
@role_required(*DRAFTER_ROLES)
def author_invitation_new_link(survey_id: int, invitation_id: int):
    """Replace a lost link; for a withdrawn invitation, this restores it."""
    survey = _survey(survey_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.survey_id != survey.id:
        return redirect(url_for("surveys.author_invitations_page", survey_id=survey.id))
    if not _checked_action():
        return redirect(url_for("surveys.author_invitations_page", survey_id=survey.id))
    restored = invitations.restore(invitation, current_user)
    token = author_invitations.new_link(invitation, current_user)
    db.session.commit()
    if restored:
        flash(_("The invitation of %(name)s is restored with a new link; the withdrawn link still "
                "does not work. Copy the new link now: it is shown only once.",
                name=invitation.organisation.name), "success")
    else:
        flash(_("A new link was made for %(name)s; the old link no longer works. Copy it now: it is shown only once.",
                name=invitation.organisation.name), "success")
    return _page(survey, _invite_form(survey), new_link=(invitation, token))


@blueprint.post(f"{ADMIN}/<int:survey_id>/loi-moi/<int:invitation_id>/thu-hoi")
@role_required(*DRAFTER_ROLES)
def author_invitation_revoke(survey_id: int, invitation_id: int):
    """Withdraw an invitation not yet submitted: its link stops working."""
    survey = _survey(survey_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.survey_id != survey.id:
        abort(404)
    if _checked_action():
        _revoke(invitation)
    return redirect(url_for("surveys.author_invitations_page", survey_id=survey.id))


def _revoke(invitation: Invitation) -> None:
    name = invitation.organisation.name
    try:
        revoked = invitations.revoke(invitation, current_user)
    except invitations.AlreadySubmitted:
        db.session.rollback()
        flash(_("%(name)s has already submitted its answers: a submitted invitation cannot be "
                "withdrawn.", name=name), "error")
        return
    db.session.commit()
    if revoked:
        flash(_("The invitation of %(name)s is withdrawn: its link no longer works and it is no "
                "longer counted among those who have not answered. “New link” restores it.",
                name=name), "success")
    else:
        flash(_("The invitation of %(name)s was already withdrawn; nothing changed.", name=name), "info")


@blueprint.post(f"{ADMIN}/<int:survey_id>/loi-moi/nhac")
@role_required(*DRAFTER_ROLES)
def author_record_reminder(survey_id: int):
    survey = _survey(survey_id)
    if _checked_action():
        count = author_invitations.record_reminder(survey, current_user)
        db.session.commit()
        flash(_("A reminder was recorded for %(count)s organisations.", count=count), "success")
    return redirect(url_for("surveys.author_invitations_page", survey_id=survey.id))


@blueprint.get(f"{ADMIN}/<int:survey_id>/loi-moi/chua-tra-loi.csv")
@role_required(*DRAFTER_ROLES)
def author_non_responders_csv(survey_id: int):
    survey = _survey(survey_id)
    data = author_invitations.non_responders_csv(
        survey, lambda moment: format_datetime(moment, "dd/MM/yyyy HH:mm"))
    return Response(data, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="chua-tra-loi-{survey.slug}.csv"'})
