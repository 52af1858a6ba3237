"""Everything one tenant (project id, user id) owns, in one container, like moto's per-account backends.

A tenant's syncs, its sync faults, its upstream accounts, its events and its webhook deliveries
(with their per-sync queues) live in its `TenantState`; resetting the tenant drops the container
whole, so per-tenant state added later cannot outlive a reset. Work still in flight for a dropped
tenant (a webhook send on a worker thread) sees `dropped` and stops.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterator

from .faults import FaultBook
from .syncs import Sync

Tenant = tuple[str, str]  # (project_id, user_id)


@dataclass
class TenantState:
    key: Tenant
    faults: FaultBook
    syncs: dict[str, Sync] = field(default_factory=dict)
    accounts: dict[tuple[str, str], Any] = field(default_factory=dict)  # (integration, kind) -> upstream account
    events: dict[int, Any] = field(default_factory=dict)  # event seq -> DomainEvent, oldest first
    deliveries: dict[int, Any] = field(default_factory=dict)  # event seq -> webhook Delivery, oldest first
    queues: dict[str, deque] = field(default_factory=dict)  # sync id -> its deliveries waiting, in order
    dropped: bool = False
    nango: Any = None  # what the Nango front end keeps of a project (its connections), on (project, "")


class Ledger:
    """Entries kept in their tenants' containers, at most `capacity` in all: past it, the oldest
    entry of any tenant goes. A dropped tenant's entries count until they are the oldest."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._order: deque[tuple[dict[Any, Any], Any]] = deque()

    def add(self, book: dict[Any, Any], key: Any, value: Any) -> None:
        book[key] = value
        self._order.append((book, key))
        if len(self._order) > self.capacity:
            oldest_book, oldest_key = self._order.popleft()
            oldest_book.pop(oldest_key, None)


class Tenants:
    def __init__(self) -> None:
        self._states: dict[Tenant, TenantState] = {}
        self._by_sync: dict[str, TenantState] = {}  # sync id -> its tenant: one lookup, no scan
        self._fault_ids = itertools.count(1)  # fault ids stay unique across tenants and resets

    def get(self, key: Tenant) -> TenantState:
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = TenantState(key, FaultBook(self._fault_ids))
        return state

    def find(self, key: Tenant) -> TenantState | None:
        return self._states.get(key)

    def of_sync(self, sync_id: str) -> TenantState | None:
        return self._by_sync.get(sync_id)

    def add_sync(self, sync: Sync) -> None:
        state = self.get(sync.tenant)
        state.syncs[sync.id] = sync
        self._by_sync[sync.id] = state

    def remove_sync(self, sync: Sync) -> None:
        state = self._states.get(sync.tenant)
        if state is not None:
            state.syncs.pop(sync.id, None)
        self._by_sync.pop(sync.id, None)

    def __iter__(self) -> Iterator[TenantState]:
        return iter(list(self._states.values()))

    def drop(self, project_id: str, user_id: str | None = None) -> list[TenantState]:
        """Forget one user's container, or every user's of a project; returns what was dropped."""
        doomed = [s for k, s in self._states.items() if k[0] == project_id and (user_id is None or k[1] == user_id)]
        for state in doomed:
            state.dropped = True
            del self._states[state.key]
            for sync_id in state.syncs:
                self._by_sync.pop(sync_id, None)
        return doomed
