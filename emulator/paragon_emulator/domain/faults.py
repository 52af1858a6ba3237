"""Sync faults a test injects: what the next run of a sync meets upstream.

A fault is one-shot (the next run meets it once) or lasts until cleared. Each kind is a small
class that says what it does: a run fault is met when a run starts (it backs off, or errors the
sync); a record fault when a run stores a record. A kind that is not listed here does not exist.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterator

from .errors import InvalidInput, NotFound

ROOT_MISSING_CODE = 10007  # the documented code for a root folder/site/space that is gone


class FaultKind:
    name: ClassVar[str]
    at_run_start: ClassVar[bool] = True  # met when a run starts; otherwise when a record is stored
    backs_off: ClassVar[bool] = False

    def error(self, sync: Any, fault: "SyncFault") -> dict[str, Any]:
        raise NotImplementedError(f"{self.name} does not error a sync")


class CredentialRevoked(FaultKind):
    name = "credential_revoked"

    def error(self, sync: Any, fault: "SyncFault") -> dict[str, Any]:
        return {"message": fault.message or f"Credential ID [{sync.credential_id}] is no longer valid or has been deleted."}


class RootMissing(FaultKind):
    name = "root_missing"

    def error(self, sync: Any, fault: "SyncFault") -> dict[str, Any]:
        message = fault.message or (
            f"The root resource this sync was created with ({_root(sync)}) is no longer accessible; "
            f"recreate the sync with a valid root (error code {ROOT_MISSING_CODE})."
        )
        return {"message": message, "code": ROOT_MISSING_CODE}


class RateLimited(FaultKind):
    name = "rate_limited"
    backs_off = True


class RecordError(FaultKind):
    name = "record_error"
    at_run_start = False


BEHAVIOURS: dict[str, FaultKind] = {k.name: k() for k in (CredentialRevoked, RootMissing, RateLimited, RecordError)}
CREDENTIAL_REVOKED, ROOT_MISSING, RATE_LIMITED, RECORD_ERROR = BEHAVIOURS
KINDS = tuple(BEHAVIOURS)


def _root(sync: Any) -> str:
    for key in ("folderId", "siteId", "spaceId", "bucket", "projectId", "boardId", "listId", "driveId"):
        if key in sync.configuration:
            return f"{key} {sync.configuration[key]}"
    return "the account root"


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

    @property
    def behaviour(self) -> FaultKind:
        return BEHAVIOURS[self.kind]

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "syncId": self.sync_id, "kind": self.kind, "once": self.once, "hits": self.hits}
        if self.behaviour.backs_off:
            body["backoffMs"] = self.backoff_ms
        if self.record_id:
            body["recordId"] = self.record_id
        if self.message:
            body["message"] = self.message
        return body


@dataclass
class FaultBook:
    """One tenant's sync faults, by sync id. Fault ids come from a counter the tenants share."""

    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    by_sync: dict[str, list[SyncFault]] = field(default_factory=dict)

    @property
    def faults(self) -> list[SyncFault]:
        return sorted((f for faults in self.by_sync.values() for f in faults), key=lambda f: f.id)

    def add(self, sync_id: str, kind: str, once: bool = True, **options: Any) -> SyncFault:
        if kind not in BEHAVIOURS:
            raise InvalidInput("kind", f"unknown fault '{kind}'; one of {', '.join(KINDS)}")
        fault = SyncFault(next(self.ids), sync_id, kind, once, **{k: v for k, v in options.items() if v is not None})
        self.by_sync.setdefault(sync_id, []).append(fault)
        return fault

    def any_for(self, sync_id: str) -> bool:
        return sync_id in self.by_sync

    def take_run_fault(self, sync_id: str) -> SyncFault | None:
        return self._take(sync_id, True, None)

    def take_record_fault(self, sync_id: str, record: tuple[str, str]) -> SyncFault | None:
        return self._take(sync_id, False, record)

    def _take(self, sync_id: str, at_run_start: bool, record: tuple[str, str] | None) -> SyncFault | None:
        """The first matching fault; a one-shot fault is used up by this."""
        faults = self.by_sync.get(sync_id)
        if not faults:
            return None
        for fault in faults:
            if fault.behaviour.at_run_start != at_run_start:
                continue
            if record is not None and fault.record_id is not None and fault.record_id not in record:
                continue
            fault.hits += 1
            if fault.once:
                self._drop(fault)
            return fault
        return None

    def _drop(self, fault: SyncFault) -> None:
        faults = self.by_sync[fault.sync_id]
        faults.remove(fault)
        if not faults:
            del self.by_sync[fault.sync_id]

    def find(self, fault_id: int) -> SyncFault | None:
        return next((f for faults in self.by_sync.values() for f in faults if f.id == fault_id), None)

    def matching(self, fault_id: int | None = None, sync_id: str | None = None) -> list[SyncFault]:
        """The faults picked by id and/or sync (all by default)."""
        return [
            f for f in self.faults
            if (fault_id is None or f.id == fault_id) and (sync_id is None or f.sync_id == sync_id)
        ]

    def clear(self, fault_id: int | None = None, sync_id: str | None = None) -> list[SyncFault]:
        """Drop the faults picked (all by default); returns them."""
        doomed = self.matching(fault_id, sync_id)
        for fault in doomed:
            self._drop(fault)
        return doomed
