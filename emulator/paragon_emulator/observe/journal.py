"""The request journal (like WireMock's): the last requests to the real API, kept in their tenants'
containers, at most `capacity` in all, bodies cut to `BODY_LIMIT` characters.

A request that names no tenant (no valid token) is kept apart, in a book of its own.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..domain.clock import iso
from ..domain.tenants import Ledger, Tenants
from .event_log import _is, page

BODY_LIMIT = 2048


class Cut:
    """A body's first BODY_LIMIT bytes, kept as bytes (cheap on every request), made text when read."""

    __slots__ = ("head", "size")

    def __init__(self, body: bytes | None):
        self.head = body[:BODY_LIMIT] if body else b""
        self.size = len(body) if body else 0

    def text(self) -> str | None:
        if not self.size:
            return None
        text = self.head.decode("utf-8", "replace")  # a character cut in two shows as one replacement mark
        return text if self.size <= BODY_LIMIT else f"{text}... ({self.size - BODY_LIMIT} more bytes)"


def cut(body: bytes | None) -> Cut:
    return Cut(body)


@dataclass
class Entry:
    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    at: datetime  # emulated
    real_at: float  # Unix seconds
    operation: str
    tenant: tuple[str, str] | None
    request: Cut | None = None
    response: Cut | None = None
    violations: list[dict[str, str]] = field(default_factory=list)
    seq: int = 0

    def json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.seq, "method": self.method, "path": self.path, "status": self.status,
            "durationMs": self.duration_ms, "timestamp": iso(self.at),
            "receivedAt": iso(datetime.fromtimestamp(self.real_at, timezone.utc)),
            "operation": self.operation, "violations": self.violations,
        }
        if self.query:
            body["query"] = self.query
        if self.tenant is not None:
            body["projectId"], body["userId"] = self.tenant
        for key, value in (("requestBody", self.request_body), ("responseBody", self.response_body)):
            if value is not None:
                body[key] = value
        return body

    @property
    def request_body(self) -> str | None:
        return self.request.text() if self.request is not None else None

    @property
    def response_body(self) -> str | None:
        return self.response.text() if self.response is not None else None


class RequestJournal:
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
