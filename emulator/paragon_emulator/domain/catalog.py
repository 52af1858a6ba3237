"""The integrations Managed Sync offers: category, pipelines and configuration options.

Transcribed from the fact sheet (section 9). Enabling a sync is checked against this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidConfiguration, UnknownIntegration, UnknownPipeline

FILE_STORAGE, CRM, TICKETING = "file_storage", "crm", "ticketing"

# option name -> expected JSON type: "string", "boolean", "number", "string[]", "object"
Options = dict[str, str]


@dataclass(frozen=True)
class Integration:
    slug: str
    name: str
    category: str
    pipelines: tuple[str, ...]
    options: dict[str, Options] = field(default_factory=dict)  # pipeline -> allowed options
    required: dict[str, tuple[str, ...]] = field(default_factory=dict)  # pipeline -> required options
    permissions: bool = False  # has a permissions graph (Permissions API)


_FILE_PICK: Options = {"folderId": "string", "fileIds": "string[]", "mimeTypes": "string[]"}
_CRM_CUSTOM: Options = {"customObjectName": "string"}


def _crm(slug: str, name: str, pipelines: tuple[str, ...], extra: Options) -> Integration:
    options = {p: dict(extra) for p in pipelines}
    required: dict[str, tuple[str, ...]] = {}
    if "custom_objects" in pipelines:
        options["custom_objects"].update(_CRM_CUSTOM)
        required["custom_objects"] = ("customObjectName",)
    return Integration(slug, name, CRM, pipelines, options, required)


_CRM_PIPES = ("contacts", "companies", "deals", "custom_objects")

INTEGRATIONS: dict[str, Integration] = {
    i.slug: i
    for i in (
        Integration("googledrive", "Google Drive", FILE_STORAGE, ("files",), {"files": dict(_FILE_PICK)}, permissions=True),
        Integration(
            "box", "Box", FILE_STORAGE, ("files",), {"files": {**_FILE_PICK, "shallowSync": "boolean"}}, permissions=True
        ),
        Integration(
            "dropbox", "Dropbox", FILE_STORAGE, ("files",), {"files": {**_FILE_PICK, "orgWideSync": "boolean"}},
            permissions=True,
        ),
        Integration(
            "onedrive", "OneDrive", FILE_STORAGE, ("files",), {"files": {**_FILE_PICK, "driveId": "string"}},
            permissions=True,
        ),
        Integration(
            "sharepoint", "SharePoint", FILE_STORAGE, ("files",),
            {"files": {**_FILE_PICK, "siteId": "string", "includeListItemMetadata": "boolean"}},
            {"files": ("siteId",)}, permissions=True,
        ),
        Integration(
            "amazons3", "Amazon S3", FILE_STORAGE, ("files",), {"files": {**_FILE_PICK, "bucket": "string", "prefix": "string"}},
            {"files": ("bucket",)},
        ),
        Integration(
            "confluence", "Confluence", FILE_STORAGE, ("files",), {"files": {"spaceId": "string", "pageIds": "string[]"}},
            {"files": ("spaceId",)}, permissions=True,
        ),
        Integration("notion", "Notion", FILE_STORAGE, ("files",), {"files": {"pageIds": "string[]"}}),
        Integration(
            "servicenow", "ServiceNow", TICKETING, ("files", "tickets"), {"files": {"kbId": "string"}, "tickets": {}}
        ),
        Integration(
            "zendesk", "Zendesk", TICKETING, ("files", "tickets"),
            {"files": {"locale": "string"}, "tickets": {"organizationId": "string"}},
        ),
        Integration("jira", "Jira", TICKETING, ("tickets",), {"tickets": {"projectId": "string"}}, {"tickets": ("projectId",)}),
        Integration("monday", "monday.com", TICKETING, ("tickets",), {"tickets": {"boardId": "string"}}, {"tickets": ("boardId",)}),
        Integration("clickup", "ClickUp", TICKETING, ("tickets",), {"tickets": {"listId": "string"}}, {"tickets": ("listId",)}),
        Integration("freshdesk", "Freshdesk", TICKETING, ("tickets",), {"tickets": {"companyId": "string"}}),
        _crm("salesforce", "Salesforce", _CRM_PIPES, {"listViewId": "string"}),
        _crm("hubspot", "HubSpot", _CRM_PIPES, {"properties": "string[]", "listViewId": "string"}),
        _crm("pipedrive", "Pipedrive", ("contacts", "companies", "deals"), {}),
        _crm("zohocrm", "Zoho CRM", _CRM_PIPES, {"backoffAtCreditPercentage": "number"}),
        _crm("microsoftDynamics", "Microsoft Dynamics 365 Sales", _CRM_PIPES, {"view": "object"}),
    )
}

_JSON_TYPES = {
    "string": lambda v: isinstance(v, str) and v != "",
    "boolean": lambda v: isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string[]": lambda v: isinstance(v, list) and all(isinstance(x, str) and x for x in v),
    "object": lambda v: isinstance(v, dict),
}


def integration(slug: str) -> Integration:
    found = INTEGRATIONS.get(slug)
    if found is None:
        raise UnknownIntegration(
            "integration",
            f"integration '{slug}' is not a Managed Sync integration; allowed: {', '.join(sorted(INTEGRATIONS))}",
            allowed=sorted(INTEGRATIONS),
        )
    return found


def check_enable(slug: str, pipeline: str, configuration: dict[str, Any], strict: bool = True) -> Integration:
    """Raise a domain error naming the field unless integration, pipeline and configuration fit."""
    found = integration(slug)
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
            raise InvalidConfiguration(f"configuration.{key}", f"configuration.{key} must be a non-empty {kind}")
    for key in found.required.get(pipeline, ()):
        if key not in configuration:
            raise InvalidConfiguration(
                f"configuration.{key}", f"configuration.{key} is required for {slug} {pipeline}"
            )
    if slug == "zohocrm" and "backoffAtCreditPercentage" in configuration:
        value = configuration["backoffAtCreditPercentage"]
        if not 0.5 <= value <= 1.0:
            raise InvalidConfiguration(
                "configuration.backoffAtCreditPercentage", "configuration.backoffAtCreditPercentage must be 0.5 to 1.0"
            )
    return found
