"""paragon-emulator serve | token | spec | control | listen | contract-test.

Each command lives in its own module; this one assembles the parser and runs the command chosen,
turning every `CliError` into a message on stderr and an exit status (never a traceback), and a
reader that went away (`paragon-emulator spec | head -1`) into a quiet exit.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

from .. import __version__
from .errors import CliError

PROG = "paragon-emulator"

DESCRIPTION = """\
A local emulator of Paragon's Managed Sync API (Sync API + Permissions API).

  paragon-emulator serve                       serve on 127.0.0.1:8080 with embedded defaults
  paragon-emulator token --user alice          print a Paragon User Token the emulator accepts
  paragon-emulator spec                        print the OpenAPI spec the emulator serves
  paragon-emulator control advance 1h          drive a running emulator (info, token, reset, clock,
                                               advance, scenario, upstream, faults, webhooks,
                                               events, contract)
  paragon-emulator listen --forward-to URL     receive its webhooks here, print them, forward them
  paragon-emulator contract-test --base-url U  run the contract suite against a server

Every serve option is also an environment variable PARAGON_EMULATOR_<OPTION>
(e.g. PARAGON_EMULATOR_CLOCK_MODE=manual); a flag wins over the variable.
"""

# 128 + SIGPIPE: what a command killed by a closed pipe answers in a shell.
CLOSED_PIPE = 141


def build_parser(only_serve: bool = False) -> argparse.ArgumentParser:
    """The parser of every command; with `only_serve`, of `serve` alone (the other commands'
    modules and ~100 options are ~15 ms of serve's start-up, and a command line that starts with
    `serve` is parsed by serve's parser alone either way)."""
    from . import serve

    parser = argparse.ArgumentParser(
        prog=PROG, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve.add_parser(commands)
    if not only_serve:
        from . import contract, control, listen, offline

        offline.add_parsers(commands)
        control.add_parser(commands)
        listen.add_parser(commands)
        contract.add_parser(commands)
    return parser


def _run(argv: list[str] | None) -> int:
    # Importing makes long-lived objects (modules, classes) and almost no garbage, yet the cyclic
    # collector walks them again each time they have grown by a quarter (~35 ms of serve's
    # start). Off while the commands' modules are imported (cli/serve.py freezes them).
    collecting = gc.isenabled()
    gc.disable()
    try:
        parser = build_parser(only_serve=(sys.argv[1:] if argv is None else argv)[:1] == ["serve"])
        args = parser.parse_args(argv)
    finally:
        if collecting:
            gc.enable()
    if getattr(args, "run", None) is None:
        parser.print_help()
        return 0
    return args.run(args)


def main(argv: list[str] | None = None) -> int:
    try:
        status = _run(argv)
        sys.stdout.flush()  # here, so a closed pipe is met inside the try and not at exit
        return status
    except CliError as exc:
        print(f"{PROG}: {exc.message}", file=sys.stderr)
        return exc.status
    except BrokenPipeError:
        # The reader is gone: point stdout at /dev/null so that the flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return CLOSED_PIPE
    except KeyboardInterrupt:  # Ctrl-C in control events --follow, listen or contract-test: a stop asked for
        return 130
