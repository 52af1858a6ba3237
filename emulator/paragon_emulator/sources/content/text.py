"""Text formats of an exact size: plain text, Markdown, CSV, JSON and HTML.

A generated file is exactly its record's `size` in bytes: its text runs on until it is full and
is cut (or, where a cut would break the format, padded with whitespace) to fit. An item's own
text is served as given.
"""

from __future__ import annotations

import hashlib
import html
import json as jsonlib
from functools import lru_cache
from itertools import chain
from typing import Callable, Iterator

from .plan import Plan, cycle, headings, paragraphs, rows


def _fit(parts: Iterator[str], size: int) -> bytes:
    """The parts joined until `size` bytes, cut there; a character cut in two becomes spaces."""
    chunks, total = [], 0
    for part in parts:
        if total >= size:
            break
        data = part.encode("utf-8")
        chunks.append(data)
        total += len(data)
    cut = b"".join(chunks)[:size]
    whole = cut.decode("utf-8", "ignore").encode("utf-8")
    return whole + b" " * (size - len(whole))


def _padded(head: str, items: Iterator[str], tail: str, size: int) -> bytes:
    """head + as many items as fit + tail, padded with newlines to `size` (whitespace the format ignores)."""
    out, room = [head], size - len(head.encode()) - len(tail.encode())
    for item in items:
        length = len(item.encode("utf-8"))
        if length > room:
            break
        out.append(item)
        room -= length
    data = ("".join(out) + tail).encode("utf-8")
    return data + b"\n" * (size - len(data)) if len(data) <= size else _fit(iter([head]), size)


@lru_cache(maxsize=8)
def _markdown_blocks(seed: int) -> tuple[str, ...]:
    """Paragraphs, bullet lists and subsections, from the seed's paragraphs and headings."""
    out = []
    for n, (paragraph, heading) in enumerate(zip(paragraphs(seed), headings(seed))):
        if n % 5 == 1:
            out.append("".join(f"- {s.strip()}.\n" for s in paragraph.split(".") if s.strip()) + "\n")
        elif n % 5 == 3:
            out.append(f"## {heading}\n\n{paragraph}\n\n")
        else:
            out.append(paragraph + "\n\n")
    return tuple(out)


@lru_cache(maxsize=8)
def _csv_rows(seed: int) -> tuple[str, ...]:
    # No value holds a comma or a quote, so a row cut at the end of the file still parses.
    return tuple(",".join(v.replace(",", " ").replace('"', " ") for v in row) + "\n" for row in rows(seed))


@lru_cache(maxsize=8)
def _json_notes(seed: int) -> tuple[str, ...]:
    return tuple(jsonlib.dumps(p) for p in paragraphs(seed))


@lru_cache(maxsize=8)
def _html_paragraphs(seed: int) -> tuple[str, ...]:
    return tuple(f"<p>{html.escape(p)}</p>\n" for p in paragraphs(seed))


def plain(plan: Plan) -> bytes:
    body = (p + "\n\n" for p in cycle(plan, paragraphs(plan.seed)))
    return _fit(chain([plan.title + "\n\n"], body), plan.size)


def markdown(plan: Plan) -> bytes:
    heading = f"# {plan.title}\n\n" if plan.title else ""  # an untitled Notion page has none
    return _fit(chain([heading], cycle(plan, _markdown_blocks(plan.seed))), plan.size)


def csv(plan: Plan) -> bytes:
    title = plan.title.replace(",", " ").replace('"', " ")
    head = f"item,contact,city,amount,notes\n{title},,,0.00,\n"
    return _fit(chain([head], cycle(plan, _csv_rows(plan.seed))), plan.size)


def json(plan: Plan) -> bytes:
    head, tail = '{"title": ' + jsonlib.dumps(plan.title, ensure_ascii=False) + ', "notes": [', "]}\n"
    if len(head.encode()) + len(tail) > plan.size:
        return b"{}".ljust(plan.size) if plan.size >= 2 else b" " * plan.size  # too small for the title
    notes = cycle(plan, _json_notes(plan.seed))
    items = chain([next(notes)], (", " + note for note in notes))
    return _padded(head, items, tail, plan.size)


def html_page(plan: Plan) -> bytes:
    title = html.escape(plan.title)
    head = f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n'
    return _padded(head, cycle(plan, _html_paragraphs(plan.seed)), "</body>\n</html>\n", plan.size)


WRITERS: dict[str, Callable[[Plan], bytes]] = {
    "text/plain": plain,
    "text/markdown": markdown,
    "text/csv": csv,
    "application/json": json,
    "text/html": html_page,
}


def write(plan: Plan) -> tuple[bytes, str]:
    """The text file: its own text as given, else generated text of exactly `plan.size` bytes."""
    if plan.text is not None:
        data = plan.text.encode("utf-8")
    else:
        data = WRITERS.get(plan.mime, plain)(plan)
    if plan.front:
        data = plan.front.encode("utf-8") + data
    return data, hashlib.md5(data).hexdigest()
