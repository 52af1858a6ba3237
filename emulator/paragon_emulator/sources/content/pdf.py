"""PDF documents with extractable text, laid out by fpdf2.

fpdf2 takes milliseconds a document, too slow for a pull that serves the MD5 of a million files.
It lays out each page count once, uncompressed, every line a fixed-width slot of marker text
(`(@@...@@) Tj`). An item's PDF is that layout with its lines written into the slots, each
padded with spaces to the slot's width, so no byte moves and fpdf2's cross-reference table
stays right. The title and creation date are slots of the document information too.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from functools import lru_cache

from .plan import Plan, paragraphs, prose, take

WIDTH = 92  # characters a line; Helvetica 10 pt fits about that in A4's text width
LINES = 56  # lines a page
LEADING = 13.0  # points between lines
TOP, LEFT = 56.0, 50.0
TITLE_WIDTH = 200
MOST = 256  # generated paragraphs at most, however large the size asked for (layouts go by shape)
CREATED = datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
# fpdf2 writes the creation date as (D:20010203040506Z); an item's date takes its place.
DATE_SLOT = b"(D:20010203040506Z)"
ID = re.compile(rb"/ID \[<([0-9A-F]{32})><([0-9A-F]{32})>\]")


def _slot(n: int, width: int = WIDTH) -> bytes:
    mark = f"@@{n:06d}".encode()
    return mark + b"@" * (width - len(mark))


class PdfLayout:
    """The layout's bytes cut at its slots, which `fill` writes into without moving a byte."""

    def __init__(self, data: bytes, slots: list[bytes]):
        at = [data.find(slot) for slot in slots]
        if min(at) < 0 or len(set(slots)) != len(slots):
            raise ValueError("a slot is missing from the layout")
        self.order = sorted(range(len(slots)), key=at.__getitem__)  # the slots in file order
        self.widths = [len(slots[n]) for n in self.order]
        self.pieces: list[bytes] = []  # the bytes around the slots
        start = 0
        for n in self.order:
            self.pieces.append(data[start : at[n]])
            start = at[n] + len(slots[n])
        self.pieces.append(data[start:])

    def fill(self, values: list[bytes]) -> bytes:
        """The layout with values[n] in slot n (of the slots it was made with), padded with spaces."""
        out = [self.pieces[0]]
        for n, width, piece in zip(self.order, self.widths, self.pieces[1:]):
            value = values[n]
            if len(value) > width:
                raise ValueError(f"{value[:20]!r}... does not fit its slot")
            out += [value.ljust(width), piece]
        return b"".join(out)


def _line(n: int) -> bytes:
    return b"(" + _slot(n) + b")"


TITLE = b"(" + _slot(-1, TITLE_WIDTH) + b")"


@lru_cache(maxsize=8)
def layout(pages: int) -> PdfLayout:
    from fpdf import FPDF  # imported on first use, so start-up does not pay for it

    pdf = FPDF(format="A4", unit="pt")
    pdf.set_compression(False)  # the slots must be found, and keep their place, in plain text
    pdf.set_creation_date(CREATED)
    pdf.set_title(_slot(-1, TITLE_WIDTH).decode())
    pdf.set_font("helvetica", size=10)
    pdf.set_auto_page_break(False)
    for page in range(pages):
        pdf.add_page()
        for line in range(LINES):
            pdf.text(LEFT, TOP + line * LEADING, _slot(page * LINES + line).decode())
    data = bytes(pdf.output())
    # The slots: every line, then the title, the creation date and the file's /ID.
    return PdfLayout(data, [_line(n) for n in range(pages * LINES)] + [TITLE, DATE_SLOT, ID.search(data).group()])


def _escape(text: str) -> bytes:
    # Helvetica covers WinAnsi (cp1252); what it cannot show becomes '?'.
    raw = text.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _lines(text: str, width: int = WIDTH - 12) -> list[str]:
    """Greedy word wrap (textwrap's costs a tenth of a millisecond a page), a little short of the
    slot so that escaping ( ) \\ still fits; a word longer than a line is cut."""
    lines, line = [], ""
    for word in text.split():
        while len(word) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    return lines + [line] if line or not lines else lines


def _fit(line: str, width: int = WIDTH - 2) -> list[bytes]:
    """A wrapped line escaped, split again where escaping made it wider than its slot: never
    between a backslash and what it escapes (a cut there would escape the closing parenthesis)."""
    pieces, piece = [], b""
    for char in line:
        escaped = _escape(char)
        if len(piece) + len(escaped) > width:
            pieces.append(piece)
            piece = b""
        piece += escaped
    return pieces + [piece]


def _shown(text: str) -> list[bytes]:
    """Text as the lines of a PDF text slot: "(line)", each escaped and wrapped, then a blank line."""
    return [b"(" + piece + b")" for line in _lines(text) for piece in _fit(line)] + [b"()"]


@lru_cache(maxsize=8)
def _paragraph_lines(seed: int) -> tuple[list[bytes], ...]:
    return tuple(_shown(p) for p in paragraphs(seed))


def write(plan: Plan) -> tuple[bytes, str]:
    words = prose(plan, 0)
    lines = _shown(words.title)
    if plan.text is None:
        for shown in take(plan, _paragraph_lines(plan.seed), min(2 + plan.size // 300, MOST)):
            lines += shown
    else:
        for paragraph in words.paragraphs:
            lines += _shown(paragraph)
    pages = max(1, -(-len(lines) // LINES))
    values = lines + [b"()"] * (pages * LINES - len(lines))
    file_id = hashlib.md5(f"{plan.seed}:{plan.key}".encode()).hexdigest().upper().encode()
    values += [
        b"(" + _escape(words.title)[: TITLE_WIDTH - 2] + b")",
        b"(D:" + re.sub(r"\D", "", plan.created[:19]).encode() + b"Z)",
        b"/ID [<" + file_id + b"><" + file_id + b">]",
    ]
    data = layout(pages).fill(values)
    return data, hashlib.md5(data).hexdigest()
