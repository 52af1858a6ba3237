"""Scenarios: named, ready-made upstream worlds (the repository's top-level fixtures/*.yaml, shipped as
the package paragon_emulator.fixtures), or a YAML file of your own."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .domain.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from .emulator import Emulator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ItemSpec(_Strict):
    ref: str | None = None  # a name later items use as their `parent`
    parent: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class AccountSpec(_Strict):
    user: str
    integration: str
    kind: str
    size: int | None = Field(None, ge=0, le=10_000_000)
    project: str | None = None
    items: list[ItemSpec] = Field(default_factory=list)
    groups: dict[str, list[str]] = Field(default_factory=dict)  # file accounts: group email -> members


class SyncSpec(_Strict):
    user: str
    integration: str
    pipeline: str
    project: str | None = None
    configuration: dict[str, Any] = Field(default_factory=dict)
    configurationName: str | None = None


class Scenario(_Strict):
    name: str
    description: str = ""
    accounts: list[AccountSpec] = Field(default_factory=list)
    syncs: list[SyncSpec] = Field(default_factory=list)


def _bundled() -> dict[str, Any]:
    return {p.name[:-5]: p for p in resources.files("paragon_emulator.fixtures").iterdir() if p.name.endswith(".yaml")}


def available() -> list[Scenario]:
    return [read(name) for name in sorted(_bundled())]


def read(name_or_path: str) -> Scenario:
    bundled = _bundled()
    if name_or_path in bundled:
        text = bundled[name_or_path].read_text()
    elif name_or_path.endswith((".yaml", ".yml")) and Path(name_or_path).is_file():
        text = Path(name_or_path).read_text()
    else:
        raise NotFound("name", f"no scenario '{name_or_path}'; bundled: {', '.join(sorted(bundled))} (or a .yaml path)")
    try:
        return Scenario.model_validate(yaml.safe_load(text))
    except (ValidationError, yaml.YAMLError) as exc:
        raise InvalidInput("name", f"scenario '{name_or_path}' is not valid: {exc}") from None


def load(emulator: "Emulator", name_or_path: str) -> dict[str, Any]:
    """Apply a scenario to the running emulator: size accounts, add items, enable syncs."""
    scenario = read(name_or_path)
    items = 0
    for account in scenario.accounts:
        project = emulator.project(account.project)
        if account.size is not None:
            emulator.size_upstream(project, account.user, account.integration, account.kind, account.size)
        for group, members in account.groups.items():
            emulator.set_upstream_group(project, account.user, account.integration, account.kind, group, members)
        refs: dict[str, str] = {}
        for item in account.items:
            fields = dict(item.fields)
            if item.parent is not None:
                if item.parent not in refs:
                    raise InvalidInput("items.parent", f"parent '{item.parent}' is not the ref of an earlier item")
                fields["parentExternalId"] = refs[item.parent]
            created = emulator.change_upstream(project, account.user, account.integration, account.kind, "create", fields=fields)
            assert created is not None
            if item.ref:
                refs[item.ref] = created["externalId"]
            items += 1
    enabled = []
    for sync in scenario.syncs:
        enabled.append(emulator.enable_sync(
            sync.user, sync.integration, sync.pipeline, sync.configuration, sync.configurationName,
            project_id=sync.project,
        ).id)
    return {"name": scenario.name, "itemsCreated": items, "syncIds": enabled}
