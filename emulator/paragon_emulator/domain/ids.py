"""Name-based ids (UUIDv5), built as text without uuid's objects: records and events take one each."""

from __future__ import annotations

import hashlib
import uuid
from functools import lru_cache


def uuid5_text(namespace: bytes, name: str) -> str:
    """The same text as str(uuid.uuid5(uuid.UUID(bytes=namespace), name))."""
    digest = bytearray(hashlib.sha1(namespace + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@lru_cache(maxsize=4096)
def namespace_of(text: str) -> bytes:
    return uuid.UUID(text).bytes
