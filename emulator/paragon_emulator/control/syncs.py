"""Syncs of a user, from Python: what the Sync API does, without HTTP or a token."""

from __future__ import annotations

from typing import Any

from ..domain.service import EnableRequest
from ..domain.syncs import Sync
from .base import Core, operation


class SyncControl(Core):
    @operation
    def enable_sync(
        self, user_id: str, integration: str, pipeline: str, configuration: dict[str, Any] | None = None,
        configuration_name: str | None = None, credential_id: str | None = None, project_id: str | None = None,
    ) -> Sync:
        request = EnableRequest(integration, pipeline, dict(configuration or {}), configuration_name, credential_id)
        return self.syncs.enable(self._tenant(user_id, project_id), request)

    @operation
    def list_syncs(self, user_id: str, project_id: str | None = None) -> list[Sync]:
        return self.syncs.list(self._tenant(user_id, project_id))

    @operation
    def get_sync(self, user_id: str, sync_id: str, project_id: str | None = None) -> Sync:
        return self.syncs.get(self._tenant(user_id, project_id), sync_id)

    @operation
    def delete_sync(self, user_id: str, sync_id: str, project_id: str | None = None) -> Sync:
        return self.syncs.delete(self._tenant(user_id, project_id), sync_id)

    @operation
    def tenants(self) -> list[tuple[str, str, list[Sync]]]:
        """Every tenant that has syncs, by (project, user), with its syncs as the Sync API lists them."""
        listed = ((state.key, self.syncs.list(state.key)) for state in self.tenancy)
        return [(p, u, syncs) for (p, u), syncs in sorted(listed) if syncs]

    def _tenant(self, user_id: str, project_id: str | None) -> tuple[str, str]:
        return (self.project(project_id), user_id)
