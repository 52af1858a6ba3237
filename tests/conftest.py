"""Shared fixtures: an in-process emulator in strict mode on a manual clock, and tokens."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from hypothesis import Phase, settings as hypothesis_settings
from starlette.testclient import TestClient

from paragon_emulator import Settings, create_app
from paragon_emulator.tokens import mint

pytest_plugins = ["pytester"]  # the plugin's own tests (tests/plugin) run pytest in fresh projects

UNDER_MUTMUT = "MUTANT_UNDER_TEST" in os.environ  # mutation testing (README.md, Development)
if UNDER_MUTMUT:
    # A failing example is all mutmut needs: no shrinking, which could take minutes per mutant.
    # Loaded before the test modules, so their @settings inherit it.
    hypothesis_settings.register_profile("mutmut", phases=[Phase.explicit, Phase.reuse, Phase.generate])
    hypothesis_settings.load_profile("mutmut")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under mutmut, the fastest tests first (by the times it recorded): with -x, a mutant most
    tests catch is caught in a second, not after the slowest test."""
    if not UNDER_MUTMUT:
        return
    try:
        durations = json.loads(Path("mutmut-stats.json").read_text())["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))

START = datetime(2026, 1, 5, 9, 0, 0, tzinfo=timezone.utc)
PROJECT = Settings().default_project_id


def make_settings(**overrides: Any) -> Settings:
    # Runs take a fixed 2 s unless a test asks for per-record time, so timestamps are exact.
    # No verification probe when a test sets a webhook URL: tests count the events a sync sends
    # (tests/http/test_webhook_verification.py switches it back on).
    values: dict[str, Any] = {
        "strict": True, "clock_mode": "manual", "clock_start": START, "seconds_per_record": 0,
        "webhook_verification": False,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=True) as test_client:
        yield test_client


@pytest.fixture
def token(settings: Settings) -> Callable[..., str]:
    def make(user: str = "alice", project: str | None = None, **kwargs: Any) -> str:
        return mint(settings, user, project, **kwargs)[0]

    return make


@pytest.fixture
def auth(token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    def headers(user: str = "alice", project: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(user, project)}"}

    return headers


def advance(client: TestClient, seconds: float) -> dict[str, Any]:
    response = client.post("/_emulator/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text
    return response.json()
