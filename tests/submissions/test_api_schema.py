"""Schemathesis against /api/openapi.json on the app in process: no server error, and every
response conforms to the document (status code, content type, headers, body schema).

The operations are listed from the document itself at collection time, and each one runs as its
own test on a fresh database with Hypothesis (positive and negative data, a bounded number of
examples). Schemathesis's own pytest loader (``schemathesis.pytest.from_fixture``) does not run
under pytest 9, so the strategies are driven with ``hypothesis.given`` directly.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from consult.api.openapi import openapi_document
from consult.extensions import db
from consult.models import Comment, Contribution
from consult.submissions import services
from tests.factories import make_consultation
from tests.submissions.helpers import make_token, on_roster

SLUG = "luat-hop-tac-xa-sua-doi"  # the document's example slug
OPERATIONS = [(path, method) for path, item in openapi_document()["paths"].items() for method in item]


def _can_be_invalid(spec: dict) -> bool:
    """Negative data needs something to break: a parameter or a request body."""
    return bool(spec.get("parameters")) or "requestBody" in spec


#: Each operation with valid data, and with invalid data where the request has any input.
CASES = [
    (path, method, mode)
    for path, method in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode == GenerationMode.POSITIVE or _can_be_invalid(openapi_document()["paths"][path][method])
]
MAX_EXAMPLES = 12


@schemathesis.serializer("application/pdf")
def _raw_bytes(_context, value):
    """The attachment endpoint takes the PDF as the raw body."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


@pytest.fixture()
def seeded(app):
    """A consultation with published comments, a body on its roster with a token and a draft."""
    consultation = make_consultation(slug=SLUG)
    (organisation,) = on_roster(consultation, "BTC")
    version = services.current_version(consultation)
    for index, provision in enumerate(version.provisions[:4]):
        contribution = Contribution(consultation=consultation, token=f"tok-{index}", status="submitted",
                                    respondent_type="citizen", province_code="01")
        db.session.add(Comment(contribution=contribution, consultation=consultation, provision=provision,
                               body=f"Góp ý {index}", body_normalized=f"góp ý {index}",
                               form_key=f"key-{index}", status="published"))
    draft, _ = services.start_draft(consultation, organisation, None)
    db.session.commit()
    return {"token": make_token(organisation), "submission_id": draft.id}


@pytest.mark.parametrize(("path", "method", "mode"), CASES,
                         ids=[f"{m.upper()} {p} {mode}" for p, m, mode in CASES])
def test_api_conforms_to_its_document(app, seeded, path, method, mode):
    spec = openapi_document()["paths"][path][method]
    operation = schemathesis.openapi.from_wsgi("/api/openapi.json", app)[path][method]
    known = {"slug": SLUG, "submission_id": seeded["submission_id"]}
    fixed = {name: value for name, value in known.items() if "{" + name + "}" in path}
    strategy = operation.as_strategy(generation_mode=mode)
    if fixed:
        strategy = st.one_of(strategy, operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    headers = {"Authorization": f"Bearer {seeded['token']}"}
    # A schema-valid new submission may still name an article the draft does not have, or a date
    # in the future, and schema-valid bytes are rarely a readable PDF: the document cannot say
    # which articles exist or what a PDF is, so a 422 is the right answer there.
    semantic = {"createSubmission", "putAttachment"}
    excluded = [positive_data_acceptance] if spec["operationId"] in semantic else []

    @given(case=strategy)
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    check()
