"""JSON as the emulator sends it: compact, UTF-8 as-is, and records' JSON kept once rendered.

A 100-record page is ~50 KB of JSON, and encoding it was most of a pull's cost. A record's
dict is never changed once the domain hands it out (a change upstream makes a new one), so
its JSON is kept by the dict's identity: a page is the kept fragments joined, the same bytes
`json.dumps` of the whole page gives.

orjson encodes where it is installed (several times faster than the stdlib encoder; a batch-check's
answer spent ~5% of its time there). Its bytes are the stdlib's for every value the emulator sends
but floats printed with an exponent (`1e-05` there, `1e-5` here: the same number, so the spec still
holds); anything orjson refuses (an integer past 64 bits, a non-string key) goes to the stdlib
encoder. tests/http/test_rendering.py holds the two side by side.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from starlette.responses import JSONResponse, Response

from ..domain.clock import iso


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
    """Records' JSON by the identity of their dicts, for up to `size` dicts (then it starts afresh).

    An entry holds its dict, so the id it is keyed by cannot be reused while it is kept.
    Used under the emulator's lock (from handlers), like the records themselves.
    """

    def __init__(self, size: int = 10_000):
        self.size = size
        self._known: dict[int, tuple[dict[str, Any], bytes]] = {}

    def of(self, data: dict[str, Any]) -> bytes:
        found = self._known.get(id(data))
        if found is not None and found[0] is data:
            return found[1]
        if len(self._known) >= self.size:
            self._known = {}  # cheaper than tracking use: a page rebuilds what it needs
        text = encode(data)
        self._known[id(data)] = (data, text)
        return text

    def clear(self) -> None:
        self._known = {}

    def page(self, records: list[dict[str, Any]], rest: dict[str, Any]) -> Response:
        """{"data": records, **rest} as a 200, rendered from the records' kept JSON."""
        assert rest and "data" not in rest
        body = b'{"data":[' + b",".join([self.of(data) for data in records]) + b"]," + encode(rest)[1:]
        return Response(body, media_type="application/json")

    def one(self, record: dict[str, Any]) -> Response:
        return Response(b'{"data":' + self.of(record) + b"}", media_type="application/json")
