"""paragon-emulator serve | token | spec."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .domain.errors import DomainError
from .settings import Settings

PROG = "paragon-emulator"

DESCRIPTION = """\
A local emulator of Paragon's Managed Sync API (Sync API + Permissions API).

  paragon-emulator serve                       serve on 127.0.0.1:8080 with embedded defaults
  paragon-emulator token --user alice          print a Paragon User Token the emulator accepts
  paragon-emulator spec                        print the OpenAPI spec the emulator serves
  paragon-emulator control advance 1h          drive a running emulator (info, reset, advance,
                                               clock, scenario, contract, events)

Every serve option is also an environment variable PARAGON_EMULATOR_<OPTION>
(e.g. PARAGON_EMULATOR_CLOCK_MODE=manual); a flag wins over the variable.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the emulator's HTTP server", description="Run the emulator's HTTP server.")
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1; env PARAGON_EMULATOR_HOST)")
    serve.add_argument("--port", help="TCP port (default 8080; env PARAGON_EMULATOR_PORT)")
    serve.add_argument("--seed", help="seed for ids and generated data (default 0; env PARAGON_EMULATOR_SEED)")
    serve.add_argument(
        "--clock-mode", help="real | accelerated | manual (default real; env PARAGON_EMULATOR_CLOCK_MODE)"
    )
    serve.add_argument("--clock-rate", help="emulated seconds per real second in accelerated mode (default 1)")
    serve.add_argument("--clock-start", help="emulated time at start-up, ISO 8601 (default: now)")
    serve.add_argument(
        "--strict", action=argparse.BooleanOptionalAction, default=None,
        help="also validate responses against the spec; a mismatch is a 500 naming the field",
    )
    serve.add_argument(
        "--strict-client", action=argparse.BooleanOptionalAction, default=None,
        help="refuse (400) what the contract report otherwise only notes, e.g. unknown query parameters",
    )
    serve.add_argument("--project-id", action="append", dest="project_ids", help="accepted project id (repeatable)")
    serve.add_argument("--audience-host", action="append", dest="audience_hosts", help="accepted aud host (repeatable)")
    serve.add_argument(
        "--public-key", action="append", dest="public_keys", help="PEM public key file that signs tokens (repeatable)"
    )
    serve.add_argument(
        "--dev-key", action=argparse.BooleanOptionalAction, default=None,
        help="accept tokens signed with the bundled development key (default on)",
    )
    serve.add_argument(
        "--control-token",
        help="require 'Authorization: Bearer TOKEN' on /_emulator/ (env PARAGON_EMULATOR_CONTROL_TOKEN); "
        "set it whenever you listen beyond 127.0.0.1",
    )
    serve.add_argument(
        "--batch-check-echo", choices=("typed", "bare"),
        help="batch-check echoes objects as file:<id>/folder:<id> (typed, default) or as sent (bare)",
    )
    serve.add_argument("--scenario", help="load a scenario at start-up: a bundled name (empty, shared-drive, crm) or a .yaml path")
    serve.add_argument("--log-level", help="critical | error | warning | info | debug")

    token = commands.add_parser(
        "token", help="print a Paragon User Token", description="Print a Paragon User Token (RS256 JWT)."
    )
    token.add_argument("--user", required=True, help="the connected user's id (the token's sub)")
    token.add_argument("--project", help="project id (default: the emulator's default project)")
    token.add_argument("--expires-in", type=int, default=3600, help="seconds until exp (default 3600)")
    token.add_argument("--audience-host", help="host part of aud (default useparagon.com)")
    token.add_argument("--claim", action="append", default=[], metavar="NAME=JSON", help="extra claim (repeatable)")
    token.add_argument("--private-key", help="sign with this PEM private key instead of the development key")

    control = commands.add_parser(
        "control",
        help="drive a running emulator's control plane",
        description="Drive a running emulator's /_emulator/ control plane and print its JSON answer.",
    )
    control.add_argument(
        "--url", default=None, help="the emulator's base URL (default $PARAGON_EMULATOR_URL or http://127.0.0.1:8080)"
    )
    control.add_argument(
        "--control-token", default=None, help="the emulator's control token, if it has one (default $PARAGON_EMULATOR_CONTROL_TOKEN)"
    )
    actions = control.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("info", help="version, seed, clock, uptime")
    reset = actions.add_parser("reset", help="forget everything, or one project's or user's state")
    reset.add_argument("--project")
    reset.add_argument("--user")
    advance = actions.add_parser("advance", help="move emulated time, running every timer that falls due")
    advance.add_argument("duration", help="e.g. 90s, 5m, 1h30m")
    actions.add_parser("clock", help="the clock's mode, rate and reading")
    scenario = actions.add_parser("scenario", help="load a bundled scenario")
    scenario.add_argument("name")
    actions.add_parser("contract", help="the contract report of the client's requests")
    actions.add_parser("events", help="webhook events and their delivery attempts")

    spec = commands.add_parser("spec", help="print the OpenAPI spec", description="Print the emulator's OpenAPI spec.")
    spec.add_argument("--format", choices=("yaml", "json"), default="yaml")
    return parser


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and flags; exits with a clear message when one is invalid."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]) or "settings"
            env = f"PARAGON_EMULATOR_{name.upper()}" if error["loc"] else ""
            flag = f"--{name.replace('_', '-')}" if error["loc"] else ""
            where = f" ({flag} / {env})" if env else ""
            lines.append(f"  {name}{where}: {error['msg']} (got {error.get('input')!r})")
        print(f"{PROG}: invalid settings:\n" + "\n".join(lines), file=sys.stderr)
        raise SystemExit(2) from None


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    settings = load_settings(
        host=args.host, port=args.port, seed=args.seed, clock_mode=args.clock_mode, clock_rate=args.clock_rate,
        clock_start=args.clock_start, strict=args.strict, project_ids=args.project_ids,
        audience_hosts=args.audience_hosts, public_keys=args.public_keys, dev_key=args.dev_key,
        log_level=args.log_level, scenario=args.scenario, strict_client=args.strict_client,
        control_token=args.control_token, batch_check_echo=args.batch_check_echo,
    )
    try:
        app = create_app(settings)
    except (OSError, ValueError, DomainError) as exc:  # an unreadable key or an unknown scenario, for example
        print(f"{PROG}: cannot start: {exc}", file=sys.stderr)
        return 2
    try:
        # Bound here, so the address printed is the real one (port 0 picks a free port).
        sock = _bind(settings.host, settings.port)
    except OSError as exc:
        print(f"{PROG}: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(
        f"{PROG}: serving on http://{shown}:{port} (clock {settings.clock_mode}, seed {settings.seed}, "
        f"project {settings.default_project_id})",
        file=sys.stderr,
        flush=True,
    )
    if not _loopback(host) and not settings.control_token:
        print(
            f"{PROG}: warning: listening on {host} with no control token: anyone who can reach this port can "
            "reset the emulator, mint tokens and read webhook secrets through /_emulator/; set "
            "--control-token (PARAGON_EMULATOR_CONTROL_TOKEN) unless this network is yours alone",
            file=sys.stderr,
            flush=True,
        )
    emulator = app.state.emulator
    # The emulator's own lines (what happened at shutdown, for one) beside uvicorn's.
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)-9s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per webhook attempt is the emulator's to log

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            emulator.stop()  # a clock advance in progress ends at its next slice, so shutdown is prompt
            super().handle_exit(sig, frame)

    config = uvicorn.Config(app, log_level=settings.log_level, timeout_graceful_shutdown=5)
    try:
        Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn raises the Ctrl-C again once it has shut down: a stop asked for
        pass
    return 0


