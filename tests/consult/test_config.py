"""Settings read from the environment."""
from __future__ import annotations

import pytest

from consult.config import _export_settings


def test_export_settings_come_from_the_environment_when_set(monkeypatch, tmp_path):
    for name in ("EXPORT_DIR", "EXPORT_KEEP", "EXPORT_INPROCESS_LIMIT"):
        monkeypatch.delenv(name, raising=False)
    assert _export_settings() == {}
    monkeypatch.setenv("EXPORT_DIR", str(tmp_path))
    monkeypatch.setenv("EXPORT_KEEP", "3")
    monkeypatch.setenv("EXPORT_INPROCESS_LIMIT", "100")
    assert _export_settings() == {"EXPORT_DIR": str(tmp_path), "EXPORT_KEEP": 3, "EXPORT_INPROCESS_LIMIT": 100}


def test_a_number_that_does_not_parse_stops_the_start(monkeypatch):
    monkeypatch.setenv("EXPORT_KEEP", "năm")
    with pytest.raises(RuntimeError, match="EXPORT_KEEP"):
        _export_settings()
