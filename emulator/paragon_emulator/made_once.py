"""Values that cost much to make and are the same every time for the same inputs, kept as JSON.

Kept like Python's bytecode cache: next to the package (`__pycache__/`, where the image build
makes them) or else in the user's cache folder, each named by what it is made from, so a changed
input makes a new file and a stale one is never read. Where neither place can be written, the
value is made every time, as if nothing were kept.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable


def _folders() -> list[Path]:
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "paragon-emulator"
    return [Path(__file__).resolve().parent / "__pycache__", user_cache]


def load(name: str, make: Callable[[], Any]) -> Any:
    """The value kept under `name`, or `make()` (then kept for next time)."""
    for folder in _folders():
        try:
            return json.loads((folder / name).read_bytes())
        except (OSError, ValueError):  # absent, unreadable, or cut short: the next place, or make it
            continue
    value = make()
    _write(name, json.dumps(value).encode())
    return value


def _write(name: str, data: bytes) -> None:
    for folder in _folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Written whole, then renamed: a reader never sees half a file.
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".made-", delete=False) as tmp:
                tmp.write(data)
            os.chmod(tmp.name, 0o644)  # readable by every user, like the package (the image runs unprivileged)
            os.replace(tmp.name, folder / name)
            return
        except OSError:
            continue
