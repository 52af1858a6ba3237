"""Emulator bugs the suite has found and that are not fixed yet.

Each bug has a test of its own, marked xfail(strict=True) with the bug's reason, in
test_known_bugs.py; the property checks leave the inputs that meet the bug out (`hits`), so one
known bug does not hide the others. When the emulator is fixed its test starts to pass, the strict
xfail fails the run, and whoever fixed it removes the bug from here.
"""

from __future__ import annotations

NON_UTF8_BODY = (
    "emulator bug: a JSON request body that is not UTF-8 is answered 500 text/plain "
    "(http/validation.py formats openapi-core's deserialization error, which decodes the body as UTF-8) "
    "instead of a 400 VALIDATION_FAILED"
)


def _not_utf8(body: object) -> bool:
    if not isinstance(body, (bytes, bytearray)):
        return False
    try:
        bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def hits(case) -> str | None:
    """The known bug this generated request would meet, if any."""
    if _not_utf8(case.body):
        return NON_UTF8_BODY
    return None
