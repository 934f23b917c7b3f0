"""Pages for the drafting team: the roster and who answered, officers, API tokens."""
from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult import scoping
from consult.api import tokens as api_tokens
from consult.auth import role_required
from consult.domain import DRAFTER_ROLES, ORGANISATION_KINDS
from consult.extensions import db
from consult.models import Consultation, Organisation, utcnow
from consult.submissions import bp, mail, officers, roster, services
from consult.submissions.forms import (ActionForm, ApiTokenForm, OfficerForm, RosterDeadlineForm,
                                       RosterGroupForm, RosterImportForm)
from consult.submissions.messages import ROSTER_STATUS_LABELS, import_problem
from consult.submissions.models import ApiToken, OfficerInvitation

_CSV_LIMIT = 1024 * 1024


def _consultation_or_404(slug: str) -> Consultation:
    return scoping.team_consultation_or_404(slug)


def platform_wide(view):
    """Officers and API tokens are a body's credentials for every agency's consultation: only
    those who see every consultation manage them (``scoping.require_platform_wide``)."""
    @wraps(view)
    def checked(*args, **kwargs):
        scoping.require_platform_wide()
        return view(*args, **kwargs)
    return checked


def _organisation_choices() -> list[tuple[str, str]]:
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.name))
    return [(str(o.id), f"{o.name} ({o.code})") for o in organisations]


@bp.get("/quan-tri/")
@role_required(*DRAFTER_ROLES)
def team_index():
    consultations = scoping.team_consultations()
    summaries = [(c, roster.status_counts(roster.roster_rows(c))) for c in consultations]
    return render_template("submissions/team_index.html", summaries=summaries)


@bp.get("/quan-tri/<slug>")
@role_required(*DRAFTER_ROLES)
def team_roster(slug: str):
    consultation = _consultation_or_404(slug)
    rows = roster.roster_rows(consultation)
    counts = roster.status_counts(rows)
    wanted = request.args.get("status", "")
    if wanted == "overdue":
        rows = [row for row in rows if row.overdue]
    elif wanted in roster.ROSTER_STATUSES:
        rows = [row for row in rows if row.status == wanted]
    else:
        wanted = ""
    return render_template("submissions/roster.html", consultation=consultation, rows=rows,
                           counts=counts, wanted=wanted, labels=ROSTER_STATUS_LABELS)


