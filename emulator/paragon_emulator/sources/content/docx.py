"""Word documents (.docx, and Google Docs' export): a heading and paragraphs, laid out by python-docx."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from functools import lru_cache

from .plan import Plan, prose, slots, take, w3c, xml_paragraphs, xml_text
from .zipped import Layout

TITLE, AUTHOR, HEADING = "@@title@@", "@@author@@", "@@heading@@"
# python-docx writes these dates as given; each file's own dates take their place.
CREATED, MODIFIED = datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc), datetime(2002, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


MOST = 256  # generated paragraphs at most, however large the size asked for (layouts go by shape)
DATES = (w3c(CREATED.isoformat()), w3c(MODIFIED.isoformat()))  # as the layout holds them; each file's replace them


def _paragraph(n: int) -> str:
    return f"@@p{n}@@"


@lru_cache(maxsize=16)
def _paragraphs(room: int) -> list[str]:
    return [_paragraph(n) for n in range(room)]


@lru_cache(maxsize=8)
def layout(paragraphs: int) -> Layout:
    from docx import Document  # python-docx: imported on first use, so start-up does not pay for it

    document = Document()
    props = document.core_properties
    props.title, props.author, props.last_modified_by = TITLE, AUTHOR, AUTHOR
    props.comments, props.created, props.modified, props.revision = "", CREATED, MODIFIED, 1
    document.add_heading(HEADING, level=1)
    for marker in _paragraphs(paragraphs):
        document.add_paragraph(marker)
    out = io.BytesIO()
    document.save(out)
    markers = [TITLE, AUTHOR, HEADING, *DATES]
    return Layout(out.getvalue(), markers + _paragraphs(paragraphs))


def write(plan: Plan) -> tuple[bytes, str]:
    if plan.text is None:
        body = take(plan, xml_paragraphs(plan.seed), min(max(2, plan.size // 200), MOST))  # ~200 characters each
    else:
        body = [xml_text(p) for p in prose(plan, 0).paragraphs]
    room = slots(len(body))
    title = xml_text(prose(plan, 0).title)
    values = {TITLE: title, HEADING: title, AUTHOR: xml_text(plan.author), DATES[0]: w3c(plan.created), DATES[1]: w3c(plan.modified)}
    values.update(zip(_paragraphs(room), body + [""] * (room - len(body))))
    return layout(room).fill(values)
