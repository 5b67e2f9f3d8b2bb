"""schemathesis against the service's own OpenAPI spec: generated requests to every operation
get no 5xx, and the answers match what the spec documents; generated credentials (the
documented Authorization header) never give a 5xx either."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error, positive_data_acceptance
from schemathesis.schemas import APIOperation

from argus.api.schemas import check_log_format
from tests.api.conftest import AUTH

pytestmark = pytest.mark.integration


def _operations(base_url: str) -> list[APIOperation]:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", headers=AUTH)
    return [result.ok() for result in schema.get_all_operations()]


def _log_format_compiles(body: object) -> bool:
    """True unless ``body`` carries a log_format the parser cannot use. Whether a pattern
    compiles is beyond JSON Schema: the spec states it in words, the server answers 422."""
    spec = body.get("log_format") if isinstance(body, dict) else None
    if not isinstance(spec, str) or not spec:
        return True
    try:
        check_log_format(spec)
    except ValueError:
        return False
    return True


#: Seconds a request may take: the first knowledge request loads the embedding model.
TIMEOUT_S = 120
#: Operations whose generated (schema-valid) requests must sometimes succeed: a spec that
#: refused everything would pass "no 5xx" without ever reaching the code behind it.
MUST_SUCCEED = {
    "GET /api/v1/batches",
    "POST /api/v1/batches",
    "POST /api/v1/knowledge",
    "GET /api/v1/knowledge/search",
    "GET /api/v1/descriptions",
    "GET /api/v1/eval-runs",
}
#: Every operation of the knowledge, description and eval-run routes and the batch list is in
#: the spec schemathesis runs.
NEW_OPERATIONS = {
    "GET /api/v1/batches",
    "POST /api/v1/knowledge",
    "GET /api/v1/knowledge/search",
    "GET /api/v1/knowledge/{kb_id}",
    "PUT /api/v1/knowledge/{kb_id}",
    "DELETE /api/v1/knowledge/{kb_id}",
    "GET /api/v1/descriptions",
    "GET /api/v1/descriptions/{description_id}",
    "POST /api/v1/descriptions/draft",
    "POST /api/v1/descriptions/{description_id}/draft",
    "POST /api/v1/descriptions/{description_id}/approve",
    "POST /api/v1/descriptions/{description_id}/reject",
    "PUT /api/v1/descriptions/{description_id}",
    "POST /api/v1/descriptions/approve",
    "POST /api/v1/descriptions/reject",
    "GET /api/v1/eval-runs",
    "GET /api/v1/eval-runs/{eval_run_id}",
    "GET /api/v1/eval-runs/compare",
}


def test_no_operation_answers_5xx_or_off_spec(base_url: str) -> None:
    operations = _operations(base_url)
    assert {operation.label for operation in operations} >= NEW_OPERATIONS
    succeeded: set[str] = set()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Case) -> None:
            refusable = [] if _log_format_compiles(case.body) else [positive_data_acceptance]
            answer = case.call_and_validate(
                base_url=base_url, headers=AUTH, excluded_checks=refusable, timeout=TIMEOUT_S
            )
            if answer.status_code < 300:
                succeeded.add(case.operation.label)

        check()
    assert succeeded >= MUST_SUCCEED


def test_generated_credentials_never_answer_5xx(base_url: str) -> None:
    operations = _operations(base_url)
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Case) -> None:
            case.call_and_validate(
                base_url=base_url, checks=[not_a_server_error], timeout=TIMEOUT_S
            )

        check()
