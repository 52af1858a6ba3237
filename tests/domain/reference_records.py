"""The record store as it was before it was made compact: one object per record, dicts and a sorted list.

Deliberately simple and kept only as the reference that tests/http/test_record_store_differential.py
compares the compact store (domain/records.py) against: it keeps every record whole (its external id,
sync time and data as given) and finds pages with a SortedList of seqs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator

from sortedcontainers import SortedList

from paragon_emulator.domain.errors import RecordNotFound
from paragon_emulator.domain.records import CREATED, UPDATED, decode_cursor, encode_cursor

_tokens = itertools.count(10**9)  # apart from the compact stores' tokens


@dataclass
class Record:
    id: str
    external_id: str
    seq: int
    synced_at: datetime
    version: int
    data: dict[str, Any] | None = None
    deleted: bool = False
    index: int | None = None
    token: int = 0
    first_seen: datetime | None = None

    @property
    def key(self) -> tuple[int, int]:
        return (self.token, self.seq)


@dataclass
class ReferencePage:
    records: list[Record]
    total: int
    active: int
    remaining: int
    cursor: str | None
    last_seen_ms: int

    def views(self, positions: Iterable[int]) -> list[Record]:
        return [self.records[i] for i in positions]

    @property
    def keys(self) -> list[tuple[int, int]]:
        return [r.key for r in self.records]


class ReferenceRecordStore:
    def __init__(self) -> None:
        self.token = next(_tokens)
        self._by_id: dict[str, Record] = {}
        self._by_seq: dict[int, Record] = {}
        self._order: SortedList = SortedList()
        self._seq = 0

    def _place(self, record: Record, at: datetime) -> None:
        if record.seq:
            self._order.remove(record.seq)
            del self._by_seq[record.seq]
        self._seq += 1
        record.seq, record.synced_at = self._seq, at
        self._order.add(record.seq)
        self._by_seq[record.seq] = record

    def upsert(
        self, record_id: str, external_id: str, version: int, at: datetime,
        data: dict[str, Any] | Callable[[], dict[str, Any]] | None = None, index: int | None = None, name_of: Callable[[int], str] | None = None,
    ) -> str | None:
        if callable(data):
            data = data()  # made now: the compact store makes it on first read, with the same answer
        generated = index if data is None else None
        existing = self._by_id.get(record_id)
        if existing is None:
            record = Record(record_id, external_id, 0, at, version, data, index=generated, token=self.token, first_seen=at)
            self._by_id[record_id] = record
            self._place(record, at)
            return CREATED
        if not existing.deleted and existing.version == version:
            return None
        existing.deleted = False
        existing.version, existing.data, existing.external_id, existing.index = version, data, external_id, generated
        self._place(existing, at)
        return UPDATED

    def delete(self, record_id: str, at: datetime) -> bool:
        existing = self._by_id.get(record_id)
        if existing is None or existing.deleted:
            return False
        existing.deleted = True
        self._place(existing, at)
        return True

    def get(self, record_id: str) -> Record:
        found = self._by_id.get(record_id)
        if found is None:
            raise RecordNotFound("recordId", f"record '{record_id}' not found in this sync")
        return found

    def live_ids(self) -> Iterator[str]:
        return iter([r.id for r in self._by_id.values() if not r.deleted])

    def live(self) -> list[Record]:
        return [r for r in self._by_id.values() if not r.deleted]

    def in_order(self) -> list[Record]:
        return [self._by_seq[s] for s in self._order]

    def written_since(self, at: datetime) -> list[Record]:
        found = []
        for seq in reversed(self._order):
            record = self._by_seq[seq]
            if record.synced_at < at:
                break
            found.append(record)
        return found

    @property
    def version(self) -> int:
        return self._seq

    @property
    def total(self) -> int:
        return len(self._by_id)

    @property
    def active(self) -> int:
        return sum(1 for r in self._by_id.values() if not r.deleted)

    @property
    def latest_cursor(self) -> str | None:
        return encode_cursor(self._order[-1]) if self._order else None

    def page(self, cursor: str | None, size: int) -> ReferencePage:
        after = decode_cursor(cursor) if cursor else 0
        start = self._order.bisect_right(after)
        seqs = list(self._order.islice(start, start + size))
        records = [self._by_seq[s] for s in seqs]
        remaining = len(self._order) - start - len(seqs)
        if records:
            next_cursor: str | None = encode_cursor(records[-1].seq)
            last_seen = int(records[-1].synced_at.timestamp() * 1000)
        else:
            next_cursor, last_seen = cursor, 0
        return ReferencePage(records, self.total, self.active, remaining, next_cursor, last_seen)
