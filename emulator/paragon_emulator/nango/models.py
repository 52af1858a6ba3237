"""Records as Nango models: `Document` (Nango's Google Drive template), `File` (the emulator's
normalized File record with the upstream id as `id`) and the CRM's `Contact`, `Company` and `Deal`
(the normalized CRM record, likewise). Payloads only; metadata is the feed's."""

from __future__ import annotations

from typing import Any, Callable

from ..sources.files import file_url


def document(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": data["externalId"],
        "url": data.get("url"),
        "title": data.get("name"),
        "mimeType": data.get("mimeType"),
        "updatedAt": data.get("updatedAt"),
    }


def document_of_item(item: dict[str, Any], integration: str) -> dict[str, Any]:
    """The Document of an upstream item, without normalizing it first (the content digest a File
    record carries is most of its cost, and a Document has no use for it)."""
    return {
        "id": item["externalId"],
        "url": file_url(integration, item["externalId"]),
        "title": item["name"],
        "mimeType": item["mimeType"],
        "updatedAt": item["updatedAt"],
    }


_FILE_FIELDS = ("name", "mimeType", "size", "url", "thumbnailUrl", "createdAt", "updatedAt", "hash", "parentFolderId", "customFields")


def file(data: dict[str, Any]) -> dict[str, Any]:
    body = {"id": data["externalId"]}
    for name in _FILE_FIELDS:
        if name in data:
            body[name] = data[name]
    return body


def crm_record(data: dict[str, Any]) -> dict[str, Any]:
    """Every field of the normalized record, the upstream id as `id` (the emulator's own id is not Nango's)."""
    return {"id": data["externalId"], **{k: v for k, v in data.items() if k not in ("id", "externalId")}}


RENDER: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "Document": document, "File": file, "Contact": crm_record, "Company": crm_record, "Deal": crm_record,
}
