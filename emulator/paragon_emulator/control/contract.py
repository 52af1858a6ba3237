"""The contract report: the last requests to /api/ with their violations, by operation, field and
rule, with which documented operations the client used and which it never did."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .base import Core, operation


@dataclass
class Call:
    operation: str
    method: str
    path: str
    status: int
    violations: list[dict[str, str]] = field(default_factory=list)


class ContractRecorder:
    def __init__(self, operations: dict[str, str], capacity: int):
        self.operations = operations  # operationId -> "METHOD /path" of every documented API operation
        self.calls: deque[Call] = deque(maxlen=capacity)

    def record(self, call: Call) -> None:
        self.calls.append(call)

    def report(self) -> dict[str, Any]:
        grouped: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        used: set[str] = set()
        for call in self.calls:
            used.add(call.operation)
            for v in call.violations:
                key = (call.operation, v["location"], v["path"], v["rule"])
                entry = grouped.get(key)
                if entry is None:
                    grouped[key] = entry = {
                        "operation": call.operation,
                        "location": v["location"],
                        "field": v["path"],
                        "rule": v["rule"],
                        "count": 0,
                        "firstExample": {"method": call.method, "path": call.path, "message": v["message"]},
                    }
                entry["count"] += 1
        return {
            "requests": len(self.calls),
            "invalidRequests": sum(1 for c in self.calls if c.violations),
            "violations": list(grouped.values()),
            "coverage": {
                "used": sorted(used & set(self.operations)),
                "unused": sorted(set(self.operations) - used),
            },
        }

    def clear(self) -> None:
        self.calls.clear()


class ContractControl(Core):
    def record_call(self, call: Call) -> None:
        """Note a call to the API (bookkeeping of every request: no timers run first)."""
        self.locked(lambda: self.contract.record(call))

    @operation
    def contract_report(self) -> dict[str, Any]:
        return self.contract.report()

    @operation
    def clear_contract(self) -> dict[str, Any]:
        self.contract.clear()
        return self.contract.report()
