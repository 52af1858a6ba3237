"""The Sync API's operations, scoped to one tenant (project id, user id). No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import catalog
from .clock import Clock
from .engine import SyncEngine
from .permissions import PermissionGraph
from .errors import IllegalTransition, SyncAlreadyExists, SyncNotFound
from .syncs import Status, Sync, default_credential_id, sync_id, transition

Tenant = tuple[str, str]  # (project_id, user_id)


@dataclass(frozen=True)
class EnableRequest:
    integration: str
    pipeline: str
    configuration: dict[str, Any]
    configuration_name: str | None = None
    credential_id: str | None = None


class SyncService:
    def __init__(
        self, seed: int, clock: Clock, engine: SyncEngine, strict_configuration: bool = True, permissions: bool = True
    ):
        self.seed = seed
        self.clock = clock
        self.engine = engine
        self.strict_configuration = strict_configuration
        self.permissions = permissions  # keep permission graphs for the file syncs that have them
        self._graphs = 0
        self.syncs: dict[Tenant, dict[str, Sync]] = {}

    # -- lookups -------------------------------------------------------------------------
    def get(self, tenant: Tenant, id_: str) -> Sync:
        """A sync of this tenant; another tenant's sync is as unknown as a missing one."""
        found = self.syncs.get(tenant, {}).get(id_)
        if found is None:
            raise SyncNotFound("syncId", f"sync '{id_}' not found")
        return found

    def list(self, tenant: Tenant, credential_id: str | None = None) -> list[Sync]:
        syncs = sorted(self.syncs.get(tenant, {}).values(), key=lambda s: (s.created_at, s.id))
        if credential_id is not None:
            syncs = [s for s in syncs if s.credential_id == credential_id]
        return syncs

    def all(self) -> list[Sync]:
        return [s for by_id in self.syncs.values() for s in by_id.values()]

    # -- operations ----------------------------------------------------------------------
    def enable(self, tenant: Tenant, request: EnableRequest) -> Sync:
        catalog.check_enable(request.integration, request.pipeline, request.configuration, self.strict_configuration)
        project_id, user_id = tenant
        new_id = sync_id(self.seed, project_id, user_id, request.integration, request.pipeline, request.configuration_name)
        existing = self.syncs.get(tenant, {}).get(new_id)
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
        )
        if self.permissions and request.pipeline == "files" and catalog.integration(request.integration).permissions:
            self._graphs += 1
            sync.permissions = PermissionGraph(new_id, self._graphs)
        self.syncs.setdefault(tenant, {})[new_id] = sync
        self.engine.start(sync, now)
        return sync

    def update(self, tenant: Tenant, id_: str, credential_id: str | None, frequency: str | None) -> Sync:
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
        sync = self.get(tenant, id_)
        if sync.status == Status.DISABLED:
            return sync  # disabling twice changes nothing
        self.engine.stop(sync)
        transition(sync, Status.DISABLED, self.clock.now())
        return sync

    def reenable(self, tenant: Tenant, id_: str) -> Sync:
        sync = self.get(tenant, id_)
        if sync.status not in (Status.DISABLED, Status.ERRORED):
            raise IllegalTransition(
                "syncId",
                f"sync {sync.id} is {sync.status}; only a DISABLED or ERRORED sync can be re-enabled",
            )
        self.engine.stop(sync)
        self.engine.resume(sync, self.clock.now())
        return sync

    def delete(self, tenant: Tenant, id_: str) -> Sync:
        sync = self.get(tenant, id_)
        self.engine.remove(sync)
        del self.syncs[tenant][id_]
        if not self.syncs[tenant]:
            del self.syncs[tenant]
        return sync

    def remove_where(self, predicate) -> int:
        """Delete every sync the predicate picks (control-plane resets)."""
        doomed = [s for s in self.all() if predicate(s)]
        for sync in doomed:
            self.delete(sync.tenant, sync.id)
        return len(doomed)
