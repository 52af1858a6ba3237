"""Nango's sync webhooks, through the emulator's one delivery machinery (queues, retries, the log).

One webhook per model a run that changed records (Nango's one per model per run: `Document` of
the `documents` sync, then `File` of the `files` sync, both written by the one files pipeline):
success with the run's counts and `modifiedAfter` (the run's start: read the records modified
after it), or failure when the sync errs. The body is JSON with its keys sorted and no spaces (as
Nango's stable stringify), signed with the project's signing key (its secret key):
`X-Nango-Hmac-Sha256` = hex HMAC-SHA256(key, body), and the legacy `X-Nango-Signature` = hex
SHA-256(key + body). It goes to the connection's `webhook_url_override`, else the project's
webhook URL.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Mapping

from ..domain.clock import iso
from ..domain.engine import INCREMENTAL
from ..domain.events import DomainEvent, What
from ..domain.syncs import Sync
from .connections import Connection
from .keys import secret_keys
from .providers import models_of

if TYPE_CHECKING:
    from ..emulator import Emulator

VARIANT = "base"


def hmac_signature(key: str, body: bytes) -> str:
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def legacy_signature(key: str, body: bytes) -> str:
    return hashlib.sha256(key.encode() + body).hexdigest()


def verify(body: bytes, headers: Mapping[str, str], key: str) -> bool:
    """What the SDK's verifyIncomingWebhookRequest checks: the HMAC header against the raw body."""
    lower = {k.lower(): v for k, v in headers.items()}
    return hmac.compare_digest(lower.get("x-nango-hmac-sha256", ""), hmac_signature(key, body))


@dataclass(frozen=True)
class NangoSyncWebhook(What):
    body: dict[str, Any]
    webhook_url: str | None = None  # the connection's override; None: the project's URL
    key: str = field(default="", repr=False)
    type = "nango_sync"

    def data(self) -> dict[str, Any]:
        return dict(self.body)

    def webhook_body(self) -> bytes:
        return json.dumps(self.body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def webhook_headers(self, body: bytes) -> dict[str, str]:
        return {"X-Nango-Hmac-Sha256": hmac_signature(self.key, body), "X-Nango-Signature": legacy_signature(self.key, body)}


class NangoWebhooks:
    """Listens to the engine (finished runs) and the event bus (errors) for syncs started through Nango."""

    def __init__(self, emulator: "Emulator"):
        self.emulator = emulator
        listeners = getattr(emulator.engine, "finish_listeners", None)  # an engine may announce no runs (a test's reference one)
        if listeners is not None:
            listeners.append(self.finished)
        emulator.events.subscribe(self.on_event)

    def _connection(self, sync: Sync) -> Connection | None:
        state = self.emulator.tenancy.find((sync.project_id, ""))
        if state is None or state.nango is None:
            return None
        for conn in state.nango.connections.values():
            if conn.user_id == sync.user_id and conn.integration == sync.integration:
                return conn
        return None

    def _base(self, sync: Sync, conn: Connection, kind: str, sync_name: str, model: str) -> dict[str, Any]:
        return {
            "from": "nango", "type": "sync", "connectionId": conn.connection_id, "providerConfigKey": conn.provider,
            "syncName": sync_name, "syncVariant": sync.configuration_name or VARIANT, "model": model,
            "syncType": "INCREMENTAL" if kind == INCREMENTAL else "INITIAL",  # full runs are reported as INITIAL
        }

    def _emit(self, sync: Sync, conn: Connection, body: dict[str, Any], at: datetime) -> None:
        key = secret_keys(self.emulator.settings).get(sync.project_id, "")
        self.emulator.events.emit(NangoSyncWebhook(body, conn.webhook_url_override, key), at, sync)

    def finished(self, sync: Sync, kind: str, started: datetime, ended: datetime) -> None:
        conn = self._connection(sync)
        if conn is None:
            return
        # A run writes from its first step on, a run time after it starts.
        changed = sync.records.written_since(started + timedelta(seconds=self.emulator.settings.sync_run_seconds))
        deleted = sum(1 for r in changed if r.deleted)
        added = sum(1 for r in changed if not r.deleted and r.first_seen == r.synced_at)
        results = {"added": added, "updated": len(changed) - added - deleted, "deleted": deleted}
        conn.latest_results[sync.id] = results  # the status's latestResult
        if not changed:
            return  # Nango sends no success webhook for a run that changed nothing
        for sync_name, model in models_of(sync.pipeline):
            body = self._base(sync, conn, kind, sync_name, model)
            body.update(success=True, responseResults=dict(results), modifiedAfter=iso(started), queryTimeStamp=iso(started))
            self._emit(sync, conn, body, ended)

    def on_event(self, event: DomainEvent) -> None:
        if event.type != "sync_errored":
            return
        sync = self.emulator.tenancy.get((event.project_id, event.user_id)).syncs.get(event.sync_id)
        conn = self._connection(sync) if sync is not None and sync.announce_runs else None
        if sync is None or conn is None:
            return
        for sync_name, model in models_of(sync.pipeline):  # each Nango sync of the pipeline failed
            body = self._base(sync, conn, sync.last_run_kind or "initial", sync_name, model)
            body.update(
                success=False, error={"type": "sync_error", "description": event.data.get("message", "")},
                startedAt=iso(event.at), failedAt=iso(event.at),
            )
            self._emit(sync, conn, body, event.at)
