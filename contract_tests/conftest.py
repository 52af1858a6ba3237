"""Fixtures of the contract suite: one server under test per session, its contract and clients.

The suite checks any server that claims to be Paragon's Managed Sync API. Without
PARAGON_CONTRACT_BASE_URL it starts the emulator through its CLI (`paragon-emulator serve` on a
free port, accelerated clock) and mints tokens with `paragon-emulator token`; given a URL and a
token (PARAGON_CONTRACT_TOKEN or PARAGON_CONTRACT_TOKEN_COMMAND) it tests that server, e.g. the
real https://sync.useparagon.com. Every variable is listed in contract_tests/README.md.

Scenarios that need the emulator's control plane (its clock, upstream changes) are marked
`needs_control_plane` and are skipped, with the reason, against a server without one.
"""

from __future__ import annotations

import warnings
from typing import Iterator

import pytest

from .harness import config as contract_config
from .harness import spec
from .harness.api import Api
from .harness.session import ServerUnderTest, open_session
from .harness.syncs import wait_for_status
from .harness.waiting import Waiter


@pytest.fixture(scope="session")
def config() -> contract_config.ContractConfig:
    return contract_config.load()


@pytest.fixture(scope="session")
def contract(config: contract_config.ContractConfig) -> spec.Contract:
    return spec.load(config.spec_path, config.check_error_bodies)


@pytest.fixture(scope="session")
def server(config: contract_config.ContractConfig, contract: spec.Contract) -> Iterator[ServerUnderTest]:
    session = open_session(config, contract)
    try:
        yield session
    finally:
        for problem in session.close():
            warnings.warn(problem)


@pytest.fixture(scope="session")
def api(server: ServerUnderTest) -> Api:
    client = server.api(server.token)
    # Syncs that were there before the run are never touched by the cleanup.
    server.preexisting |= {sync["id"] for sync in client.list()}
    return client


@pytest.fixture(scope="session")
def other_api(server: ServerUnderTest) -> Api:
    if server.other_token is None:
        pytest.skip("no second user's token (PARAGON_CONTRACT_OTHER_TOKEN or _OTHER_TOKEN_COMMAND)")
    client = server.api(server.other_token)
    server.preexisting |= {sync["id"] for sync in client.list()}
    return client


@pytest.fixture(scope="session")
def waiter(server: ServerUnderTest, config: contract_config.ContractConfig) -> Waiter:
    return Waiter(server.control, config.sync_timeout, config.poll_interval)


@pytest.fixture(autouse=True)
def _control_plane_gate(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("needs_control_plane") is None:
        return
    server: ServerUnderTest = request.getfixturevalue("server")
    if server.control is None:
        pytest.skip(server.no_control_plane_reason)


@pytest.fixture(scope="session")
def control(server: ServerUnderTest):
    """The control plane; a test (or module fixture) that asks for it is skipped without one."""
    if server.control is None:
        pytest.skip(server.no_control_plane_reason)
    return server.control


@pytest.fixture(scope="session")
def idle_sync(server: ServerUnderTest, api: Api, waiter: Waiter, config: contract_config.ContractConfig) -> dict:
    """A files sync of the session's user that finished its initial sync; scenarios only read it."""
    sync = api.enable(config.integration, config.pipeline, server.name("shared"))
    wait_for_status(api, waiter, sync["id"], "IDLE")
    return sync
