"""Office documents (.docx, .xlsx, .pptx) made fast: the library's layout once, an item's text put in.

python-docx, openpyxl and python-pptx take 3-20 ms a document, mostly writing parts that are the
same in every document (styles, themes, slide layouts: nine tenths of the bytes). A pull serves
the MD5 of every file, so a million-record account cannot afford that. The library lays a
document out once per shape, with a marker wherever an item's text goes (`Layout`); an item's
document is that layout with its text in place of the markers, every other byte the library's.

Parts without markers are deflated once, and their bytes and MD5 state reused; the few parts
with markers are stored per item. zipfile cannot add members after bytes already written
without reading the archive again (~200 µs a file), so the container is written here: local
headers, central directory and end record as in PKWARE's APPNOTE (4.3.7, 4.3.12, 4.3.16).
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from typing import Mapping

# Every member is dated 2025-01-01 00:00 (DOS date and time), so the same text gives the same bytes.
DOS_TIME, DOS_DATE = 0, ((2025 - 1980) << 9) | (1 << 5) | 1
CONTENT_TYPES = "[Content_Types].xml"  # first, where type sniffers look for it
# What a marker can look like: @@name@@ in text, a W3CDTF date the library wrote from a datetime,
# or a nine-digit number starting with 9 (a spreadsheet cell that holds a number).
CANDIDATE = re.compile(r"@@\w+@@|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|\b9\d{8}\b")


def _headers(name: bytes, method: int, crc: int, packed: int, size: int, offset: int) -> tuple[bytes, bytes]:
    """(local header, central directory entry) of a member at `offset` (method 8: deflated, 0: stored)."""
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, DOS_TIME, DOS_DATE, crc, packed, size, len(name), 0)
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, DOS_TIME, DOS_DATE, crc, packed, size,
        len(name), 0, 0, 0, 0, 0, offset,
    )
    return local + name, central + name


def _deflated(name: bytes, data: bytes, offset: int) -> tuple[bytes, bytes]:
    """(local header + deflated data, central directory entry) of one member at `offset`."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)  # raw deflate at zlib's default level, as zipfile writes it
    packed = packer.compress(data) + packer.flush()
    local, central = _headers(name, 8, zlib.crc32(data), len(packed), len(data), offset)
    return local + packed, central


def _stored(name: bytes, data: bytes, offset: int) -> tuple[bytes, bytes]:
    local, central = _headers(name, 0, zlib.crc32(data), len(data), len(data), offset)
    return local + data, central


class Part:
    """A member with markers: its text cut at them, [literal, marker, literal, ..., literal]."""

    def __init__(self, name: str, pieces: list[str]):
        self.name, self.pieces = name.encode(), pieces

    def member(self, values: Mapping[str, str], offset: int) -> tuple[bytes, bytes]:
        text = "".join([values[p] if n % 2 else p for n, p in enumerate(self.pieces)])
        # Stored, not deflated: deflating was most of a file's cost, and a pull makes every file
        # for its MD5. Readers take either method (APPNOTE 4.4.5); only the size differs.
        return _stored(self.name, text.encode("utf-8"), offset)


class Layout:
    """A document the library wrote with markers; `fill` gives the same document with other text.

    Marker values are put in as given: the caller escapes them for XML.
    """

    def __init__(self, archive: bytes, markers: list[str]):
        with zipfile.ZipFile(io.BytesIO(archive)) as source:
            parts = [(info.filename, source.read(info.filename)) for info in source.infolist()]
        parts.sort(key=lambda part: part[0] != CONTENT_TYPES)  # stable: the library's order otherwise
        self.markers = frozenset(markers)
        static: list[tuple[str, bytes]] = []
        self.dynamic: list[Part] = []
        found: list[str] = []
        for name, data in parts:
            pieces = _split(data.decode("utf-8"), self.markers) if name.endswith((".xml", ".rels")) else [""]
            if len(pieces) == 1:
                static.append((name, data))
            else:
                self.dynamic.append(Part(name, pieces))
                found += pieces[1::2]
        if set(found) != self.markers:
            raise ValueError(f"markers missing from the layout: {sorted(self.markers - set(found))[:5]}")
        prefix, central = bytearray(), bytearray()
        for name, data in static:
            local, entry = _deflated(name.encode(), data, len(prefix))
            prefix += local
            central += entry
        self.prefix, self.central = bytes(prefix), bytes(central)
        self.prefix_md5 = hashlib.md5(self.prefix)
        self.count = len(static) + len(self.dynamic)

    def fill(self, values: Mapping[str, str]) -> tuple[bytes, str]:
        """The document with each marker replaced by its value: (bytes, MD5 hex)."""
        tail, central, offset = bytearray(), bytearray(self.central), len(self.prefix)
        for part in self.dynamic:
            local, entry = part.member(values, offset + len(tail))
            tail += local
            central += entry
        end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, self.count, self.count, len(central), offset + len(tail), 0)
        tail += central + end
        digest = self.prefix_md5.copy()
        digest.update(tail)
        return self.prefix + tail, digest.hexdigest()


def _split(text: str, markers: frozenset[str]) -> list[str]:
    """The text cut at each marker it holds: [literal, marker, literal, marker, ..., literal]."""
    pieces, start = [], 0
    for match in CANDIDATE.finditer(text):
        if match.group() in markers:
            pieces += [text[start:match.start()], match.group()]
            start = match.end()
    return pieces + [text[start:]]
