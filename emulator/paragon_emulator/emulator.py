"""The Emulator: all state of one running emulator, and the control operations over it.

The HTTP app, the CLI and the pytest plugin all drive this one object. Every public method
takes the lock, so a test thread and the server thread can both use it.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from datetime import datetime
from typing import Any, Callable, TypeVar

from . import __version__
from .domain.clock import Clock, parse_duration
from .domain.engine import SyncEngine, Timing
from .domain.errors import InvalidInput, NotFound, Stopping
from .domain import events
from .domain.events import EventBus
from .domain.faults import FaultBook, SyncFault
from .domain.service import EnableRequest, SyncService
from .domain.syncs import Sync
from .domain.tenants import Tenants
from .domain.work import UpstreamWork
from .sources.files import FilesAccount
from .sources.registry import Upstream
from .settings import Settings
from .tokens import TokenVerifier, mint
from .http.api_faults import ApiFaults, ContractRecorder
from .spec.validation import api_operations
from .webhooks.delivery import Dispatcher, Endpoint, check_url
from .webhooks.signing import check_secret

T = TypeVar("T")
# A long advance runs timers for this many real seconds, then lets waiting requests in.
SLICE_SECONDS = 0.02
SLICE_PAUSE = 0.0005


class Emulator:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.lock = threading.RLock()
        self.started = time.monotonic()
        self.stopping = threading.Event()
        self.verifier = TokenVerifier(self.settings)
        self._build()
        self._load_startup_scenario()

    def _load_startup_scenario(self) -> None:
        if self.settings.scenario:
            self.load_scenario(self.settings.scenario)

    def load_scenario(self, name_or_path: str) -> dict[str, Any]:
        """Apply a bundled scenario (see fixtures/) or a scenario YAML file."""
        from . import scenarios

        with self.lock:
            return scenarios.load(self, name_or_path)

    def _build(self, clock: Clock | None = None) -> None:
        s = self.settings
        self.clock = clock or Clock(s.clock_mode, s.clock_rate, s.clock_start)
        self.events = EventBus(s.seed)
        timing = Timing(s.initial_sync_delay_seconds, s.sync_run_seconds, s.full_sync_interval_seconds, s.default_frequency)
        self.tenancy = Tenants()
        self.upstream = Upstream(s.seed, s.account_size, self.tenancy)
        self.work = UpstreamWork(self.upstream, self.events, s.seconds_per_record, self._faults_of)
        self.engine = self._make_engine(timing)
        self.syncs = SyncService(
            s.seed, self.clock, self.engine, self.tenancy, self.work, s.strict_configuration, s.permissions
        )
        if getattr(self, "webhooks", None) is not None:
            self.webhooks.close()
        self.endpoints: dict[str, Endpoint] = {}
        self.webhooks = Dispatcher(
            self.clock, self.lock, self.endpoint, list(s.webhook_retry_schedule), s.webhook_timeout_seconds, s.seed
        )
        self.events.subscribe(self.webhooks.submit)
        self.api_faults = ApiFaults(s.seed, s.latency_ms)
        self.contract = ContractRecorder(api_operations(), s.contract_log_size)

    def _make_engine(self, timing: Timing) -> SyncEngine:
        return SyncEngine(self.clock, self.events, timing, self.work, self._faults_of)

    def _faults_of(self, sync: Sync) -> FaultBook:
        book = sync.fault_book  # its tenant's, kept on the sync: both go with the tenant
        if book is None:
            book = sync.fault_book = self.tenancy.get(sync.tenant).faults
        return book

    @property
    def faults(self) -> list[SyncFault]:
        """Every tenant's sync faults, oldest first."""
        return sorted((f for state in self.tenancy for f in state.faults.faults), key=lambda f: f.id)

    # -- running domain work under the lock ------------------------------------------------
    def run(self, operation: Callable[[], T]) -> T:
        """Run `operation` under the lock, after the timers that time has made due."""
        with self.lock:
            if self.clock.mode != "manual":
                self.clock.run_due(budget=SLICE_SECONDS)
            return operation()

    def tick(self) -> int:
        """Run what real (or accelerated) time made due, for one slice at most: a clock that runs
        faster than its timers falls behind (`behindSeconds` in its state) and never wedges."""
        with self.lock:
            return self.clock.run_due(budget=SLICE_SECONDS) if self.clock.mode != "manual" else 0

    # -- control plane -----------------------------------------------------------------------
    def reset(self, project_id: str | None = None, user_id: str | None = None, restart_clock: bool = False) -> int:
        """Forget everything (a fresh emulator with the same settings), or one project's or user's syncs.

        A full reset keeps the clock's mode, rate and reading, unless `restart_clock` puts it back
        to its start-up settings (what a test fixture wants: every test at the same instant).
        """
        if user_id is not None and project_id is None:
            raise InvalidInput("projectId", "resetting one user needs its projectId too")
        with self.lock:
            if project_id is None:
                removed = sum(len(state.syncs) for state in self.tenancy)
                # A reset forgets state, not time: the clock keeps its mode, rate and reading.
                self._build(None if restart_clock else Clock(self.clock.mode, self.clock.rate, self.clock.now()))
                self._load_startup_scenario()
                return removed

            def doomed(event) -> bool:
                return event.project_id == project_id and (user_id is None or event.user_id == user_id)

            removed = self.syncs.drop_tenants(project_id, user_id)
            self.upstream.forget(project_id, user_id)
            self.events.clear(keep=lambda e: not doomed(e))
            self.webhooks.forget(doomed)
            return removed

    def clock_state(self) -> dict[str, Any]:
        with self.lock:
            state: dict[str, Any] = {
                "mode": self.clock.mode,
                "rate": self.clock.rate,
                "now": self.clock.now(),
                "pendingTimers": self.clock.pending,
                "settled": self.clock.settled,
                "behindSeconds": round(self.clock.behind_seconds, 3),
            }
            if self.clock.next_due is not None:
                state["nextTimerAt"] = self.clock.next_due
            return state

    def advance(self, seconds: float | None = None, duration: str | None = None) -> int:
        """Move emulated time forward, running every timer that falls due, in order."""
        return self._run_to(self._advance_target(seconds, duration))

    def start_advance(self, seconds: float | None = None, duration: str | None = None) -> tuple[int, datetime | None]:
        """One slice of an advance, for a caller that must not block longer: (timers run, the
        target when more is due, to finish with `_run_to` elsewhere). Most advances end here."""
        target = self._advance_target(seconds, duration)
        with self.lock:
            ran, done = self.clock.run_until(target, budget=SLICE_SECONDS)
        return ran, None if done else target

    def finish_advance(self, target: datetime) -> int:
        return self._run_to(target)

    def _advance_target(self, seconds: float | None, duration: str | None) -> datetime:
        if (seconds is None) == (duration is None):
            raise InvalidInput("seconds", "give exactly one of seconds or duration")
        amount = parse_duration(duration) if duration is not None else float(seconds)
        with self.lock:
            return self.clock.target_after(amount)

    def set_clock(self, mode: str | None = None, rate: float | None = None, now: datetime | None = None) -> int:
        with self.lock:
            if rate is not None and (mode or self.clock.mode) != "accelerated":
                raise InvalidInput("rate", "a rate applies only to the accelerated mode")
            if mode is not None or rate is not None:
                self.clock.check(mode or self.clock.mode, rate if rate is not None else self.clock.rate)
            target = self.clock.target_of(now) if now is not None else None
        ran = self._run_to(target) if target is not None else 0
        if mode is not None or rate is not None:
            with self.lock:
                self.clock.set_mode(mode, rate)
        return ran

    def _run_to(self, target: datetime) -> int:
        """Run every timer due up to `target` in slices, letting other callers take the lock in between.

        A request that reads or changes state during a long advance sees the clock where the
        advance has got to. `stop()` (SIGTERM) ends the advance between two slices."""
        ran = 0
        while True:
            if self.stopping.is_set():
                raise Stopping("the emulator is shutting down; the advance stopped at " + self.clock.now().isoformat())
            with self.lock:
                count, done = self.clock.run_until(target, budget=SLICE_SECONDS)
            ran += count
            if done:
                return ran
            time.sleep(SLICE_PAUSE)  # a waiting request takes the lock now

    def stop(self) -> None:
        """The process is going away: long operations end at their next slice."""
        self.stopping.set()

    # -- syncs, for a user (what the Sync API does, without HTTP or a token) -------------------
    def enable_sync(
        self, user_id: str, integration: str, pipeline: str, configuration: dict[str, Any] | None = None,
        configuration_name: str | None = None, credential_id: str | None = None, project_id: str | None = None,
    ) -> Sync:
        request = EnableRequest(integration, pipeline, dict(configuration or {}), configuration_name, credential_id)
        return self.run(lambda: self.syncs.enable(self._tenant(user_id, project_id), request))

    def list_syncs(self, user_id: str, project_id: str | None = None) -> list[Sync]:
        return self.run(lambda: self.syncs.list(self._tenant(user_id, project_id)))

    def get_sync(self, user_id: str, sync_id: str, project_id: str | None = None) -> Sync:
        return self.run(lambda: self.syncs.get(self._tenant(user_id, project_id), sync_id))

    def delete_sync(self, user_id: str, sync_id: str, project_id: str | None = None) -> Sync:
        return self.run(lambda: self.syncs.delete(self._tenant(user_id, project_id), sync_id))

    def _tenant(self, user_id: str, project_id: str | None) -> tuple[str, str]:
        return (project_id or self.settings.default_project_id, user_id)

    # -- webhooks ----------------------------------------------------------------------------
    def endpoint(self, project_id: str) -> Endpoint:
        return self.endpoints.get(project_id) or Endpoint(self.settings.webhook_url, self.settings.webhook_secret)

    def configure_webhooks(self, project_id: str | None = None, url: str | None = None, secret: str | None = None) -> Endpoint:
        """Set one project's webhook URL and/or secret (the default project when none is named)."""
        project = project_id or self.settings.default_project_id
        if url is not None and url != "":
            problem = check_url(url)
            if problem:
                raise InvalidInput("url", problem)
        if secret:
            problem = check_secret(secret)
            if problem:
                raise InvalidInput("secret", problem)
        with self.lock:
            current = self.endpoint(project)
            self.endpoints[project] = Endpoint(url if url is not None else current.url, secret or current.secret)
            return self.endpoints[project]

    def trigger(self, sync_id: str, event_type: str, record_id: str | None = None, message: str | None = None):
        """Make a sync emit an event now, like `stripe trigger` (a test of your receiver)."""
        with self.lock:
            sync = self.syncs.find(sync_id)
            now = self.clock.now()
            if event_type not in events.KINDS:
                raise InvalidInput("event", f"unknown event '{event_type}'; one of {', '.join(events.KINDS)}")
            what: events.What
            if event_type == "sync_complete":
                what = events.SyncComplete(sync.pipeline, now, sync.records.active)
            elif event_type == "sync_errored":
                what = events.SyncErrored(message or "Triggered from the emulator's control plane")
            else:
                live = sync.records.live()
                target = record_id or (live[0].id if live else None)
                if target is None:
                    raise InvalidInput("recordId", f"sync {sync.id} has no records; give a recordId")
                if event_type == "record_errored":
                    what = events.RecordErrored(message or "Triggered record error", target, sync.pipeline)
                else:
                    what = events.KINDS[event_type](target, sync.pipeline)  # type: ignore[call-arg]
            event = self.events.emit(what, now, sync)
            return self.webhooks.log[event.id]

    def webhook_log(self, sync_id: str | None = None, type_: str | None = None, status: str | None = None) -> list:
        """The deliveries kept (event, status, attempts), oldest first, optionally filtered."""
        with self.lock:
            return [
                d for d in self.webhooks.log.values()
                if (not sync_id or d.event.sync_id == sync_id) and (not type_ or d.event.type == type_)
                and (not status or d.status == status)
            ]

    def redeliver(self, event_id: str):
        with self.lock:
            return self.webhooks.redeliver(event_id)

    def event_log(self) -> list:
        with self.lock:
            return list(self.events.log)

    # -- faults ------------------------------------------------------------------------------
    def list_faults(self) -> dict[str, Any]:
        with self.lock:
            return {
                "sync": [f.describe() for f in self.faults],
                "api": [r.describe() for r in self.api_faults.rules],
                "latencyMs": self.api_faults.latency_ms,
            }

    def clear_faults(self) -> int:
        """Every sync fault and API fault (the latency stays)."""
        with self.lock:
            return self.clear_sync_faults() + self.api_faults.clear()

    def clear_api_fault(self, fault_id: int) -> int:
        with self.lock:
            return self.api_faults.clear(fault_id)

    def inject_sync_fault(self, sync_id: str, kind: str, once: bool = True, **options: Any) -> SyncFault:
        """What the sync's next run meets upstream: credential_revoked, root_missing, rate_limited, record_error."""
        with self.lock:
            sync = self.syncs.find(sync_id)
            with self._changing([sync]):
                return self._faults_of(sync).add(sync_id, kind, once, **options)

    def inject_api_fault(
        self, operations: list[str] | None = None, status: int | None = None, delay_ms: int = 0,
        count: int | None = None, fraction: float | None = None, retry_after: int = 1,
    ):
        """Make chosen operations (operationIds, or all) fail or slow down: next N calls or a seeded fraction."""
        with self.lock:
            return self.api_faults.add(
                operations or ["*"], set(api_operations()), status, delay_ms, count, fraction, retry_after
            )

    def set_latency(self, latency_ms: int) -> None:
        with self.lock:
            self.api_faults.latency_ms = latency_ms

    def contract_report(self) -> dict[str, Any]:
        with self.lock:
            return self.contract.report()

    def clear_contract(self) -> dict[str, Any]:
        with self.lock:
            self.contract.clear()
            return self.contract.report()

    def clear_sync_faults(self, fault_id: int | None = None, sync_id: str | None = None) -> int:
        with self.lock:
            books = [state.faults for state in self.tenancy]
            if fault_id is not None and not any(book.find(fault_id) for book in books):
                raise NotFound("faultId", f"no sync fault {fault_id}")
            # The syncs whose faults go (a deleted sync's faults stay in its tenant's book, with no sync).
            ids = dict.fromkeys(f.sync_id for book in books for f in book.matching(fault_id, sync_id))
            states = {i: self.tenancy.of_sync(i) for i in ids}
            syncs = [state.syncs[i] for i, state in states.items() if state is not None]
            with self._changing(syncs):
                return sum(len(book.clear(fault_id, sync_id)) for book in books)

    @contextlib.contextmanager
    def _changing(self, syncs: list[Sync]):
        """Around a change a sync depends on (upstream, its faults): what is due before it runs first."""
        for sync in syncs:
            self.engine.touch(sync)
        try:
            yield
        finally:
            for sync in syncs:
                self.engine.rearm(sync)

    # -- upstream data -----------------------------------------------------------------------
    def upstream_account(self, project_id: str, user_id: str, integration: str, kind: str):
        return self.upstream.account(project_id, user_id, integration, kind)

    def size_upstream(self, project_id: str, user_id: str, integration: str, kind: str, size: int) -> None:
        with self.lock:
            self.upstream.set_size(project_id, user_id, integration, kind, size)

    def change_upstream(
        self, project_id: str, user_id: str, integration: str, kind: str, action: str,
        external_id: str | None = None, fields: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """create / update / delete / share / unshare / grant / revoke an upstream item; seen by the next sync that looks.

        `fields` is copied in and the item copied out: upstream state, and the records synced from
        it, never share objects with the caller, who may change theirs afterwards.
        """
        return copy.deepcopy(self._change_upstream(project_id, user_id, integration, kind, action, external_id,
                                                   copy.deepcopy(fields)))

    def _change_upstream(
        self, project_id: str, user_id: str, integration: str, kind: str, action: str,
        external_id: str | None, fields: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        with self.lock:
            account = self.upstream.account(project_id, user_id, integration, kind)
            with self._changing(self.syncs.reading(project_id, user_id, integration, kind)):
                return self._apply_change(account, kind, action, external_id, fields)

    def _apply_change(
        self, account, kind: str, action: str, external_id: str | None, fields: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        now = self.clock.now()
        if action == "create":
            return account.create(fields or {}, now)
        assert external_id is not None
        if action == "update":
            return account.update(external_id, fields or {}, now)
        if action == "delete":
            account.delete(external_id)
            return None
        files = self._files_account(account, kind)
        if action in ("share", "unshare"):
            return files.set_shared(external_id, action == "share", now)
        if action == "grant":
            return files.grant(external_id, fields or {})
        if action == "revoke":
            return files.revoke(external_id, fields or {})
        raise InvalidInput("action", f"unknown upstream action '{action}'")

    @staticmethod
    def _files_account(account, kind: str) -> FilesAccount:
        if not isinstance(account, FilesAccount):
            raise InvalidInput("kind", f"only file items are shared or unshared, not {kind}")
        return account

    def upstream_directory(self, project_id: str, user_id: str, integration: str, kind: str) -> dict[str, Any]:
        with self.lock:
            account = self.upstream.account(project_id, user_id, integration, kind)
            return self._files_account(account, kind).directory.as_json()

    def set_upstream_group(
        self, project_id: str, user_id: str, integration: str, kind: str, group: str, members: list[str]
    ) -> dict[str, Any]:
        """Set a group's members upstream; each sync sees it on its next run."""
        with self.lock:
            account = self.upstream.account(project_id, user_id, integration, kind)
            files = self._files_account(account, kind)
            with self._changing(self.syncs.reading(project_id, user_id, integration, kind)):
                return files.set_group(group, members)

    def info(self) -> dict[str, Any]:
        return {
            "version": __version__,
            "seed": self.settings.seed,
            "clock": self.clock_state(),
            "uptimeSeconds": round(time.monotonic() - self.started, 3),
            "strict": self.settings.strict,
            "projectIds": list(self.settings.project_ids),
            "audienceHosts": list(self.settings.audience_hosts),
        }

    def tenants(self) -> list[tuple[str, str, list]]:
        """Every tenant that has syncs, by (project, user), with its syncs as the Sync API lists them."""
        with self.lock:
            listed = ((state.key, self.syncs.list(state.key)) for state in self.tenancy)
            return [(p, u, syncs) for (p, u), syncs in sorted(listed) if syncs]

    def token(
        self,
        user_id: str,
        project_id: str | None = None,
        expires_in: int = 3600,
        audience_host: str | None = None,
        claims: dict[str, Any] | None = None,
    ) -> tuple[str, int]:
        """A Paragon User Token this emulator accepts, signed with the development key."""
        if not self.settings.dev_key:
            raise InvalidInput("dev_key", "the development key is switched off: sign tokens with your own key")
        return mint(self.settings, user_id, project_id, expires_in, audience_host, claims)
