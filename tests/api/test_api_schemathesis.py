"""schemathesis against the service's own OpenAPI spec: generated requests to every operation
get no 5xx, and the answers match what the spec documents."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case

from tests.api.conftest import AUTH

pytestmark = pytest.mark.integration


def test_no_operation_answers_5xx_or_off_spec(base_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Case) -> None:
            case.call_and_validate(base_url=base_url, headers=AUTH)

        check()
