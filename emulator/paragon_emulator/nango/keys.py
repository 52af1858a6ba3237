"""Each project's Nango secret key: a UUID v4, from the `nango_secret_keys` setting or derived
from the seed (the same seed gives the same keys), and its webhook signing key (the same key)."""

from __future__ import annotations

import hashlib
import uuid

from ..settings import Settings


def derived_key(seed: int, project_id: str) -> str:
    digest = hashlib.sha256(f"paragon-emulator/{seed}/nango-secret-key/{project_id}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def secret_keys(settings: Settings) -> dict[str, str]:
    """project id -> its secret key, for every project the emulator accepts (and any named in the setting)."""
    configured = {}
    for pair in settings.nango_secret_keys:
        project, _, key = pair.partition("=")
        configured[project.strip()] = key.strip().lower()
    keys = {project: configured.get(project) or derived_key(settings.seed, project) for project in settings.project_ids}
    keys.update(configured)
    return keys
