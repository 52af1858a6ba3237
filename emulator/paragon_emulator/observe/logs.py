"""The log format of `serve` (`--log-format text|json`) for the emulator's lines and uvicorn's."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

TEXT_FORMAT = "%(levelname)-9s %(name)s: %(message)s"


class TextFormatter(logging.Formatter):
    """A line as before, with the emulated time in front of what the emulator saw happen."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        emulated = getattr(record, "emulated", None)
        if emulated:
            head, sep, rest = line.partition(": ")
            line = f"{head}{sep}[{emulated}] {rest}"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: real time, emulated time (when the line is about emulated time),
    level, logger, message, and the line's facts."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        emulated = getattr(record, "emulated", None)
        if emulated:
            line["emulatedTime"] = emulated
        fields = getattr(record, "fields", None)
        if fields:
            line["fields"] = fields
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, separators=(",", ":"))


def configure(level: str, fmt: str) -> None:
    """The root handler every line goes through (uvicorn's loggers propagate to it)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per webhook attempt is the emulator's to log
