"""A thin client of the real API (/api/...) for the behaviour scenarios.

Every answer it gets is checked against the contract (documented status, body schema) before
the scenario looks at it, so each scenario is also a conformance check. It remembers the syncs
it created, so that the session can delete them at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import httpx

from .spec import Contract


@dataclass
class Api:
    base_url: str
    token: str | None
    contract: Contract
    created: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.http = httpx.Client(base_url=self.base_url, headers=headers, timeout=60)

    def close(self) -> None:
        self.http.close()

    def call(self, method: str, path: str, *, expect: int | None = None, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, path, **kwargs)
        response.read()
        self.contract.assert_conforms(response)
        if expect is not None:
            assert response.status_code == expect, (
                f"{method} {path}: expected {expect}, got {response.status_code}: {response.text[:2000]}"
            )
        return response

    # -- syncs ------------------------------------------------------------------------------
    def enable(self, integration: str, pipeline: str, configuration_name: str, **extra: Any) -> dict:
        body = {"integration": integration, "pipeline": pipeline, "configurationName": configuration_name, **extra}
        sync = self.call("POST", "/api/syncs", json=body, expect=200).json()
        self.created.add(sync["id"])
        return sync

    def status(self, sync_id: str) -> dict:
        return self.call("GET", f"/api/syncs/{sync_id}", expect=200).json()

    def list(self) -> list[dict]:
        return self.call("GET", "/api/syncs", expect=200).json()["data"]

    def disable(self, sync_id: str) -> httpx.Response:
        return self.call("POST", f"/api/syncs/{sync_id}/disable")

    def reenable(self, sync_id: str) -> httpx.Response:
        return self.call("POST", f"/api/syncs/{sync_id}/reenable")

    def delete(self, sync_id: str) -> httpx.Response:
        response = self.call("DELETE", f"/api/syncs/{sync_id}")
        if response.status_code in (200, 404):
            self.created.discard(sync_id)
        return response

    # -- records ----------------------------------------------------------------------------
    def page(self, sync_id: str, page_size: int | None = None, cursor: str | None = None) -> dict:
        params: dict[str, Any] = {}
        if page_size is not None:
            params["pageSize"] = page_size
        if cursor is not None:
            params["cursor"] = cursor
        return self.call("GET", f"/api/syncs/{sync_id}/records", params=params, expect=200).json()

    def pages(self, sync_id: str, page_size: int, cursor: str | None = None, limit: int = 10_000) -> Iterator[dict]:
        """Pages from `cursor` until caught up (empty data or remainingRecords 0)."""
        for _ in range(limit):
            page = self.page(sync_id, page_size, cursor)
            yield page
            if not page["data"] or page["paging"]["remainingRecords"] == 0:
                return
            cursor = page["paging"]["cursor"]
        raise AssertionError(f"still not caught up after {limit} pages")

    def record(self, sync_id: str, record_id: str) -> httpx.Response:
        return self.call("GET", f"/api/syncs/{sync_id}/records/{record_id}")

    # -- permissions ------------------------------------------------------------------------
    def permissions(self, sync_id: str, question: str, body: dict) -> httpx.Response:
        return self.call("POST", f"/api/permissions/{sync_id}/{question}", json=body)
