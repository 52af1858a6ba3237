"""`paragon-emulator control ACTION`: drive a running emulator's /_emulator/ control plane.

Each action is one or two calls of the control plane (documented in openapi.yaml under the
Emulator tag). People get tables and `name: value` blocks; `--json` prints the emulator's own JSON
answer for scripts. --url, --control-token and --json may come before or after the action.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote

from . import tables
from .errors import CliError
from .remote import Remote, RemoteError, add_connection_options


@dataclass
class Output:
    data: Any  # printed as JSON with --json
    text: str  # printed otherwise


Handler = Callable[[Remote, argparse.Namespace], Output]


class Actions:
    """Adds action parsers that all take the connection options, before or after their name."""

    def __init__(self, subparsers: Any, common: argparse.ArgumentParser):
        self.subparsers = subparsers
        self.common = common

    def add(
        self, name: str, help: str, handler: Handler | None = None, parents: tuple[argparse.ArgumentParser, ...] = ()
    ) -> argparse.ArgumentParser:
        parser = self.subparsers.add_parser(
            name, parents=[self.common, *parents], help=help, description=help[0].upper() + help[1:] + "."
        )
        if handler is not None:
            parser.set_defaults(handler=handler)
        return parser

    def group(self, name: str, help: str) -> "Actions":
        parser = self.add(name, help)
        return Actions(parser.add_subparsers(dest=f"{name}_action", metavar="ACTION", required=True), self.common)


def segment(value: str) -> str:
    """A path segment, escaped (an id may hold a slash)."""
    return quote(value, safe="")


# -- durations ------------------------------------------------------------------------------------
_DURATION = re.compile(r"^(\d+(\.\d+)?(ms|s|m|h|d))+$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def duration_body(text: str) -> dict[str, Any]:
    """'90s', '1h30m', '2d' (or a bare number of seconds) as an advance request; an error in words otherwise."""
    text = text.strip().lower()
    if _NUMBER.match(text):
        return {"seconds": float(text)}
    if _DURATION.match(text):
        return {"duration": text}
    raise CliError(
        f"{text!r} is not a duration: write numbers with units, e.g. 90s, 5m, 1h30m or 2d "
        "(units: ms, s, m, h, d), or a plain number of seconds",
        2,
    )


# -- rendering ----------------------------------------------------------------------------------
def clock_text(clock: dict[str, Any]) -> str:
    return tables.fields([
        ("mode", clock["mode"]),
        ("rate", clock["rate"]),
        ("now", clock["now"]),
        ("settled", clock["settled"]),
        ("pending timers", clock["pendingTimers"]),
        ("next timer at", clock.get("nextTimerAt")),
        ("behind", f"{clock['behindSeconds']:g} s"),
    ])


# -- the actions ------------------------------------------------------------------------------------
def _info(remote: Remote, args: argparse.Namespace) -> Output:
    info = remote.call("GET", "/_emulator/info")
    clock = info["clock"]
    return Output(info, tables.fields([
        ("version", info["version"]),
        ("seed", info["seed"]),
        ("clock", f"{clock['mode']}, now {clock['now']}, {clock['pendingTimers']} timer(s) pending"),
        ("uptime", f"{info['uptimeSeconds']:.1f} s"),
        ("strict", info["strict"]),
        ("projects", info["projectIds"]),
        ("audience hosts", info["audienceHosts"]),
    ]))


def _token(remote: Remote, args: argparse.Namespace) -> Output:
    body: dict[str, Any] = {"userId": args.user}
    if args.project:
        body["projectId"] = args.project
    if args.expires_in is not None:
        body["expiresIn"] = args.expires_in
    if args.claim:
        body["claims"] = dict(parse_assignment(item, "--claim") for item in args.claim)
    answer = remote.call("POST", "/_emulator/tokens", body)
    return Output(answer, answer["token"])


def parse_assignment(item: str, option: str) -> tuple[str, Any]:
    """NAME=VALUE, the value read as JSON when it is JSON (42, true, [1], "x") and as text otherwise."""
    name, sep, raw = item.partition("=")
    if not sep or not name:
        raise CliError(f"{option} takes NAME=VALUE, not {item!r}", 2)
    try:
        return name, json.loads(raw)
    except ValueError:
        return name, raw


def _reset(remote: Remote, args: argparse.Namespace) -> Output:
    project = args.project
    if args.user and not project:
        project = remote.default_project()  # a user's reset needs its project: the emulator's default one
    body = {k: v for k, v in (("projectId", project), ("userId", args.user)) if v}
    answer = remote.call("POST", "/_emulator/reset", body or None)
    scope = f"user {args.user} of project {project}" if args.user else f"project {project}" if project else "everything"
    return Output(answer, f"reset {scope}: {answer['syncsRemoved']} sync(s) removed")


def _clock(remote: Remote, args: argparse.Namespace) -> Output:
    change = {k: v for k, v in (("mode", args.mode), ("rate", args.rate), ("now", args.now)) if v is not None}
    clock = remote.call("PUT", "/_emulator/clock", change) if change else remote.call("GET", "/_emulator/clock")
    return Output(clock, clock_text(clock))


def _advance(remote: Remote, args: argparse.Namespace) -> Output:
    answer = remote.call("POST", "/_emulator/clock/advance", duration_body(args.duration))
    return Output(answer, f"advanced to {answer['clock']['now']}: {answer['timersRun']} timer(s) run\n" + clock_text(answer["clock"]))


def _scenario(remote: Remote, args: argparse.Namespace) -> Output:
    if not args.name:
        answer = remote.call("GET", "/_emulator/scenarios")
        return Output(answer, tables.table(("name", "description"), [(s["name"], s["description"]) for s in answer["data"]]))
    answer = remote.call("POST", f"/_emulator/scenarios/{segment(args.name)}")
    return Output(answer, tables.fields([
        ("loaded", answer["name"]), ("items created", answer["itemsCreated"]), ("syncs", answer["syncIds"]),
    ]))


def _tenants(remote: Remote, args: argparse.Namespace) -> Output:
    answer = remote.call("GET", "/_emulator/tenants")
    rows = [
        (t["projectId"], t["userId"], len(t["syncs"]), sorted({s["status"] for s in t["syncs"]}))
        for t in answer["data"]
    ]
    return Output(answer, tables.table(("project", "user", "syncs", "statuses"), rows))


def _contract(remote: Remote, args: argparse.Namespace) -> Output:
    report = remote.call("DELETE" if args.clear else "GET", "/_emulator/contract")
    lines = [f"{report['requests']} request(s) to the real API, {report['invalidRequests']} invalid"]
    if report["violations"]:
        lines.append(tables.table(
            ("operation", "location", "field", "rule", "count", "first example"),
            [
                (v["operation"], v["location"], v["field"], v["rule"], v["count"],
                 f"{v['firstExample']['method']} {v['firstExample']['path']}: {v['firstExample']['message']}")
                for v in report["violations"]
            ],
        ))
    coverage = report["coverage"]
    total = len(coverage["used"]) + len(coverage["unused"])
    lines.append(f"operations used: {len(coverage['used'])} of {total}")
    if coverage["unused"]:
        lines.append("never used: " + ", ".join(coverage["unused"]))
    return Output(report, "\n".join(lines))


def add_parser(commands: Any) -> None:
    from . import faults, snapshot, upstream, webhooks

    common = argparse.ArgumentParser(add_help=False)
    add_connection_options(common)
    control = commands.add_parser(
        "control", parents=[common],
        help="drive a running emulator's control plane (clock, reset, upstream, faults, webhooks ...)",
        description="Drive a running emulator's /_emulator/ control plane. Tables for people, --json for scripts; "
        "--url, --control-token and --json may come before or after the action.",
    )
    control.set_defaults(run=run)
    actions = Actions(control.add_subparsers(dest="action", metavar="ACTION", required=True), common)

    actions.add("info", "version, seed, clock, uptime and accepted projects", _info)
    token = actions.add("token", "mint a Paragon User Token on the emulator (prints the token alone)", _token)
    token.add_argument("--user", required=True, help="the connected user's id (the token's sub)")
    token.add_argument("--project", help="project id (default: the emulator's default project)")
    token.add_argument("--expires-in", type=int, help="seconds until exp (default 3600)")
    token.add_argument("--claim", action="append", default=[], metavar="NAME=VALUE", help="extra claim, VALUE as JSON or text (repeatable)")

    reset = actions.add("reset", "forget everything, or one project's or one user's state", _reset)
    reset.add_argument("--project", help="only this project's state")
    reset.add_argument("--user", help="only this user's state (in --project, else the default project)")

    clock = actions.add("clock", "read the clock, or change its mode, rate or time", _clock)
    clock.add_argument("--mode", choices=("real", "accelerated", "manual"), help="switch the clock's mode")
    clock.add_argument("--rate", type=float, help="emulated seconds per real second (accelerated)")
    clock.add_argument("--now", metavar="ISO8601", help="move the clock forward to this time (timers due run)")
    advance = actions.add("advance", "move emulated time forward, running every timer that falls due", _advance)
    advance.add_argument("duration", help="e.g. 90s, 5m, 1h30m, 2d, or a number of seconds")

    scenario = actions.add("scenario", "load a bundled scenario, or list them (no name)", _scenario)
    scenario.add_argument("name", nargs="?", help="a bundled scenario's name")
    actions.add("tenants", "every (project, user) with syncs", _tenants)
    upstream.add_parsers(actions)
    faults.add_parsers(actions)
    webhooks.add_parsers(actions)
    snapshot.add_parsers(actions)
    contract = actions.add("contract", "the contract report: how the client used the real API", _contract)
    contract.add_argument("--clear", action="store_true", help="forget the recorded requests (prints the empty report)")


def run(args: argparse.Namespace) -> int:
    remote = Remote.from_args(args)
    as_json = getattr(args, "json", False)
    try:
        streaming = getattr(args, "stream", None)
        if streaming is not None:
            return streaming(remote, args, as_json)
        output = args.handler(remote, args)
    except RemoteError as exc:
        if as_json and exc.body is not None:
            print(json.dumps(exc.body, indent=2))
        raise
    finally:
        remote.close()
    print(json.dumps(output.data, indent=2) if as_json else output.text)
    return 0
