"""`serve`'s flags, generated from the one settings model, and the start-up checks of the environment.

Every field of `Settings` becomes a flag `--field-name` whose help is the field's description, the
same text the environment variable PARAGON_EMULATOR_FIELD_NAME is documented with; a Literal field
shows its choices, a bool is `--x/--no-x`, a list takes comma-separated values or repeats.
"""

from __future__ import annotations

import argparse
import difflib
import os
import types
import typing
from datetime import datetime
from typing import Any, Mapping

from pydantic import ValidationError
from pydantic.fields import FieldInfo

from ..settings import Settings
from .errors import CliError

ENV_PREFIX = "PARAGON_EMULATOR_"
# Variables that are not settings: control's and listen's emulator address, and the switch of the
# project's own container test (set for a whole pytest run, which also starts servers).
OTHER_VARIABLES = {"PARAGON_EMULATOR_URL", "PARAGON_EMULATOR_SKIP_CONTAINER_TESTS"}
# The singular flags the CLI had before every setting was a flag; they stay as aliases.
ALIASES = {"project_ids": ["--project-id"], "audience_hosts": ["--audience-host"], "public_keys": ["--public-key"]}


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def env_var(name: str) -> str:
    return ENV_PREFIX + name.upper()


def _unwrap(annotation: Any) -> Any:
    """X | None -> X."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def _default_text(info: FieldInfo) -> str:
    extra = info.json_schema_extra
    if isinstance(extra, dict) and "shown_default" in extra:
        return str(extra["shown_default"])
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    else:
        value = info.default
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def help_text(name: str, info: FieldInfo) -> str:
    """The field's description, its default and its variable: what `--help` and the docs say."""
    description = (info.description or name.replace("_", " ")).rstrip(".")
    return f"{description} (default {_default_text(info)}; env {env_var(name)})"


def _metavar(kind: Any) -> str:
    if kind is int:
        return "N"
    if kind is float:
        return "NUMBER"
    if kind is datetime:
        return "ISO8601"
    return "TEXT"


def add_settings_flags(parser: argparse.ArgumentParser) -> None:
    """A flag for every setting; each defaults to None, so only what was given overrides the environment."""
    for name, info in Settings.model_fields.items():
        kind = _unwrap(info.annotation)
        # %% keeps argparse from reading a description's % as a format.
        options: dict[str, Any] = {"dest": name, "default": None, "help": help_text(name, info).replace("%", "%%")}
        if kind is bool:
            options["action"] = argparse.BooleanOptionalAction
        elif typing.get_origin(kind) is typing.Literal:
            # Shown, not enforced by argparse: the model refuses a wrong value with the message every
            # setting gets, naming the flag and the variable, and beside any other wrong setting.
            options["metavar"] = "{" + ",".join(str(c) for c in typing.get_args(kind)) + "}"
        elif typing.get_origin(kind) is list:
            options.update(action="append", metavar=f"{_metavar(typing.get_args(kind)[0])}[,...]")
        else:
            options["metavar"] = _metavar(kind)
        parser.add_argument(flag(name), *ALIASES.get(name, []), **options)


def given_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given as flags (lists joined from repeats and commas)."""
    given: dict[str, Any] = {}
    for name in Settings.model_fields:
        value = getattr(args, name, None)
        if value is None:
            continue
        if isinstance(value, list):
            value = [part.strip() for item in value for part in str(item).split(",") if part.strip()]
        given[name] = value
    return given


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """Refuse a PARAGON_EMULATOR_* variable that names no setting (a typo would be silently ignored)."""
    environ = os.environ if environ is None else environ
    known = {env_var(name) for name in Settings.model_fields} | OTHER_VARIABLES
    unknown = sorted(k for k in environ if k.upper().startswith(ENV_PREFIX) and k.upper() not in known)
    if not unknown:
        return
    lines = []
    for name in unknown:
        close = difflib.get_close_matches(name.upper(), sorted(known), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else ""
        lines.append(f"  {name}{hint}")
    raise CliError(
        "unknown environment variable(s), which would be ignored:\n" + "\n".join(lines)
        + f"\nevery setting and its variable is listed by 'paragon-emulator serve --help'; unset the variable to go on",
        2,
    )


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and flags; a clear message naming the flag and variable when one is invalid."""
    check_environment()
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            loc = error["loc"]
            if loc and loc[0] in Settings.model_fields:
                name = str(loc[0])
                where = ".".join(str(p) for p in loc)
                lines.append(f"  {where} ({flag(name)} / {env_var(name)}): {error['msg']} (got {error.get('input')!r})")
            else:
                lines.append(f"  {error['msg'].removeprefix('Value error, ')}")
        raise CliError("invalid settings:\n" + "\n".join(lines), 2) from None


def markdown_table() -> str:
    """The settings as docs/configuration.md's table: `python -m paragon_emulator.cli.settings_flags`."""
    rows = ["| Flag / variable | Default | Meaning |", "|---|---|---|"]
    for name, info in Settings.model_fields.items():
        kind = _unwrap(info.annotation)
        shown = flag(name) if kind is not bool else f"{flag(name)}, --no-{flag(name)[2:]}"
        choices = ""
        if typing.get_origin(kind) is typing.Literal:
            choices = " (" + ", ".join(f"`{c}`" for c in typing.get_args(kind)) + ")"
        description = " ".join((info.description or "").split()).replace("|", "\\|")
        rows.append(f"| `{shown}` / `{env_var(name)}` | `{_default_text(info)}` | {description}{choices} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
