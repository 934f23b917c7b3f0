"""Góp ý dự thảo: the consultation platform's application package."""
from __future__ import annotations

from flask import Flask

from consult import config, errors, i18n, templating
from consult.extensions import init_extensions


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    config.configure(app, test_config)
    init_extensions(app)
    i18n.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from consult.views import admin, auth, public
    from surveys import blueprint as surveys_blueprint

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(surveys_blueprint)


def _register_cli(app: Flask) -> None:
    from consult import cli

    cli.init_app(app)
