"""What a file's content is made from (a Plan) and the words it holds (its Prose).

A Plan is everything the bytes depend on, so it is also the key the bytes are cached by. The
words come from the seed's faker vocabulary, so a search for a word of a file's name or of
the seed's sentences finds the files that hold it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache

from ..base import Vocabulary, vocabulary

# Characters XML 1.0 cannot hold at all; an item's own text loses them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Plan:
    mime: str  # the record's MIME type (a Google-native type is made as its Office export)
    title: str  # the words of the file's name: the document's heading
    key: int  # picks the words, numbers and colours from the vocabulary
    seed: int
    size: int  # text formats: the exact size in bytes; built formats: about how much text
    text: str | None = None  # the item's own text (control plane), instead of generated sentences
    created: str = "2025-01-01T00:00:00.000Z"  # the document's own dates (Office core properties, PDF info)
    modified: str = "2025-01-01T00:00:00.000Z"
    author: str = ""

    @property
    def vocab(self) -> Vocabulary:
        return vocabulary(self.seed)

    def draws(self) -> Draws:
        return Draws(self)


class Draws:
    """The file's choices, drawn in order from a generator seeded with its key.

    Only random() is used: Python keeps its sequence for a given seed across versions."""

    def __init__(self, plan: Plan):
        self._random = random.Random(plan.key).random
        self.vocab = plan.vocab

    def below(self, high: int) -> int:
        return int(self._random() * high)

    def pick(self, pool: str) -> str:
        values = getattr(self.vocab, pool)
        return values[int(self._random() * len(values))]


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


def sentences(plan: Plan):
    """The seed's sentences in the order this file uses them, without end."""
    pool = plan.vocab.sentences
    n = 0
    while True:
        yield pool[(plan.key + n * 7919) % len(pool)]
        n += 1


@lru_cache(maxsize=256)
def prose(plan: Plan, paragraphs: int) -> Prose:
    """The file's words: its own text a paragraph a line, or `paragraphs` of 1-4 generated sentences."""
    if plan.text is not None:
        own = tuple(line.strip() for line in _NOT_XML.sub("", plan.text).splitlines() if line.strip())
        return Prose(_NOT_XML.sub("", plan.title), own)
    stream, draws = sentences(plan), plan.draws()
    made = tuple(" ".join(next(stream) for _ in range(1 + draws.below(4))) for _ in range(paragraphs))
    return Prose(plan.title, made)


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
