"""The spec as a dict without parsing YAML at start-up: a JSON copy of openapi.yaml, made once.

Parsing the 100 KB YAML cost ~90 ms of every start (and importing PyYAML more); loading the same
dict from JSON costs under a millisecond. The copy is named by the YAML's SHA-256, so an edited
spec makes a new copy and a stale one is never read. It is kept as made_once keeps what it makes
(the package's `__pycache__/`, where the image build makes it, or else the user's cache folder);
when neither can be written the YAML is parsed each time, as before.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

from .. import made_once


def copy_name(text: str) -> str:
    return f"openapi-{hashlib.sha256(text.encode()).hexdigest()[:20]}.json"


def load(text: str, parse: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """The spec `text` as a dict: from its JSON copy, or parsed (and the copy written for next time)."""
    return made_once.load(copy_name(text), lambda: parse(text))
