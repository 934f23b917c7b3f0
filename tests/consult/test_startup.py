"""A web worker starts without the heavy libraries: pages and jobs import them on first use.

(Timing and memory are measured by ``bench/startup``; this checks the behaviour behind them.)
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Libraries of hundreds of milliseconds and tens of megabytes each.
HEAVY_MODULES = ["pandas", "numpy", "sklearn", "scipy", "nltk", "underthesea", "datasketch", "openpyxl",
                 "xlsxwriter", "pyxform", "docx", "lxml"]


#: Needed by the ``flask db`` commands, ``flask start`` and the migrations only.
MIGRATION_MODULES = ["alembic", "flask_migrate"]


def modules_after(code: str, tmp_path, names: list[str] = HEAVY_MODULES) -> list[str]:
    """The modules of ``names`` in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {names!r} if m in sys.modules]))"
    env = {**os.environ, "GOPY_SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path}/startup.sqlite3"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_app_loads_no_heavy_library(tmp_path):
    assert modules_after("import wsgi", tmp_path) == []


def test_a_heavy_library_loads_when_its_work_is_asked_for(tmp_path):
    """The lazy imports still reach the libraries: a tally builds a pandas frame."""
    code = ("import wsgi\nfrom analysis.tallies.summaries import QuestionSummary\n"
            "QuestionSummary(question=None, respondents=0, answered=0, skipped=0, not_shown=0)")
    assert "pandas" in modules_after(code, tmp_path)


def test_importing_the_app_loads_no_migration_tool(tmp_path):
    assert modules_after("import wsgi", tmp_path, MIGRATION_MODULES) == []


def test_the_migration_tool_loads_when_asked_for(tmp_path):
    """``app.extensions["migrate"]`` binds Flask-Migrate on first use: Alembic's upgrade runs."""
    code = ("import wsgi\nfrom flask_migrate import upgrade\nwith wsgi.app.app_context():\n    upgrade()\n"
            "from consult.extensions import db\nfrom sqlalchemy import text\nwith wsgi.app.app_context():\n"
            "    assert db.session.scalar(text('SELECT version_num FROM alembic_version'))")
    assert modules_after(code, tmp_path, MIGRATION_MODULES) == MIGRATION_MODULES


def test_the_db_commands_are_flask_migrates(app):
    """``flask db`` stands for Flask-Migrate's group until used, then is that group."""
    result = app.test_cli_runner().invoke(args=["db", "--help"])
    assert result.exit_code == 0, result.output
    assert "upgrade" in result.output and "downgrade" in result.output
    heads = app.test_cli_runner().invoke(args=["db", "heads"])  # Alembic prints to its own stdout
    assert heads.exit_code == 0, heads.output
    from flask_migrate import _MigrateConfig

    assert isinstance(app.extensions["migrate"], _MigrateConfig)
    assert app.extensions["migrate"].directory.endswith("migrations")


def test_the_gunicorn_master_warms_up_before_forking(tmp_path):
    """gunicorn.conf.py's ``on_starting`` configures the mappers and compiles the layout in the
    master (once, not in each worker), then freezes the heap and turns the collector back on."""
    code = """
import gc, runpy, types
conf = runpy.run_path("gunicorn.conf.py")
assert not gc.isenabled()
import wsgi
from consult.models import Consultation
assert not Consultation.__mapper__.configured
server = types.SimpleNamespace(app=types.SimpleNamespace(wsgi=lambda: wsgi.app),
                               cfg=types.SimpleNamespace(preload_app=True))
conf["on_starting"](server)
assert Consultation.__mapper__.configured
assert any(key[1] == "base.html" for key in wsgi.app.jinja_env.cache.keys())
assert gc.isenabled() and gc.get_freeze_count() > 0
"""
    assert modules_after(code, tmp_path) == []
