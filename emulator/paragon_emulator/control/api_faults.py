"""API faults: make chosen operations answer 429 (with Retry-After), 500/502/503, or answer late,
for the next N calls or for a seeded fraction of calls."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from ..domain.errors import InvalidInput, NotFound

STATUSES = (429, 500, 502, 503)


@dataclass
class ApiFault:
    id: int
    operations: tuple[str, ...]  # operationIds, or ("*",)
    status: int | None  # None: only a delay
    delay_ms: int = 0
    remaining: int | None = None  # next N calls; None: until cleared
    fraction: float | None = None  # a seeded fraction of calls instead
    retry_after: int = 1
    hits: int = 0

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "operations": list(self.operations), "delayMs": self.delay_ms, "hits": self.hits}
        for key, value in (("status", self.status), ("remaining", self.remaining), ("fraction", self.fraction)):
            if value is not None:
                body[key] = value
        if self.status == 429:
            body["retryAfter"] = self.retry_after
        return body


class ApiFaults:
    def __init__(self, seed: int, latency_ms: int = 0):
        self.random = random.Random(seed)
        self.latency_ms = latency_ms
        self.rules: list[ApiFault] = []
        self.next_id = 1  # a plain number, so a snapshot can keep it

    def add(
        self,
        operations: list[str],
        known: set[str],
        status: int | None = None,
        delay_ms: int = 0,
        count: int | None = None,
        fraction: float | None = None,
        retry_after: int = 1,
    ) -> ApiFault:
        unknown = [op for op in operations if op != "*" and op not in known]
        if unknown:
            raise InvalidInput("operations", f"unknown operation {unknown[0]}; use operationIds of the Paragon or the Nango spec, or '*'")
        if status is None and not delay_ms:
            raise InvalidInput("status", "a fault needs a status, a delayMs, or both")
        if count is not None and fraction is not None:
            raise InvalidInput("fraction", "give count or fraction, not both")
        rule = ApiFault(self.next_id, tuple(operations) or ("*",), status, delay_ms, count, fraction, retry_after)
        self.next_id += 1
        self.rules.append(rule)
        return rule

    def decide(self, operation_id: str) -> ApiFault | None:
        """The fault this call meets, if any; counts and the seeded draw are consumed here."""
        for rule in self.rules:
            if "*" not in rule.operations and operation_id not in rule.operations:
                continue
            if rule.fraction is not None and self.random.random() >= rule.fraction:
                continue
            rule.hits += 1
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.rules.remove(rule)
            return rule
        return None

    def clear(self, fault_id: int | None = None) -> int:
        if fault_id is None:
            removed, self.rules = len(self.rules), []
            return removed
        if not any(r.id == fault_id for r in self.rules):
            raise NotFound("faultId", f"no API fault {fault_id}")
        self.rules = [r for r in self.rules if r.id != fault_id]
        return 1
