"""The spec as a dict without parsing YAML at start-up: a JSON copy of openapi.yaml, made once.

Parsing the 100 KB YAML cost ~90 ms of every start (and importing PyYAML more); loading the same
dict from JSON costs under a millisecond. The copy is named by the YAML's SHA-256, so an edited
spec makes a new copy and a stale one is never read. It is written, like Python's bytecode cache,
next to the package (`spec/__pycache__/`, where the image build makes it) or else in the user's
cache folder; when neither can be written the YAML is parsed each time, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable


def _folders() -> list[Path]:
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "paragon-emulator"
    return [Path(__file__).resolve().parent / "__pycache__", user_cache]


def copy_name(text: str) -> str:
    return f"openapi-{hashlib.sha256(text.encode()).hexdigest()[:20]}.json"


def load(text: str, parse: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """The spec `text` as a dict: from its JSON copy, or parsed (and the copy written for next time)."""
    name = copy_name(text)
    for folder in _folders():
        try:
            return json.loads((folder / name).read_bytes())
        except (OSError, ValueError):  # absent, unreadable, or cut short: the next place, or parse
            continue
    spec = parse(text)
    # Written whatever PYTHONDONTWRITEBYTECODE says: this is data, and its name keeps it current.
    _write(name, json.dumps(spec).encode())
    return spec


def _write(name: str, data: bytes) -> None:
    for folder in _folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Written whole, then renamed: a reader never sees half a copy.
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".openapi-", delete=False) as tmp:
                tmp.write(data)
            os.chmod(tmp.name, 0o644)  # readable by every user, like the package (the image runs unprivileged)
            os.replace(tmp.name, folder / name)
            return
        except OSError:
            continue
