"""Fault operations: what a sync's next run meets upstream, and how API operations fail or slow down."""

from __future__ import annotations

from typing import Any

from ..domain.errors import NotFound
from ..domain.faults import SyncFault
from ..nango.spec import operation_ids as nango_operation_ids
from ..spec.validation import api_operations
from .api_faults import ApiFault
from .base import Core, operation
from .journal import recorded


class FaultControl(Core):
    @property
    def faults(self) -> list[SyncFault]:
        """Every tenant's sync faults, oldest first."""
        return sorted((f for state in self.tenancy for f in state.faults.faults), key=lambda f: f.id)

    @operation
    def list_faults(self) -> dict[str, Any]:
        return {
            "sync": [f.describe() for f in self.faults],
            "api": [r.describe() for r in self.api_faults.rules],
            "latencyMs": self.api_faults.latency_ms,
        }

    @operation
    @recorded
    def inject_sync_fault(self, sync_id: str, kind: str, once: bool = True, **options: Any) -> SyncFault:
        """What the sync's next run meets upstream: credential_revoked, root_missing, rate_limited, record_error."""
        sync = self.syncs.find(sync_id)
        with self._changing([sync]):
            return self._faults_of(sync).add(sync_id, kind, once, **options)

    @operation
    def inject_api_fault(
        self, operations: list[str] | None = None, status: int | None = None, delay_ms: int = 0,
        count: int | None = None, fraction: float | None = None, retry_after: int = 1,
    ) -> ApiFault:
        """Make chosen operations (operationIds of the Paragon or the Nango spec, or all) fail or slow
        down: next N calls or a seeded fraction."""
        known = set(api_operations()) | set(nango_operation_ids().values())
        return self.api_faults.add(operations or ["*"], known, status, delay_ms, count, fraction, retry_after)

    @operation
    def set_latency(self, latency_ms: int) -> None:
        self.api_faults.latency_ms = latency_ms

    def api_fault_for(self, operation_id: str) -> tuple[ApiFault | None, int]:
        """The fault a call to the API meets, if any, and how many ms it waits first (latency and
        the fault's delay). Asked on every request, so no timers run first."""

        def decide() -> tuple[ApiFault | None, int]:
            fault = self.api_faults.decide(operation_id)
            return fault, self.api_faults.latency_ms + (fault.delay_ms if fault else 0)

        return self.locked(decide)

    @operation
    @recorded
    def clear_faults(self) -> int:
        """Every sync fault and API fault (the latency stays)."""
        return self.clear_sync_faults() + self.api_faults.clear()

    @operation
    def clear_api_fault(self, fault_id: int) -> int:
        return self.api_faults.clear(fault_id)

    @operation
    @recorded
    def clear_sync_faults(self, fault_id: int | None = None, sync_id: str | None = None) -> int:
        books = [state.faults for state in self.tenancy]
        if fault_id is not None and not any(book.find(fault_id) for book in books):
            raise NotFound("faultId", f"no sync fault {fault_id}")
        # The syncs whose faults go (a deleted sync's faults stay in its tenant's book, with no sync).
        ids = dict.fromkeys(f.sync_id for book in books for f in book.matching(fault_id, sync_id))
        states = {i: self.tenancy.of_sync(i) for i in ids}
        syncs = [state.syncs[i] for i, state in states.items() if state is not None]
        with self._changing(syncs):
            return sum(len(book.clear(fault_id, sync_id)) for book in books)
