"""A running emulator's control plane over HTTP, for `control` and `listen`.

The address is --url, else $PARAGON_EMULATOR_URL, else http://127.0.0.1:8080; the control token is
--control-token, else $PARAGON_EMULATOR_CONTROL_TOKEN. An error answer becomes a `RemoteError`
carrying the emulator's own message and code.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from .errors import CliError

DEFAULT_URL = "http://127.0.0.1:8080"


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """--url, --control-token and --json; SUPPRESS lets them be given before or after the action."""
    parser.add_argument(
        "--url", default=argparse.SUPPRESS,
        help=f"the emulator's base URL (default $PARAGON_EMULATOR_URL or {DEFAULT_URL})",
    )
    parser.add_argument(
        "--control-token", default=argparse.SUPPRESS,
        help="the emulator's control token, if it has one (default $PARAGON_EMULATOR_CONTROL_TOKEN)",
    )
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS,
        help="print the emulator's JSON answer instead of a table (for scripts)",
    )


class RemoteError(CliError):
    def __init__(self, message: str, body: Any = None, status: int = 1):
        super().__init__(message, status)
        self.body = body


class Remote:
    def __init__(self, url: str | None = None, control_token: str | None = None, timeout: float = 60.0):
        import httpx

        self.base = (url or os.environ.get("PARAGON_EMULATOR_URL") or DEFAULT_URL).rstrip("/")
        token = control_token or os.environ.get("PARAGON_EMULATOR_CONTROL_TOKEN")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # trust_env=False: a proxy from the environment must not catch a local emulator.
        self.http = httpx.Client(base_url=self.base, headers=headers, timeout=timeout, trust_env=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "Remote":
        return cls(getattr(args, "url", None), getattr(args, "control_token", None))

    def call(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        import httpx

        params = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self.http.request(method, path, json=body, params=params or None)
        except httpx.HTTPError as exc:
            raise CliError(f"cannot reach the emulator at {self.base}: {exc}", 2) from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.is_success:
            return answer
        if isinstance(answer, dict) and "message" in answer:
            code = f" ({answer['code']})" if answer.get("code") else ""
            raise RemoteError(f"the emulator answered {response.status_code}: {answer['message']}{code}", answer)
        raise RemoteError(f"the emulator at {self.base} answered {response.status_code}: {response.text[:500]}", answer)

    def default_project(self) -> str:
        return self.call("GET", "/_emulator/info")["projectIds"][0]

    def close(self) -> None:
        self.http.close()
