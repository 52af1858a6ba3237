"""`paragon-emulator contract-test`: the contract suite, from the installed package, against any server.

The suite (the repository's contract_tests/, shipped as paragon_emulator.contract_tests) is set up
by PARAGON_CONTRACT_* variables; each is also a flag here, generated from the suite's own table of
them, so `--base-url URL --token-command CMD` is PARAGON_CONTRACT_BASE_URL and
PARAGON_CONTRACT_TOKEN_COMMAND. Without --base-url the suite starts an emulator itself. Arguments
after `--` go to pytest (e.g. `-- -k paging -x`).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from .errors import CliError

PREFIX = "PARAGON_CONTRACT_"
# Checks of the suite's own source tree (its imports, its READMEs): not of the server under test.
NOT_OF_THE_SERVER = ("test_suite_hygiene.py",)
MARKERS = (
    "needs_control_plane: needs the emulator's /_emulator/ control plane (clock, upstream changes); "
    "skipped against a server without one",
)


def _variables() -> list[tuple[str, str, str]]:
    from ..contract_tests.harness.config import VARIABLES

    return VARIABLES


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "contract-test", help="run the contract suite against the emulator, your own server or the real service",
        description="Run the contract suite (shipped in the package) against a server that claims to be "
        "Paragon's Managed Sync API. Without --base-url it starts an emulator itself. Needs the suite's "
        "dependencies: pip install 'paragon-emulator[contract]'. Arguments after -- go to pytest.",
    )
    for name, default, meaning in _variables():
        option = "--" + name.removeprefix(PREFIX).lower().replace("_", "-")
        parser.add_argument(option, dest=name, metavar="VALUE", help=f"{meaning} (default {default}; env {name})".replace("%", "%%"))
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="-- then arguments for pytest, e.g. -- -k paging -x")
    parser.set_defaults(run=run)


class _Markers:
    """A pytest plugin: the suite's markers, which an installed suite has no ini file to declare."""

    @staticmethod
    def pytest_configure(config: Any) -> None:
        for line in MARKERS:
            config.addinivalue_line("markers", line)


def run(args: argparse.Namespace) -> int:
    import importlib.util

    # Looked up, not imported: pytest registers schemathesis' plugin itself (and rewrites its asserts).
    missing = [name for name in ("pytest", "schemathesis", "hypothesis") if importlib.util.find_spec(name) is None]
    if missing:
        raise CliError(f"the contract suite needs {', '.join(missing)}: pip install 'paragon-emulator[contract]'", 2)
    import pytest

    from .. import contract_tests

    for name, _, _ in _variables():
        value = getattr(args, name)
        if value is not None:
            os.environ[name] = value
    suite = Path(contract_tests.__file__).resolve().parent
    extra = list(args.pytest_args)
    if extra[:1] == ["--"]:
        extra = extra[1:]
    ignored = [f"--ignore={suite / name}" for name in NOT_OF_THE_SERVER]
    # No cache folder in site-packages or the working directory; the suite's own rootdir.
    return int(pytest.main([str(suite), "-p", "no:cacheprovider", f"--rootdir={suite}", *ignored, *extra], plugins=[_Markers()]))
