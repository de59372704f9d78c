"""Schemathesis drives every operation of the OpenAPI document against the app: no 500, every response in its schema.

The operations are walked by hand with Hypothesis (schemathesis' pytest plugin does not load under pytest 9).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import make_article, make_user
from workbench.models import Role
from workbench.services.tokens import create_token


@pytest.fixture
def editor_token(db) -> str:
    """An admin (every role rule passes, webhooks included) with a write token and one ingested article."""
    editor = make_user(db, Role.admin)
    make_article(db, actor=editor)
    return create_token(session=db, user=editor, name="contract", scope="write", actor=editor)[1]


def test_every_operation_answers_within_its_contract(app, editor_token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    # The in-process (WSGI) transport hands schemathesis the raw body, so ask for it uncompressed: the contract is
    # about the JSON, and compression has its own tests (tests/test_compression.py).
    headers = {"Authorization": f"Bearer {editor_token}", "Accept-Encoding": "identity"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        check()