@bp.get("/quan-tri/<slug>/nhac-han.csv")
@role_required(*DRAFTER_ROLES)
def team_roster_csv(slug: str):
    consultation = _consultation_or_404(slug)
    headers = [_("Code"), _("Organisation"), _("Kind"), _("Status"), _("Deadline"), _("Days left"),
               _("Overdue"), _("Letter number"), _("Submitted at")]
    labels = {key: str(label) for key, label in ROSTER_STATUS_LABELS.items()}
    text = roster.reminder_csv(roster.roster_rows(consultation), headers, labels)
    filename = f"danh-sach-lay-y-kien-{consultation.slug}.csv"
    return Response(text.encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


#: The years a body's deadline may fall in.
_DEADLINE_YEARS = range(2000, 2101)


def _check_deadline(consultation: Consultation, form, not_before_opening: bool = False) -> None:
    """A deadline past any sensible year (or, when editing one, before the consultation opens)
    is refused with a message on the field."""
    day = form.deadline.data
    if day.year not in _DEADLINE_YEARS:
        form.deadline.errors = [_("Please give a date between the years %(first)s and %(last)s.",
                                  first=_DEADLINE_YEARS[0], last=_DEADLINE_YEARS[-1])]
    elif not_before_opening and day < roster.vn_date(consultation.opens_at):
        form.deadline.errors = [_("The deadline cannot be before the consultation opens (%(day)s).",
                                  day=roster.vn_date(consultation.opens_at).strftime("%d/%m/%Y"))]


def _render_add(consultation, import_form=None, group_form=None, report=None, status=200):
    import_form = import_form or RosterImportForm(formdata=None)
    group_form = group_form or RosterGroupForm(formdata=None)
    group_form.group.choices = [(kind, ORGANISATION_KINDS[kind]) for kind in roster.ROSTER_GROUPS]
    default_day = roster.vn_date(consultation.closes_at - timedelta(days=1))
    for form in (import_form, group_form):
        if form.deadline.data is None and not form.deadline.raw_data:
            form.deadline.data = default_day
    problems = [(line, code, import_problem(problem)) for line, code, problem in report.problems] \
        if report else []
    return render_template("submissions/roster_add.html", consultation=consultation,
                           import_form=import_form, group_form=group_form, report=report,
                           problems=problems), status


@bp.get("/quan-tri/<slug>/them")
@role_required(*DRAFTER_ROLES)
def team_roster_add(slug: str):
    return _render_add(_consultation_or_404(slug))


@bp.post("/quan-tri/<slug>/them/csv")
@role_required(*DRAFTER_ROLES)
def team_roster_import(slug: str):
    consultation = _consultation_or_404(slug)
    form = RosterImportForm()
    text = form.csv_text.data or ""
    upload = request.files.get("csv_file")
    if upload is not None and upload.filename:
        raw = upload.read(_CSV_LIMIT + 1)
        try:
            text = raw.decode("utf-8-sig") if len(raw) <= _CSV_LIMIT else None
        except UnicodeDecodeError:
            text = None
        if text is None:
            form.csv_file.errors = [_("The file must be a CSV file saved as UTF-8, at most 1 MB.")]
            return _render_add(consultation, import_form=form, status=422)
    if form.validate():
        _check_deadline(consultation, form)
    if form.errors or not text.strip():
        if not text.strip():
            form.csv_text.errors = list(form.csv_text.errors) + [_("Please choose a CSV file or paste lines of organisation codes.")]
        return _render_add(consultation, import_form=form, status=422)
    report = roster.import_csv(consultation, text, roster.end_of_vn_day(form.deadline.data))
    db.session.commit()
    flash(_("%(added)s bodies added, %(updated)s deadlines changed, %(problems)s lines skipped.",
            added=report.added, updated=report.updated, problems=len(report.problems)),
          "success" if not report.problems else "info")
    return _render_add(consultation, report=report)


@bp.post("/quan-tri/<slug>/them/nhom")
@role_required(*DRAFTER_ROLES)
def team_roster_group(slug: str):
    consultation = _consultation_or_404(slug)
    form = RosterGroupForm()
    if form.validate():
        _check_deadline(consultation, form)
    if form.errors or form.group.data not in roster.ROSTER_GROUPS:
        if form.group.data not in roster.ROSTER_GROUPS:
            form.group.errors = list(form.group.errors) + [_("Please choose a kind of organisation from the list.")]
        return _render_add(consultation, group_form=form, status=422)
    added = roster.add_group(consultation, form.group.data, roster.end_of_vn_day(form.deadline.data))
    db.session.commit()
    flash(_("%(added)s bodies added to the roster.", added=added), "success")
    return redirect(url_for("submissions.team_roster", slug=slug))


@bp.get("/quan-tri/<slug>/co-quan/<code>")
@role_required(*DRAFTER_ROLES)
def team_body(slug: str, code: str):
    consultation = _consultation_or_404(slug)
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
    entry = roster.find_entry(consultation, organisation.id if organisation else None)
    if entry is None:
        abort(404)
    return render_template("submissions/history.html", consultation=consultation,
                           organisation=organisation, entry=entry,
                           letters=services.history(consultation, organisation.id),
                           draft=services.find_draft(consultation, organisation.id))


def _organisation_by_code(code: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
    return organisation or abort(404)


def _render_entry(consultation, entry, form=None, status=200):
    form = form or RosterDeadlineForm(formdata=None)
    if form.deadline.data is None and not form.deadline.raw_data:
        form.deadline.data = roster.vn_date(entry.deadline)
    return render_template("submissions/roster_entry.html", consultation=consultation, entry=entry,
                           form=form, letters=roster.letter_count(entry),
                           remove_form=ActionForm(formdata=None)), status


@bp.get("/quan-tri/<slug>/co-quan/<code>/sua")
@role_required(*DRAFTER_ROLES)
def team_roster_entry(slug: str, code: str):
    consultation = _consultation_or_404(slug)
    entry = roster.find_entry(consultation, _organisation_by_code(code).id) or abort(404)
    return _render_entry(consultation, entry)


@bp.post("/quan-tri/<slug>/co-quan/<code>/han")
@role_required(*DRAFTER_ROLES)
def team_roster_deadline(slug: str, code: str):
    consultation = _consultation_or_404(slug)
    entry = roster.find_entry(consultation, _organisation_by_code(code).id) or abort(404)
    form = RosterDeadlineForm()
    if form.validate():
        _check_deadline(consultation, form, not_before_opening=True)
    if form.errors:
        return _render_entry(consultation, entry, form, status=422)
    if roster.set_deadline(entry, roster.end_of_vn_day(form.deadline.data), current_user):
        db.session.commit()
        flash(_("The deadline of %(name)s is now %(day)s.", name=entry.organisation.name,
                day=form.deadline.data.strftime("%d/%m/%Y")), "success")
    else:
        flash(_("The deadline of %(name)s was already %(day)s; nothing changed.",
                name=entry.organisation.name, day=form.deadline.data.strftime("%d/%m/%Y")), "info")
    return redirect(url_for("submissions.team_roster", slug=slug) + f"#body-{code}")


@bp.post("/quan-tri/<slug>/co-quan/<code>/xoa")
@role_required(*DRAFTER_ROLES)
def team_roster_remove(slug: str, code: str):
    consultation = _consultation_or_404(slug)
    organisation = _organisation_by_code(code)
    entry = roster.find_entry(consultation, organisation.id)
    if entry is None:  # removed already: a replayed button
        flash(_("%(name)s is not on the roster; nothing changed.", name=organisation.name), "info")
        return redirect(url_for("submissions.team_roster", slug=slug))
    try:
        roster.remove_from_roster(entry, current_user)
    except roster.BodyHasLetters:
        flash(_("%(name)s cannot be removed from the roster: it has a letter for this consultation "
                "(submitted or in preparation), which must stay on record.", name=organisation.name),
              "error")
        return _render_entry(consultation, entry, status=409)
    db.session.commit()
    flash(_("%(name)s was removed from the roster.", name=organisation.name), "success")
    return redirect(url_for("submissions.team_roster", slug=slug))


@bp.get("/quan-tri/<slug>/theo-dieu")
@role_required(*DRAFTER_ROLES)
def team_by_article(slug: str):
    consultation = _consultation_or_404(slug)
    return render_template("submissions/by_article.html", consultation=consultation,
                           groups=roster.opinions_by_article(consultation))


def _render_officers(form=None, invite_link=None, status=200):
    form = form or OfficerForm(formdata=None)
    form.organisation.choices = [("", _("— choose —"))] + _organisation_choices()
    return render_template("submissions/officers.html", form=form, officers=officers.officers(),
                           invitations=officers.open_invitations(), invite_link=invite_link,
                           action_form=ActionForm(formdata=None)), status


@bp.route("/quan-tri/can-bo", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
@platform_wide
def team_officers():
    if request.method == "GET":
        return _render_officers()
    form = OfficerForm()
    form.organisation.choices = [("", "")] + _organisation_choices()
    if not form.validate():
        return _render_officers(form, status=422)
    organisation = db.session.get(Organisation, int(form.organisation.data))
    try:
        if form.invite.data:
            return _invite(form, organisation)
        officers.create_officer(form.email.data, form.name.data or "", organisation,
                                form.password.data, current_user)
    except officers.EmailTaken:
        db.session.rollback()
        form.email.errors = [_("An account with this e-mail exists already.")]
        return _render_officers(form, status=422)
    db.session.commit()
    flash(_("The officer's account is created: give them the password in person or by phone."), "success")
    return redirect(url_for("submissions.team_officers"))


def _invite(form: OfficerForm, organisation: Organisation):
    invitation, raw = officers.invite_officer(form.email.data, form.name.data or "", organisation,
                                              current_user)
    db.session.commit()
    link = url_for("submissions.accept_invitation", token=raw, _external=True)
    body = _invitation_text(invitation.name or invitation.email, organisation.name, link)
    try:
        mail.send_mail(mail.settings_from(current_app.config), invitation.email,
                       _("Invitation to send your organisation's opinions"), body)
    except mail.MailNotSent:
        current_app.logger.warning("Invitation e-mail to %s not sent", invitation.email)
        flash(_("The e-mail could not be sent. Copy the link below and send it to the officer "
                "yourself; it is shown only now."), "error")
        return _render_officers(invite_link=link)
    flash(_("The invitation was sent to %(email)s; the link works for 7 days.", email=invitation.email),
          "success")
    return redirect(url_for("submissions.team_officers"))


@bp.post("/quan-tri/can-bo/loi-moi/<int:invitation_id>/thu-hoi")
@role_required(*DRAFTER_ROLES)
@platform_wide
def team_withdraw_invitation(invitation_id: int):
    invitation = db.session.get(OfficerInvitation, invitation_id) or abort(404)
    outcome = officers.withdraw_invitation(invitation, current_user)
    if outcome == "withdrawn":
        db.session.commit()
        flash(_("The invitation to %(email)s is withdrawn: its link no longer works.",
                email=invitation.email), "success")
    elif outcome == "accepted":
        flash(_("%(email)s has already accepted the invitation and has an account: deactivate "
                "the account instead.", email=invitation.email), "error")
    else:
        flash(_("The invitation to %(email)s was already withdrawn or expired; nothing changed.",
                email=invitation.email), "info")
    return redirect(url_for("submissions.team_officers"))


@bp.post("/quan-tri/can-bo/<int:user_id>/vo-hieu-hoa")
@role_required(*DRAFTER_ROLES)
@platform_wide
def team_deactivate_officer(user_id: int):
    return _set_officer_active(user_id, False)


@bp.post("/quan-tri/can-bo/<int:user_id>/kich-hoat")
@role_required(*DRAFTER_ROLES)
@platform_wide
def team_reactivate_officer(user_id: int):
    return _set_officer_active(user_id, True)


def _set_officer_active(user_id: int, active: bool):
    """Deactivate or reactivate one officer; a replayed button says nothing changed."""
    user = officers.find_officer(user_id) or abort(404)
    if officers.set_active(user, active, current_user):
        db.session.commit()
        message = (_("The account of %(email)s is active again: the officer can log in.", email=user.email)
                   if active else
                   _("The account of %(email)s is deactivated: the officer can no longer log in. "
                     "Letters already made are kept.", email=user.email))
        flash(message, "success")
    else:
        flash(_("The account of %(email)s was already active; nothing changed.", email=user.email)
              if active else
              _("The account of %(email)s was already deactivated; nothing changed.", email=user.email),
              "info")
    return redirect(url_for("submissions.team_officers") + "#accounts")


def _invitation_text(name: str, organisation: str, link: str) -> str:
    """The invitation e-mail, plain text, in the drafting team member's language."""
    return "\n\n".join([
        _("Hello %(name)s,", name=name),
        _("The drafting team invites you to send the formal opinions of %(organisation)s on draft "
          "laws through the consultation platform.", organisation=organisation),
        _("Open this link to choose your password (it works once, for 7 days):") + "\n" + link,
        _("If you did not expect this e-mail, ignore it."),
    ]) + "\n"


def _render_tokens(form=None, new_secret=None, status=200):
    form = form or ApiTokenForm(formdata=None)
    form.organisation.choices = [("", _("— choose —"))] + _organisation_choices()
    form.scopes.choices = list(api_tokens.SCOPES.items())
    return render_template("submissions/api_tokens.html", form=form, tokens=api_tokens.all_tokens(),
                           new_secret=new_secret, revoke_form=ActionForm(formdata=None),
                           now=utcnow()), status


@bp.route("/quan-tri/api", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
@platform_wide
def team_api_tokens():
    if request.method == "GET":
        return _render_tokens()
    form = ApiTokenForm()
    form.organisation.choices = [("", "")] + _organisation_choices()
    form.scopes.choices = list(api_tokens.SCOPES.items())
    if not form.validate():
        return _render_tokens(form, status=422)
    organisation = db.session.get(Organisation, int(form.organisation.data))
    _token, raw = api_tokens.create_token(organisation, form.scopes.data, form.label.data or "",
                                          current_user)
    db.session.commit()
    flash(_("The token is made. Copy it now: it is shown only once."), "success")
    return _render_tokens(new_secret=raw)


@bp.post("/quan-tri/api/<int:token_id>/thu-hoi")
@role_required(*DRAFTER_ROLES)
@platform_wide
def team_revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id) or abort(404)
    if api_tokens.revoke_token(token, current_user):
        db.session.commit()
        flash(_("The token %(prefix)s… is revoked.", prefix=token.prefix), "success")
    return redirect(url_for("submissions.team_api_tokens"))
