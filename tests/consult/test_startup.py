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


def modules_after(code: str, tmp_path) -> list[str]:
    """The heavy modules in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))"
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
