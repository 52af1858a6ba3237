"""Sync faults a test injects: what the next run of a sync meets upstream.

A fault is one-shot (the next run meets it once) or lasts until cleared. The engine consults
the book when a run starts; the work consults it for each record it stores.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput, NotFound

CREDENTIAL_REVOKED = "credential_revoked"
ROOT_MISSING = "root_missing"
RATE_LIMITED = "rate_limited"
RECORD_ERROR = "record_error"
KINDS = (CREDENTIAL_REVOKED, ROOT_MISSING, RATE_LIMITED, RECORD_ERROR)
RUN_FAULTS = (CREDENTIAL_REVOKED, ROOT_MISSING, RATE_LIMITED)
ROOT_MISSING_CODE = 10007  # the documented code for a root folder/site/space that is gone


@dataclass
class SyncFault:
    id: int
    sync_id: str
    kind: str
    once: bool = True
    backoff_ms: int = 30_000
    record_id: str | None = None  # record_error: the record (id or externalId) that fails; any when None
    message: str | None = None
    hits: int = 0

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "syncId": self.sync_id, "kind": self.kind, "once": self.once, "hits": self.hits}
        if self.kind == RATE_LIMITED:
            body["backoffMs"] = self.backoff_ms
        if self.record_id:
            body["recordId"] = self.record_id
        if self.message:
            body["message"] = self.message
        return body


@dataclass
class FaultBook:
    faults: list[SyncFault] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def add(self, sync_id: str, kind: str, once: bool = True, **options: Any) -> SyncFault:
        if kind not in KINDS:
            raise InvalidInput("kind", f"unknown fault '{kind}'; one of {', '.join(KINDS)}")
        fault = SyncFault(next(self._ids), sync_id, kind, once, **{k: v for k, v in options.items() if v is not None})
        self.faults.append(fault)
        return fault

    def take(self, sync_id: str, kinds: tuple[str, ...], record: tuple[str, str] | None = None) -> SyncFault | None:
        """The first matching fault; a one-shot fault is used up by this."""
        for fault in self.faults:
            if fault.sync_id != sync_id or fault.kind not in kinds:
                continue
            if record is not None and fault.record_id is not None and fault.record_id not in record:
                continue
            fault.hits += 1
            if fault.once:
                self.faults.remove(fault)
            return fault
        return None

    def clear(self, fault_id: int | None = None, sync_id: str | None = None) -> int:
        if fault_id is not None and not any(f.id == fault_id for f in self.faults):
            raise NotFound("faultId", f"no sync fault {fault_id}")
        before = len(self.faults)
        self.faults = [
            f for f in self.faults
            if not ((fault_id is None or f.id == fault_id) and (sync_id is None or f.sync_id == sync_id))
        ]
        return before - len(self.faults)
