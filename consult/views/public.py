"""Pages for citizens: consultations, the draft article by article, comments, receipts."""
from __future__ import annotations

from typing import Mapping

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request,
                   session, url_for)
from flask_babel import get_locale, gettext as _

from consult import comments as comment_service
from consult import answers, antibot, carry, consultations, drafts, finding, page_cache, provision_tree, races
from consult.extensions import db
from consult.forms import CommentForm, ProfileForm, ReceiptLookupForm
from consult.models import Consultation, utcnow
from consult.provision_tree import Node

bp = Blueprint("public", __name__)

_SESSION_KEY = "contributions"


@bp.get("/")
def home():
    now = utcnow()
    return render_template("public/home.html", sections=finding.home_sections(now), now=now,
                           lookup_form=ReceiptLookupForm(request.args))


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every visit whatever the page links: answer it."""
    response = current_app.send_static_file("favicon.ico")
    response.cache_control.max_age = 7 * 24 * 3600
    response.cache_control.public = True
    return response


def _consultation_or_404(slug: str) -> Consultation:
    consultation = page_cache.kept_consultation(slug, consultations.with_versions)  # no query while kept
    if consultation is None or not consultation.published:
        abort(404)
    return consultation


def _version_or_404(consultation: Consultation):
    version = consultation.draft.current_version if consultation.draft else None
    if version is None:
        abort(404)
    return version


def _session_token(consultation: Consultation) -> str | None:
    return session.get(_SESSION_KEY, {}).get(str(consultation.id))


def _remember_token(consultation_id: int, token: str | None) -> None:
    """Tie (or untie) the session to a list; takes the id, read before a commit expires it."""
    tokens = dict(session.get(_SESSION_KEY, {}))
    if token:
        tokens[str(consultation_id)] = token
    else:
        tokens.pop(str(consultation_id), None)
    session[_SESSION_KEY] = tokens


def _current_list(consultation: Consultation, with_comments: bool = True):
    """The citizen's unsent list for this consultation, if any."""
    contribution = comment_service.find_contribution(consultation, _session_token(consultation), with_comments)
    return contribution if contribution is not None and contribution.status == "draft" else None


@bp.get("/du-thao/<slug>")
@page_cache.kept_page
def draft(slug: str):
    consultation = _consultation_or_404(slug)
    version = _version_or_404(consultation)
    tree = provision_tree.tree_of(version)
    contribution = _current_list(consultation)
    page_cache.note(consultation, personal=contribution is not None)
    return render_template(
        "public/draft.html", consultation=consultation, version=version,
        toc=drafts.table_of_contents(version, tree), tree=tree, children=tree.children,
        contribution=contribution, history=consultations.history(consultation),
    )


def _clause_choices(article: Node, children: Mapping) -> list[tuple[str, str]]:
    choices = []
    for clause in children.get(article.id, ()):
        label = _("Clause %(number)s", number=clause.number) if clause.kind == "clause" \
            else _("Point %(number)s", number=clause.number)
        choices.append((clause.anchor, label))
        for point in children.get(clause.id, ()):
            choices.append((point.anchor, _("Clause %(clause)s, point %(point)s",
                                            clause=clause.number, point=point.number)))
    return choices


@bp.route("/du-thao/<slug>/<anchor>", methods=["GET", "POST"])
@page_cache.kept_page
def article(slug: str, anchor: str):
    consultation = _consultation_or_404(slug)
    version = _version_or_404(consultation)
    tree = provision_tree.tree_of(version)
    article_node = tree.article(anchor) or abort(404)
    form = CommentForm()
    form.set_provision_choices(_clause_choices(article_node, tree.children))
    form.form_key.data = races.usable_form_key(form.form_key.data)
    if form.validate_on_submit():
        target = tree.by_anchor.get(form.provision.data) or article_node
        stored = _store_comment(consultation, target.id, form)
        if stored is not None:
            return stored
    elif request.method == "POST":
        flash(_("Your opinion was not sent yet: please look at the messages below."), "error")
    page = comment_service.published_comments_page(  # with opinions carried from earlier versions
        carry.with_earlier_versions(version, tree.subtree_ids(article_node)),
        request.args.get("trang", 1, type=int))
    contribution = _current_list(consultation)
    page_cache.note(consultation, personal=contribution is not None, form=form)
    return render_template(
        "public/article.html", consultation=consultation, version=version, article=article_node,
        children=tree.children, tree=tree, form=form, page=page, comments=page.comments,
        contribution=contribution,
    )


