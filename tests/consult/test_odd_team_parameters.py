"""Odd values in the address of every team page and on the public finding pages: ids beyond
what the database's integer holds, zero, and NUL/huge/odd query parameters never give a 500
(on both databases; PostgreSQL refuses a bigger integer than its column's)."""
from __future__ import annotations

import pytest
from flask import url_for

from consult import scoping
from tests.consult.agency_data import load_agencies, values_of
from tests.consult.test_role_routes import _client, _methods, _team_rules

HUGE = (2 ** 31, 2 ** 63, 10 ** 30)


@pytest.fixture()
def agencies(app):
    return load_agencies()


@pytest.mark.parametrize("role", ["admin", "drafter_a"])
def test_huge_ids_on_every_team_page(app, agencies, role):
    values = values_of(agencies.a)
    client = _client(app, role)
    failures = []
    for rule in _team_rules(app):
        integers = [name for name, converter in rule._converters.items()
                    if type(converter).__name__ == "IntegerConverter"]
        for name in integers:
            for big in HUGE:
                arguments = {a: values.get(a) for a in rule.arguments}
                if "invitation_id" in arguments and arguments["invitation_id"] is None:
                    arguments["invitation_id"] = 1
                arguments[name] = big
                if any(value is None for value in arguments.values()):
                    continue
                with app.test_request_context():
                    url = url_for(rule.endpoint, **arguments)
                for method in _methods(rule):
                    status = client.open(url, method=method).status_code
                    if status >= 500:
                        failures.append((method, url, status))
    assert failures == []


ODD = ["%00", "x" * 20000, "%2500", "%EF%BC%91%EF%BC%92", "-1", "9" * 400, "%3Cscript%3E", "%27+OR+1%3D1",
       "%ED%A0%80", "%FF%FE", "1e999", "NaN"]


def test_odd_query_parameters_on_the_public_finding_pages(client, agencies):
    names = ("q", "co-quan", "loai", "trang-thai", "nam", "trang", "agency", "kind", "state", "year", "page")
    failures = []
    for path in ("/tham-van", "/tham-van/atom.xml", "/nhan-tin", "/"):
        for name in names:
            for value in ODD:
                status = client.get(f"{path}?{name}={value}").status_code
                if status >= 500:
                    failures.append((path, name, value[:20], status))
    assert failures == []
