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
import itertools
from array import array
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator

from .clock import from_micros, to_micros
from .errors import InvalidInput, RecordNotFound

CREATED, UPDATED, DELETED = "created", "updated", "deleted"
# A record's data, or what makes it when first read (a file's MD5 needs its bytes built).
Data = dict[str, Any] | Callable[[], dict[str, Any]]


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


_tokens = itertools.count(1)


class StoredRecord:
    """A record as last synced: a view of its slot in the store, made on read (the store keeps none).

    `data` is kept only when it cannot be regenerated (changed items). `key` names this state of
    the record for as long as the process lives: a change gives the record a new seq, so a new key.
    A view is read before the store changes again (under the emulator's lock)."""

    __slots__ = ("_store", "_slot", "id", "seq")

    def __init__(self, store: "RecordStore", slot: int, record_id: str, seq: int):
        self._store, self._slot, self.id, self.seq = store, slot, record_id, seq

    @property
    def key(self) -> tuple[int, int]:
        return (self._store.token, self.seq)

    @property
    def external_id(self) -> str:
        return self._store._external_id(self._slot)

    @property
    def synced_at(self) -> datetime:
        return from_micros(self._store._synced[self._slot])

    @property
    def version(self) -> int:
        return self._store._version[self._slot]

    @property
    def first_seen(self) -> datetime:
        """When it was first stored (the Nango feed's first_seen_at)."""
        return from_micros(self._store._first_seen[self._slot])

    @property
    def data(self) -> dict[str, Any] | None:
        data = self._store._data.get(self._slot)
        if callable(data):  # given as what makes it: made on first read, then kept
            data = self._store._data[self._slot] = data()
        return data

    @property
    def deleted(self) -> bool:
        return bool(self._store._deleted[self._slot])

    @property
    def index(self) -> int | None:
        """The generated item the record is (None: its data is kept)."""
        index = self._store._index[self._slot]
        return index if index >= 0 else None


@dataclass(frozen=True)
class Page:
    store: "RecordStore"
    slots: list[int]  # the records', in seq order
    seqs: list[int]
    total: int
    active: int
    remaining: int
    cursor: str | None
    last_seen_ms: int

    @property
    def records(self) -> list[StoredRecord]:
        return self.views(range(len(self.slots)))

    def views(self, positions: "Iterable[int]") -> list[StoredRecord]:
        """The records at these positions of the page."""
        store, slots, seqs = self.store, self.slots, self.seqs
        return [StoredRecord(store, slots[i], store._ids[slots[i]], seqs[i]) for i in positions]

    @property
    def keys(self) -> list[tuple[int, int]]:
        token = self.store.token
        return [(token, seq) for seq in self.seqs]


