"""Login and logout for the drafting team and organisation officers."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from consult.auth import authenticate
from consult.forms import LoginForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("admin.index")


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(_("You are logged in."), "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("The e-mail or password is not right."))
    return render_template("auth/login.html", form=form)


@bp.post("/dang-xuat")
def logout():
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("public.home"))
