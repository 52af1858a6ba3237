"""The Emulator: all state of one running emulator, with every control operation over it.

The operations are defined once, in `control/` (one module a concern); the HTTP app, the
pytest plugin, scenarios and the Python API all drive this one object. Every operation takes
the lock (in `control/base.py`), so a test thread and the server thread can both use it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from . import __version__
from .control.api_faults import ApiFaults
from .control import memory
from .control.base import Core, operation
from .control.clock import ClockControl
from .control.contract import ContractControl, ContractRecorder
from .control.faults import FaultControl
from .control.observe import ObserveControl
from .control.journal import Journal
from .control.snapshot import SnapshotControl
from .control.syncs import SyncControl
from .control.upstream import UpstreamControl
from .control.webhooks import WebhookControl
from .domain.clock import Clock
from .domain.engine import SyncEngine, Timing
from .domain.errors import InvalidInput
from .domain.events import EventBus
from .domain.service import SyncService
from .domain.tenants import Tenants
from .domain.work import UpstreamWork
from .nango.keys import secret_keys as nango_keys
from .observe.event_log import EventLog
from .observe.journal import RequestJournal
from .observe.story import Story
from .settings import Settings
from .sources.registry import CATALOG, Upstream
from .spec.validation import api_operations
from .tokens import MAX_TOKEN_SECONDS, TokenVerifier, mint
from .webhooks.delivery import Dispatcher, Endpoint, Lanes, retry_owner

log = logging.getLogger("paragon_emulator")


class Emulator(
    ClockControl, SyncControl, UpstreamControl, WebhookControl, FaultControl, ContractControl, ObserveControl,
    SnapshotControl, Core
):
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.lock = threading.RLock()
        self.started = time.monotonic()
        self.stopping = threading.Event()
        self.lanes = Lanes(self.settings.webhook_timeout_seconds)
        # What a front end keeps of the state (rendered JSON, say) and must let go of on a reset.
        self.on_reset: list[Callable[[], None]] = []
        self.memory = memory.Releaser()
        self.verifier = TokenVerifier(self.settings)
        self._build()
        self._load_startup_scenario()
        if self.settings.state_file is not None:
            self.load_state(self.settings.state_file)

    def _load_startup_scenario(self) -> None:
        if self.settings.scenario:
            with self.journal.paused():  # part of the fresh state: a restore loads it again by itself
                self.load_scenario(self.settings.scenario)

    # What `_build` makes: the whole state, replaced together by a reset or a restore.
    BUILT = (
        "clock", "tenancy", "events", "upstream", "work", "engine", "syncs", "journal", "endpoints", "webhooks",
        "api_faults", "contract", "story", "monitoring", "api_requests",
    )

    def _build(self, clock: Clock | None = None) -> None:
        s = self.settings
        self.clock = clock or Clock(s.clock_mode, s.clock_rate, s.clock_start)
        self.tenancy = Tenants()
        self.events = EventBus(s.seed, self.tenancy)
        self.story = Story()
        self.monitoring = EventLog(self.tenancy, s.seed, s.event_log_size, self.story, self.clock.now)
        self.events.subscribe(self.monitoring.domain_event)
        self.api_requests = RequestJournal(self.tenancy, s.request_journal_size)
        timing = Timing(s.initial_sync_delay_seconds, s.sync_run_seconds, s.full_sync_interval_seconds, s.default_frequency)
        self.upstream = Upstream(s.seed, s.account_size, self.tenancy)
        self.work = self._make_work()
        self.engine = self._make_engine(timing)
        self.syncs = SyncService(
            s.seed, self.clock, self.engine, self.tenancy, self.work, CATALOG, s.strict_configuration, s.permissions,
            self.monitoring,
        )
        self.journal = Journal(self.clock.now())
        self.syncs.recording = lambda op, args: self.journal.change(self.clock.now, op, args)
        if getattr(self, "webhooks", None) is not None:
            self.webhooks.close()
        self.endpoints: dict[str, Endpoint] = {}
        self.webhooks = Dispatcher(
            self.clock, self.lock, self.tenancy, self.endpoint, list(s.webhook_retry_schedule), self.lanes, s.seed,
            on_attempt=self.monitoring.webhook_attempt,
        )
        self.events.subscribe(self.webhooks.submit)
        if s.nango_prefix != "off":
            from .nango.webhooks import NangoWebhooks  # Nango's sync webhooks (docs/nango.md)

            NangoWebhooks(self)
        self.api_faults = ApiFaults(s.seed, s.latency_ms)
        self.contract = ContractRecorder(api_operations(), s.contract_log_size)

    def _make_work(self) -> UpstreamWork:
        return UpstreamWork(self.upstream, self.events, self.settings.seconds_per_record, self._faults_of)

    def _make_engine(self, timing: Timing) -> SyncEngine:
        return SyncEngine(self.clock, self.events, timing, self.work, self._faults_of, self.monitoring)

    @operation
    def reset(self, project_id: str | None = None, user_id: str | None = None, restart_clock: bool = False) -> int:
        """Forget everything (a fresh emulator with the same settings), or one project's or user's syncs.

        A full reset keeps the clock's mode, rate and reading, unless `restart_clock` puts it back
        to its start-up settings (what a test fixture wants: every test at the same instant).
        The memory freed goes back to the system when the process has grown (control/memory.py).
        """
        if user_id is not None and project_id is None:
            raise InvalidInput("projectId", "resetting one user needs its projectId too")
        for forget in self.on_reset:
            forget()
        if project_id is None:
            removed = sum(len(state.syncs) for state in self.tenancy)
            # A reset forgets state, not time: the clock keeps its mode, rate and reading.
            self._build(None if restart_clock else Clock(self.clock.mode, self.clock.rate, self.clock.now()))
            self.memory.after_reset()
            self._load_startup_scenario()
            return removed
        # The tenants' containers go whole: syncs, accounts, faults, events, deliveries and queues.
        removed = 0
        with self.journal.change(self.clock.now, "reset", {"project_id": project_id, "user_id": user_id}):
            for state in self.tenancy.drop(project_id, user_id):
                removed += self.syncs.forget(state)
                self.clock.cancel_owner(retry_owner(state))
            self.upstream.forget(project_id, user_id)  # sizes set ahead for accounts not made yet
        self.memory.after_reset()
        return removed

    @operation
    def info(self) -> dict[str, Any]:
        return {
            "version": __version__,
            "seed": self.settings.seed,
            "clock": self.clock_state(),
            "uptimeSeconds": round(time.monotonic() - self.started, 3),
            "strict": self.settings.strict,
            "projectIds": list(self.settings.project_ids),
            "audienceHosts": list(self.settings.audience_hosts),
            "nango": {
                "prefix": None if self.settings.nango_prefix == "off" else self.settings.nango_prefix,
                "secretKeys": nango_keys(self.settings),
            },
        }

    def token(
        self,
        user_id: str,
        project_id: str | None = None,
        expires_in: int = 3600,
        audience_host: str | None = None,
        claims: dict[str, Any] | None = None,
    ) -> tuple[str, int]:
        """A Paragon User Token this emulator accepts, signed with the development key (no state: no lock)."""
        if not self.settings.dev_key:
            raise InvalidInput("dev_key", "the development key is switched off: sign tokens with your own key")
        if abs(expires_in) > MAX_TOKEN_SECONDS:  # negative: an expired token, for a test of the 401
            raise InvalidInput("expiresIn", f"a token lives at most {MAX_TOKEN_SECONDS} seconds (ten years), not {expires_in}")
        return mint(self.settings, user_id, project_id, expires_in, audience_host, claims)

    def close(self, grace: float = 0.0) -> None:
        """Stop delivering webhooks (the server or the test session is ending); with a `grace`,
        first try what is still undelivered for up to that many real seconds, and log what is left."""
        left = self.webhooks.drain(grace) if grace > 0 else self.webhooks.waiting()
        if left:
            ids = ", ".join(d.event.id for d in left[:20]) + (" ..." if len(left) > 20 else "")
            log.warning("%d webhook deliveries were still undelivered at shutdown: %s", len(left), ids)
        elif grace > 0:
            log.info("every webhook was delivered before shutdown")
        self.webhooks.close()
        self.lanes.shut()
        if self.settings.state_file is not None:
            saved = self.save_state()
            log.info("state saved to %s (%d bytes, %d changes)", saved["path"], saved["bytes"], saved["changes"])
