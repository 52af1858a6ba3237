"""Domain errors: each names what went wrong and which field; the HTTP layer picks the status."""

from __future__ import annotations


class DomainError(Exception):
    code = "ERROR"

    def __init__(self, field: str, message: str, **extra: object):
        super().__init__(message)
        self.field = field
        self.message = message
        self.extra = extra


class InvalidInput(DomainError):
    """The request is well-formed but its values make no sense here."""

    code = "INVALID_INPUT"


class UnknownIntegration(InvalidInput):
    code = "UNKNOWN_INTEGRATION"


class UnknownPipeline(InvalidInput):
    code = "UNKNOWN_PIPELINE"


class InvalidConfiguration(InvalidInput):
    code = "INVALID_CONFIGURATION"


class NotFound(DomainError):
    code = "NOT_FOUND"


class SyncNotFound(NotFound):
    code = "SYNC_NOT_FOUND"


class RecordNotFound(NotFound):
    code = "RECORD_NOT_FOUND"


class Conflict(DomainError):
    code = "CONFLICT"


class SyncAlreadyExists(Conflict):
    code = "SYNC_ALREADY_EXISTS"


class IllegalTransition(Conflict):
    """The status machine refused a move."""

    code = "ILLEGAL_TRANSITION"


class NoContent(InvalidInput):
    code = "NO_CONTENT"


class ChangesTokenInvalid(InvalidInput):
    code = "PERMISSION_CHANGES_CURSOR_INVALID"


class ChangesTokenTypeMismatch(InvalidInput):
    code = "PERMISSION_CHANGES_CURSOR_TYPE_MISMATCH"


class NoPermissions(InvalidInput):
    """A Permissions API question about a sync that keeps no permissions (not a files sync of a capable integration)."""

    code = "PERMISSIONS_NOT_SUPPORTED"


class Stopping(DomainError):
    """The emulator is shutting down: a long operation ended early."""

    code = "SHUTTING_DOWN"

    def __init__(self, message: str):
        super().__init__("clock", message)
