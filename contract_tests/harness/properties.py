"""Generating requests for every operation of the contract, and the checks their answers must pass.

Schemathesis builds the requests from the spec; about half of them are pointed at real syncs and
records (the rest carry generated ids, which mostly meet 404), so the checks also see the
successful answers of every operation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import hypothesis.strategies as st
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from .spec import Contract

# Operations that change a sync get one each, so that they cannot disturb the sync the others
# read, nor each other (a deleted sync would leave only 404s to the rest).
MUTATING = ("updateSync", "disableSync", "reenableSync", "deleteSync")


@dataclass(frozen=True)
class Targets:
    """Real things the generated requests are pointed at."""

    read_sync: str
    own_syncs: dict[str, str]  # operationId -> its own sync (MUTATING)
    records: tuple[str, ...]  # a file and a folder of read_sync, when it has them
    users: tuple[str, ...]  # emails that can read the file, and one that cannot
    integration: str
    pipeline: str
    name_prefix: str  # configurationName of every sync the checks enable

    def sync_for(self, operation_id: str) -> str:
        return self.own_syncs.get(operation_id, self.read_sync)


def operation_id(operation: APIOperation) -> str:
    return operation.definition.raw["operationId"]


def path_names(operation: APIOperation) -> set[str]:
    return set(re.findall(r"{(\w+)}", operation.path))


def _real_subjects(item: dict, records: tuple[str, ...], users: tuple[str, ...], i: int) -> dict:
    item = dict(item)
    if isinstance(item.get("object"), str) and records:
        item["object"] = records[i % len(records)]
    if isinstance(item.get("user"), str) and users:
        item["user"] = users[i % len(users)]
    return item


def _with_real_subjects(targets: Targets):
    """Permissions questions about records that exist and people who exist (the server refuses
    users that are not emails), not only about generated ids."""

    def patch(case):
        body = case.body
        if not isinstance(body, dict):
            return case
        body = _real_subjects(body, targets.records, targets.users, 0)
        if isinstance(body.get("checks"), list):
            body["checks"] = [
                _real_subjects(check, targets.records, targets.users, i) if isinstance(check, dict) else check
                for i, check in enumerate(body["checks"])
            ]
        case.body = body
        return case

    return patch


def _enabling_known(targets: Targets):
    """Enable requests for the integration under test (generated ones name unknown integrations),
    under a name of this run, so that they create syncs the session can tell apart and delete."""

    def patch(case):
        if isinstance(case.body, dict):
            body = {k: v for k, v in case.body.items() if k != "configuration"}
            name = body.get("configurationName")
            body.update(
                integration=targets.integration, pipeline=targets.pipeline,
                configurationName=f"{targets.name_prefix}{name if isinstance(name, str) else ''}",
            )
            case.body = body
        return case

    return patch


def strategy(operation: APIOperation, targets: Targets, mode: GenerationMode = GenerationMode.POSITIVE):
    variants = [operation.as_strategy(generation_mode=mode)]
    if operation_id(operation) == "enableSync" and mode is GenerationMode.POSITIVE:
        variants.append(variants[0].map(_enabling_known(targets)))
    if operation_id(operation) == "streamListObjectsAllSyncs" and mode is GenerationMode.POSITIVE:
        variants.append(variants[0].map(_with_real_subjects(targets)))
    names = path_names(operation)
    if "syncId" in names:
        sync = targets.sync_for(operation_id(operation))
        fixed = [{"syncId": sync}]
        if "recordId" in names:
            fixed += [{"syncId": sync, "recordId": record} for record in targets.records]
        for path_parameters in fixed:
            real = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
            if mode is GenerationMode.POSITIVE:
                real = real.map(_with_real_subjects(targets))
            variants.append(real)
    return st.one_of(variants)


def can_be_invalid(operation: APIOperation) -> bool:
    """Whether the contract leaves anything of the operation's request that a client can get wrong:
    a body, or a query or header parameter that is more than any string. A path parameter cannot
    be (ids are opaque: any non-empty segment is a valid one, a 404 at most), nor a free-text query
    parameter such as `credentialId`, so operations with only those have no invalid requests and
    get no invalid-request check (it could only skip)."""
    if operation.body:
        return True
    for parameter in [*operation.query, *operation.headers]:
        schema = {k: v for k, v in parameter.definition.get("schema", {}).items() if k != "description"}
        if schema != {"type": "string"}:
            return True
    return False


def invalid_by_contract(case) -> bool:
    """Whether a generated invalid request is invalid by the contract too. An empty query value
    is read as absent (a documented decision: `?cursor=` is no cursor), so it is not."""
    return not any(value == "" for value in (case.query or {}).values())


def checks(contract: Contract, mode: GenerationMode = GenerationMode.POSITIVE) -> list:
    def no_server_error(ctx, response, case):
        # A 501 the spec documents is a gap the spec owns up to, not a crash.
        if response.status_code == 501 and contract.is_documented(case.operation, 501):
            return None
        return not_a_server_error(ctx, response, case)

    def response_conformance(ctx, response, case):
        if response.status_code >= 400 and not contract.check_error_bodies:
            return None
        if contract.is_raw_bytes(case.operation, response.status_code):
            return None
        return response_schema_conformance(ctx, response, case)

    found = [no_server_error, status_code_conformance, content_type_conformance, response_conformance]
    if mode is GenerationMode.NEGATIVE:
        found.append(negative_data_rejection)
    return found
