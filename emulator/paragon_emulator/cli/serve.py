"""`paragon-emulator serve`: the emulator's HTTP server, configured by flags and PARAGON_EMULATOR_* variables."""

from __future__ import annotations

import argparse
import gc
import sys
from typing import Any

from ..domain.errors import DomainError
from .errors import CliError
from .settings_flags import add_settings_flags, given_settings, load_settings

PROG = "paragon-emulator"


def add_parser(commands: Any) -> None:
    serve = commands.add_parser(
        "serve", help="run the emulator's HTTP server",
        description="Run the emulator's HTTP server. Every setting is a flag and an environment variable "
        "PARAGON_EMULATOR_<NAME> (lists comma-separated); a flag wins over the variable, and an unknown "
        "PARAGON_EMULATOR_ variable stops start-up.",
    )
    add_settings_flags(serve)
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    collecting = gc.isenabled()
    gc.disable()  # as the parser's were (cli/__init__.py): modules make no garbage to speak of
    import uvicorn

    from ..app import create_app
    from ..listening import listening_socket
    from ..observe import logs

    # The modules live as long as the process: out of the collector's sight from now on, so the
    # collections of start-up (a restored state file can be large) walk only what it makes.
    gc.freeze()
    if collecting:
        gc.enable()

    settings = load_settings(**given_settings(args))
    try:
        app = create_app(settings)
    except (OSError, ValueError, DomainError) as exc:  # an unreadable key or an unknown scenario, for example
        raise CliError(f"cannot start: {exc}", 2) from None
    try:
        # Bound here, so the address printed is the real one (port 0 picks a free port).
        sock = listening_socket(settings.host, settings.port)
    except OSError as exc:
        raise CliError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", 2) from None
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
    # The emulator's lines (syncs, runs, webhooks, control actions) and uvicorn's, in one format.
    logs.configure(settings.log_level, settings.log_format)

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            # What start-up made (modules, the parsed spec, the app) lives as long as the
            # process: out of the cyclic collector's sight, so no collection walks it again.
            gc.collect()
            gc.freeze()
            # Syncs make objects by the million, nearly all long-lived and few in cycles: collect
            # the young generation every 50,000 allocations, not 700 (5-10% of an initial sync).
            gc.set_threshold(50_000, 50, 100)

        def handle_exit(self, sig: int, frame: Any) -> None:
            emulator.stop()  # a clock advance in progress ends at its next slice, so shutdown is prompt
            super().handle_exit(sig, frame)

    # loop and http "auto": uvloop and httptools where installed (they are dependencies), else asyncio and h11.
    config = uvicorn.Config(
        app, log_config=None, log_level=settings.log_level, access_log=settings.access_log, timeout_graceful_shutdown=5,
        loop="auto", http="auto",
    )
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