@bp.route("/du-thao/<slug>/gop-y-chung", methods=["GET", "POST"])
def general_comment(slug: str):
    consultation = _consultation_or_404(slug)
    _version_or_404(consultation)
    form = CommentForm()
    form.set_provision_choices([])
    form.form_key.data = races.usable_form_key(form.form_key.data)
    stored = _store_comment(consultation, None, form) if form.validate_on_submit() else None
    if stored is not None:
        return stored
    if request.method == "POST" and form.errors:
        flash(_("Your opinion was not sent yet: please look at the messages below."), "error")
    return render_template(
        "public/general_comment.html", consultation=consultation, form=form,
        comments=comment_service.published_general_comments(consultation),
        contribution=_current_list(consultation),
    )


def _late_ok(consultation: Consultation, form) -> bool:
    """Whether the form, shown before the closing time, is still taken (marked late)."""
    return consultations.accepts_late(consultation, antibot.started_at(form.form_started.data))


def _store_comment(consultation: Consultation, provision_id: int | None, form: CommentForm):
    """Add the form's opinion to the citizen's list; the redirect to answer with, or None
    (with a message) when the consultation is closed.

    The list is read and the opinion written as plain rows (``comments.add_to_list``)."""
    try:
        added = comment_service.add_to_list(
            consultation, _session_token(consultation), provision_id, form.body.data, form.form_key.data,
            late_ok=_late_ok(consultation, form), first_write=True)
    except comment_service.CitizensNotAsked:
        db.session.rollback()
        flash(_("This consultation asks only the bodies on its roster: the public cannot send opinions "
                "here. Your text is kept below so that you can copy it."), "error")
        return None
    except comment_service.ConsultationClosed:
        db.session.rollback()
        flash(_("This consultation is closed: opinions can no longer be sent. "
                "Your text is kept below so that you can copy it."), "error")
        return None
    contribution = added.list
    consultation_id, list_url = consultation.id, url_for("public.my_list", slug=consultation.slug)
    db.session.commit()
    if contribution.status != "draft":
        flash(_("These opinions were already sent; here is your receipt."), "info")
        return redirect(url_for("public.receipt", code=contribution.receipt_code))
    _remember_token(consultation_id, contribution.token)
    if added.created and added.late:
        flash(_("The consultation closed while you were writing: your opinion was kept, marked as "
                "received late. Send your list now."), "info")
    elif added.created:
        flash(_("Your opinion was added to your list. Add more, or send the list."), "success")
    else:
        flash(_("This opinion was already in your list; it was not added twice."), "info")
    return redirect(list_url)


@bp.route("/du-thao/<slug>/gop-y-cua-ban", methods=["GET", "POST"])
def my_list(slug: str):
    consultation = _consultation_or_404(slug)
    form = ProfileForm(province_map=consultation.province_map)
    if request.method == "POST":
        response = _send_list(consultation, form)
        if response is not None:
            return response
        token = form.token.data or _session_token(consultation)
    else:
        token = _session_token(consultation)
    contribution = comment_service.find_contribution(consultation, token)
    if contribution is not None and contribution.status == "submitted":
        contribution = None
    if contribution is not None:
        form.token.data = contribution.token
    return render_template("public/my_list.html", consultation=consultation,
                           contribution=contribution, form=form)