def _loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _bind(host: str, port: int) -> "socket.socket":
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def _token(args: argparse.Namespace) -> int:
    from .tokens import mint

    claims: dict[str, Any] = {}
    for item in args.claim:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            print(f"{PROG}: --claim takes NAME=JSON, not {item!r}", file=sys.stderr)
            return 2
        try:
            claims[name] = json.loads(raw)
        except ValueError:
            claims[name] = raw
    settings = load_settings()
    private_key = Path(args.private_key).read_text() if args.private_key else None
    token, _ = mint(settings, args.user, args.project, args.expires_in, args.audience_host, claims, private_key)
    print(token)
    return 0


def _spec(args: argparse.Namespace) -> int:
    from importlib import resources

    text = resources.files("paragon_emulator").joinpath("openapi.yaml").read_text()
    if args.format == "json":
        import yaml

        text = json.dumps(yaml.safe_load(text), indent=2)
    print(text)
    return 0


def _control(args: argparse.Namespace) -> int:
    import os

    import httpx

    base = (args.url or os.environ.get("PARAGON_EMULATOR_URL") or "http://127.0.0.1:8080").rstrip("/")
    requests = {
        "info": ("GET", "/_emulator/info", None),
        "clock": ("GET", "/_emulator/clock", None),
        "contract": ("GET", "/_emulator/contract", None),
        "events": ("GET", "/_emulator/webhooks/events", None),
        "advance": ("POST", "/_emulator/clock/advance", {"duration": getattr(args, "duration", None)}),
        "scenario": ("POST", f"/_emulator/scenarios/{getattr(args, 'name', '')}", None),
        "reset": (
            "POST",
            "/_emulator/reset",
            {k: v for k, v in (("projectId", getattr(args, "project", None)), ("userId", getattr(args, "user", None))) if v},
        ),
    }
    method, path, body = requests[args.action]
    token = args.control_token or os.environ.get("PARAGON_EMULATOR_CONTROL_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.request(
            method, base + path, json=body if body else None, headers=headers, timeout=30, trust_env=False
        )
    except httpx.HTTPError as exc:
        print(f"{PROG}: cannot reach the emulator at {base}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(response.json(), indent=2))
    return 0 if response.is_success else 1


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "token":
        return _token(args)
    if args.command == "spec":
        return _spec(args)
    if args.command == "control":
        return _control(args)
    parser.print_help()
    return 0
