"""Góp ý dự thảo: the consultation platform's application package."""
from __future__ import annotations

from flask import Flask

from consult import (config, errors, i18n, logging_setup, ratelimit, scoping, security, serving,
                     templating)
from consult.extensions import init_extensions


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    errors.register_converters(app)
    config.configure(app, test_config)
    serving.init_app(app)
    security.init_app(app)
    logging_setup.init_app(app)
    init_extensions(app)
    i18n.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    _register_blueprints(app)
    scoping.init_app(app)
    _init_operations(app)
    ratelimit.init_app(app)
    _register_cli(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from analysis import dashboard_views, text_views
    from consult import api, submissions
    from consult import subscriptions
    from consult.views import (admin, answers, auth, consultations, decisions, finding, public,
                               reminders, teams, versions)
    from surveys import blueprint as surveys_blueprint

    for blueprint in (public.bp, auth.bp, admin.bp, submissions.bp, api.bp, surveys_blueprint,
                      dashboard_views.bp, text_views.bp, decisions.bp, versions.bp, answers.bp,
                      teams.bp, finding.bp, subscriptions.bp, consultations.bp, reminders.bp):
        app.register_blueprint(blueprint)
    from consult import dossier

    app.register_blueprint(dossier.bp)


def _init_operations(app: Flask) -> None:
    """Health checks, metrics, and the privacy hooks of surveys and analysis."""
    from analysis import erasure  # noqa: F401  (connects to consult.privacy's signal)
    from consult import health, metrics
    from surveys import privacy as survey_privacy

    app.register_blueprint(health.bp)
    metrics.init_app(app)
    survey_privacy.register()


def _register_cli(app: Flask) -> None:
    from consult import cli

    cli.init_app(app)