def _send_list(consultation, form: ProfileForm):
    """Send the list: the redirect to answer with, or None (with a message) to show the list
    page again. The list is read and sent as plain rows (``comments.send_row``,
    ``comments.send_list``); the page shown again reads it whole."""
    row = comment_service.send_row(consultation.id, form.token.data or _session_token(consultation))
    if row is not None and row.status == "submitted":
        flash(_("These opinions were already sent; here is your receipt."), "info")
        return redirect(url_for("public.receipt", code=row.receipt_code))
    if row is None:
        flash(_("Your list is empty: add an opinion on an article first."), "error")
        return None
    form.token.data = row.token
    if not form.validate_on_submit():
        flash(_("Your opinions were not sent yet: please look at the messages below."), "error")
        return None
    try:
        code = comment_service.send_list(
            consultation, row, respondent_type=form.respondent_type.data,
            province_code=form.province.data, name=form.name.data or "",
            contact=form.contact.data or "", late_ok=consultations.accepts_late_list(
                consultation, row, antibot.started_at(form.form_started.data)))
    except comment_service.ListSent as already:
        db.session.rollback()
        flash(_("These opinions were already sent; here is your receipt."), "info")
        return redirect(url_for("public.receipt", code=already.receipt_code))
    except comment_service.ConsultationClosed:
        db.session.rollback()
        flash(_("This consultation is closed: opinions can no longer be sent. Your opinions are "
                "kept below so that you can copy them."), "error")
        return None
    except comment_service.NothingToSend:
        flash(_("Your list is empty: add an opinion on an article first."), "error")
        return None
    consultation_id = consultation.id  # read before the commit expires them
    receipt_url = url_for("public.receipt", code=code)
    db.session.commit()
    _remember_token(consultation_id, None)
    flash(_("Thank you. Your opinions were sent and will be published after moderation."), "success")
    return redirect(receipt_url)


@bp.post("/du-thao/<slug>/gop-y-cua-ban/xoa/<int:comment_id>")
def remove_from_list(slug: str, comment_id: int):
    consultation = _consultation_or_404(slug)
    contribution = _current_list(consultation)
    if contribution is not None and comment_service.remove_comment(contribution, comment_id):
        db.session.commit()
        flash(_("The opinion was removed from your list."), "success")
    return redirect(url_for("public.my_list", slug=slug))


@bp.get("/bien-nhan")
def receipt_lookup():
    """Find a receipt by its code: a list of opinions (GY-) or a survey response (KS-)."""
    form = ReceiptLookupForm(request.args)
    if request.args and form.validate():
        contribution = comment_service.contribution_by_receipt(form.code.data)
        if contribution is not None:
            return redirect(url_for("public.receipt", code=contribution.receipt_code))
        response = _survey_response(form.code.data)
        if response is not None:
            return redirect(url_for("public.receipt", code=response.receipt_code))
        form.code.errors.append(_("Nothing was found with this receipt code: check it and try again."))
    return render_template("public/receipt_lookup.html", form=form)


def _survey_response(code: str):
    """The submitted survey response with this receipt code, if any. (Imported here: the
    surveys package imports this one's core while it loads.)"""
    from surveys.responses import response_by_receipt

    return response_by_receipt(code)


@bp.get("/bien-nhan/<code>")
def receipt(code: str):
    contribution = comment_service.contribution_by_receipt(code, with_comments=True)
    if contribution is None:
        return _survey_receipt(code)
    return render_template("public/receipt.html", contribution=contribution,
                           answers=answers.own_answers(contribution))


def _survey_receipt(code: str):
    """A survey response's receipt: which survey, when it was sent, and what became of its
    opinions on the draft; the answers themselves stay out (they are the survey's, not a
    receipt's), so a code passed on shows no more than the survey's own receipt page."""
    response = _survey_response(code) or abort(404)
    return render_template("public/survey_receipt.html", response=response, survey=response.survey,
                           own_answers=answers.own_survey_answers(response, str(get_locale())))


@bp.get("/bien-nhan/<code>/du-lieu.json")
def receipt_data(code: str):
    """The citizen's own data, as JSON, for the right of access."""
    contribution = comment_service.contribution_by_receipt(code) or abort(404)
    response = jsonify(comment_service.personal_data(contribution))
    response.headers["Content-Disposition"] = f'attachment; filename="gop-y-{contribution.receipt_code}.json"'
    return response


@bp.post("/bien-nhan/<code>/xoa-thong-tin")
def erase_personal_data(code: str):
    contribution = comment_service.contribution_by_receipt(code) or abort(404)
    if comment_service.erase_personal_data(contribution):
        db.session.commit()
        flash(_("Your name and contact details were erased. Your opinions remain, without them."), "success")
    else:
        flash(_("No name or contact details are stored for these opinions."), "info")
    return redirect(url_for("public.receipt", code=contribution.receipt_code))
