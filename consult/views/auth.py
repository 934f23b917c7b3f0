"""Login and logout for the drafting team and organisation officers."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from consult.auth import AccountDeactivated, AccountLocked, check_credentials, end_session
from consult.forms import LoginForm
from consult.ratelimit import clock_time

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None, user) -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for(home_endpoint(user))


def home_endpoint(user) -> str:
    """Where a user starts: officers at their organisation's page, the team at its desk."""
    return "submissions.home" if user.role == "officer" else "admin.index"


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = check_credentials(form.email.data, form.password.data)
        except AccountLocked as locked:
            form.password.errors.append(_locked_message(locked.retry_in))
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(locked.retry_in)}
        except AccountDeactivated:
            form.password.errors.append(_("This account has been deactivated. Ask the drafting "
                                          "team if you need access again."))
            return render_template("auth/login.html", form=form), 403
        if user is not None:
            login_user(user)
            flash(_("You are logged in."), "success")
            return redirect(_safe_next(request.args.get("next"), user))
        form.password.errors.append(_("The e-mail or password is not right."))
    return render_template("auth/login.html", form=form)


def _locked_message(seconds: int) -> str:
    return _("Too many wrong passwords for this account. For its safety, logging in is paused: "
             "try again after %(time)s (in about %(minutes)s minutes), even with the right password.",
             time=clock_time(seconds), minutes=max(1, -(-seconds // 60)))


@bp.post("/dang-xuat")
def logout():
    if current_user.is_authenticated:
        end_session(current_user)
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("public.home"))
