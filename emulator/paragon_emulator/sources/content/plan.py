"""What a file's content is made from (a Plan), and the words it draws from.

A Plan is everything the bytes depend on, so it is also the key the bytes are cached by. The
words come from the seed's faker vocabulary, so a search for a word of a file's name or of
the seed's sentences finds the files that hold it. They come in per-seed pools (paragraphs,
table rows) made once: a pull makes every file's bytes for its MD5, and drawing each file's
words one by one cost more than all the rest. A file takes pool entries in a stride from a
point its key sets.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Sequence, TypeVar

from ..base import Vocabulary, vocabulary

T = TypeVar("T")
POOL = 512  # entries of each per-seed pool
STRIDE = 7919  # prime, so a file runs through the whole pool before it repeats
# Characters XML 1.0 cannot hold at all; an item's own text loses them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Plan:
    mime: str  # the record's MIME type (a Google-native type is made as its Office export)
    title: str  # the words of the file's name: the document's heading
    key: int  # where the file starts in the pools; its own choices (image colours, ...)
    seed: int
    size: int  # text formats: the exact size in bytes; built formats: about how much text
    text: str | None = None  # the item's own text (control plane), instead of generated sentences
    created: str = "2025-01-01T00:00:00.000Z"  # the document's own dates (Office core properties, PDF info)
    modified: str = "2025-01-01T00:00:00.000Z"
    author: str = ""
    front: str = ""  # written before the text: a Notion page's YAML front matter

    @property
    def vocab(self) -> Vocabulary:
        return vocabulary(self.seed)

    def draws(self) -> Draws:
        return Draws(self)


class Draws:
    """The file's own choices, drawn in order from a generator seeded with its key.

    Only random() is used: Python keeps its sequence for a given seed across versions."""

    def __init__(self, plan: Plan):
        self._random = random.Random(plan.key).random

    def below(self, high: int) -> int:
        return int(self._random() * high)


@dataclass(frozen=True)
class Prose:
    title: str
    paragraphs: tuple[str, ...]


def title_of(name: str) -> str:
    """quarterly-report.docx -> 'quarterly report': the name's words, as a heading holds them."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or " " in ext or len(ext) > 5:
        stem = name
    return re.sub(r"[-_]+", " ", stem).strip() or name


def cycle(plan: Plan, pool: Sequence[T]) -> Iterator[T]:
    """The pool's entries in the order this file uses them, without end."""
    n = 0
    while True:
        yield pool[(plan.key + n * STRIDE) % len(pool)]
        n += 1


def take(plan: Plan, pool: Sequence[T], count: int) -> list[T]:
    return [pool[(plan.key + n * STRIDE) % len(pool)] for n in range(count)]


@lru_cache(maxsize=8)
def paragraphs(seed: int) -> tuple[str, ...]:
    """Paragraphs of 1-4 of the seed's sentences."""
    pool, draw = vocabulary(seed).sentences, random.Random(seed).random
    return tuple(" ".join(pool[(n * 3 + k) % len(pool)] for k in range(1 + int(draw() * 4))) for n in range(POOL))


@lru_cache(maxsize=8)
def rows(seed: int) -> tuple[tuple[str, str, str, str, str], ...]:
    """Table rows from the seed's vocabulary: (item, contact, city, amount, note)."""
    vocab, draw = vocabulary(seed), random.Random(seed).random

    def pick(values: tuple[str, ...]) -> str:
        return values[int(draw() * len(values))]

    return tuple(
        (pick(vocab.words), f"{pick(vocab.first_names)} {pick(vocab.last_names)}", pick(vocab.cities),
         f"{int(draw() * 10_000_000) / 100:.2f}", pick(vocab.sentences))
        for _ in range(POOL)
    )


@lru_cache(maxsize=8)
def headings(seed: int) -> tuple[str, ...]:
    """Short headings: three of the seed's words."""
    words, draw = vocabulary(seed).words, random.Random(seed).random
    return tuple(" ".join(words[int(draw() * len(words))] for _ in range(3)).capitalize() for _ in range(POOL))


@lru_cache(maxsize=8)
def xml_paragraphs(seed: int) -> tuple[str, ...]:
    """The paragraphs escaped for XML once, for the Office formats."""
    return tuple(xml_text(p) for p in paragraphs(seed))


@lru_cache(maxsize=256)
def prose(plan: Plan, count: int) -> Prose:
    """The file's words: its own text a paragraph a line, or `count` generated paragraphs."""
    if plan.text is not None:
        own = tuple(line.strip() for line in _NOT_XML.sub("", plan.text).splitlines() if line.strip())
        return Prose(_NOT_XML.sub("", plan.title), own)
    return Prose(plan.title, tuple(take(plan, paragraphs(plan.seed), count)))


def xml_text(value: str) -> str:
    if _SPECIAL.search(value) is None:  # most values: one scan, no copy
        return value
    return _NOT_XML.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def w3c(iso: str) -> str:
    """2025-07-07T19:00:00.000Z -> 2025-07-07T19:00:00Z (the form Office core properties hold)."""
    return iso[:19] + "Z"


def slots(count: int, least: int = 4) -> int:
    """Room for `count` in a layout: powers of two, so a few layouts serve every file."""
    room = least
    while room < count:
        room *= 2
    return room
