"""One settings model. Every option is also an environment variable PARAGON_EMULATOR_<NAME>.

The variables are read as pydantic-settings read them for this model (its name in any case, the
text as it is, a value given to Settings(...) winning over the variable), without importing it:
pydantic-settings and its sources cost ~45 ms of every start-up.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ENV_PREFIX = "PARAGON_EMULATOR_"

DEFAULT_PROJECT_ID = "5f3c9a1e-0b7d-4c2a-9e61-7d8f2a4b6c10"
DEFAULT_AUDIENCE_HOSTS = ("useparagon.com", "dashboard.useparagon.com")
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
FREQUENCIES = ("1m", "5m", "10m", "30m", "1h", "3h", "6h", "24h")
ClockMode = Literal["real", "accelerated", "manual"]

CommaList = list[str]  # from a variable: comma-separated text (`_split`)
_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)


def _split(value: object) -> object:
    # Env vars carry lists as comma-separated text; Python callers pass real lists.
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def from_environment(names: Any) -> dict[str, str]:
    """{setting: the text of its PARAGON_EMULATOR_ variable} for the settings `names` that have one."""
    wanted = {(ENV_PREFIX + name).lower(): name for name in names}
    found = {}
    for key, value in os.environ.items():  # names in any case; of two spellings, the later one
        name = wanted.get(key.lower())
        if name is not None:
            found[name] = value
    return found


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)

    def __init__(self, **values: Any):
        super().__init__(**{**from_environment(type(self).model_fields), **values})

    host: str = Field("127.0.0.1", description="Interface to listen on (the Docker image uses 0.0.0.0).")
    port: int = Field(8080, ge=0, le=65535, description="TCP port to listen on (0 picks a free one).")
    seed: int = Field(0, ge=0, description="Seed for every id and every piece of generated data.")
    clock_mode: ClockMode = Field(
        "real", description="How emulated time moves: with the wall clock (real), clock_rate times as fast "
        "(accelerated), or only when advanced (manual)."
    )
    clock_rate: float = Field(1.0, gt=0, le=1_000_000, description="Emulated seconds per real second.")
    clock_start: datetime | None = Field(
        None, description="Emulated time at start-up (ISO 8601).", json_schema_extra={"shown_default": "now"}
    )
    strict: bool = Field(False, description="Also validate every response against the spec (500 on mismatch).")
    project_ids: CommaList = Field(
        default_factory=lambda: [DEFAULT_PROJECT_ID], description="Project ids accepted in token audiences."
    )
    audience_hosts: CommaList = Field(
        default_factory=lambda: list(DEFAULT_AUDIENCE_HOSTS), description="Hosts accepted in aud=<host>/<projectId>."
    )
    public_keys: CommaList = Field(
        default_factory=list, description="Extra PEM public keys (file paths or PEM text) that may sign tokens."
    )
    control_token: str | None = Field(
        None, min_length=8,
        description="When set, /_emulator/ (all but health) requires 'Authorization: Bearer <control_token>'. "
        "Set it whenever the emulator listens beyond 127.0.0.1: the control plane can mint tokens, read "
        "webhook secrets and reset everything.",
    )
    dev_key: bool | None = Field(
        None,
        description="Accept tokens signed with the bundled development key.",
        json_schema_extra={"shown_default": "on, off when public_keys are given"},
    )
    jwt_algorithms: CommaList = Field(default_factory=lambda: ["RS256"], description="Accepted JWT algorithms.")
    jwt_leeway_seconds: int = Field(0, ge=0, le=3600, description="Clock skew allowed on exp/nbf/iat.")
    default_frequency: Literal["1m", "5m", "10m", "30m", "1h", "3h", "6h", "24h"] = Field(
        "1m", description="Incremental sync frequency when a sync has none set."
    )
    full_sync_interval_seconds: int = Field(
        86_400, ge=10_800, description="Periodic full sync interval (default 24 h, at least 3 h)."
    )
    initial_sync_delay_seconds: float = Field(1.0, ge=0, description="INITIALIZING time before the first run.")
    sync_run_seconds: float = Field(2.0, ge=0, description="Emulated duration of a sync run, before records.")
    account_size: int = Field(25, ge=0, le=10_000_000, description="Items in an upstream account no scenario sized.")
    seconds_per_record: float = Field(
        0.01, ge=0, description="Emulated time a sync run spends per upstream item it reads."
    )
    scenario: str | None = Field(
        None, description="Scenario to load at start-up and after each full reset: a bundled name or a .yaml path."
    )
    page_size_default: int = Field(100, ge=1, description="Records per page when pageSize is not sent.")
    page_size_max: int = Field(1000, ge=1, description="Larger pageSize values are clamped to this.")
    strict_configuration: bool = Field(True, description="Refuse configuration keys the integration does not know.")
    permissions: bool = Field(
        True, description="Keep a permissions graph for file syncs (about 500 bytes per file; off answers 400)."
    )
    batch_check_echo: Literal["typed", "bare"] = Field(
        "typed",
        description="How batch-check echoes each object: typed (file:<id>/folder:<id>, as Paragon's own client reads it) "
        "or bare (as sent, as the docs show it).",
    )
    strict_client: bool = Field(
        False, description="Refuse what is otherwise only noted in the contract report (unknown query parameters)."
    )
    latency_ms: int = Field(0, ge=0, le=60_000, description="Added to every real-API call (global latency).")
    contract_log_size: int = Field(10_000, ge=1, le=1_000_000, description="Requests kept for the contract report.")
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field(
        "info", description="Which lines the server logs (uvicorn's and the emulator's)."
    )
    access_log: bool = Field(
        False,
        description="uvicorn's line for every request at info level. Off, the emulator logs only requests to the API "
        "it refused (4xx, 5xx) with their reason; /_emulator/requests keeps every request either way.",
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="How `serve` writes its log: text lines, or one JSON object a line (with real and emulated time)."
    )
    event_log_size: int = Field(
        10_000, ge=1, le=1_000_000, description="Events kept in the Monitoring-style event log (/_emulator/logs)."
    )
    request_journal_size: int = Field(
        1000, ge=1, le=100_000, description="API requests kept in the request journal (/_emulator/requests)."
    )

    webhook_url: str | None = Field(None, description="Where every project's webhooks go (changeable per project).")
    webhook_secret: str = Field(
        "whsec_cGFyYWdvbi1lbXVsYXRvci1kZXY=", description="Signing secret (whsec_<base64> or any string)."
    )
    webhook_retry_schedule: list[float] = Field(
        default_factory=lambda: [10.0, 30.0, 120.0, 600.0, 3600.0],
        description="Emulated seconds before each retry of a failed delivery (jittered ±20%).",
    )
    webhook_timeout_seconds: float = Field(5.0, gt=0, le=120, description="Real seconds a receiver has to answer.")
    webhook_verification: bool = Field(
        True,
        description="Send a webhook_verification probe ({\"event\": \"webhook_verification\", \"timestamp\"}) when "
        "a project's webhook URL is set through the control plane, as Paragon does when a URL is saved.",
    )
    webhook_shutdown_grace_seconds: float = Field(
        5.0, ge=0, le=300,
        description="On SIGTERM or Ctrl-C, real seconds spent trying the webhooks still undelivered (one more "
        "attempt each, without their back-off) before the process exits; what is left is logged.",
    )

    state_file: Path | None = Field(
        None,
        description="A JSON snapshot file: the emulator's state is restored from it at start-up (when it exists) "
        "and written to it, atomically, on shutdown and on POST /_emulator/snapshot/save.",
    )
    nango_prefix: str = Field(
        "/nango", description="Path the Nango-compatible front end is served under (docs/nango.md); 'off' turns it off."
    )
    nango_secret_keys: CommaList = Field(
        default_factory=list,
        description="Nango secret keys as projectId=<UUID v4> pairs; a project not named gets one derived from the seed.",
    )

    _split_lists = field_validator(
        "project_ids", "audience_hosts", "public_keys", "jwt_algorithms", "webhook_retry_schedule", "nango_secret_keys",
        mode="before",
    )(_split)

    @field_validator("nango_prefix")
    @classmethod
    def _nango_prefix(cls, value: str) -> str:
        value = value.strip()
        if value in ("", "off"):
            return "off"
        value = "/" + value.strip("/")
        if value == "/" or value.split("/")[1] in ("api", "_emulator"):
            raise ValueError(f"'{value}' would hide the Paragon API or the control plane; use a path like /nango, or off")
        return value

    @field_validator("nango_secret_keys")
    @classmethod
    def _nango_keys(cls, value: list[str]) -> list[str]:
        for pair in value:
            project, sep, key = pair.partition("=")
            if not sep or not project.strip() or not _UUID4.match(key.strip()):
                raise ValueError(f"'{pair}' is not projectId=<UUID v4> (Nango refuses secret keys that are not UUID v4)")
        return value

    @field_validator("webhook_retry_schedule")
    @classmethod
    def _non_negative(cls, value: list[float]) -> list[float]:
        if any(v < 0 for v in value):
            raise ValueError("retry delays must be 0 or more seconds")
        return value

    @field_validator("clock_start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value

    @field_validator("jwt_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        # HMAC algorithms would let anyone holding the public key forge tokens; "none" signs nothing.
        bad = [alg for alg in value if alg not in ASYMMETRIC_ALGORITHMS]
        if bad or not value:
            raise ValueError(f"must be a non-empty list of {', '.join(ASYMMETRIC_ALGORITHMS)}; got {bad or value}")
        return value

    @field_validator("project_ids", "audience_hosts")
    @classmethod
    def _not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("must name at least one value")
        return value

    @model_validator(mode="after")
    def _page_sizes(self) -> "Settings":
        if self.page_size_default > self.page_size_max:
            raise ValueError("page_size_default must not exceed page_size_max")
        if self.dev_key is None:
            # With your own key, a token anyone can mint from the bundled key is refused unless asked for.
            self.dev_key = not self.public_keys
        if not self.dev_key and not self.public_keys:
            raise ValueError("dev_key is off and no public_keys are given: no token could ever be accepted")
        return self

    @property
    def default_project_id(self) -> str:
        return self.project_ids[0]
