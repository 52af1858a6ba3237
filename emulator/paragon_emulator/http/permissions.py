"""Permissions API handlers.

The routes, validation, auth and sync checks are real; the relationship graph that answers
the questions is not built yet, so a valid question about a file sync gets 501 (never a
made-up answer).
"""

from __future__ import annotations

from starlette.responses import Response

from ..domain import catalog
from ..domain.errors import InvalidInput
from .errors import error_response
from .routing import Context, Operation


def _answer(ctx: Context) -> Response:
    if "syncId" in ctx.path:
        sync = ctx.emulator.syncs.get(ctx.tenant, ctx.path["syncId"])
        if sync.pipeline != "files" or not catalog.integration(sync.integration).permissions:
            raise InvalidInput(
                "syncId",
                f"sync {sync.id} is a {sync.integration} {sync.pipeline} sync; permissions exist only for file "
                "syncs of googledrive, box, dropbox, onedrive, sharepoint and confluence",
            )
    return error_response(
        501, "NOT_IMPLEMENTED", "the emulator does not answer Permissions API questions yet (no permissions graph)"
    )


OPERATIONS = [
    Operation("POST", "/api/permissions/{syncId}/check", _answer),
    Operation("POST", "/api/permissions/{syncId}/batch-check", _answer),
    Operation("POST", "/api/permissions/{syncId}/list-users", _answer),
    Operation("POST", "/api/permissions/{syncId}/list-objects", _answer),
    Operation("POST", "/api/permissions/{syncId}/streamed-list-objects", _answer),
    Operation("POST", "/api/permissions/streamed-list-objects", _answer),
    Operation("POST", "/api/permissions/{syncId}/expand", _answer),
    Operation("GET", "/api/permissions/{syncId}/changes", _answer),
]
