"""Text formats of an exact size: plain text, Markdown, CSV, JSON and HTML.

A generated file is exactly its record's `size` in bytes: its text runs on until it is full and
is cut (or, where a cut would break the format, padded with whitespace) to fit. An item's own
text is served as given.
"""

from __future__ import annotations

import hashlib
import html
import json as jsonlib
from typing import Callable, Iterator

from .plan import Plan, sentences


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


def plain(plan: Plan) -> bytes:
    def parts() -> Iterator[str]:
        draws = plan.draws()
        yield plan.title + "\n\n"
        for sentence in sentences(plan):
            yield sentence + ("\n\n" if draws.below(4) == 0 else " ")

    return _fit(parts(), plan.size)


def markdown(plan: Plan) -> bytes:
    def parts() -> Iterator[str]:
        draws = plan.draws()
        yield f"# {plan.title}\n\n"
        for sentence in sentences(plan):
            kind = draws.below(12)
            if kind == 0:
                yield f"\n## {draws.pick('words').capitalize()} {draws.pick('words')}\n\n"
            yield (f"- {sentence}\n" if kind in (1, 2) else sentence + (" " if kind < 9 else "\n\n"))

    return _fit(parts(), plan.size)


def csv(plan: Plan) -> bytes:
    def parts() -> Iterator[str]:
        title = plan.title.replace(",", " ").replace('"', " ")
        yield "id,item,contact,city,amount,notes\n"
        yield f"1,{title},,,0.00,{plan.vocab.sentences[plan.key % len(plan.vocab.sentences)]}\n"
        draws = plan.draws()
        for n, sentence in enumerate(sentences(plan), start=2):
            contact = f"{draws.pick('first_names')} {draws.pick('last_names')}"
            amount = f"{draws.below(10_000_000) / 100:.2f}"
            yield f"{n},{draws.pick('words')},{contact},{draws.pick('cities')},{amount},{sentence}\n"

    return _fit(parts(), plan.size)  # no value holds a comma or a quote, so a cut row still parses


def json(plan: Plan) -> bytes:
    head, tail = '{"title": ' + jsonlib.dumps(plan.title, ensure_ascii=False) + ', "notes": [', "]}\n"
    if len(head.encode()) + len(tail) > plan.size:
        return b"{}".ljust(plan.size) if plan.size >= 2 else b" " * plan.size  # too small for the title
    items = (("" if n == 0 else ", ") + jsonlib.dumps(s) for n, s in enumerate(sentences(plan)))
    return _padded(head, items, tail, plan.size)


def html_page(plan: Plan) -> bytes:
    title = html.escape(plan.title)
    head = f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n'
    items = (f"<p>{html.escape(s)}</p>\n" for s in sentences(plan))
    return _padded(head, items, "</body>\n</html>\n", plan.size)


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
    return data, hashlib.md5(data).hexdigest()