class RecordStore:
    """The records of one sync, compactly: a million records are a few arrays and one dict.

    A record is a *slot* (its place in the arrays, fixed for its life); what cannot be recomputed
    is kept per slot: its seq, version, sync time (microseconds), tombstone flag, and either the
    index of the generated item it came from (its external id is then the account's to name) or
    its external id and data. Seqs index `_at_seq` (the slot holding each seq, -1 once moved on),
    and a Fenwick tree over seqs counts the records after a cursor.
    """

    def __init__(self) -> None:
        self.token = next(_tokens)  # names this store in keys that outlive it (rendered JSON)
        self._slot: dict[str, int] = {}  # record id -> slot, in creation order
        self._ids: list[str] = []  # slot -> record id (the same string objects as the keys)
        self._seq = array("q")
        self._version = array("q")
        self._synced = array("q")  # microseconds since 1970 (UTC)
        self._first_seen = array("q")  # the same, of its first write
        self._index = array("q")  # the generated item's index, or -1
        self._deleted = bytearray()
        self._names: dict[int, str] = {}  # slot -> external id, where it is not generated
        self._data: dict[int, Data] = {}  # slot -> data, where it cannot be regenerated
        self._name_of: Callable[[int], str] | None = None  # a generated item's external id by index
        self._at_seq = array("q", [-1])  # seq -> slot; seq 0 is never given
        self._present = array("q", [0])  # Fenwick tree over seqs (1-based): 1 where a record sits
        self._count = 0
        self._deleted_count = 0

    # -- the seq index -----------------------------------------------------------------------
    def _mark(self, seq: int, delta: int) -> None:
        tree, size = self._present, len(self._present)
        while seq < size:
            tree[seq] += delta
            seq += seq & -seq

    def _before(self, seq: int) -> int:
        """How many records sit at seqs 1..seq."""
        tree, total = self._present, 0
        seq = min(seq, len(tree) - 1)
        while seq > 0:
            total += tree[seq]
            seq -= seq & -seq
        return total

    def _grow(self) -> None:
        """Double the Fenwick tree (rebuilt from `_at_seq`: O(n), once per doubling)."""
        size = 2 * len(self._present)
        tree = array("q", bytes(8 * size))
        at_seq, taken = self._at_seq, len(self._at_seq)
        for seq in range(1, size):
            if seq < taken and at_seq[seq] >= 0:
                tree[seq] += 1
            parent = seq + (seq & -seq)
            if parent < size:
                tree[parent] += tree[seq]
        self._present = tree

    # -- writing -------------------------------------------------------------------------
    def _place(self, slot: int, at: datetime) -> None:
        old = self._seq[slot]
        if old:
            self._at_seq[old] = -1
            self._mark(old, -1)
        seq = len(self._at_seq)
        self._at_seq.append(slot)
        if seq >= len(self._present):
            self._grow()
        else:
            self._mark(seq, 1)
        self._seq[slot] = seq
        self._synced[slot] = to_micros(at)

    def upsert(
        self, record_id: str, external_id: str, version: int, at: datetime, data: Data | None = None,
        index: int | None = None, name_of: Callable[[int], str] | None = None,
    ) -> str | None:
        """Store a record as synced at `at`; returns created/updated, or None when its version is unchanged.

        Without `data`, the record is the generated item `index`, named by `name_of(index)`. `data`
        may be a function that makes it, called when the record is first read."""
        slot = self._slot.get(record_id)
        if slot is None:
            slot = len(self._ids)
            self._slot[record_id] = slot
            self._ids.append(record_id)
            for column in (self._seq, self._version, self._synced):
                column.append(0)
            self._first_seen.append(to_micros(at))
            self._index.append(-1)
            self._deleted.append(0)
            self._count += 1
            outcome = CREATED
        else:
            if not self._deleted[slot] and self._version[slot] == version:
                return None
            if self._deleted[slot]:
                self._deleted_count -= 1
                self._deleted[slot] = 0
            outcome = UPDATED
        self._version[slot] = version
        if data is None and index is not None and name_of is not None:
            self._name_of = name_of
            self._index[slot] = index
            self._names.pop(slot, None)
            self._data.pop(slot, None)
        else:
            self._index[slot] = -1
            self._names[slot] = external_id
            if data is None:
                self._data.pop(slot, None)
            else:
                self._data[slot] = data
        self._place(slot, at)
        return outcome

    def delete(self, record_id: str, at: datetime) -> bool:
        slot = self._slot.get(record_id)
        if slot is None or self._deleted[slot]:
            return False
        self._deleted[slot] = 1
        self._deleted_count += 1
        self._place(slot, at)
        return True

    # -- reading -------------------------------------------------------------------------
    def _external_id(self, slot: int) -> str:
        index = self._index[slot]
        if index < 0:
            return self._names[slot]
        assert self._name_of is not None
        return self._name_of(index)

    def _record(self, slot: int) -> StoredRecord:
        return StoredRecord(self, slot, self._ids[slot], self._seq[slot])

    def get(self, record_id: str) -> StoredRecord:
        slot = self._slot.get(record_id)
        if slot is None:
            raise RecordNotFound("recordId", f"record '{record_id}' not found in this sync")
        return self._record(slot)

    def live_ids(self) -> Iterator[str]:
        """The ids of the records not deleted, in the order they were first stored."""
        deleted = self._deleted
        return (record_id for record_id, slot in self._slot.items() if not deleted[slot])

    def live(self) -> list[StoredRecord]:
        return [self._record(self._slot[record_id]) for record_id in self.live_ids()]

    def in_order(self) -> list[StoredRecord]:
        """Every record, tombstones included, in the order they were last written."""
        return [self._record(slot) for slot in self._at_seq if slot >= 0]

    def written_since(self, at: datetime) -> list[StoredRecord]:
        """The records last written at or after `at` (what one run changed), newest first."""
        since = to_micros(at)
        found = []
        at_seq, synced = self._at_seq, self._synced
        for seq in range(len(at_seq) - 1, 0, -1):
            slot = at_seq[seq]
            if slot < 0:
                continue
            if synced[slot] < since:
                break
            found.append(self._record(slot))
        return found

    @property
    def version(self) -> int:
        """Changes with every write: what a view built from the store is still valid for."""
        return len(self._at_seq) - 1

    @property
    def total(self) -> int:
        return self._count

    @property
    def active(self) -> int:
        return self._count - self._deleted_count

    @property
    def latest_cursor(self) -> str | None:
        at_seq = self._at_seq
        for seq in range(len(at_seq) - 1, 0, -1):  # the newest seq is always taken: one step
            if at_seq[seq] >= 0:
                return encode_cursor(seq)
        return None

    def page(self, cursor: str | None, size: int) -> Page:
        after = decode_cursor(cursor) if cursor else 0
        at_seq, end = self._at_seq, len(self._at_seq)
        slots: list[int] = []
        start = after + 1
        while len(slots) < size and start < end:
            chunk = at_seq[start : start + size - len(slots)]
            slots.extend(chunk if -1 not in chunk else [slot for slot in chunk if slot >= 0])
            start += len(chunk)
        seq_of = self._seq
        seqs = [seq_of[slot] for slot in slots]
        if slots:
            remaining = self._count - self._before(seqs[-1])
            next_cursor: str | None = encode_cursor(seqs[-1])
            synced = from_micros(self._synced[slots[-1]])
            last_seen = int(synced.timestamp() * 1000)
        else:
            remaining = self._count - self._before(after)
            next_cursor, last_seen = cursor, 0
        return Page(self, slots, seqs, self.total, self.active, remaining, next_cursor, last_seen)
