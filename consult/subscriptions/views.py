"""Pages of the subscriptions: subscribe, confirm, unsubscribe. No login anywhere."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select

from consult.extensions import csrf, db
from consult.models import Organisation
from consult.subscriptions import bp, services
from consult.subscriptions.forms import SubscribeForm


class ButtonForm(FlaskForm):
    """Only the CSRF token: a page whose one button does the thing its link promised."""


@bp.route("/nhan-tin", methods=["GET", "POST"])
def subscribe():
    form = SubscribeForm()
    form.set_agencies(services.agency_choices())
    if request.method == "GET" and not form.agency.data:
        wanted = str(request.args.get("co-quan", ""))[:32]
        form.agency.data = wanted if wanted in {value for value, _label in form.agency.choices} else ""
    if form.validate_on_submit():
        agency = db.session.scalar(select(Organisation).where(Organisation.code == form.agency.data)) \
            if form.agency.data else None
        services.request_subscription(form.email.data, agency)
        return redirect(url_for("subscriptions.sent"))
    status = 400 if request.method == "POST" else 200
    return render_template("subscriptions/subscribe.html", form=form), status


@bp.get("/nhan-tin/da-gui")
def sent():
    return render_template("subscriptions/sent.html")


@bp.route("/nhan-tin/xac-nhan/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET shows a button, POST confirms: a mail scanner opening the link confirms nothing."""
    form = ButtonForm()
    if request.method == "POST" and form.validate():
        outcome = services.confirm(token[:200])
        if outcome == "confirmed":
            return render_template("subscriptions/confirmed.html")
        return _bad_link(outcome)
    return render_template("subscriptions/confirm.html", form=form)


def _bad_link(outcome: str):
    status = 410 if outcome == "expired" else 404
    return render_template("subscriptions/bad_link.html", expired=outcome == "expired"), status


@bp.route("/nhan-tin/huy/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail programs' one-click unsubscribe (RFC 8058) posts without a form; the token decides
def unsubscribe(token: str):
    if request.method == "POST":
        services.unsubscribe(token[:500])  # the same answer whether or not it was still subscribed
        return render_template("subscriptions/unsubscribed.html")
    if services.subscription_of(token[:500]) is None:
        return render_template("subscriptions/unsubscribed.html")
    return render_template("subscriptions/unsubscribe.html")
