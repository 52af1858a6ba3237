"""`control upstream create | update | delete | show`: change a user's simulated upstream account.

What changes upstream is seen by the next sync that looks (an incremental run for a create or an
update, the next periodic full run for a delete), as in the control plane.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from . import tables
from .control import Output, parse_assignment, segment
from .errors import CliError

if TYPE_CHECKING:
    from .control import Actions
    from .remote import Remote

KINDS = ("files", "contacts", "companies", "deals", "custom_objects", "tickets")


def _account_path(remote: "Remote", args: argparse.Namespace) -> str:
    project = args.project or remote.default_project()
    return "/_emulator/upstream/" + "/".join(segment(p) for p in (project, args.user, args.integration, args.kind))


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if args.fields_json:
        try:
            fields.update(json.loads(args.fields_json))
        except (ValueError, TypeError) as exc:
            raise CliError(f"--fields takes a JSON object: {exc}", 2) from None
    fields.update(parse_assignment(item, "--field") for item in args.field)
    return fields


def item_text(item: dict[str, Any]) -> str:
    def show(value: Any) -> Any:
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        return value[:97] + "..." if isinstance(value, str) and len(value) > 100 else value

    first = [k for k in ("externalId", "version", "name") if k in item]
    return tables.fields([(k, show(item[k])) for k in first + sorted(k for k in item if k not in first)])


def _create(remote: "Remote", args: argparse.Namespace) -> Output:
    item = remote.call("POST", _account_path(remote, args) + "/items", {"fields": _fields(args)})
    return Output(item, item_text(item))


def _update(remote: "Remote", args: argparse.Namespace) -> Output:
    path = _account_path(remote, args) + f"/items/{segment(args.external_id)}"
    item = remote.call("PATCH", path, {"fields": _fields(args)})
    return Output(item, item_text(item))


def _delete(remote: "Remote", args: argparse.Namespace) -> Output:
    answer = remote.call("DELETE", _account_path(remote, args) + f"/items/{segment(args.external_id)}")
    return Output(answer, f"deleted {answer['externalId']} upstream (the next periodic full sync emits record_deleted)")


def _show(remote: "Remote", args: argparse.Namespace) -> Output:
    account = remote.call("GET", _account_path(remote, args), params={"limit": args.limit})
    items = account.get("items", [])
    rows = [(i.get("externalId"), i.get("version"), i.get("name") or i.get("title") or i.get("subject")) for i in items]
    head = tables.fields([(k, v) for k, v in account.items() if k != "items" and not isinstance(v, (dict, list))])
    return Output(account, head + "\n" + tables.table(("externalId", "version", "name"), rows))


def add_parsers(actions: "Actions") -> None:
    account = argparse.ArgumentParser(add_help=False)
    account.add_argument("--user", required=True, help="the connected user whose account it is")
    account.add_argument("--integration", required=True, help="e.g. googledrive, salesforce, zendesk")
    account.add_argument("--kind", default="files", choices=KINDS, help="which data of the account (default files)")
    account.add_argument("--project", help="the user's project (default: the emulator's default project)")
    changes = argparse.ArgumentParser(add_help=False)
    changes.add_argument(
        "--field", action="append", default=[], metavar="NAME=VALUE",
        help="a field to set, VALUE as JSON or text, e.g. name=plan.txt (repeatable)",
    )
    changes.add_argument("--fields", dest="fields_json", metavar="JSON", help="fields as one JSON object")

    group = actions.group("upstream", "change a user's simulated upstream account (seen by the next sync)")
    group.add("create", "create an item upstream (the next sync emits record_created)", _create, (account, changes))
    update = group.add("update", "change an item upstream (the next sync emits record_updated)", _update, (account, changes))
    update.add_argument("external_id", metavar="EXTERNAL_ID")
    delete = group.add("delete", "delete an item upstream (the next periodic full sync emits record_deleted)", _delete, (account,))
    delete.add_argument("external_id", metavar="EXTERNAL_ID")
    show = group.add("show", "the account's size and its first items", _show, (account,))
    show.add_argument("--limit", type=int, default=20, help="items to list (default 20)")
