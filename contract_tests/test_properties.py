"""Property-based checks of every /api/ operation of the contract, with schemathesis.

For each operation, generated requests (valid ones, then invalid ones) get answers that are not
5xx, carry a documented status code and content type, and match the documented body schema;
invalid requests are refused with a 4xx. These checks create and delete syncs on the account
under test; the session deletes every sync it created.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import GenerationMode

from .harness import config as contract_config
from .harness import properties, spec
from .harness.syncs import is_folder

OPERATIONS = spec.load(contract_config.load().spec_path).operations
IDS = [properties.operation_id(operation) for operation in OPERATIONS]
# Operations whose request has something to get wrong (properties.can_be_invalid); the others have
# nothing to send invalid, so they get no invalid-request check rather than one that always skips.
INVALIDATABLE = [properties.operation_id(operation) for operation in OPERATIONS if properties.can_be_invalid(operation)]


@pytest.fixture(scope="module")
def targets(server, api, idle_sync, config) -> properties.Targets:
    records = api.page(idle_sync["id"], 100)["data"]
    file = next((r["id"] for r in records if not is_folder(r)), None)
    folder = next((r["id"] for r in records if is_folder(r)), None)
    readers = api.permissions(idle_sync["id"], "list-users", {"object": file, "role": "can_read"}) if file else None
    users = readers.json()["users"][:2] if readers is not None and readers.status_code == 200 else []
    own = {op: api.enable(config.integration, config.pipeline, server.name(f"props-{op}"))["id"]
           for op in properties.MUTATING}
    api.disable(own["reenableSync"])  # so that re-enabling can succeed once
    return properties.Targets(
        read_sync=idle_sync["id"], own_syncs=own, records=tuple(r for r in (file, folder) if r),
        users=(*users, f"nobody-{server.run_id}@example.invalid"),
        integration=config.integration, pipeline=config.pipeline, name_prefix=server.name("generated-"),
    )


def _run(operation_id: str, mode: GenerationMode, server, api, contract, config, targets, examples: int) -> None:
    operation = contract.operation(operation_id)
    headers = {"Authorization": f"Bearer {server.token}"}
    checks = properties.checks(contract, mode)

    @settings(
        max_examples=examples, deadline=None, database=None, derandomize=not config.randomize,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=properties.strategy(operation, targets, mode))
    def check(case):
        if mode is GenerationMode.NEGATIVE:
            assume(properties.invalid_by_contract(case))
        response = case.call(base_url=server.base_url, headers=headers, timeout=60)
        if operation_id == "enableSync" and response.status_code == 200:
            api.created.add(response.json()["id"])
        case.validate_response(response, checks=checks, headers=headers)

    check()


@pytest.mark.parametrize("operation_id", IDS)
def test_valid_requests_get_documented_answers(operation_id, server, api, contract, config, targets):
    _run(operation_id, GenerationMode.POSITIVE, server, api, contract, config, targets, config.max_examples)


@pytest.mark.parametrize("operation_id", INVALIDATABLE)
def test_invalid_requests_are_refused_with_documented_answers(operation_id, server, api, contract, config, targets):
    examples = max(1, config.max_examples // 2)
    _run(operation_id, GenerationMode.NEGATIVE, server, api, contract, config, targets, examples)
