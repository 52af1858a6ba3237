"""The suite's settings, read once from PARAGON_CONTRACT_* environment variables.

Every knob the suite has is here, so that the README's table and the code cannot drift apart:
`describe()` renders that table.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path


def _installed_spec() -> Path:
    """The openapi.yaml of the installed paragon_emulator package, found without importing it (the
    suite only reads the file); a path that does not exist when the package is not installed."""
    found = importlib.util.find_spec("paragon_emulator")
    folders = list(found.submodule_search_locations or []) if found else []
    return Path(folders[0] if folders else "paragon_emulator") / "openapi.yaml"


DEFAULT_SPEC = _installed_spec()

# name, default, meaning; the order is the README's order.
VARIABLES: list[tuple[str, str, str]] = [
    ("PARAGON_CONTRACT_BASE_URL", "(unset)",
     "server under test, e.g. https://sync.useparagon.com; unset: start the emulator through its CLI"),
    ("PARAGON_CONTRACT_TOKEN", "(unset)", "a Paragon User Token for the user under test"),
    ("PARAGON_CONTRACT_TOKEN_COMMAND", "(unset)",
     "a shell command that prints a fresh token (run once per session); wins over _TOKEN"),
    ("PARAGON_CONTRACT_OTHER_TOKEN", "(unset)",
     "a second user's token (same project), for the tenancy checks; they skip without one"),
    ("PARAGON_CONTRACT_OTHER_TOKEN_COMMAND", "(unset)", "a command printing the second user's token"),
    ("PARAGON_CONTRACT_SPEC", "the installed paragon_emulator's openapi.yaml",
     "the contract: an OpenAPI file; only its /api/ operations are checked"),
    ("PARAGON_CONTRACT_INTEGRATION", "googledrive",
     "the file-storage integration the scenarios enable (the user must have it connected)"),
    ("PARAGON_CONTRACT_CONTROL_PLANE", "auto",
     "auto: use /_emulator/ when the server has it; off: ignore it, as against the real service"),
    ("PARAGON_CONTRACT_MAX_EXAMPLES", "20", "generated requests per operation in the property checks (invalid ones: half as many)"),
    ("PARAGON_CONTRACT_RANDOM", "0",
     "1: a new random seed each run (explore); 0: derandomized, the same requests every run (CI)"),
    ("PARAGON_CONTRACT_ERROR_BODIES", "check",
     "check: 4xx/5xx bodies must match the spec's Error schema too; skip: only 2xx bodies are checked"),
    ("PARAGON_CONTRACT_SYNC_TIMEOUT", "120", "seconds to wait for a sync to reach a status (e.g. IDLE)"),
    ("PARAGON_CONTRACT_POLL_INTERVAL", "0.2", "seconds between two status polls"),
    ("PARAGON_CONTRACT_PAGE_SIZE", "7", "pageSize the paging scenario pulls with"),
    ("PARAGON_CONTRACT_MAX_RECORDS", "5000",
     "scenarios that read every record skip a sync larger than this (a real account may be huge)"),
    ("PARAGON_CONTRACT_CLOCK_RATE", "60", "started emulator only: emulated seconds per real second"),
    ("NANGO_CONTRACT_BASE_URL", "the emulator's Nango prefix",
     "the Nango part (test_nango.py): the SDK's host, e.g. https://api.nango.dev; unset: the emulator under test's"),
    ("NANGO_CONTRACT_SECRET_KEY", "the emulator's, from /_emulator/info", "the environment's secret key (a UUID v4)"),
    ("NANGO_CONTRACT_CONNECTION_ID", "(unset)",
     "a connection with the documents sync started; unset: against the emulator one is imported, elsewhere those checks skip"),
    ("NANGO_CONTRACT_PROVIDER_CONFIG_KEY", "google-drive", "the integration of that connection"),
]


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class ContractConfig:
    base_url: str | None
    token: str | None
    token_command: str | None
    other_token: str | None
    other_token_command: str | None
    spec_path: Path
    integration: str
    control_plane: str
    max_examples: int
    randomize: bool
    check_error_bodies: bool
    sync_timeout: float
    poll_interval: float
    page_size: int
    max_records: int
    clock_rate: float
    pipeline: str = field(default="files")

    @property
    def starts_emulator(self) -> bool:
        return self.base_url is None


def load() -> ContractConfig:
    control_plane = _env("PARAGON_CONTRACT_CONTROL_PLANE", "auto")
    if control_plane not in ("auto", "off"):
        raise ValueError(f"PARAGON_CONTRACT_CONTROL_PLANE must be auto or off, not {control_plane!r}")
    error_bodies = _env("PARAGON_CONTRACT_ERROR_BODIES", "check")
    if error_bodies not in ("check", "skip"):
        raise ValueError(f"PARAGON_CONTRACT_ERROR_BODIES must be check or skip, not {error_bodies!r}")
    base_url = _env("PARAGON_CONTRACT_BASE_URL")
    return ContractConfig(
        base_url=base_url.rstrip("/") if base_url else None,
        token=_env("PARAGON_CONTRACT_TOKEN"),
        token_command=_env("PARAGON_CONTRACT_TOKEN_COMMAND"),
        other_token=_env("PARAGON_CONTRACT_OTHER_TOKEN"),
        other_token_command=_env("PARAGON_CONTRACT_OTHER_TOKEN_COMMAND"),
        spec_path=Path(_env("PARAGON_CONTRACT_SPEC", str(DEFAULT_SPEC))),
        integration=_env("PARAGON_CONTRACT_INTEGRATION", "googledrive"),
        control_plane=control_plane,
        max_examples=int(_env("PARAGON_CONTRACT_MAX_EXAMPLES", "20")),
        randomize=_env("PARAGON_CONTRACT_RANDOM", "0") == "1",
        check_error_bodies=error_bodies == "check",
        sync_timeout=float(_env("PARAGON_CONTRACT_SYNC_TIMEOUT", "120")),
        poll_interval=float(_env("PARAGON_CONTRACT_POLL_INTERVAL", "0.2")),
        page_size=int(_env("PARAGON_CONTRACT_PAGE_SIZE", "7")),
        max_records=int(_env("PARAGON_CONTRACT_MAX_RECORDS", "5000")),
        clock_rate=float(_env("PARAGON_CONTRACT_CLOCK_RATE", "60")),
    )


def describe() -> str:
    """The variables as a Markdown table (the README's is checked against it)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{name}` | {default} | {meaning} |" for name, default, meaning in VARIABLES]
    return "\n".join(rows)
