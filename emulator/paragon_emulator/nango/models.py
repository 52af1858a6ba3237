"""Records as Nango models: `Document` (Nango's Google Drive template) and `File` (the emulator's
normalized File record with the upstream id as `id`). Payloads only; metadata is the feed's."""

from __future__ import annotations

from typing import Any, Callable


def document(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": data["externalId"],
        "url": data.get("url"),
        "title": data.get("name"),
        "mimeType": data.get("mimeType"),
        "updatedAt": data.get("updatedAt"),
    }


_FILE_FIELDS = ("name", "mimeType", "size", "url", "thumbnailUrl", "createdAt", "updatedAt", "hash", "parentFolderId", "customFields")


def file(data: dict[str, Any]) -> dict[str, Any]:
    body = {"id": data["externalId"]}
    for name in _FILE_FIELDS:
        if name in data:
            body[name] = data[name]
    return body


RENDER: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"Document": document, "File": file}
