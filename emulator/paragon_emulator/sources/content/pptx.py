"""Presentations (.pptx, and Google Slides' export): a title slide and bullet slides, laid out by python-pptx."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from functools import lru_cache

from .plan import Plan, prose, w3c, xml_text
from .zipped import Layout

TITLE, AUTHOR, SUBTITLE = "@@title@@", "@@author@@", "@@subtitle@@"
CREATED, MODIFIED = datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc), datetime(2002, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
BULLETS = 4  # per slide
TITLE_SLIDE, TITLE_AND_CONTENT = 0, 1  # the default template's slide layouts


def _heading(slide: int) -> str:
    return f"@@s{slide}@@"


def _bullet(slide: int, n: int) -> str:
    return f"@@s{slide}b{n}@@"


@lru_cache(maxsize=8)
def layout(slides: int) -> Layout:
    from pptx import Presentation  # python-pptx: imported on first use, so start-up does not pay for it

    deck = Presentation()
    props = deck.core_properties
    props.title, props.author, props.last_modified_by, props.comments = TITLE, AUTHOR, AUTHOR, ""
    props.created, props.modified, props.revision = CREATED, MODIFIED, 1
    first = deck.slides.add_slide(deck.slide_layouts[TITLE_SLIDE])
    first.shapes.title.text = TITLE
    first.placeholders[1].text = SUBTITLE
    markers = [TITLE, AUTHOR, SUBTITLE, w3c(CREATED.isoformat()), w3c(MODIFIED.isoformat())]
    for s in range(slides):
        slide = deck.slides.add_slide(deck.slide_layouts[TITLE_AND_CONTENT])
        slide.shapes.title.text = _heading(s)
        frame = slide.placeholders[1].text_frame
        frame.text = _bullet(s, 0)
        for n in range(1, BULLETS):
            frame.add_paragraph().text = _bullet(s, n)
        markers += [_heading(s)] + [_bullet(s, n) for n in range(BULLETS)]
    out = io.BytesIO()
    deck.save(out)
    return Layout(out.getvalue(), markers)


def write(plan: Plan) -> tuple[bytes, str]:
    if plan.text is None:
        words = prose(plan, BULLETS * (1 + plan.size // 1500))
    else:
        words = prose(plan, 0)
    slides = max(1, -(-len(words.paragraphs) // BULLETS))
    title = xml_text(words.title)
    values = {TITLE: title, AUTHOR: xml_text(plan.author), SUBTITLE: xml_text(plan.author or words.title)}
    values[w3c(CREATED.isoformat())] = w3c(plan.created)
    values[w3c(MODIFIED.isoformat())] = w3c(plan.modified)
    draws = plan.draws()
    for s in range(slides):
        if plan.text is None:
            values[_heading(s)] = xml_text(" ".join(draws.pick("words") for _ in range(3)).capitalize())
        else:
            values[_heading(s)] = f"{title} ({s + 1}/{slides})"
        for n in range(BULLETS):
            at = s * BULLETS + n
            values[_bullet(s, n)] = xml_text(words.paragraphs[at]) if at < len(words.paragraphs) else ""
    return layout(slides).fill(values)
