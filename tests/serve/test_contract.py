"""Property-based contract test: whatever a client sends, valid for the OpenAPI schema or
not, the server answers without a 5xx."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="the contract test needs "
                                   "schemathesis (pip install schemathesis)")
from hypothesis import HealthCheck, given, settings  # noqa: E402  (comes with schemathesis)
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

# schemathesis' lazy pytest loader (from_fixture) reads `Function._nodeid`, which pytest 9
# removed, so each operation's cases are drawn here with `as_strategy` against the live server
EXAMPLES = 12


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid", "invalid"])
def test_no_input_makes_the_server_fail(live_server, mode):
    url, token = live_server
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def no_server_error(case):
            response = case.call(base_url=url, headers={"Authorization": f"Bearer {token}"},
                                 timeout=10)
            assert response.status_code < 500, (case.method, case.path, case.path_parameters,
                                                case.body, response.text)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            no_server_error()
        except Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise
            # an operation without parameters or body (GET /healthz) has no invalid input
