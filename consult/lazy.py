"""Heavy libraries imported on first use, so a web worker starts small and fast.

pandas, numpy, xlsxwriter and the like cost tens of megabytes and most of a second each;
a page that shows a draft needs none of them. ``pd = lazy_module("pandas")`` reads like
``import pandas as pd`` but imports pandas only when an attribute is first asked for
(``pd.DataFrame``), then behaves as the module. Until then ``pandas`` is not in
``sys.modules`` (tests/consult/test_startup.py checks that for the whole app).
"""
from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    """Stands in for a module until one of its attributes is used."""

    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def _load(self) -> ModuleType:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return self._module

    def __getattr__(self, attribute: str):
        return getattr(self._load(), attribute)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded yet"
        return f"<lazy module {self._name!r} ({state})>"


def lazy_module(name: str) -> LazyModule:
    """``name`` (a dotted module path) to be imported when first used."""
    return LazyModule(name)
