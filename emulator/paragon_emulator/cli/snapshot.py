"""`control snapshot take | restore | save`: keep the emulator's whole state in a file and put it back."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import tables
from .control import Output
from .errors import CliError

if TYPE_CHECKING:
    from .control import Actions
    from .remote import Remote


def _take(remote: "Remote", args: argparse.Namespace) -> Output:
    document = remote.call("GET", "/_emulator/snapshot")
    text = json.dumps(document, separators=(",", ":"))
    if args.file == "-":
        sys.stdout.write(text + "\n")
        return Output(document, "")
    Path(args.file).write_text(text)
    summary = {"file": args.file, "bytes": len(text), "changes": len(document["journal"]), "now": document["clock"]["now"]}
    return Output(summary, tables.fields([
        ("written to", args.file), ("bytes", len(text)), ("changes", summary["changes"]),
        ("syncs", len(document["state"]["syncs"])), ("clock", summary["now"]),
    ]))


def _restore(remote: "Remote", args: argparse.Namespace) -> Output:
    try:
        raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
        document = json.loads(raw)
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror or exc}", 2) from None
    except ValueError as exc:
        raise CliError(f"{args.file} is not JSON: {exc}", 2) from None
    answer = remote.call("PUT", "/_emulator/snapshot", document)
    return Output(answer, f"restored {answer['changes']} change(s); the clock is at {answer['clock']['now']} ({answer['clock']['mode']})")


def _save(remote: "Remote", args: argparse.Namespace) -> Output:
    answer = remote.call("POST", "/_emulator/snapshot/save")
    return Output(answer, f"saved to {answer['path']} ({answer['bytes']} bytes, {answer['changes']} change(s))")


def add_parsers(actions: "Actions") -> None:
    group = actions.group("snapshot", "keep the whole state in a file (take), put it back (restore), or write the state file (save)")
    take = group.add("take", "write the emulator's snapshot to FILE ('-': standard output)", _take)
    take.add_argument("file", metavar="FILE")
    restore = group.add("restore", "replace the emulator's whole state with the snapshot in FILE ('-': standard input)", _restore)
    restore.add_argument("file", metavar="FILE")
    group.add("save", "write the snapshot to the emulator's own --state-file now", _save)
