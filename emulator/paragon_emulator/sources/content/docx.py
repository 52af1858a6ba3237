"""Word documents (.docx, and Google Docs' export): a heading and paragraphs, laid out by python-docx."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from functools import lru_cache

from .plan import Plan, prose, slots, w3c, xml_text
from .zipped import Layout

TITLE, AUTHOR, HEADING = "@@title@@", "@@author@@", "@@heading@@"
# python-docx writes these dates as given; each file's own dates take their place.
CREATED, MODIFIED = datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc), datetime(2002, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def _paragraph(n: int) -> str:
    return f"@@p{n}@@"


@lru_cache(maxsize=8)
def layout(paragraphs: int) -> Layout:
    from docx import Document  # python-docx: imported on first use, so start-up does not pay for it

    document = Document()
    props = document.core_properties
    props.title, props.author, props.last_modified_by = TITLE, AUTHOR, AUTHOR
    props.comments, props.created, props.modified, props.revision = "", CREATED, MODIFIED, 1
    document.add_heading(HEADING, level=1)
    for n in range(paragraphs):
        document.add_paragraph(_paragraph(n))
    out = io.BytesIO()
    document.save(out)
    markers = [TITLE, AUTHOR, HEADING, w3c(CREATED.isoformat()), w3c(MODIFIED.isoformat())]
    return Layout(out.getvalue(), markers + [_paragraph(n) for n in range(paragraphs)])


def write(plan: Plan) -> tuple[bytes, str]:
    words = prose(plan, 2 + plan.size // 500)
    room = slots(len(words.paragraphs))
    title = xml_text(words.title)
    values = {TITLE: title, HEADING: title, AUTHOR: xml_text(plan.author)}
    values[w3c(CREATED.isoformat())] = w3c(plan.created)
    values[w3c(MODIFIED.isoformat())] = w3c(plan.modified)
    for n in range(room):
        values[_paragraph(n)] = xml_text(words.paragraphs[n]) if n < len(words.paragraphs) else ""
    return layout(room).fill(values)
