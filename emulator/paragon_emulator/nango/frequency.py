"""Nango's sync interval grammar (nango-yaml getInterval): 'every 2 hours', 'every half day', '30m'."""

from __future__ import annotations

import re

MINIMUM_SECONDS = 30

_UNITS = {
    "ms": 0.001, "millisecond": 0.001, "milliseconds": 0.001, "msec": 0.001, "msecs": 0.001,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
    "y": 31557600, "yr": 31557600, "yrs": 31557600, "year": 31557600, "years": 31557600,
}
_NAMED = {"half hour": 1800, "half day": 43200, "quarter hour": 900, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000}
_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]+)$")


def interval_seconds(text: str) -> float | None:
    """Seconds of a Nango interval, or None when Nango would not read it (or it is under 30 s)."""
    value = text.strip().lower()
    if value.startswith("every "):
        value = value[len("every "):].strip()
    if value in _NAMED:
        seconds: float = _NAMED[value]
    else:
        found = _AMOUNT.match(value)
        if found is None or found.group(2) not in _UNITS:
            return None
        seconds = float(found.group(1)) * _UNITS[found.group(2)]
    return seconds if seconds >= MINIMUM_SECONDS else None


_NAMED_SHORT = {"half hour": "30m", "half day": "12h", "quarter hour": "15m", "hour": "1h", "day": "1d", "week": "1w", "month": "30d"}


def normalized(text: str) -> str:
    """The interval as Nango answers it: a named one in short form ('every hour' -> '1h'), others
    as written after 'every' ('every 2 hours' -> '2 hours')."""
    value = text.strip()
    if value.lower().startswith("every "):
        value = value[len("every "):].strip()
    return _NAMED_SHORT.get(value.lower(), value)


PARAGON_FREQUENCIES = {
    "1m": "every minute", "5m": "every 5 minutes", "10m": "every 10 minutes", "30m": "every 30 minutes",
    "1h": "every hour", "3h": "every 3 hours", "6h": "every 6 hours", "24h": "every day",
}
