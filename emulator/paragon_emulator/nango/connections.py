"""What the Nango front end keeps of a project: its connections. No HTTP here.

A connection is an end user's credential for one integration. Its syncs are the emulator's own
syncs of the tenant (project, end user), with the connection id as their credential id, so the
Paragon API, the control plane's upstream accounts and faults see the same syncs. The state lives
in the project's tenant container (`TenantState.nango` of (project, "")), so a reset drops it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Connection:
    id: int
    connection_id: str
    provider: str  # Nango's provider name, also its provider_config_key
    integration: str  # the emulator's integration slug
    user_id: str  # the tenant user its syncs and upstream account belong to
    credentials: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    end_user: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, Any] | None = None
    connection_config: dict[str, Any] = field(default_factory=dict)
    webhook_url_override: str | None = None
    frequencies: dict[str, str] = field(default_factory=dict)  # sync id -> Nango frequency override, as sent
    variants: set[str] = field(default_factory=set)  # variants created beside `base`
    pruned: dict[str, datetime] = field(default_factory=dict)  # record id -> when its payload was pruned
    latest_results: dict[str, dict[str, int]] = field(default_factory=dict)  # sync id -> its last run's counts


@dataclass
class NangoProject:
    connections: dict[tuple[str, str], Connection] = field(default_factory=dict)  # (provider, connection id)
    next_id: int = 1

    def find(self, provider: str, connection_id: str) -> Connection | None:
        return self.connections.get((provider, connection_id))

    def of_provider(self, provider: str) -> list[Connection]:
        return [c for c in self.connections.values() if c.provider == provider]
