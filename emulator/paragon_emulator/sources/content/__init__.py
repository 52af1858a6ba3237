"""Real content for every file type the file sources declare, the same bytes for the same seed.

Word, Excel and PowerPoint files are laid out by python-docx, openpyxl and python-pptx, PDFs by
fpdf2, images by Pillow; text formats are written here. Google-native documents download as the
Office export a user gets (Docs as .docx, Sheets as .xlsx, Slides as .pptx), as Paragon
documents. Nothing is made until a record is read: a pull computes each file's size and MD5
(kept, `digest`), a download its bytes (the last few kept, `render`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from .plan import Plan, title_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF = "application/pdf"
PNG, JPEG = "image/png", "image/jpeg"
GOOGLE_DOC = "application/vnd.google-apps.document"
GOOGLE_SHEET = "application/vnd.google-apps.spreadsheet"
GOOGLE_SLIDES = "application/vnd.google-apps.presentation"
EXPORTS = {GOOGLE_DOC: DOCX, GOOGLE_SHEET: XLSX, GOOGLE_SLIDES: PPTX}

# Formats the emulator builds (their size follows from their text); any other MIME type is text.
BUILT = frozenset({DOCX, XLSX, PPTX, PDF, PNG, JPEG})
IMAGES = frozenset({PNG, JPEG})

__all__ = ["Plan", "title_of", "served_type", "built", "render", "digest", "EXPORTS", "BUILT", "IMAGES"]


@lru_cache(maxsize=1)
def _writers() -> tuple[dict[str, Callable[[Plan], tuple[bytes, str]]], Callable[[Plan], tuple[bytes, str]]]:
    """(writer of each built format, the text writer): imported with the first file laid out, not
    at start-up, which lays out none."""
    from . import docx, images, pdf, pptx, text, xlsx

    built = {DOCX: docx.write, XLSX: xlsx.write, PPTX: pptx.write, PDF: pdf.write, PNG: images.png, JPEG: images.jpeg}
    return built, text.write


def served_type(mime: str) -> str:
    """The MIME type of the bytes a download gives (a Google-native document's Office export)."""
    return EXPORTS.get(mime, mime)


def built(mime: str) -> bool:
    """Whether the file's size follows from its content (else the text is cut to the stated size)."""
    return served_type(mime) in BUILT


@lru_cache(maxsize=64)
def render(plan: Plan) -> tuple[bytes, str]:
    """The file's bytes and their MD5 (hex)."""
    writers, text_writer = _writers()
    return writers.get(served_type(plan.mime), text_writer)(plan)


@lru_cache(maxsize=16_384)
def digest(plan: Plan) -> tuple[int, str]:
    """(size in bytes, MD5 hex) of the file, as a record carries them; kept, since pages are read
    again (beyond the records an account keeps rendered)."""
    data, md5 = render(plan)
    return len(data), md5
