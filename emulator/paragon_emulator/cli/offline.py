"""`paragon-emulator token` and `spec`: what needs no running server."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .control import parse_assignment
from .errors import CliError
from .settings_flags import load_settings


def add_parsers(commands: Any) -> None:
    token = commands.add_parser(
        "token", help="print a Paragon User Token",
        description="Print a Paragon User Token (RS256 JWT) signed with the development key, or --private-key. "
        "It reads the same PARAGON_EMULATOR_* settings as serve (project ids, audience hosts).",
    )
    token.add_argument("--user", required=True, help="the connected user's id (the token's sub)")
    token.add_argument("--project", help="project id (default: the emulator's default project)")
    token.add_argument("--expires-in", type=int, default=3600, help="seconds until exp (default 3600)")
    token.add_argument("--audience-host", help="host part of aud (default useparagon.com)")
    token.add_argument("--claim", action="append", default=[], metavar="NAME=JSON", help="extra claim (repeatable)")
    token.add_argument("--private-key", help="sign with this PEM private key instead of the development key")
    token.set_defaults(run=run_token)

    spec = commands.add_parser("spec", help="print the OpenAPI spec", description="Print the emulator's OpenAPI spec.")
    spec.add_argument("--format", choices=("yaml", "json"), default="yaml")
    spec.set_defaults(run=run_spec)


def run_token(args: argparse.Namespace) -> int:
    from ..tokens import mint

    claims = dict(parse_assignment(item, "--claim") for item in args.claim)
    settings = load_settings()
    try:
        private_key = Path(args.private_key).read_text() if args.private_key else None
    except OSError as exc:
        raise CliError(f"cannot read --private-key: {exc}", 2) from None
    try:
        token, _ = mint(settings, args.user, args.project, args.expires_in, args.audience_host, claims, private_key)
    except (ValueError, TypeError) as exc:  # not a PEM private key, or not one RS256 can sign with
        raise CliError(f"cannot sign with --private-key {args.private_key}: {exc}", 2) from None
    print(token)
    return 0


def run_spec(args: argparse.Namespace) -> int:
    from importlib import resources

    text = resources.files("paragon_emulator").joinpath("openapi.yaml").read_text()
    if args.format == "json":
        import yaml

        text = json.dumps(yaml.safe_load(text), indent=2)
    print(text)
    return 0
