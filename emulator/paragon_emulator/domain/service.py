"""The Sync API's operations, scoped to one tenant (project id, user id). No HTTP here."""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from typing import Any, Callable, ContextManager

from .catalog import Catalog
from .clock import Clock
from .engine import SyncEngine
from .monitor import Monitor
from .records import Page, StoredRecord
from .work import UpstreamWork
from .permissions import PermissionGraph
from .errors import IllegalTransition, InvalidInput, NoContent, NoPermissions, RecordNotFound, SyncAlreadyExists, SyncNotFound
from .syncs import Status, Sync, default_credential_id, sync_id
from .tenants import Tenant, Tenants, TenantState

DataOf = Callable[[list[StoredRecord]], list[dict[str, Any]]]  # records -> their answers


@dataclass(frozen=True)
class EnableRequest:
    integration: str
    pipeline: str
    configuration: dict[str, Any]
    configuration_name: str | None = None
    credential_id: str | None = None


class SyncService:
    def __init__(
        self, seed: int, clock: Clock, engine: SyncEngine, tenants: Tenants, work: UpstreamWork, catalog: Catalog,
        strict_configuration: bool = True, permissions: bool = True, monitor: Monitor | None = None,
    ):
        self.seed = seed
        self.catalog = catalog
        self.work = work
        self.tenants = tenants
        self.clock = clock
        self.engine = engine
        self.strict_configuration = strict_configuration
        self.permissions = permissions  # keep permission graphs for the file syncs that have them
        self.monitor = monitor  # told of every sync's status moves (domain/monitor.py)
        self._graphs = 0
        self._ordinals = 0
        # Around each change made through the service: the emulator writes it to its journal.
        self.recording: Callable[[str, dict[str, Any]], ContextManager[None]] = lambda op, args: contextlib.nullcontext()

    # -- lookups (each sync brought up to the clock's settled instant) --------------------
    def get(self, tenant: Tenant, id_: str) -> Sync:
        """A sync of this tenant; another tenant's sync is as unknown as a missing one."""
        state = self.tenants.find(tenant)
        found = state.syncs.get(id_) if state is not None else None
        if found is None:
            raise SyncNotFound("syncId", f"sync '{id_}' not found")
        self.engine.observe(found)
        return found

    def find(self, id_: str) -> Sync:
        """Any tenant's sync (the control plane names syncs by id alone)."""
        state = self.tenants.of_sync(id_)
        if state is None:
            raise SyncNotFound("syncId", f"sync '{id_}' not found")
        return self.get(state.key, id_)

    def graph(self, tenant: Tenant, id_: str) -> PermissionGraph:
        """The permissions graph of a tenant's sync; a sync that keeps none is a clear error."""
        sync = self.get(tenant, id_)
        if sync.permissions is None and not self.permissions:
            raise NoPermissions("syncId", "the emulator keeps no permissions graphs (PARAGON_EMULATOR_PERMISSIONS=false)")
        if sync.permissions is None:
            raise NoPermissions(
                "syncId",
                f"sync {sync.id} is a {sync.integration} {sync.pipeline} sync; permissions exist only for files syncs "
                f"of {', '.join(self.catalog.with_permissions())}",
            )
        return sync.permissions

    def list(self, tenant: Tenant, credential_id: str | None = None) -> list[Sync]:
        state = self.tenants.find(tenant)
        syncs = sorted(state.syncs.values(), key=lambda s: (s.created_at, s.id)) if state is not None else []
        if credential_id is not None:
            syncs = [s for s in syncs if s.credential_id == credential_id]
        for sync in syncs:
            self.engine.observe(sync)
        return syncs

    def all(self) -> list[Sync]:
        return [s for state in self.tenants for s in self.list(state.key)]

    def reading(self, project_id: str, user_id: str, integration: str, pipeline: str) -> list[Sync]:
        """The syncs that read one upstream account."""
        state = self.tenants.find((project_id, user_id))
        if state is None:
            return []
        return [s for s in state.syncs.values() if s.integration == integration and s.pipeline == pipeline]

    # -- operations ----------------------------------------------------------------------
    def enable(self, tenant: Tenant, request: EnableRequest) -> Sync:
        with self.recording("sync.enable", {"tenant": list(tenant), **asdict(request)}):
            return self._enable(tenant, request)

    def _enable(self, tenant: Tenant, request: EnableRequest) -> Sync:
        self.catalog.check_enable(request.integration, request.pipeline, request.configuration, self.strict_configuration)
        project_id, user_id = tenant
        new_id = sync_id(self.seed, project_id, user_id, request.integration, request.pipeline, request.configuration_name)
        state = self.tenants.find(tenant)
        existing = state.syncs.get(new_id) if state is not None else None
        if existing is not None:
            name = f" and configurationName '{request.configuration_name}'" if request.configuration_name else ""
            raise SyncAlreadyExists(
                "configurationName",
                f"a sync of {request.integration} {request.pipeline}{name} already exists: {new_id}",
                syncId=new_id,
            )
        now = self.clock.now()
        credential = request.credential_id or default_credential_id(self.seed, project_id, user_id, request.integration)
        sync = Sync(
            id=new_id,
            project_id=project_id,
            user_id=user_id,
            integration=request.integration,
            pipeline=request.pipeline,
            configuration=dict(request.configuration),
            configuration_name=request.configuration_name,
            credential_id=credential,
            created_at=now,
            updated_at=now,
            ordinal=self._next_ordinal(),
            monitor=self.monitor,
        )
        if self.permissions and request.pipeline == "files" and self.catalog.integration(request.integration).permissions:
            self._graphs += 1
            sync.permissions = PermissionGraph(new_id, self._graphs)
        self.tenants.add_sync(sync)
        self.engine.start(sync, now)
        return sync

    def _next_ordinal(self) -> int:
        self._ordinals += 1
        return self._ordinals

    def update(self, tenant: Tenant, id_: str, credential_id: str | None, frequency: str | None) -> Sync:
        args = {"tenant": list(tenant), "id_": id_, "credential_id": credential_id, "frequency": frequency}
        with self.recording("sync.update", args):
            return self._update(tenant, id_, credential_id, frequency)

    def _update(self, tenant: Tenant, id_: str, credential_id: str | None, frequency: str | None) -> Sync:
        sync = self.get(tenant, id_)
        now = self.clock.now()
        if frequency is not None and frequency != sync.frequency:
            sync.frequency = frequency
            sync.updated_at = now
            self.engine.frequency_changed(sync, now)
        if credential_id is not None and credential_id != sync.credential_id:
            sync.credential_id = credential_id
            sync.updated_at = now
            self.engine.full_resync(sync, now)
        return sync

    def disable(self, tenant: Tenant, id_: str) -> Sync:
        with self.recording("sync.disable", {"tenant": list(tenant), "id_": id_}):
            return self._disable(tenant, id_)

    def _disable(self, tenant: Tenant, id_: str) -> Sync:
        sync = self.get(tenant, id_)
        if sync.status == Status.DISABLED:
            return sync  # disabling twice changes nothing
        self.engine.stop(sync)
        sync.disable(self.clock.now())
        return sync

    def reenable(self, tenant: Tenant, id_: str) -> Sync:
        with self.recording("sync.reenable", {"tenant": list(tenant), "id_": id_}):
            return self._reenable(tenant, id_)

    def _reenable(self, tenant: Tenant, id_: str) -> Sync:
        sync = self.get(tenant, id_)
        if sync.status not in (Status.DISABLED, Status.ERRORED):
            raise IllegalTransition(
                "syncId",
                f"sync {sync.id} is {sync.status}; only a DISABLED or ERRORED sync can be re-enabled",
            )
        self.engine.resume(sync, self.clock.now())
        return sync

    def delete(self, tenant: Tenant, id_: str) -> Sync:
        with self.recording("sync.delete", {"tenant": list(tenant), "id_": id_}):
            return self._delete(tenant, id_)

    def _delete(self, tenant: Tenant, id_: str) -> Sync:
        sync = self.get(tenant, id_)
        self.engine.remove(sync)
        self.tenants.remove_sync(sync)
        return sync

    # -- records ---------------------------------------------------------------------------
    def page(self, tenant: Tenant, id_: str, cursor: str | None, size: int) -> tuple[Page, DataOf]:
        """A page of the sync's records after `cursor`, and how to get records as served.

        Records as served are asked for separately (and only under the lock this runs under): a
        caller that kept a record's answer by its `key` needs only the rest."""
        if size < 1:
            raise InvalidInput("pageSize", f"pageSize must be at least 1, not {size}")
        sync = self.get(tenant, id_)
        return sync.records.page(cursor, size), lambda records: self.work.records_data(sync, records)

    def record(self, tenant: Tenant, id_: str, record_id: str) -> tuple[StoredRecord, DataOf]:
        sync = self.get(tenant, id_)
        return sync.records.get(record_id), lambda records: self.work.records_data(sync, records)

    def content(self, tenant: Tenant, id_: str, record_id: str) -> tuple[bytes, str]:
        sync = self.get(tenant, id_)
        record = sync.records.get(record_id)
        if record.deleted:
            raise RecordNotFound("recordId", f"record '{record.id}' was deleted upstream; its content is gone")
        found = self.work.content(sync, record)
        if found is None:
            raise NoContent("recordId", f"record '{record.id}' has no downloadable content (a folder, or no file body)")
        return found

    def forget(self, state: TenantState) -> int:
        """A dropped tenant's syncs stop running; returns how many it held."""
        for sync in state.syncs.values():
            self.engine.remove(sync)
        return len(state.syncs)
