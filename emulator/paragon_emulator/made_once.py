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


def load(
    name: str, make: Callable[[], Any], fits: Callable[[Any], bool] = lambda value: True, kin: str = "", most: int = 0
) -> Any:
    """The value kept under `name` if it `fits`, or `make()` (then kept for next time). With `kin`,
    at most `most` files whose names start with it are kept: the ones written longest ago go."""
    for folder in _folders():
        try:
            kept = json.loads((folder / name).read_bytes())
        except (OSError, ValueError):  # absent, unreadable, or cut short: the next place, or make it
            continue
        if fits(kept):
            return kept
    value = make()
    _write(name, json.dumps(value).encode(), kin, most)
    return value


def _write(name: str, data: bytes, kin: str, most: int) -> None:
    for folder in _folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Written whole, then renamed: a reader never sees half a file.
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".made-", delete=False) as tmp:
                tmp.write(data)
            os.chmod(tmp.name, 0o644)  # readable by every user, like the package (the image runs unprivileged)
            os.replace(tmp.name, folder / name)
        except OSError:
            continue
        if kin:
            _prune(folder, kin, most)
        return


def _prune(folder: Path, kin: str, most: int) -> None:
    """Keep the `most` newest files named `kin*` (say, one vocabulary a seed: tests draw many seeds)."""
    try:
        found = sorted(folder.glob(kin + "*"), key=lambda path: path.stat().st_mtime_ns, reverse=True)
        for old in found[most:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # another process pruned at the same time
