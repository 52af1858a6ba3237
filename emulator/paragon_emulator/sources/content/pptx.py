"""Presentations (.pptx, and Google Slides' export): a title slide and bullet slides, laid out by python-pptx."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from functools import lru_cache

from .plan import Plan, headings, prose, take, w3c, xml_paragraphs, xml_text
from .zipped import Layout

TITLE, AUTHOR, SUBTITLE = "@@title@@", "@@author@@", "@@subtitle@@"
CREATED, MODIFIED = datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc), datetime(2002, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
BULLETS = 4  # per slide
MOST = 32  # generated slides at most, however large the size asked for (layouts go by shape)
TITLE_SLIDE, TITLE_AND_CONTENT = 0, 1  # the default template's slide layouts


def _heading(slide: int) -> str:
    return f"@@s{slide}@@"


def _bullet(slide: int, n: int) -> str:
    return f"@@s{slide}b{n}@@"


DATES = (w3c(CREATED.isoformat()), w3c(MODIFIED.isoformat()))  # as the layout holds them; each file's replace them


@lru_cache(maxsize=16)
def _markers(slides: int) -> tuple[list[str], list[str]]:
    """(each slide's heading marker, every bullet marker in order)."""
    return [_heading(s) for s in range(slides)], [_bullet(s, n) for s in range(slides) for n in range(BULLETS)]


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
    markers = [TITLE, AUTHOR, SUBTITLE, *DATES]
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
        body = take(plan, xml_paragraphs(plan.seed), BULLETS * min(1 + plan.size // 2000, MOST))
    else:
        body = [xml_text(p) for p in prose(plan, 0).paragraphs]
    slides = max(1, -(-len(body) // BULLETS))
    body += [""] * (slides * BULLETS - len(body))
    title = xml_text(prose(plan, 0).title)
    author = xml_text(plan.author)
    values = {TITLE: title, AUTHOR: author, SUBTITLE: author or title, DATES[0]: w3c(plan.created), DATES[1]: w3c(plan.modified)}
    heading_markers, bullet_markers = _markers(slides)
    if plan.text is None:
        values.update(zip(heading_markers, take(plan, xml_headings(plan.seed), slides)))
    else:
        values.update((heading_markers[s], f"{title} ({s + 1}/{slides})") for s in range(slides))
    values.update(zip(bullet_markers, body))
    return layout(slides).fill(values)


@lru_cache(maxsize=8)
def xml_headings(seed: int) -> tuple[str, ...]:
    return tuple(xml_text(h) for h in headings(seed))
