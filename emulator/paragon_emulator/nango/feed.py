"""Nango's records feed over one sync's record store: order, cursors, filters. No HTTP here.

Nango orders records by (last modified, internal id) and its cursor is base64 of
"<last_modified_at>||<internal id>"; `cursor` is exclusive, `modified_after` inclusive. The store
keeps records in write order, which is time order; the feed sorts equal instants by id. The
sorted view is kept per store until the store's next write (`RecordStore.version`), so paging
through a sync that is not changing sorts it once.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import weakref
from functools import lru_cache
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from ..domain.records import RecordStore, StoredRecord

ADDED, UPDATED, DELETED = "added", "updated", "deleted"
ACTIONS = (ADDED, UPDATED, DELETED)


@lru_cache(maxsize=4096)  # a run writes many records at one instant
def timestamp(value: datetime) -> str:
    """Postgres' JSON form of a timestamptz, as Nango sends it: microseconds and +00:00."""
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def encode_cursor(record: StoredRecord) -> str:
    return base64.b64encode(f"{timestamp(record.synced_at)}||{record.id}".encode()).decode()


class BadCursor(ValueError):
    pass


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        when, sep, record_id = text.partition("||")
        if not sep or not record_id:
            raise ValueError
        at = datetime.fromisoformat(when)
        if at.tzinfo is None:
            raise ValueError
        return at, record_id
    except (ValueError, binascii.Error, UnicodeError):
        raise BadCursor(f"cursor '{cursor[:100]}' is not a cursor this API returned") from None


def action(record: StoredRecord) -> str:
    if record.deleted:
        return DELETED
    return ADDED if record.first_seen == record.synced_at else UPDATED


@dataclass(frozen=True)
class _View:
    version: int
    keys: list[tuple[datetime, str]]
    records: list[StoredRecord]


_views: "weakref.WeakKeyDictionary[RecordStore, _View]" = weakref.WeakKeyDictionary()


def _view(store: RecordStore) -> _View:
    view = _views.get(store)
    if view is None or view.version != store.version:
        records = store.in_order()
        # Write order is time order: the sort only reorders records written at one instant (timsort: ~linear).
        records.sort(key=lambda r: (r.synced_at, r.id))
        view = _View(store.version, [(r.synced_at, r.id) for r in records], records)
        _views[store] = view
    return view


@dataclass(frozen=True)
class FeedPage:
    records: list[StoredRecord]
    next_cursor: str | None


def page(
    store: RecordStore,
    limit: int,
    cursor: str | None = None,
    modified_after: datetime | None = None,
    actions: Iterable[str] | None = None,
    external_ids: Iterable[str] | None = None,
) -> FeedPage:
    """Up to `limit` records after `cursor` (exclusive) and from `modified_after` (inclusive);
    `next_cursor` is the last one's cursor when more follow, else None."""
    view = _view(store)
    start = 0
    if cursor is not None:
        start = bisect.bisect_right(view.keys, decode_cursor(cursor))
    if modified_after is not None:
        start = max(start, bisect.bisect_left(view.keys, (modified_after, "")))
    wanted = set(actions) if actions else None
    ids = set(external_ids) if external_ids else None
    records = view.records
    if wanted is None and ids is None:
        found = records[start:start + limit + 1]
    else:
        found = []
        for record in records[start:] if start else records:
            if (ids is None or record.external_id in ids) and (wanted is None or action(record) in wanted):
                found.append(record)
                if len(found) > limit:
                    break
    more = len(found) > limit
    found = found[:limit]
    return FeedPage(found, encode_cursor(found[-1]) if more else None)


def until(store: RecordStore, cursor: str) -> list[StoredRecord]:
    """Every record up to and including `cursor`, in feed order (what a prune reaches)."""
    view = _view(store)
    return view.records[: bisect.bisect_right(view.keys, decode_cursor(cursor))]
