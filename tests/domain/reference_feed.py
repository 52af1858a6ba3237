"""The change feed as it was: a plain list of (at, operation, subject, relation, object id, type)
tuples, searched with bisect. tests/http/test_record_store_differential.py holds the compact feed
(domain/feed.py) to it."""

from __future__ import annotations

import bisect
from datetime import datetime


class ReferenceFeed(list):
    def type_at(self, position: int) -> str:
        return self[position][5]

    def first_at_or_after(self, start: datetime) -> int:
        return bisect.bisect_left(self, start, key=lambda entry: entry[0])
