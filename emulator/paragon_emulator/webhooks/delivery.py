"""Webhook delivery: one queue per sync (order kept), retries with back-off on the emulator's clock.

Sending happens on worker threads, never under the emulator's lock, so the API is never blocked
and a slow receiver holds up only its own sync's queue. Every event is kept in the log with its
attempts; after the last scheduled attempt it is marked failed, never dropped, and can be
redelivered.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import OrderedDict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

import httpx

from ..domain.clock import Clock, iso
from ..domain.errors import NotFound
from ..domain.events import DomainEvent
from .signing import sign

PENDING, DELIVERING, DELIVERED, FAILED, NO_URL = "pending", "delivering", "delivered", "failed", "no_url"


@dataclass
class Attempt:
    number: int
    at: datetime  # emulated
    sent_at: float  # real (Unix seconds)
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None


@dataclass
class Delivery:
    event: DomainEvent
    status: str = PENDING
    attempts: list[Attempt] = field(default_factory=list)
    next_attempt_at: datetime | None = None
    dropped: bool = False  # its tenant was reset: no more attempts
    _body: bytes | None = field(default=None, repr=False)

    @property
    def body(self) -> bytes:
        """The JSON sent, made when first needed (most events of a long advance are never sent)."""
        if self._body is None:
            self._body = json.dumps(payload(self.event), separators=(",", ":")).encode()
        return self._body


@dataclass
class Endpoint:
    url: str | None
    secret: str


def check_url(url: str) -> str | None:
    """Why a webhook URL cannot be posted to, or None: absolute http(s), a host, nothing unprintable."""
    if any(c.isspace() or not c.isprintable() for c in url):
        return f"the webhook URL {url!r} contains spaces or control characters"
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        return f"the webhook URL {url!r} is not a URL: {exc}"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return f"the webhook URL {url!r} must be an absolute http:// or https:// URL with a host"
    return None


def payload(event: DomainEvent) -> dict[str, Any]:
    """The documented webhook body: the standard fields plus data or error (fact sheet 7.3/7.4)."""
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


class Dispatcher:
    def __init__(
        self,
        clock: Clock,
        lock: threading.RLock,
        endpoint_for: Callable[[str], Endpoint],
        schedule: list[float],
        timeout: float,
        seed: int,
        capacity: int = 10_000,
    ):
        self.clock = clock
        self.lock = lock
        self.endpoint_for = endpoint_for
        self.schedule = schedule  # seconds before each retry
        self.timeout = timeout
        self.random = random.Random(seed)
        self.log: OrderedDict[str, Delivery] = OrderedDict()
        self.capacity = capacity
        self.queues: dict[str, deque[Delivery]] = {}
        self.pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="webhook")
        self._client: httpx.Client | None = None  # made on first send: it costs ~15 ms (TLS context)
        self.closed = False

    # -- called under the emulator's lock --------------------------------------------------------
    def submit(self, event: DomainEvent) -> None:
        delivery = Delivery(event)
        self.log[event.id] = delivery
        while len(self.log) > self.capacity:
            self.log.popitem(last=False)
        queue = self.queues.setdefault(event.sync_id, deque())
        queue.append(delivery)
        if len(queue) == 1:
            self._attempt(delivery)

    def redeliver(self, event_id: str) -> Delivery:
        delivery = self.log.get(event_id)
        if delivery is None:
            raise NotFound("eventId", f"no webhook event '{event_id}' in the log")
        if delivery.status in (PENDING, DELIVERING):
            return delivery
        fresh = Delivery(delivery.event, attempts=delivery.attempts, _body=delivery._body)
        self.log[event_id] = fresh
        queue = self.queues.setdefault(delivery.event.sync_id, deque())
        queue.append(fresh)
        if len(queue) == 1:
            self._attempt(fresh)
        return fresh

    def forget(self, doomed: Callable[[DomainEvent], bool]) -> None:
        """A tenant reset: its events leave the log and their queues, and are never attempted again."""
        for event_id, delivery in list(self.log.items()):
            if doomed(delivery.event):
                delivery.dropped = True
                del self.log[event_id]
                self.clock.cancel_owner(("webhook", event_id))
        for sync_id, queue in list(self.queues.items()):
            if queue and doomed(queue[0].event):
                for delivery in queue:
                    delivery.dropped = True
                del self.queues[sync_id]

    def _attempt(self, delivery: Delivery) -> None:
        if delivery.dropped:
            return
        endpoint = self.endpoint_for(delivery.event.project_id)
        if not endpoint.url:
            delivery.status = NO_URL  # kept in the log: nothing is lost, it can be redelivered
            self._next(delivery)
            return
        delivery.status = DELIVERING
        delivery.next_attempt_at = None
        attempt = Attempt(len(delivery.attempts) + 1, self.clock.now(), time.time())
        delivery.attempts.append(attempt)
        if not self.closed:
            self.pool.submit(self._send, delivery, attempt, endpoint)

    def _next(self, delivery: Delivery) -> None:
        queue = self.queues.get(delivery.event.sync_id)
        if queue and queue[0] is delivery:
            queue.popleft()
        if queue:
            self._attempt(queue[0])
        elif queue is not None:
            del self.queues[delivery.event.sync_id]

    # -- on a worker thread -----------------------------------------------------------------------
    def _send(self, delivery: Delivery, attempt: Attempt, endpoint: Endpoint) -> None:
        started = time.monotonic()
        try:
            headers = {"content-type": "application/json", **sign(delivery.event.id, delivery.body, endpoint.secret)}
            response = self._http().post(endpoint.url or "", content=delivery.body, headers=headers)
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

    def _http(self) -> httpx.Client:
        with self.lock:
            if self._client is None:
                self._client = httpx.Client(timeout=self.timeout, trust_env=False)
            return self._client

    def _settle(self, delivery: Delivery, ok: bool) -> None:
        if delivery.dropped:
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
        self.clock.schedule(delivery.next_attempt_at, lambda _t: self._attempt(delivery), owner=("webhook", delivery.event.id))

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.pool.shutdown(wait=False, cancel_futures=True)
        if self._client is not None:
            self._client.close()
