"""Webhook delivery: one queue per sync (order kept), retries with back-off on the emulator's clock.

Sending happens on worker threads, never under the emulator's lock, so the API is never blocked.
Each endpoint (URL) has a lane of its own (workers and connections): a receiver that hangs holds
up its own deliveries, never another endpoint's. Every event is kept in its tenant's
delivery log with its attempts; after the last scheduled attempt it is marked failed, never
dropped, and can be redelivered. Queues and logs live in the tenant's container: a tenant reset
takes them away, and an attempt for a dropped tenant does nothing.
"""

from __future__ import annotations

import json
import random
import threading
import time
import heapq
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable

from ..domain.clock import Clock, iso
from ..domain.errors import NotFound
from ..domain.events import DomainEvent
from ..domain.tenants import Ledger, TenantState, Tenants
from .signing import sign

if TYPE_CHECKING:
    import httpx  # imported where first needed (~60 ms): most servers never send a webhook

PENDING, DELIVERING, DELIVERED, FAILED, NO_URL = "pending", "delivering", "delivered", "failed", "no_url"


@dataclass
class Attempt:
    number: int
    at: datetime  # emulated
    sent_at: float  # real (Unix seconds)
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    url: str | None = None  # where it was sent


@dataclass
class Delivery:
    event: DomainEvent
    owner: TenantState = field(repr=False)
    status: str = PENDING
    attempts: list[Attempt] = field(default_factory=list)
    next_attempt_at: datetime | None = None
    _body: bytes | None = field(default=None, repr=False)

    @property
    def body(self) -> bytes:
        """The JSON sent, made when first needed (most events of a long advance are never sent)."""
        if self._body is None:
            own = getattr(self.event.what, "webhook_body", None)  # an event with a shape of its own (Nango's)
            self._body = own() if own is not None else json.dumps(payload(self.event), separators=(",", ":")).encode()
        return self._body


@dataclass
class Endpoint:
    url: str | None
    secret: str


def check_url(url: str) -> str | None:
    """Why a webhook URL cannot be posted to, or None: absolute http(s), a host, nothing unprintable."""
    if any(c.isspace() or not c.isprintable() for c in url):
        return f"the webhook URL {url!r} contains spaces or control characters"
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        return f"the webhook URL {url!r} is not a URL: {exc}"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return f"the webhook URL {url!r} must be an absolute http:// or https:// URL with a host"
    return None


def payload(event: DomainEvent) -> dict[str, Any]:
    """The documented webhook body: the standard fields plus data or error (fact sheet 7.3/7.4)."""
    if not event.what.about_a_sync:
        return {"event": event.type, "timestamp": iso(event.at)}
    body: dict[str, Any] = {
        "event": event.type,
        "sync": event.integration,
        "syncInstanceId": event.sync_id,
        "user": {"id": event.user_id},
        "credentialId": event.credential_id,
        "timestamp": iso(event.at),
    }
    data = {k: (iso(v) if isinstance(v, datetime) else v) for k, v in event.data.items()}
    if event.what.is_error:
        body["error"] = data
    else:
        body["data"] = data
    return body


LANE_WORKERS = 8  # deliveries in flight to one endpoint at once (each sync still sends one at a time)


