"""The contract: the project's OpenAPI file, read as a file, restricted to the real API (/api/).

The emulator's control plane (/_emulator/, /openapi.json) is in the same file but is not part of
the contract: a real server does not have it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import schemathesis
from schemathesis import APIOperation
from schemathesis.core.failures import FailureGroup

API_PREFIX = "/api/"

# Not "invalid" by this contract: unknown query parameters are ignored (a documented decision),
# and the suite always sends its own token, so generated security headers would only mislead.
GENERATION = schemathesis.Config.from_dict(
    {"generation": {"allow-extra-parameters": False, "with-security-parameters": False}}
)


@dataclass
class Contract:
    path: Path
    schema: schemathesis.BaseSchema
    check_error_bodies: bool = True

    @property
    def operations(self) -> list[APIOperation]:
        found = [result.ok() for result in self.schema.get_all_operations()]
        return sorted(found, key=lambda op: (op.path, op.method))

    def operation(self, operation_id: str) -> APIOperation:
        return self.schema.find_operation_by_id(operation_id)

    def find(self, method: str, url: str) -> APIOperation | None:
        path = urlsplit(url).path
        if not path.startswith(API_PREFIX):
            return None
        return self.schema.find_operation_by_path(method, path)

    @staticmethod
    def documented_statuses(operation: APIOperation) -> set[str]:
        return {str(code) for code in operation.definition.raw.get("responses", {})}

    def is_documented(self, operation: APIOperation, status: int) -> bool:
        codes = self.documented_statuses(operation)
        return str(status) in codes or f"{str(status)[0]}XX" in codes or "default" in codes

    @staticmethod
    def is_raw_bytes(operation: APIOperation, status: int) -> bool:
        """A documented `format: binary` body (a file's content) is bytes: no JSON to validate,
        even when the file happens to be JSON."""
        documented = operation.definition.raw.get("responses", {}).get(str(status), {})
        schemas = [media.get("schema", {}) for media in documented.get("content", {}).values()]
        return bool(schemas) and all(schema.get("format") == "binary" for schema in schemas)

    def violations(self, response: httpx.Response) -> list[str]:
        """What is wrong with this answer to a real-API request, by the contract (empty: nothing)."""
        request = response.request
        operation = self.find(request.method, str(request.url))
        if operation is None:
            return []
        label = f"{request.method} {operation.path} ({operation.definition.raw.get('operationId')})"
        if not self.is_documented(operation, response.status_code):
            documented = ", ".join(sorted(self.documented_statuses(operation)))
            return [f"{label}: status {response.status_code} is not documented (documented: {documented})"]
        if response.status_code >= 400 and not self.check_error_bodies:
            return []
        if self.is_raw_bytes(operation, response.status_code):
            return []
        try:
            operation.validate_response(response)
        except FailureGroup as group:
            details = "\n".join(str(failure) for failure in group.exceptions)
            return [f"{label}: the {response.status_code} response does not match the spec:\n{details}"]
        except AssertionError as exc:
            return [f"{label}: the {response.status_code} response does not match the spec:\n{exc}"]
        return []

    def assert_conforms(self, response: httpx.Response) -> httpx.Response:
        problems = self.violations(response)
        assert not problems, "\n".join(problems) + f"\nbody: {response.text[:2000]}"
        return response


def load(path: Path, check_error_bodies: bool = True) -> Contract:
    if not path.is_file():
        raise FileNotFoundError(f"contract spec {path} not found (PARAGON_CONTRACT_SPEC)")
    schema = schemathesis.openapi.from_path(path, config=GENERATION).include(path_regex=f"^{API_PREFIX}")
    return Contract(path, schema, check_error_bodies)
