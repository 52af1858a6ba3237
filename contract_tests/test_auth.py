"""Auth is enforced everywhere: every operation of the contract declares bearer auth, and refuses
an otherwise valid request (aimed at a real sync and record) that carries no valid Paragon User
Token with a 401 and the documented body."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from .harness import config as contract_config
from .harness import forged, properties, spec

CONTRACT = spec.load(contract_config.load().spec_path)
SECURED = [
    properties.operation_id(op) for op in CONTRACT.operations
    if op.definition.raw.get("security", CONTRACT.schema.raw_schema.get("security", [])) != []
]
REFUSALS = list(forged.refused_headers("a.b.c"))


def test_every_operation_of_the_contract_declares_auth():
    everything = [properties.operation_id(op) for op in CONTRACT.operations]
    assert SECURED == everything


@pytest.fixture(scope="module")
def valid_requests(idle_sync, api, contract):
    """The simplest valid request of each operation, aimed at a real sync and record."""
    record = api.page(idle_sync["id"], 1)["data"]
    ids = {"syncId": idle_sync["id"], "recordId": record[0]["id"] if record else "none"}
    return {properties.operation_id(op): _one_valid_case(op, ids) for op in contract.operations}


def _one_valid_case(operation, ids: dict):
    names = properties.path_names(operation)
    strategy = operation.as_strategy(path_parameters={k: v for k, v in ids.items() if k in names})
    found = []

    @settings(max_examples=1, phases=[Phase.generate], database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def keep(case):
        found.append(case)

    keep()
    return found[0]


@pytest.mark.parametrize("refusal", REFUSALS)
@pytest.mark.parametrize("operation_id", SECURED)
def test_a_request_without_a_valid_token_gets_401(operation_id, refusal, valid_requests, server, contract):
    case = valid_requests[operation_id]
    headers = {"Authorization": None, **forged.refused_headers(server.token)[refusal]}  # None: send none
    response = case.call(base_url=server.base_url, headers=headers, timeout=60)
    sent = response.request.headers.get("Authorization")
    assert sent == headers["Authorization"], f"meant to send {headers['Authorization']!r}, sent {sent!r}"
    assert response.status_code == 401, f"{operation_id} with {refusal}: {response.status_code} {response.text[:500]}"
    case.validate_response(response, checks=properties.checks(contract), headers=headers)