class Lane:
    """One endpoint's workers and connection pool, made when it is first sent to."""

    def __init__(self, url: str, timeout: float):
        import httpx

        self.pool = ThreadPoolExecutor(max_workers=LANE_WORKERS, thread_name_prefix="webhook")
        # Loading the CA bundle costs ~15 ms, and a plain http:// receiver (most tests') never needs it.
        verify = httpx.URL(url).scheme == "https"
        self.client = httpx.Client(timeout=timeout, trust_env=False, verify=verify)

    def shut(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.client.close()


class Lanes:
    """Every endpoint's lane; they outlive resets (a test suite resets often and sends to one receiver).
    Shutting them stops what they are sending; a later send opens a new lane."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._lanes: dict[str, Lane] = {}
        self._guard = threading.Lock()

    def get(self, url: str) -> Lane:
        with self._guard:
            lane = self._lanes.get(url)
            if lane is None:
                lane = self._lanes[url] = Lane(url, self.timeout)
            return lane

    def shut(self) -> None:
        with self._guard:
            for lane in self._lanes.values():
                lane.shut()
            self._lanes.clear()


def retry_owner(tenant: TenantState) -> tuple:
    """Whose retry timers these are: a tenant's, cancelled together when it is reset."""
    return ("webhook-retries", tenant.key)


class Dispatcher:
    def __init__(
        self,
        clock: Clock,
        lock: threading.RLock,
        tenants: Tenants,
        endpoint_for: Callable[[str], Endpoint],
        schedule: list[float],
        lanes: Lanes,
        seed: int,
        capacity: int = 10_000,
        on_attempt: Callable[[Delivery, Attempt, bool], None] | None = None,
    ):
        self.clock = clock
        self.lock = lock
        self.endpoint_for = endpoint_for
        self.schedule = schedule  # seconds before each retry
        self.lanes = lanes
        self.random = random.Random(seed)
        self.tenants = tenants
        self._kept = Ledger(capacity)
        self.closed = False
        self.on_attempt = on_attempt  # told of every attempt's outcome, under the lock (observe/)

    # -- called under the emulator's lock --------------------------------------------------------
    def submit(self, event: DomainEvent) -> None:
        owner = self.tenants.get((event.project_id, event.user_id))
        delivery = Delivery(event, owner)
        self._kept.add(owner.deliveries, event.seq, delivery)
        if event.sync_id not in owner.queues and not self._endpoint(event).url:
            delivery.status = NO_URL  # nothing waits before it and nowhere to send: settled as it is made
            return
        self._enqueue(delivery)

    def _endpoint(self, event: DomainEvent) -> Endpoint:
        """Where the event goes: its project's endpoint, unless the event names its own URL (a Nango
        connection's webhook_url_override)."""
        endpoint = self.endpoint_for(event.project_id)
        url = getattr(event.what, "webhook_url", None)
        return Endpoint(url, endpoint.secret) if url else endpoint

    def _enqueue(self, delivery: Delivery) -> None:
        queue = delivery.owner.queues.setdefault(delivery.event.sync_id, deque())
        queue.append(delivery)
        if len(queue) == 1:
            self._attempt(delivery)

    def find(self, event_id: str) -> Delivery:
        for state in self.tenants:
            for delivery in state.deliveries.values():
                if delivery.event.id == event_id:
                    return delivery
        raise NotFound("eventId", f"no webhook event '{event_id}' in the log")

    def of(self, event: DomainEvent) -> Delivery:
        return self.tenants.get((event.project_id, event.user_id)).deliveries[event.seq]

    @property
    def log(self) -> list[Delivery]:
        """Every tenant's deliveries kept, oldest event first."""
        books = (state.deliveries.values() for state in self.tenants)
        return list(heapq.merge(*books, key=lambda d: d.event.seq))

    def redeliver(self, event_id: str) -> Delivery:
        delivery = self.find(event_id)
        if delivery.status in (PENDING, DELIVERING):
            return delivery
        fresh = Delivery(delivery.event, delivery.owner, attempts=delivery.attempts, _body=delivery._body)
        delivery.owner.deliveries[delivery.event.seq] = fresh
        self._enqueue(fresh)
        return fresh

    def _attempt(self, delivery: Delivery) -> None:
        if delivery.owner.dropped:
            return
        endpoint = self._endpoint(delivery.event)
        if not endpoint.url:
            delivery.status = NO_URL  # kept in the log: nothing is lost, it can be redelivered
            self._next(delivery)
            return
        delivery.status = DELIVERING
        delivery.next_attempt_at = None
        attempt = Attempt(len(delivery.attempts) + 1, self.clock.now(), time.time(), url=endpoint.url)
        delivery.attempts.append(attempt)
        if not self.closed:
            lane = self.lanes.get(endpoint.url or "")
            lane.pool.submit(self._send, lane.client, delivery, attempt, endpoint)

    def _next(self, delivery: Delivery) -> None:
        queues = delivery.owner.queues
        queue = queues.get(delivery.event.sync_id)
        if queue and queue[0] is delivery:
            queue.popleft()
        if queue:
            self._attempt(queue[0])
        elif queue is not None:
            del queues[delivery.event.sync_id]

    # -- on a worker thread -----------------------------------------------------------------------
    def _send(self, client: httpx.Client, delivery: Delivery, attempt: Attempt, endpoint: Endpoint) -> None:
        started = time.monotonic()
        try:
            own = getattr(delivery.event.what, "webhook_headers", None)
            signed = own(delivery.body) if own is not None else sign(delivery.event.id, delivery.body, endpoint.secret)
            headers = {"content-type": "application/json", **signed}
            response = client.post(endpoint.url or "", content=delivery.body, headers=headers)
            attempt.status_code = response.status_code
            ok = 200 <= response.status_code < 300
            if not ok:
                attempt.error = f"HTTP {response.status_code}"
        except Exception as exc:  # noqa: BLE001 - whatever fails, the attempt fails and the queue moves on
            ok = False
            attempt.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        attempt.latency_ms = round((time.monotonic() - started) * 1000, 2)
        with self.lock:
            self._settle(delivery, ok)
            if self.on_attempt is not None and not delivery.owner.dropped:
                self.on_attempt(delivery, attempt, ok)

    def _settle(self, delivery: Delivery, ok: bool) -> None:
        if delivery.owner.dropped:
            return
        if ok:
            delivery.status = DELIVERED
            self._next(delivery)
            return
        retries_done = len(delivery.attempts) - 1
        if retries_done >= len(self.schedule):
            delivery.status = FAILED
            self._next(delivery)
            return
        base = self.schedule[retries_done]
        delay = base * (0.8 + 0.4 * self.random.random())  # jitter, seeded
        delivery.status = PENDING
        delivery.next_attempt_at = self.clock.now() + timedelta(seconds=delay)
        self.clock.schedule(delivery.next_attempt_at, lambda _t: self._attempt(delivery), owner=retry_owner(delivery.owner))

    def waiting(self) -> list[Delivery]:
        """Deliveries not settled yet: sending, or waiting for a retry or for their turn."""
        return [d for state in self.tenants for queue in state.queues.values() for d in queue]

    def drain(self, grace: float) -> list[Delivery]:
        """Shutting down: try what waits now (a retry without its back-off) for up to `grace` real
        seconds, one more attempt each; returns what is still undelivered."""
        deadline = time.monotonic() + grace
        tried: dict[int, Delivery] = {}
        while True:
            with self.lock:
                left = self.waiting()
                for delivery in left:
                    head = delivery.owner.queues[delivery.event.sync_id][0] is delivery
                    if head and delivery.status == PENDING and id(delivery) not in tried:
                        tried[id(delivery)] = delivery
                        self.clock.cancel_owner(retry_owner(delivery.owner))
                        self._attempt(delivery)
                sending = any(d.status == DELIVERING for d in left)
                if not left or not sending or time.monotonic() >= deadline:
                    # What failed its last try has left the queues, undelivered all the same.
                    failed = [d for d in tried.values() if d.status == FAILED and d not in left]
                    return sorted(left + failed, key=lambda d: d.event.seq)
            time.sleep(0.02)

    def close(self) -> None:
        """No more attempts from this dispatcher (a reset replaced it, or the emulator is closing)."""
        self.closed = True
