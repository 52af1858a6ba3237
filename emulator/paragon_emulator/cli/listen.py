"""`paragon-emulator listen [--forward-to URL]`: the emulator's webhooks, here, as they happen.

Like `stripe listen`: it opens a receiver on a local port, points the emulator's webhooks (every
project's, or --project's) at it, prints the signing secret your app verifies with, then prints
each delivery as it arrives (event, sync, status) and forwards it, body and signature headers
unchanged, to --forward-to. Your app's answer is the emulator's answer: a 500 there makes the
emulator retry. Ctrl-C points the webhooks back where they were.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import datetime, timezone
from typing import Any

from .errors import CliError
from .remote import Remote, add_connection_options

PATH = "/webhooks"
# Headers that belong to one hop, not to the delivery: the forwarder sets its own.
HOP_BY_HOP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "upgrade",
              "proxy-connection", "accept-encoding"}


def add_parser(commands: Any) -> None:
    listen = commands.add_parser(
        "listen", help="receive a running emulator's webhooks, print them and forward them to your app",
        description="Point a running emulator's webhooks at a receiver on this machine, print each delivery "
        "as it arrives (event, sync, status) and forward it, signed as the emulator signed it, to --forward-to. "
        "Prints the signing secret to verify with. Ctrl-C points the webhooks back where they were.",
    )
    add_connection_options(listen)
    listen.add_argument("--forward-to", metavar="URL", help="your app's webhook endpoint, e.g. localhost:3000/webhooks "
                        "(without it, deliveries are printed and answered 200)")
    listen.add_argument("--project", action="append", help="only this project's webhooks (repeatable; default every project)")
    listen.add_argument("--host", default="127.0.0.1", help="interface the receiver listens on (default 127.0.0.1)")
    listen.add_argument("--port", type=int, default=0, help="the receiver's port (default: a free one)")
    listen.add_argument(
        "--public-url", metavar="URL",
        help="the receiver's URL as the emulator reaches it, when that is not http://HOST:PORT/webhooks "
        "(an emulator in a container: http://host.docker.internal:PORT/webhooks)",
    )
    listen.add_argument("--forward-timeout", type=float, default=10.0, help="seconds your app has to answer (default 10)")
    listen.set_defaults(run=run)


def _target(url: str) -> str:
    return url if "://" in url else "http://" + url


class Listener:
    """The receiver: forwards each delivery and prints a line about it."""

    def __init__(self, args: argparse.Namespace):
        # Here, not at the top: every command's parser is built at start-up, `serve` too.
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        import httpx

        self.forward_to = _target(args.forward_to) if args.forward_to else None
        self.as_json = bool(getattr(args, "json", False))
        self.http = httpx.Client(timeout=args.forward_timeout, trust_env=False)
        self.printing = threading.Lock()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                status = listener.deliver(body, {k: v for k, v in self.headers.items()})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        try:
            self.server = ThreadingHTTPServer((args.host, args.port), Handler)
        except OSError as exc:
            raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", 2) from None
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        self.url = args.public_url or f"http://{shown}:{port}{PATH}"

    def deliver(self, body: bytes, headers: dict[str, str]) -> int:
        import httpx

        try:
            payload = json.loads(body)
        except ValueError:
            payload = {}
        status, error = 200, None
        if self.forward_to:
            forwarded = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
            try:
                status = self.http.post(self.forward_to, content=body, headers=forwarded).status_code
            except httpx.HTTPError as exc:
                status, error = 502, f"{type(exc).__name__}: {exc}"  # the emulator retries, as with a down receiver
        self.show(payload, headers, status, error)
        return status

    def show(self, payload: dict[str, Any], headers: dict[str, str], status: int, error: str | None) -> None:
        event, sync = payload.get("event", "?"), payload.get("syncInstanceId", "-")
        if self.as_json:
            line = json.dumps({"event": event, "syncId": sync, "status": status, "error": error,
                               "eventId": headers.get("webhook-id"), "forwardedTo": self.forward_to, "payload": payload})
        else:
            now = datetime.now(timezone.utc).strftime("%H:%M:%S")
            where = f" <- POST {self.forward_to}" if self.forward_to else ""
            line = f"{now}  {event:<15} sync {sync}  [{status}]{where}" + (f"  ({error})" if error else "")
        with self.printing:
            print(line, flush=True)

    def close(self) -> None:
        self.server.server_close()
        self.http.close()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a listener as Ctrl-C does: the webhooks are pointed back


def run(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    remote = Remote.from_args(args)
    listener = Listener(args)
    before: dict[str, dict[str, Any]] = {}
    try:
        projects = args.project or remote.call("GET", "/_emulator/info")["projectIds"]
        for project in projects:
            before[project] = remote.call("GET", "/_emulator/webhooks/config", params={"projectId": project})
            remote.call("PUT", "/_emulator/webhooks/config", {"projectId": project, "url": listener.url})
        secrets = sorted({config["secret"] for config in before.values()})
        target = f", forwarding to {listener.forward_to}" if listener.forward_to else ""
        print(f"Ready! Receiving the webhooks of {len(projects)} project(s) at {listener.url}{target}.", flush=True)
        for secret in secrets:
            which = "" if len(secrets) == 1 else " of " + ", ".join(p for p, c in before.items() if c["secret"] == secret)
            print(f"Your webhook signing secret{which} is {secret}  (^C to quit)", flush=True)
        listener.server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        listener.close()
        _restore(remote, before)
        remote.close()
    return 0


def _restore(remote: Remote, before: dict[str, dict[str, Any]]) -> None:
    """Point each project's webhooks back where they went (the API cannot unset a URL: say so)."""
    for project, config in before.items():
        try:
            if config.get("url"):
                remote.call("PUT", "/_emulator/webhooks/config", {"projectId": project, "url": config["url"]})
            else:
                print(
                    f"paragon-emulator: project {project}'s webhooks still point at this listener (they went nowhere before); "
                    "set another URL with 'paragon-emulator control webhooks config --set-url URL'",
                    file=sys.stderr,
                )
        except CliError as exc:
            print(f"paragon-emulator: could not restore project {project}'s webhook URL: {exc.message}", file=sys.stderr)
