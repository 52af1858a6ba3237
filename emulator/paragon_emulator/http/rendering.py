"""JSON as the emulator sends it: compact, UTF-8 as-is, and records' JSON kept once rendered.

A 100-record page is ~50 KB of JSON, and making and encoding it was most of a pull's cost. A
record's answer is the same for as long as its key (its store and seq) names it, so its JSON is
kept by that key and the domain is asked only for the records not kept: a page is the kept
fragments joined, the same bytes `json.dumps` of the whole page gives.

orjson encodes where it is installed (several times faster than the stdlib encoder; a batch-check's
answer spent ~5% of its time there). Its bytes are the stdlib's for every value the emulator sends
but floats printed with an exponent (`1e-05` there, `1e-5` here: the same number, so the spec still
holds); anything orjson refuses (an integer past 64 bits, a non-string key) goes to the stdlib
encoder. tests/http/test_rendering.py holds the two side by side.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import datetime
from typing import Any, Callable

from starlette.responses import JSONResponse, Response

from ..domain.clock import iso

# Records' JSON kept between requests: ~60,000 records of ~500 bytes (a record is regenerated, its
# content hash included, when it is not kept).
RECORD_JSON_BUDGET = 32 * 1024 * 1024


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


encode_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default).encode


def encode_stdlib(value: Any) -> bytes:
    return encode_text(value).encode()


try:
    import orjson
except ImportError:  # a platform without its wheel: the stdlib encoder alone
    encode = encode_stdlib
else:
    _dumps, _OPTIONS = orjson.dumps, orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def encode(value: Any) -> bytes:
        try:
            return _dumps(value, default=_default, option=_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError: the stdlib decides, and raises the same errors as before
            return encode_stdlib(value)


class JSON(JSONResponse):
    # The bytes clients get are what strict mode validates.
    def render(self, content: Any) -> bytes:
        return encode(content)


class RecordJSON:
    """Records' JSON by their `key` (a record's state: a change gives it a new key), within a byte budget.

    Past the budget the oldest entries go first (a pull reads forwards; what a test reads again
    is what it read last). Used under the emulator's lock (from handlers), like the records.
    """

    def __init__(self, budget: int = RECORD_JSON_BUDGET):
        self.budget = budget
        self.size = 0  # bytes kept
        self._known: OrderedDict[tuple[int, int], bytes] = OrderedDict()

    def clear(self) -> None:
        self._known, self.size = OrderedDict(), 0

    def _keep(self, key: tuple[int, int], text: bytes) -> None:
        self._known[key] = text
        self.size += len(text)
        while self.size > self.budget and self._known:
            self.size -= len(self._known.popitem(last=False)[1])

    def texts(self, keys: list[tuple[int, int]], make: Callable[[list[int]], list[Any]]) -> list[bytes]:
        """The JSON kept under each key; `make(positions)` gives the answers of those not kept."""
        known = self._known
        found = [known.get(key) for key in keys]
        if None in found:
            missing = [i for i, text in enumerate(found) if text is None]
            for i, data in zip(missing, make(missing)):
                # A right-sized copy: orjson's bytes keep their whole working buffer (~4 KB for ~0.5 KB of JSON).
                text = found[i] = bytes(memoryview(encode(data)))
                self._keep(keys[i], text)
        return found  # type: ignore[return-value]

    def page(self, keys: list[tuple[int, int]], make: Callable[[list[int]], list[Any]], rest: dict[str, Any]) -> Response:
        """{"data": records, **rest} as a 200, rendered from the records' kept JSON."""
        assert rest and "data" not in rest
        body = b'{"data":[' + b",".join(self.texts(keys, make)) + b"]," + encode(rest)[1:]
        return Response(body, media_type="application/json")

    def one(self, key: tuple[int, int], make: Callable[[list[int]], list[Any]]) -> Response:
        return Response(b'{"data":' + self.texts([key], make)[0] + b"}", media_type="application/json")
