"""The compact record store against the simple one (reference_records.py), operation by operation.

Random writes (creations, changes, deletions, generated and kept records) and reads (pages from
any cursor, single records, the totals and the latest cursor) go to both stores; every answer
must be the same. The HTTP differential test (tests/http/test_record_store_differential.py)
does the same through whole syncs; this one reaches long histories of moves cheaply.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from paragon_emulator.domain.errors import DomainError
from paragon_emulator.domain.records import RecordStore, encode_cursor

from .reference_records import ReferenceRecordStore

START = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


def name_of(index: int) -> str:
    return f"item-{index:04x}-{index}"


ops = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.integers(0, 12), st.integers(0, 3), st.booleans()),
        st.tuples(st.just("delete"), st.integers(0, 12)),
        st.tuples(st.just("tick"), st.integers(1, 10**7)),
        st.tuples(st.just("page"), st.integers(0, 60), st.integers(1, 12)),
        st.tuples(st.just("get"), st.integers(0, 13)),
    ),
    min_size=10,
    max_size=120,
)


def _view(record) -> tuple:
    return (record.id, record.external_id, record.seq, record.synced_at, record.version, record.data, record.deleted,
            record.index, record.first_seen)


@settings(max_examples=500, deadline=None)
@given(ops)
def test_the_compact_store_answers_as_the_simple_one(story: list[tuple]) -> None:
    fast, reference = RecordStore(), ReferenceRecordStore()
    at = START
    for op in story:
        kind = op[0]
        if kind == "put":
            _, n, version, generated = op
            data = None if generated else {"id": f"r{n}", "version": version}
            args = (f"r{n}", name_of(n), version, at, data, n if generated else None, name_of)
            assert fast.upsert(*args) == reference.upsert(*args)
        elif kind == "delete":
            assert fast.delete(f"r{op[1]}", at) == reference.delete(f"r{op[1]}", at)
        elif kind == "tick":
            at += timedelta(microseconds=op[1])
        elif kind == "page":
            _, after, size = op
            cursor = encode_cursor(after) if after else None
            got, expected = fast.page(cursor, size), reference.page(cursor, size)
            assert [_view(r) for r in got.records] == [_view(r) for r in expected.records]
            assert (got.total, got.active, got.remaining, got.cursor, got.last_seen_ms) == (
                expected.total, expected.active, expected.remaining, expected.cursor, expected.last_seen_ms
            )
            assert [seq for _, seq in got.keys] == [seq for _, seq in expected.keys]
            assert [_view(r) for r in got.views([0, len(got.records) - 1])] == [_view(r) for r in expected.views([0, len(expected.records) - 1])] if got.records else True
        else:
            record_id = f"r{op[1]}"
            try:
                expected_view = _view(reference.get(record_id))
            except DomainError:
                with pytest.raises(DomainError):
                    fast.get(record_id)
            else:
                assert _view(fast.get(record_id)) == expected_view
        assert (fast.total, fast.active, fast.latest_cursor) == (reference.total, reference.active, reference.latest_cursor)
        assert list(fast.live_ids()) == list(reference.live_ids())
        assert [_view(r) for r in fast.in_order()] == [_view(r) for r in reference.in_order()]
        assert fast.version == reference.version
        since = at - timedelta(microseconds=op[1] if kind == "tick" else 0)
        assert [_view(r) for r in fast.written_since(since)] == [_view(r) for r in reference.written_since(since)]
