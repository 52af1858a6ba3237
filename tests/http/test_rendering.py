"""The fast JSON encoder (orjson) against the stdlib encoder the emulator used before it.

The stdlib encoder is the reference: for any JSON value the emulator can send (strings of any
text, 64-bit and larger integers, non-string keys, datetimes, str enums), the bytes are the same,
except a float that Python prints with an exponent, which must still be the same number.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from enum import StrEnum

import pytest
from hypothesis import given, strategies as st

from paragon_emulator.http import rendering


class Colour(StrEnum):
    RED = "RED"


def _plain_float(x: float) -> bool:
    return math.isfinite(x) and "e" not in repr(x)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(),
    st.floats(allow_nan=False, allow_infinity=False).filter(_plain_float),
    st.datetimes(timezones=st.just(timezone.utc)), st.just(Colour.RED),
)
keys = st.one_of(st.text(), st.integers(-5, 5))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=20)


def _encodable(value: object) -> bool:
    try:
        rendering.encode_stdlib(value)
        return True
    except UnicodeEncodeError:  # a lone surrogate: neither encoder can send it
        return False


@given(values)
def test_the_same_bytes_as_the_stdlib_encoder(value: object) -> None:
    if _encodable(value):
        assert rendering.encode(value) == rendering.encode_stdlib(value)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_is_the_same_number(x: float) -> None:
    assert json.loads(rendering.encode({"x": x})) == json.loads(rendering.encode_stdlib({"x": x})) == {"x": x}


def test_what_cannot_be_json_is_refused_as_before() -> None:
    with pytest.raises(TypeError):
        rendering.encode({"x": object()})
    assert rendering.encode({"when": datetime(2026, 1, 5, 9, tzinfo=timezone.utc)}) == b'{"when":"2026-01-05T09:00:00.000Z"}'
