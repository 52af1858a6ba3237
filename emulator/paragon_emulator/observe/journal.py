"""The request journal (like WireMock's): the last requests to the real API, kept in their tenants'
containers, at most `capacity` in all, bodies cut to `BODY_LIMIT` characters.

A request that names no tenant (no valid token) is kept apart, in a book of its own.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..domain.clock import iso
from ..domain.tenants import Ledger, Tenants
from .event_log import _is, page

BODY_LIMIT = 2048


def cut(body: bytes | str | None) -> str | None:
    if not body:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else body
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + f"... ({len(text) - BODY_LIMIT} more characters)"


@dataclass
class Entry:
    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    at: datetime  # emulated
    real_at: datetime
    operation: str
    tenant: tuple[str, str] | None
    request_body: str | None = None
    response_body: str | None = None
    violations: list[dict[str, str]] = field(default_factory=list)
    seq: int = 0

    def json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.seq, "method": self.method, "path": self.path, "status": self.status,
            "durationMs": self.duration_ms, "timestamp": iso(self.at), "receivedAt": iso(self.real_at),
            "operation": self.operation, "violations": self.violations,
        }
        if self.query:
            body["query"] = self.query
        if self.tenant is not None:
            body["projectId"], body["userId"] = self.tenant
        if self.request_body is not None:
            body["requestBody"] = self.request_body
        if self.response_body is not None:
            body["responseBody"] = self.response_body
        return body


class Journal:
    def __init__(self, tenants: Tenants, capacity: int):
        self.tenants = tenants
        self._kept = Ledger(capacity)
        self._anonymous: dict[int, Entry] = {}  # requests no token placed in a tenant
        self._count = 0

    def add(self, entry: Entry) -> None:
        self._count += 1
        entry.seq = self._count
        book = self.tenants.get(entry.tenant).requests if entry.tenant is not None else self._anonymous
        self._kept.add(book, entry.seq, entry)

    def entries(
        self, project_id: str | None, user_id: str | None, cursor: str | None, limit: int, status: int | None = None
    ) -> tuple[list[Entry], str | None]:
        books = [s.requests.values() for s in self.tenants if _is(project_id, s.key[0]) and _is(user_id, s.key[1])]
        if project_id is None and user_id is None:
            books.append(self._anonymous.values())
        newest_first = heapq.merge(*(reversed(list(b)) for b in books), key=lambda e: -e.seq)
        wanted = (e for e in newest_first if status is None or e.status == status)
        return page(wanted, cursor, limit, key=lambda e: e.seq)
