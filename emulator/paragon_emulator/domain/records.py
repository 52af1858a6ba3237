"""The record store of one sync, and the cursor scheme.

Every write (create, update, delete) gives the record the next sequence number, so records are
served in the order they were synced and a held cursor later returns exactly what was written
after it. Deleted records stay as tombstones (`deleted: true`): they count in totalRecords, not
in totalActiveRecords, and a cursor follower receives each one once, after its deletion.
A cursor is base64("cursor:<seq>"), the form of the real service's documented example.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sortedcontainers import SortedList

from .errors import InvalidInput, RecordNotFound

CREATED, UPDATED, DELETED = "created", "updated", "deleted"


def encode_cursor(seq: int) -> str:
    return base64.b64encode(f"cursor:{seq}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        prefix, _, number = text.partition(":")
        seq = int(number)
        if prefix != "cursor" or seq < 0 or str(seq) != number:
            raise ValueError
        return seq
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("cursor", f"cursor '{cursor}' is not a cursor this API returned") from None


@dataclass(slots=True)
class StoredRecord:
    """A record as last synced. `data` is kept only when it cannot be regenerated (changed items)."""

    id: str
    external_id: str
    seq: int
    synced_at: datetime
    version: int
    data: dict[str, Any] | None = None
    deleted: bool = False
    first_seen: datetime | None = None  # when it was first stored (the Nango feed's first_seen_at)


@dataclass(frozen=True)
class Page:
    records: list[StoredRecord]
    total: int
    active: int
    remaining: int
    cursor: str | None
    last_seen_ms: int


class RecordStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredRecord] = {}
        self._by_seq: dict[int, StoredRecord] = {}
        self._order: SortedList = SortedList()
        self._seq = 0
        self._deleted = 0

    # -- writing -------------------------------------------------------------------------
    def _place(self, record: StoredRecord, at: datetime) -> None:
        if record.seq:
            self._order.remove(record.seq)
            del self._by_seq[record.seq]
        self._seq += 1
        record.seq = self._seq
        record.synced_at = at
        self._order.add(record.seq)
        self._by_seq[record.seq] = record

    def upsert(
        self, record_id: str, external_id: str, version: int, at: datetime, data: dict[str, Any] | None = None
    ) -> str | None:
        """Store a record as synced at `at`; returns created/updated, or None when its version is unchanged."""
        existing = self._by_id.get(record_id)
        if existing is None:
            record = StoredRecord(record_id, external_id, 0, at, version, data, first_seen=at)
            self._by_id[record_id] = record
            self._place(record, at)
            return CREATED
        if not existing.deleted and existing.version == version:
            return None
        if existing.deleted:
            self._deleted -= 1
            existing.deleted = False
        existing.version, existing.data = version, data
        self._place(existing, at)
        return UPDATED

    def delete(self, record_id: str, at: datetime) -> bool:
        existing = self._by_id.get(record_id)
        if existing is None or existing.deleted:
            return False
        existing.deleted = True
        self._deleted += 1
        self._place(existing, at)
        return True

    # -- reading -------------------------------------------------------------------------
    def get(self, record_id: str) -> StoredRecord:
        found = self._by_id.get(record_id)
        if found is None:
            raise RecordNotFound("recordId", f"record '{record_id}' not found in this sync")
        return found

    def live(self) -> list[StoredRecord]:
        return [r for r in self._by_id.values() if not r.deleted]

    def in_order(self) -> list[StoredRecord]:
        """Every record, tombstones included, in the order they were last written."""
        by_seq = self._by_seq
        return [by_seq[s] for s in self._order]

    def written_since(self, at: datetime) -> list[StoredRecord]:
        """The records last written at or after `at` (what one run changed), newest first."""
        found = []
        for seq in reversed(self._order):
            record = self._by_seq[seq]
            if record.synced_at < at:
                break
            found.append(record)
        return found

    @property
    def version(self) -> int:
        """Changes with every write: what a view built from the store is still valid for."""
        return self._seq

    @property
    def total(self) -> int:
        return len(self._by_id)

    @property
    def active(self) -> int:
        return len(self._by_id) - self._deleted

    @property
    def latest_cursor(self) -> str | None:
        return encode_cursor(self._order[-1]) if self._order else None

    def page(self, cursor: str | None, size: int) -> Page:
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
        return Page(records, self.total, self.active, remaining, next_cursor, last_seen)
