"""What every control operation shares: the emulator's state, and where its lock is taken (here only)."""

from __future__ import annotations

import contextlib
import functools
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar

if TYPE_CHECKING:
    from ..domain.clock import Clock
    from ..domain.engine import SyncEngine
    from ..domain.events import EventBus
    from ..domain.faults import FaultBook
    from ..domain.service import SyncService
    from ..domain.syncs import Sync
    from ..domain.tenants import Tenants
    from ..settings import Settings
    from ..sources.registry import Upstream
    from ..webhooks.delivery import Dispatcher, Endpoint
    from .api_faults import ApiFaults
    from .contract import ContractRecorder
    from .journal import Journal

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

# A long advance runs timers for this many real seconds, then lets waiting requests in.
SLICE_SECONDS = 0.02
SLICE_PAUSE = 0.0005


def operation(method: F) -> F:
    """A control operation: it runs under the lock, after the timers time has made due, so it
    sees the emulator as a request to the API would. Operations may call each other."""

    @functools.wraps(method)
    def locked(self: "Core", *args: Any, **kwargs: Any) -> Any:
        return self.run(lambda: method(self, *args, **kwargs))

    return locked  # type: ignore[return-value]


class Core:
    """The state the control parts work on (built by `Emulator._build`)."""

    settings: "Settings"
    lock: threading.RLock
    stopping: threading.Event
    clock: "Clock"
    events: "EventBus"
    tenancy: "Tenants"
    upstream: "Upstream"
    engine: "SyncEngine"
    syncs: "SyncService"
    endpoints: "dict[str, Endpoint]"
    webhooks: "Dispatcher"
    api_faults: "ApiFaults"
    contract: "ContractRecorder"
    journal: "Journal"
    BUILT: tuple[str, ...]

    def locked(self, work: Callable[[], T]) -> T:
        """`work` under the lock: every operation, slice and tick goes through here or `batch`
        (the two places the lock is taken; a plain `with`, since this runs twice a request)."""
        with self.lock:
            return work()

    def run(self, work: Callable[[], T]) -> T:
        """Run `work` under the lock, after the timers that real or accelerated time made due."""

        def after_due() -> T:
            if self.clock.mode != "manual":
                self.clock.run_due(budget=SLICE_SECONDS)
            return work()

        return self.locked(after_due)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Several operations as one: nothing (no request, no timer) runs between them."""
        with self.lock:
            yield

    def project(self, project_id: str | None) -> str:
        """The project an operation is about: the one named, or the default project."""
        return project_id or self.settings.default_project_id

    def _faults_of(self, sync: "Sync") -> "FaultBook":
        book = sync.fault_book  # its tenant's, kept on the sync: both go with the tenant
        if book is None:
            book = sync.fault_book = self.tenancy.get(sync.tenant).faults
        return book

    @contextlib.contextmanager
    def _changing(self, syncs: "list[Sync]") -> Iterator[None]:
        """Around a change a sync depends on (upstream, its faults): what is due before it runs first."""
        for sync in syncs:
            self.engine.touch(sync)
        try:
            yield
        finally:
            for sync in syncs:
                self.engine.rearm(sync)
