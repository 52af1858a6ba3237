"""Nango's error: an HTTP status and {"error": {"code", "message"?, "errors"?, "payload"?}}."""

from __future__ import annotations

from typing import Any


class NangoError(Exception):
    def __init__(
        self, status: int, code: str, message: str | None = None, payload: dict[str, Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ):
        super().__init__(message or code)
        self.status, self.code, self.message, self.payload, self.errors = status, code, message, payload, errors

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code}
        if self.message is not None:
            error["message"] = self.message
        if self.errors is not None:
            error["errors"] = self.errors
        if self.payload is not None:
            error["payload"] = self.payload
        return {"error": error}


def unknown_connection_for_records() -> NangoError:
    return NangoError(400, "unknown_connection", "Provided ConnectionId and ProviderConfigKey does not match a valid connection")
