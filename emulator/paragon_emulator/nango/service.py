"""Nango's operations over the emulator's one engine: connections, syncs, records.

Runs under the emulator's lock (the HTTP layer calls it through `Emulator.run`). Refusals are
NangoErrors with Nango's status and code (fact sheet section 1).
"""

from __future__ import annotations

import functools
import inspect
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable

from ..control.journal import named_arguments
from ..domain.clock import iso
from ..domain.engine import FULL, INCREMENTAL
from ..domain.errors import SyncNotFound
from ..domain.records import RecordStore, StoredRecord
from ..domain.service import EnableRequest
from ..domain.syncs import Status, Sync, sync_id
from ..webhooks.delivery import check_url
from . import feed, frequency
from .connections import Connection, NangoProject
from .errors import NangoError, unknown_connection_for_records
from .models import RENDER, document, document_of_item
from .providers import BASE, MODELS, PROVIDERS, SYNCS, provider_of, syncs_of

if TYPE_CHECKING:
    from ..emulator import Emulator

AUTH_MODES = {name: "OAUTH2" for name in PROVIDERS}  # every provider here connects with OAuth 2
MODIFIED_AFTER_WINDOW = timedelta(days=365)


def journaled(method: Any) -> Any:
    """A change of Nango state: written to the emulator's journal, which snapshots replay
    (control/journal.py); the Paragon changes it makes inside are part of it."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def write(self: "NangoService", *args: Any, **kwargs: Any) -> Any:
        named = named_arguments(signature, (self, *args), kwargs)
        emulator = self.emulator
        with emulator.journal.change(emulator.clock.now, "nango." + method.__name__, {"project_id": self.project_id, **named}):
            return method(self, *args, **kwargs)

    return write


# The changes a journal may name as "nango.<name>" (what `journaled` marks below).
CHANGES = frozenset({
    "import_connection", "patch_connection", "delete_connection", "start", "pause", "trigger", "update_frequency",
    "create_variant", "delete_variant", "prune",
})


@dataclass(frozen=True)
class SyncRef:
    name: str
    variant: str
    pipeline: str


class NangoService:
    def __init__(self, emulator: "Emulator", project_id: str):
        self.emulator = emulator
        self.project_id = project_id

    # -- state ---------------------------------------------------------------------------
    @property
    def state(self) -> NangoProject:
        container = self.emulator.tenancy.get((self.project_id, ""))
        if container.nango is None:
            container.nango = NangoProject()
        return container.nango

    @property
    def now(self) -> datetime:
        return self.emulator.clock.now()

    def provider(self, key: str, status: int = 400, code: str = "unknown_provider_config") -> str:
        found = provider_of(key)
        if found is None:
            raise NangoError(status, code, f"There is no integration with the unique key '{key}' in this environment "
                             f"(known: {', '.join(PROVIDERS)})")
        return found

    def connection(self, provider: str, connection_id: str) -> Connection | None:
        return self.state.find(provider, connection_id)

    # -- connections ---------------------------------------------------------------------
    def list_connections(
        self, connection_id: str | None = None, search: str | None = None, end_user_id: str | None = None,
        organization_id: str | None = None, integrations: list[str] | None = None, tags: dict[str, str] | None = None,
        limit: int = 10_000, page: int = 0,
    ) -> list[Connection]:
        providers = {provider_of(i) or i for i in integrations} if integrations else None
        found = []
        for conn in sorted(self.state.connections.values(), key=lambda c: c.id):
            end_user = conn.end_user or {}
            if connection_id is not None and conn.connection_id != connection_id:
                continue
            if search and search.lower() not in " ".join(
                str(v) for v in (conn.connection_id, end_user.get("id"), end_user.get("email"), end_user.get("display_name")) if v
            ).lower():
                continue
            if end_user_id is not None and end_user.get("id") != end_user_id:
                continue
            if organization_id is not None and (end_user.get("organization") or {}).get("id") != organization_id:
                continue
            if providers is not None and conn.provider not in providers:
                continue
            if tags and any(conn.tags.get(k) != v for k, v in tags.items()):
                continue
            found.append(conn)
        return found[page * limit:(page + 1) * limit]

    def get_connection(self, key: str, connection_id: str) -> Connection:
        conn = self.connection(self.provider(key), connection_id)
        if conn is None:
            raise NangoError(404, "not_found", f"No connection '{connection_id}' for integration '{key}'")
        return conn

    @journaled
    def import_connection(self, body: dict[str, Any]) -> Connection:
        provider = self.provider(body["provider_config_key"], 404, "not_found")
        credentials = dict(body["credentials"])
        if credentials["type"] != AUTH_MODES[provider]:
            raise NangoError(400, "invalid_body", f"{provider} connects with {AUTH_MODES[provider]}, "
                             f"not {credentials['type']}")
        if not isinstance(credentials.get("access_token"), str) or not credentials["access_token"]:
            raise NangoError(400, "invalid_body", "OAUTH2 credentials need an access_token")
        self._check_webhook_url(body.get("webhook_url_override"))
        state = self.state
        connection_id = body.get("connection_id") or str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"paragon-emulator/{self.emulator.settings.seed}/nango/{self.project_id}/{state.next_id}")
        )
        end_user = body.get("end_user")
        user_id = (end_user or {}).get("id") or connection_id
        existing = state.find(provider, connection_id)
        if existing is None:
            for other in state.of_provider(provider):
                if other.user_id == user_id:
                    raise NangoError(400, "invalid_body", f"end user '{user_id}' already has connection "
                                     f"'{other.connection_id}' to {provider}; the emulator keeps one a user and integration")
        now = self.now
        conn = Connection(
            id=existing.id if existing else state.next_id,
            connection_id=connection_id,
            provider=provider,
            integration=PROVIDERS[provider],
            user_id=existing.user_id if existing else user_id,
            credentials=credentials,
            created_at=existing.created_at if existing else now,
            updated_at=now,
            end_user=end_user,
            tags=dict(body.get("tags") or {}),
            metadata=body.get("metadata"),
            connection_config=dict(body.get("connection_config") or {}),
            webhook_url_override=body.get("webhook_url_override"),
            frequencies=existing.frequencies if existing else {},
            pruned=existing.pruned if existing else {},
        )
        if existing is None:
            state.next_id += 1
        state.connections[(provider, connection_id)] = conn
        return conn

    @journaled
    def patch_connection(self, key: str, connection_id: str, body: dict[str, Any]) -> None:
        conn = self.get_connection(key, connection_id)
        if "webhook_url_override" in body:
            self._check_webhook_url(body["webhook_url_override"])
            conn.webhook_url_override = body["webhook_url_override"]
        if "end_user" in body:
            conn.end_user = body["end_user"]  # a label: the syncs stay with the user they began with
        if "tags" in body:
            conn.tags = dict(body["tags"])
        conn.updated_at = self.now

    @journaled
    def delete_connection(self, key: str, connection_id: str) -> None:
        provider = self.provider(key)
        conn = self.connection(provider, connection_id)
        if conn is None:
            raise NangoError(400, "unknown_connection")
        for sync in self._syncs_of(conn):
            self.emulator.syncs.delete(sync.tenant, sync.id)
        del self.state.connections[(provider, connection_id)]

    @staticmethod
    def _check_webhook_url(url: str | None) -> None:
        # Nango refuses loopback and private addresses; the emulator takes them (tests' receivers are local).
        problem = check_url(url) if url else None
        if problem:
            raise NangoError(400, "invalid_body", problem)

    # -- syncs ---------------------------------------------------------------------------
    def _sync_id(self, conn: Connection, ref: SyncRef) -> str:
        name = None if ref.variant == BASE else ref.variant
        return sync_id(self.emulator.settings.seed, self.project_id, conn.user_id, conn.integration, ref.pipeline, name)

    def _sync(self, conn: Connection, ref: SyncRef) -> Sync | None:
        try:
            return self.emulator.syncs.get((self.project_id, conn.user_id), self._sync_id(conn, ref))
        except SyncNotFound:
            return None

    def _syncs_of(self, conn: Connection) -> list[Sync]:
        return [s for s in self.emulator.syncs.list((self.project_id, conn.user_id)) if s.integration == conn.integration]

    @staticmethod
    def refs(items: Iterable[Any], strings_with_variants: bool = False) -> list[SyncRef]:
        refs = []
        for item in items:
            if isinstance(item, dict):
                name, variant = item["name"], item["variant"]
            elif strings_with_variants and "::" in item:
                name, _, variant = item.partition("::")
            else:
                name, variant = item, BASE
            kind = SYNCS.get(name)
            if kind is None:
                raise NangoError(400, "no_syncs_found", "No syncs found given the inputs.")
            refs.append(SyncRef(name, variant, kind.pipeline))
        return refs

    def _targets(self, key: str | None, connection_id: str | None, syncs: list[Any], variants: bool) -> list[tuple[Connection, SyncRef]]:
        if not key:
            raise NangoError(400, "missing_provider_config_key", "Missing provider config key")
        provider = self.provider(key)
        if connection_id is not None:
            conn = self.connection(provider, connection_id)
            if conn is None:
                raise NangoError(404, "unknown_connection", f"Connection '{connection_id}' not found",
                                 payload={"connectionId": connection_id, "providerConfigKey": key})
            conns = [conn]
        else:
            conns = self.state.of_provider(provider)
        named = self.refs(syncs, variants) if syncs else None
        if not conns:
            raise NangoError(400, "no_syncs_found", "No syncs found given the inputs.")
        pairs = [(c, r) for c in conns for r in (named or self.refs(syncs_of(c.provider)))]
        if any(r.name not in syncs_of(c.provider) or (r.variant != BASE and r.variant not in c.variants) for c, r in pairs):
            raise NangoError(400, "no_syncs_found", "No syncs found given the inputs.")
        # One sync a connection, pipeline and variant, whatever names selected it.
        unique = {(c.id, r.pipeline, r.variant): (c, r) for c, r in pairs}
        return list(unique.values())

    @journaled
    def start(self, key: str, connection_id: str | None, syncs: list[Any]) -> None:
        for conn, ref in self._targets(key, connection_id, syncs, False):
            sync = self._sync(conn, ref)
            if sync is None:
                self._enable(conn, ref)
                continue
            sync.announce_runs = True
            if sync.status == Status.DISABLED:
                self.emulator.syncs.reenable(sync.tenant, sync.id)

    @journaled
    def pause(self, key: str, connection_id: str | None, syncs: list[Any]) -> None:
        for conn, ref in self._targets(key, connection_id, syncs, False):
            sync = self._sync(conn, ref)
            if sync is not None and sync.status != Status.DISABLED:
                self.emulator.syncs.disable(sync.tenant, sync.id)

    @journaled
    def trigger(self, key: str | None, connection_id: str | None, syncs: list[Any], full: bool, empty_cache: bool) -> None:
        for conn, ref in self._targets(key, connection_id, syncs, True):
            sync = self._sync(conn, ref)
            if sync is None:
                self._enable(conn, ref)  # a sync that never ran runs its initial sync now
                continue
            sync.announce_runs = True
            if sync.status in (Status.DISABLED, Status.ERRORED):
                self.emulator.syncs.reenable(sync.tenant, sync.id)
            if empty_cache:
                sync.records = RecordStore()
                sync.needs_full = True  # nothing is stored: only an executed full run brings it back
                conn.pruned.clear()
            self.emulator.engine.run_now(sync, self.now, FULL if full or empty_cache else INCREMENTAL)

    def _enable(self, conn: Connection, ref: SyncRef) -> Sync:
        name = None if ref.variant == BASE else ref.variant
        request = EnableRequest(conn.integration, ref.pipeline, {}, name, conn.connection_id)
        sync = self.emulator.syncs.enable((self.project_id, conn.user_id), request)
        sync.announce_runs = True  # its runs end in Nango webhooks
        raw = conn.frequencies.get(sync.id)
        if raw is not None:
            sync.interval_seconds = frequency.interval_seconds(raw)
        return sync

    def status(self, key: str, connection_id: str | None, names: list[str]) -> list[dict[str, Any]]:
        provider = self.provider(key)
        if connection_id is not None:
            conn = self.connection(provider, connection_id)
            if conn is None:
                raise NangoError(400, "invalid_body", "Connection not found")
            conns = [conn]
        else:
            conns = self.state.of_provider(provider)
        return [
            self._status(conn, SyncRef(name, variant, SYNCS[name].pipeline))
            for conn in conns
            for name in (syncs_of(conn.provider) if names == ["*"] else [n for n in dict.fromkeys(names) if n in syncs_of(conn.provider)])
            for variant in [BASE, *sorted(conn.variants)]
        ]

    def _status(self, conn: Connection, ref: SyncRef) -> dict[str, Any]:
        sync = self._sync(conn, ref)
        models = [m for m, name in MODELS.items() if name == ref.name]
        raw = conn.frequencies.get(self._sync_id(conn, ref))
        default = self.emulator.settings.default_frequency
        body: dict[str, Any] = {
            "id": self._sync_id(conn, ref),
            "connection_id": conn.connection_id,
            "name": ref.name,
            "variant": ref.variant,
            "status": "PAUSED",
            "type": "INITIAL",
            "nextScheduledSyncAt": None,
            "frequency": raw or frequency.PARAGON_FREQUENCIES[(sync.frequency if sync else None) or default],
            "recordCount": {m: (sync.records.active if sync else 0) for m in models},
            "checkpoint": None,
        }
        if sync is None:
            return body
        running = sync.status in (Status.INITIALIZING, Status.ACTIVE, Status.RATE_LIMITED)
        body["status"] = {Status.IDLE: "SUCCESS", Status.ERRORED: "ERROR", Status.DISABLED: "PAUSED"}.get(
            sync.status, "RUNNING"
        )
        run = sync.plan.run if sync.plan is not None else None
        # Nango reports full runs as INITIAL.
        kind = run.kind if run is not None else sync.last_run_kind
        body["type"] = "INCREMENTAL" if kind == INCREMENTAL else "INITIAL"
        body["latestExecutionStatus"] = "RUNNING" if running else ("FAILED" if sync.status == Status.ERRORED else "SUCCESS")
        if not running and sync.last_synced_at is not None:
            body["finishedAt"] = iso(sync.last_synced_at)
        latest = conn.latest_results.get(sync.id)
        if latest is not None:
            body["latestResult"] = {model: dict(latest) for model in models}
        due = sync.plan.incremental_due if sync.plan is not None else None
        if sync.status != Status.DISABLED and due is not None:
            body["nextScheduledSyncAt"] = iso(due)
        return body

    @journaled
    def update_frequency(self, key: str, connection_id: str, name: str, variant: str | None, raw: str | None) -> str:
        conn = self.connection(self.provider(key), connection_id)
        if conn is None:
            raise NangoError(400, "unknown_connection")
        kind = SYNCS.get(name) if name in syncs_of(conn.provider) else None
        variant = variant or BASE
        if kind is None or (variant != BASE and variant not in conn.variants):
            raise NangoError(400, "unknown_sync")
        ref = SyncRef(name, variant, kind.pipeline)
        seconds = None
        if raw is not None:
            seconds = frequency.interval_seconds(raw)
            if seconds is None:
                raise NangoError(400, "invalid_body", "Sync interval is invalid")
            conn.frequencies[self._sync_id(conn, ref)] = raw
        else:
            conn.frequencies.pop(self._sync_id(conn, ref), None)
        sync = self._sync(conn, ref)
        if sync is not None:
            sync.interval_seconds = seconds
            self.emulator.engine.frequency_changed(sync, self.now)
        if raw is None:
            return (sync.frequency if sync else None) or self.emulator.settings.default_frequency
        return frequency.normalized(raw)

    # -- records -------------------------------------------------------------------------
    def records_source(self, key: str, connection_id: str, model: str, variant: str | None) -> tuple[Connection, Sync | None]:
        provider = provider_of(key)
        conn = self.connection(provider, connection_id) if provider else None
        if conn is None:
            raise unknown_connection_for_records()
        name = MODELS.get(model)
        variant = variant or BASE
        if name not in syncs_of(conn.provider) or (variant != BASE and variant not in conn.variants):
            return conn, None  # no records of that model were ever stored
        return conn, self._sync(conn, SyncRef(name, variant, SYNCS[name].pipeline))

    # -- variants ------------------------------------------------------------------------
    def _variant_target(self, name: str, variant: str, key: str, connection_id: str) -> tuple[Connection, SyncRef]:
        conn = self.connection(self.provider(key), connection_id)
        if conn is None:
            raise NangoError(404, "unknown_connection", f"Connection '{connection_id}' not found",
                             payload={"connectionId": connection_id, "providerConfigKey": key})
        kind = SYNCS.get(name) if name in syncs_of(conn.provider) else None
        if kind is None:
            raise NangoError(404, "not_found", f"No sync '{name}' (syncs: {', '.join(syncs_of(conn.provider))})")
        if variant.lower() == BASE:
            raise NangoError(400, "invalid_uri_params", "'base' is the default variant; it cannot be created or deleted")
        return conn, SyncRef(name, variant, kind.pipeline)

    @journaled
    def create_variant(self, name: str, variant: str, key: str, connection_id: str) -> dict[str, str]:
        """A variant beside `base`: paused until started, like a sync that never ran."""
        conn, ref = self._variant_target(name, variant, key, connection_id)
        if variant in conn.variants:
            raise NangoError(400, "sync_variant_already_exists", f"Variant '{variant}' of '{name}' already exists")
        conn.variants.add(variant)
        return {"id": self._sync_id(conn, ref), "name": name, "variant": variant}

    @journaled
    def delete_variant(self, name: str, variant: str, key: str, connection_id: str) -> None:
        conn, ref = self._variant_target(name, variant, key, connection_id)
        if variant not in conn.variants:
            raise NangoError(404, "not_found", f"No variant '{variant}' of '{name}'")
        sync = self._sync(conn, ref)
        if sync is not None:
            self.emulator.syncs.delete(sync.tenant, sync.id)
        conn.variants.discard(variant)
        conn.frequencies.pop(self._sync_id(conn, ref), None)

    def payloads(self, sync: Sync, records: list[StoredRecord], model: str) -> list[dict[str, Any]]:
        """The model payloads of live records, in order."""
        work = self.emulator.syncs.work
        if model != "Document":
            return [RENDER[model](data) for data in work.records_data(sync, records)]
        account = work.account(sync)
        found = []
        for record in records:
            if record.data is not None:
                found.append(document(record.data))
            else:  # a generated item: straight from upstream (tests compare it with the Paragon record)
                found.append(document_of_item(account.generate(account.index_of(record.external_id)), sync.integration))
        return found

    def modified_after(self, text: str) -> datetime:
        try:
            at = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            raise NangoError(400, "invalid_query_params", errors=[_problem("modified_after", "must be an ISO 8601 date")]) from None
        if at.tzinfo is None:
            at = at.replace(tzinfo=self.now.tzinfo)
        if at < self.now - MODIFIED_AFTER_WINDOW:
            raise NangoError(400, "invalid_query_params", errors=[
                _problem("modified_after", "must be within the last 12 months")
            ])
        return at

    @journaled
    def prune(self, key: str, connection_id: str, model: str, variant: str | None, until_cursor: str, limit: int) -> tuple[int, bool]:
        conn, sync = self.records_source(key, connection_id, model, variant)
        if sync is None:
            return 0, False
        try:
            reached = feed.until(sync.records, until_cursor)
        except feed.BadCursor as exc:
            raise NangoError(400, "invalid_body", errors=[_problem("until_cursor", str(exc))]) from None
        todo = [r for r in reached if r.id not in conn.pruned]
        now = self.now
        for record in todo[:limit]:
            conn.pruned[record.id] = now
        return min(len(todo), limit), len(todo) > limit


def _problem(name: str, message: str) -> dict[str, Any]:
    return {"code": "custom", "message": message, "path": [name]}

