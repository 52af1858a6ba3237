"""The emulator's control plane (/_emulator/), for the scenarios that need one.

A server has a control plane when GET /_emulator/health answers 200; the real service does not,
and PARAGON_CONTRACT_CONTROL_PLANE=off makes the suite behave as if the emulator had none.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import httpx


def detect(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/_emulator/health", timeout=10).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class ControlPlane:
    base_url: str

    def _call(self, method: str, path: str, **kwargs) -> dict:
        response = httpx.request(method, f"{self.base_url}/_emulator{path}", timeout=60, **kwargs)
        assert response.status_code == 200, f"control plane {method} {path}: {response.status_code} {response.text}"
        return response.json()

    def advance(self, seconds: float) -> dict:
        """Move the emulated clock; every timer that falls due runs before this returns."""
        return self._call("POST", "/clock/advance", json={"seconds": seconds})

    def inject_sync_fault(self, sync_id: str, kind: str, **options) -> dict:
        """What the sync's next run meets upstream (credential_revoked, rate_limited, ...)."""
        return self._call("POST", "/faults/sync", json={"syncId": sync_id, "kind": kind, **options})

    def clear_sync_fault(self, fault_id: int) -> dict:
        return self._call("DELETE", f"/faults/sync/{fault_id}")

    def _upstream(self, project: str, user: str, integration: str, kind: str) -> str:
        return "/upstream/" + "/".join(quote(part, safe="") for part in (project, user, integration, kind))

    def create_item(self, project: str, user: str, integration: str, kind: str, fields: dict) -> dict:
        return self._call("POST", self._upstream(project, user, integration, kind) + "/items", json={"fields": fields})

    def update_item(self, project: str, user: str, integration: str, kind: str, external_id: str, fields: dict) -> dict:
        path = self._upstream(project, user, integration, kind) + "/items/" + quote(external_id, safe="")
        return self._call("PATCH", path, json={"fields": fields})
