"""Upstream operations: size an account, change its items, its sharing and its groups; scenarios."""

from __future__ import annotations

import copy
from itertools import islice
from typing import Any

from ..domain.errors import InvalidInput
from ..sources.files import FilesAccount
from .base import Core, operation
from .journal import recorded


class UpstreamControl(Core):
    @operation
    def load_scenario(self, name_or_path: str) -> dict[str, Any]:
        """Apply a bundled scenario (see fixtures/) or a scenario YAML file."""
        from .. import scenarios

        return scenarios.load(self, name_or_path)

    def upstream_account(self, project_id: str, user_id: str, integration: str, kind: str):
        return self.upstream.account(project_id, user_id, integration, kind)

    @operation
    def upstream_items(
        self, project_id: str, user_id: str, integration: str, kind: str, offset: int = 0, limit: int = 100
    ) -> dict[str, Any]:
        """One page of an upstream account's items (copies), with its item count and change count."""
        account = self.upstream.account(project_id, user_id, integration, kind)
        ids = list(islice(account.external_ids(), offset, offset + limit))
        return {
            "count": account.count(),
            "changes": len(account.changes),
            "items": [copy.deepcopy(account.item(e)) for e in ids],
        }

    @operation
    @recorded
    def size_upstream(self, project_id: str, user_id: str, integration: str, kind: str, size: int) -> None:
        self.upstream.set_size(project_id, user_id, integration, kind, size)

    @operation
    @recorded
    def change_upstream(
        self, project_id: str, user_id: str, integration: str, kind: str, action: str,
        external_id: str | None = None, fields: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """create / update / delete / share / unshare / grant / revoke an upstream item; seen by the next sync that looks.

        `fields` is copied in and the item copied out: upstream state, and the records synced from
        it, never share objects with the caller, who may change theirs afterwards.
        """
        account = self.upstream.account(project_id, user_id, integration, kind)
        with self._changing(self.syncs.reading(project_id, user_id, integration, kind)):
            return copy.deepcopy(self._apply_change(account, kind, action, external_id, copy.deepcopy(fields)))

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
        files = _files_account(account, kind)
        if action in ("share", "unshare"):
            return files.set_shared(external_id, action == "share", now)
        if action == "grant":
            return files.grant(external_id, fields or {})
        if action == "revoke":
            return files.revoke(external_id, fields or {})
        raise InvalidInput("action", f"unknown upstream action '{action}'")

    @operation
    def upstream_directory(self, project_id: str, user_id: str, integration: str, kind: str) -> dict[str, Any]:
        account = self.upstream.account(project_id, user_id, integration, kind)
        return _files_account(account, kind).directory.as_json()

    @operation
    @recorded
    def set_upstream_group(
        self, project_id: str, user_id: str, integration: str, kind: str, group: str, members: list[str]
    ) -> dict[str, Any]:
        """Set a group's members upstream; each sync sees it on its next run."""
        files = _files_account(self.upstream.account(project_id, user_id, integration, kind), kind)
        with self._changing(self.syncs.reading(project_id, user_id, integration, kind)):
            return files.set_group(group, members)


def _files_account(account, kind: str) -> FilesAccount:
    if not isinstance(account, FilesAccount):
        raise InvalidInput("kind", f"only file items are shared or unshared, not {kind}")
    return account
