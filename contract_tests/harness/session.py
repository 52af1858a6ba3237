"""The server under test for one pytest session: found by URL, or started through the CLI."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from . import server as emulator_server
from . import tokens
from .api import Api
from .claims import user_and_project
from .config import ContractConfig
from .control import ControlPlane, detect
from .spec import Contract


@dataclass
class ServerUnderTest:
    config: ContractConfig
    contract: Contract
    base_url: str
    token: str
    other_token: str | None
    control: ControlPlane | None
    is_emulator: bool  # answers /_emulator/health, whether or not the suite may use its control plane
    emulator: emulator_server.EmulatorProcess | None = None
    run_id: str = field(default_factory=lambda: secrets.token_hex(3))
    apis: list[Api] = field(default_factory=list)
    preexisting: set[str] = field(default_factory=set)

    @property
    def user(self) -> str:
        return user_and_project(self.token)[0]

    @property
    def project(self) -> str:
        return user_and_project(self.token)[1]

    @property
    def where(self) -> str:
        kind = "the emulator the suite started" if self.emulator else "PARAGON_CONTRACT_BASE_URL"
        return f"{kind}, {self.base_url}"

    @property
    def no_control_plane_reason(self) -> str:
        if self.config.control_plane == "off":
            return f"needs the emulator's control plane, ignored by PARAGON_CONTRACT_CONTROL_PLANE=off ({self.where})"
        return f"needs the emulator's control plane (/_emulator/), which the server under test has not ({self.where})"

    def name(self, purpose: str) -> str:
        """A configurationName no earlier run or other test uses."""
        return f"contract-{self.run_id}-{purpose}"

    def api(self, token: str | None) -> Api:
        client = Api(self.base_url, token, self.contract)
        self.apis.append(client)
        return client

    def user_name(self, name: str) -> str:
        """A fresh emulator of our own gives the same accounts every run (an account is generated
        from its user's name); a shared one gets names of this run, which no one else uses."""
        return name if self.emulator is not None else f"{name}-{self.run_id}"

    def mint(self, user: str) -> str:
        """A token for a user of our own, from the emulator's control plane."""
        return tokens.from_control_plane(self.base_url, self.user_name(user))

    def close(self) -> list[str]:
        """Delete every sync the suite created (never one that was there before); stop the emulator."""
        problems = []
        for client in self.apis:
            for sync_id in sorted(client.created - self.preexisting):
                try:
                    response = client.http.delete(f"/api/syncs/{sync_id}")
                    if response.status_code not in (200, 404):
                        problems.append(f"could not delete sync {sync_id}: {response.status_code} {response.text}")
                except Exception as exc:  # cleanup must reach the emulator's stop
                    problems.append(f"could not delete sync {sync_id}: {exc}")
            client.close()
        if self.emulator is not None:
            self.emulator.stop()
        return problems


def open_session(config: ContractConfig, contract: Contract) -> ServerUnderTest:
    emulator = None
    if config.starts_emulator:
        emulator = emulator_server.start(config.clock_rate)
        base_url = emulator.base_url
    else:
        base_url = config.base_url
    try:
        is_emulator = detect(base_url)
        has_plane = config.control_plane == "auto" and is_emulator
        token = tokens.resolve(config.token_command, config.token)
        other = tokens.resolve(config.other_token_command, config.other_token)
        run = secrets.token_hex(3)
        if token is None and emulator is not None:  # a fresh emulator: the same accounts every run
            token, other = emulator.token("contract-alice"), other or emulator.token("contract-bob")
        elif token is None and has_plane:
            token = tokens.from_control_plane(base_url, f"contract-alice-{run}")
            other = other or tokens.from_control_plane(base_url, f"contract-bob-{run}")
        if token is None:
            raise RuntimeError(
                f"no token for {base_url}: set PARAGON_CONTRACT_TOKEN or PARAGON_CONTRACT_TOKEN_COMMAND "
                "(a Paragon User Token of a user with the integration connected)"
            )
        session = ServerUnderTest(
            config, contract, base_url, token, other, ControlPlane(base_url) if has_plane else None, is_emulator,
            emulator, run,
        )
    except BaseException:
        if emulator is not None:
            emulator.stop()
        raise
    return session
