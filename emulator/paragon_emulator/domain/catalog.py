"""The catalog of integrations Managed Sync offers: category, pipelines, configuration options.

The domain owns the shape of a row and the rules an enable request is checked by; the rows
themselves come from the category modules of `sources/` (transcribed from the fact sheet,
section 9), gathered by `sources/registry.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .errors import InvalidConfiguration, UnknownIntegration, UnknownPipeline

FILE_STORAGE, CRM, TICKETING = "file_storage", "crm", "ticketing"

# option name -> expected JSON type: "string", "boolean", "number", "string[]", "object", or "view"
# (Dynamics 365: {"type": "savedquery" or "userquery", "id": ...})
Options = dict[str, str]


@dataclass(frozen=True)
class Integration:
    slug: str
    name: str
    category: str
    pipelines: tuple[str, ...]
    options: dict[str, Options] = field(default_factory=dict)  # pipeline -> allowed options
    required: dict[str, tuple[str, ...]] = field(default_factory=dict)  # pipeline -> required options
    # pipeline -> options of which at least one is needed (each names one documented mode, e.g. site or folder)
    one_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    permissions: bool = False  # has a permissions graph (Permissions API)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # number option -> (lowest, highest)


_JSON_TYPES = {
    "string": lambda v: isinstance(v, str) and v != "",
    "boolean": lambda v: isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string[]": lambda v: isinstance(v, list) and all(isinstance(x, str) and x for x in v),
    "object": lambda v: isinstance(v, dict),
    "view": lambda v: isinstance(v, dict) and v.get("type") in ("savedquery", "userquery")
    and isinstance(v.get("id"), str) and v["id"] != "",
}
_KIND_NAMES = {"view": 'an object {"type": "savedquery" or "userquery", "id": a view id}'}


class Catalog:
    def __init__(self, rows: "Iterable[Integration]"):
        self.integrations: dict[str, Integration] = {}
        for row in rows:
            if row.slug in self.integrations:
                raise ValueError(f"integration {row.slug} is in the catalog twice")
            self.integrations[row.slug] = row

    def integration(self, slug: str) -> Integration:
        found = self.integrations.get(slug)
        if found is None:
            names = sorted(self.integrations)
            raise UnknownIntegration(
                "integration",
                f"integration '{slug}' is not a Managed Sync integration; allowed: {', '.join(names)}",
                allowed=names,
            )
        return found

    def with_permissions(self) -> list[str]:
        """The integrations whose files syncs keep a permissions graph."""
        return [i.slug for i in self.integrations.values() if i.permissions]

    def check_enable(self, slug: str, pipeline: str, configuration: dict[str, Any], strict: bool = True) -> Integration:
        """Raise a domain error naming the field unless integration, pipeline and configuration fit."""
        found = self.integration(slug)
        if pipeline not in found.pipelines:
            raise UnknownPipeline(
                "pipeline",
                f"integration '{slug}' has no pipeline '{pipeline}'; allowed: {', '.join(found.pipelines)}",
                allowed=list(found.pipelines),
            )
        allowed = found.options.get(pipeline, {})
        for key, value in configuration.items():
            kind = allowed.get(key)
            if kind is None:
                if strict:
                    names = ", ".join(sorted(allowed)) or "none"
                    raise InvalidConfiguration(
                        f"configuration.{key}",
                        f"configuration.{key} is not an option of {slug} {pipeline}; allowed: {names}",
                        allowed=sorted(allowed),
                    )
                continue
            if not _JSON_TYPES[kind](value):
                wanted = _KIND_NAMES.get(kind, f"a non-empty {kind}")
                raise InvalidConfiguration(f"configuration.{key}", f"configuration.{key} must be {wanted}")
            if key in found.ranges:
                low, high = found.ranges[key]
                if not low <= value <= high:
                    raise InvalidConfiguration(f"configuration.{key}", f"configuration.{key} must be {low} to {high}")
        for key in found.required.get(pipeline, ()):
            if key not in configuration:
                raise InvalidConfiguration(
                    f"configuration.{key}", f"configuration.{key} is required for {slug} {pipeline}"
                )
        modes = found.one_of.get(pipeline, ())
        if modes and not any(key in configuration for key in modes):
            names = " or ".join(f"configuration.{key}" for key in modes)
            raise InvalidConfiguration(
                f"configuration.{modes[0]}", f"{slug} {pipeline} needs {names}", allowed=list(modes)
            )
        return found
