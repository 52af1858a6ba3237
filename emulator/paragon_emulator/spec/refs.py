"""Local `$ref`s of an OpenAPI document (`#/components/...`), followed to what they name."""

from __future__ import annotations

from typing import Any


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """`node`, or what its local `$ref` points at in `spec` (followed until it is no reference)."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return node
    target: Any = spec
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return resolve(spec, target)
