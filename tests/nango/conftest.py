"""A Nango client over the in-process emulator: the secret key, headers and a connection helper."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from paragon_emulator import create_app
from paragon_emulator.nango.keys import secret_keys
from tests.conftest import PROJECT, make_settings


class Nango:
    """What a Nango SDK user does, over HTTP."""

    def __init__(self, client: TestClient, key: str, prefix: str = "/nango"):
        self.client, self.key, self.prefix = client, key, prefix
        self.headers = {"Authorization": f"Bearer {key}"}

    def request(self, method: str, path: str, **kwargs: Any):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, self.prefix + path, headers=headers, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json()

    def connect(self, connection_id: str = "conn-1", user: str = "alice", provider: str = "google-drive") -> dict:
        return self.ok("POST", "/connections", 201, json={
            "provider_config_key": provider, "connection_id": connection_id,
            "credentials": {"type": "OAUTH2", "access_token": "token"}, "end_user": {"id": user},
        })

    def start(self, connection_id: str = "conn-1", provider: str = "google-drive", syncs: list | None = None) -> None:
        body = {"provider_config_key": provider, "connection_id": connection_id, "syncs": syncs or ["documents"]}
        assert self.ok("POST", "/sync/start", json=body) == {"success": True}

    def status(self, connection_id: str = "conn-1", provider: str = "google-drive", syncs: str = "documents") -> list[dict]:
        params = {"provider_config_key": provider, "connection_id": connection_id, "syncs": syncs}
        return self.ok("GET", "/sync/status", params=params)["syncs"]

    def records(self, connection_id: str = "conn-1", provider: str = "google-drive", **params: Any):
        headers = {"Connection-Id": connection_id, "Provider-Config-Key": provider}
        return self.request("GET", "/records", params=params, headers=headers)


@pytest.fixture
def nango_settings():
    return make_settings()


@pytest.fixture
def emulator_client(nango_settings) -> Iterator[TestClient]:
    with TestClient(create_app(nango_settings)) as client:
        yield client


@pytest.fixture
def nango(emulator_client, nango_settings) -> Nango:
    return Nango(emulator_client, secret_keys(nango_settings)[PROJECT])
