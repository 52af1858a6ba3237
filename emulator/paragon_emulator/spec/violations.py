"""The shape of one broken rule, as every 4xx body lists it."""

from __future__ import annotations


def violation(location: str, path: str, rule: str, message: str) -> dict[str, str]:
    return {"location": location, "path": path, "rule": rule, "message": message}
