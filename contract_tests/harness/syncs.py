"""What several scenarios do with syncs: wait for a status, pull everything, tell folders apart."""

from __future__ import annotations

from dataclasses import dataclass, field

from .api import Api
from .waiting import Waiter

# Statuses a sync may pass through on its own while it runs (DISABLED/ERRORED need a cause).
RUNNING = {"INITIALIZING", "ACTIVE", "IDLE", "RATE_LIMITED"}
FOLDER_MIME_TYPES = {"application/vnd.google-apps.folder", "application/x-directory", "inode/directory"}


@dataclass
class Observed:
    status: dict
    seen: list[str] = field(default_factory=list)


def wait_for_status(api: Api, waiter: Waiter, sync_id: str, wanted: str, allowed: set[str] = RUNNING,
                    until=None) -> Observed:
    """Poll until the sync is `wanted` (and `until(status)` holds); fail on a status not in `allowed`."""
    observed = Observed(status={})

    def probe() -> Observed | None:
        status = api.status(sync_id)
        observed.status = status
        if not observed.seen or observed.seen[-1] != status["status"]:
            observed.seen.append(status["status"])
        assert status["status"] in allowed | {wanted}, (
            f"sync {sync_id} went {status['status']} (seen {observed.seen}): {status}"
        )
        if status["status"] == wanted and (until is None or until(status)):
            return observed
        return None

    return waiter.until(probe, f"sync {sync_id} to be {wanted} (seen {observed.seen})")


@dataclass
class Pull:
    records: list[dict]
    pages: list[dict]

    @property
    def cursor(self) -> str | None:
        for page in reversed(self.pages):
            if page["paging"].get("cursor"):
                return page["paging"]["cursor"]
        return None

    @property
    def ids(self) -> list[str]:
        return [record["id"] for record in self.records]


def total_records(api: Api, sync_id: str) -> int:
    return api.page(sync_id, 1)["paging"]["totalRecords"]


def pull_all(api: Api, sync_id: str, page_size: int, cursor: str | None = None) -> Pull:
    pages = list(api.pages(sync_id, page_size, cursor))
    return Pull([record for page in pages for record in page["data"]], pages)


def is_folder(record: dict) -> bool:
    mime = record.get("mimeType", "")
    return mime in FOLDER_MIME_TYPES or mime.endswith(".folder")
