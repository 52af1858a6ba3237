"""A permissions graph's change feed, compactly: a million objects write millions of tuples.

An entry is (at, operation, subject, relation, object id, object type). Kept as tuples, each cost
~110 bytes; here an entry is a few array cells (~22 bytes): its time in microseconds, its
operation, relation and type as small codes, its subject as a number in a table of the subjects
seen (a graph repeats a few thousand), and its object id as a reference to the string the graph
already holds.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from datetime import datetime
from typing import Iterable

from .clock import from_micros, to_micros

Entry = tuple[datetime, str, str, str, str, str]

OPERATIONS = ("write", "delete")
RELATIONS = ("owner", "editor", "viewer", "parent", "member")
TYPES = ("file", "folder", "group")


class ChangeFeed:
    def __init__(self) -> None:
        self._micros = array("q")
        self._codes = array("B")  # operation, relation and type in one byte: op * 32 + relation * 4 + type
        self._subjects = array("i")
        self._objects: list[str] = []
        self._subject_names: list[str] = []
        self._subject_code: dict[str, int] = {}
        self._code = {
            (op, rel, type_): o * 32 + r * 4 + t
            for o, op in enumerate(OPERATIONS) for r, rel in enumerate(RELATIONS) for t, type_ in enumerate(TYPES)
        }
        self._last: tuple[datetime, int] | None = None  # the last time written, and its microseconds

    def __len__(self) -> int:
        return len(self._objects)

    def extend(self, entries: Iterable[Entry]) -> None:
        for at, operation, subject, relation, oid, type_ in entries:
            self._micros.append(self._micros_of(at))
            self._codes.append(self._code[operation, relation, type_])
            code = self._subject_code.get(subject)
            if code is None:
                code = self._subject_code[subject] = len(self._subject_names)
                self._subject_names.append(subject)
            self._subjects.append(code)
            self._objects.append(oid)

    def _micros_of(self, at: datetime) -> int:
        last = self._last
        if last is not None and last[0] is at:  # a run writes many entries at one instant
            return last[1]
        micros = to_micros(at)
        self._last = (at, micros)
        return micros

    def __getitem__(self, position: int) -> Entry:
        code = self._codes[position]
        return (
            from_micros(self._micros[position]),
            OPERATIONS[code >> 5],
            self._subject_names[self._subjects[position]],
            RELATIONS[(code >> 2) & 7],
            self._objects[position],
            TYPES[code & 3],
        )

    def type_at(self, position: int) -> str:
        return TYPES[self._codes[position] & 3]

    def first_at_or_after(self, start: datetime) -> int:
        """The position of the first entry written at or after `start` (entries are in time order)."""
        return bisect_left(self._micros, to_micros(start))
