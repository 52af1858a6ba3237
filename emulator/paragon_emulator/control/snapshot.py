"""Snapshots: the emulator's whole state as one versioned JSON document, restored exactly.

The document keeps how the state came to be, not the structures that hold it: the journal of
changes since the fresh state (control/journal.py), what only the outside world decided (webhook
deliveries and their attempts, API faults and the calls that used them up, the contract log, the
seeded draws already made) and a summary of the state they lead to. A restore replays the journal
on a manual clock beside the current state and compares its summary with the document's; only
when they agree does the new state stay, so a snapshot is applied whole or not at all.
"""

from __future__ import annotations

import json
from collections import deque
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .. import __version__
from ..domain.clock import Clock
from ..domain.errors import Conflict, DomainError, InvalidInput
from ..domain.service import EnableRequest
from ..nango.errors import NangoError
from ..webhooks.delivery import DELIVERING, PENDING, Attempt, retry_owner
from .api_faults import ApiFault
from .base import Core, operation
from .contract import Call
from .journal import Entry, Journal

FORMAT = "paragon-emulator-snapshot"
VERSION = 1
# The settings the state depends on: a snapshot restores only into an emulator started with the same.
SHAPING = (
    "seed", "project_ids", "scenario", "account_size", "seconds_per_record", "initial_sync_delay_seconds",
    "sync_run_seconds", "full_sync_interval_seconds", "default_frequency", "strict_configuration", "permissions",
    "webhook_url", "webhook_secret", "webhook_retry_schedule", "webhook_verification", "contract_log_size",
)
# The control operations a journal may name (the Sync API's changes are "sync.<name>").
REPLAYED = frozenset({
    "size_upstream", "change_upstream", "set_upstream_group", "inject_sync_fault", "clear_faults",
    "clear_sync_faults", "configure_webhooks", "trigger", "reset",
})
SYNC_CHANGES = frozenset({"enable", "update", "disable", "reenable", "delete"})


class SnapshotControl(Core):
    @operation
    def snapshot(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "emulatorVersion": __version__,
            "settings": self._shaping(),
            "clock": {
                "mode": self.clock.mode,
                "rate": self.clock.rate,
                "origin": self.journal.origin.isoformat(),
                "now": self.clock.now().isoformat(),
            },
            "journal": [{"at": e.at.isoformat(), "op": e.op, "args": e.args} for e in self.journal.entries],
            "webhooks": {
                "random": _random_state(self.webhooks.random),
                "deliveries": [_delivery_json(d) for d in self.webhooks.log],
            },
            "apiFaults": {
                "random": _random_state(self.api_faults.random),
                "nextId": self.api_faults.next_id,
                "latencyMs": self.api_faults.latency_ms,
                "rules": [_rule_json(r) for r in self.api_faults.rules],
            },
            "contract": [vars(c) for c in self.contract.calls],
            "state": self._summary(),
        }

    def restore(self, document: Any) -> dict[str, Any]:
        """Replace the whole state with a snapshot's, or refuse it (InvalidInput/Conflict) and change nothing."""
        doc = _parse(document)
        differing = [
            f"--{name.replace('_', '-')} {json.dumps(doc['settings'].get(name))} (this emulator: {json.dumps(ours)})"
            for name, ours in self._shaping().items() if doc["settings"].get(name) != ours
        ]
        if differing:
            raise Conflict(
                "settings",
                "the snapshot was taken with other settings; start the emulator with "
                + "; ".join(differing) + " to restore it",
            )
        with self.batch():
            # Made again beside the current state, which comes back if the snapshot cannot be
            # applied whole: no request sees either half-way (the lock is held throughout).
            kept = {name: getattr(self, name) for name in self.BUILT}
            try:
                self._replay(doc)
                _same_state(doc["state"], self._summary())
            except BaseException:
                self.webhooks.close()
                for name, part in kept.items():
                    setattr(self, name, part)
                self.webhooks.closed = False
                raise
            for forget in self.on_reset:
                forget()
            self._overlay(doc)
            self.memory.after_reset()
        return {"restored": True, "changes": len(doc["journal"]), "clock": self.clock_state()}

    # -- state files ------------------------------------------------------------------------
    def save_state(self, path: str | Path | None = None) -> dict[str, Any]:
        """Write a snapshot to `path` (by default the state_file setting) atomically: a crash leaves the old file."""
        if path is None and self.settings.state_file is None:
            raise Conflict("stateFile", "no state file: start the emulator with --state-file PATH")
        target = Path(path or self.settings.state_file)  # type: ignore[arg-type]
        data = json.dumps(self.snapshot(), separators=(",", ":"), default=_iso).encode()
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return {"path": str(target), "bytes": len(data), "changes": len(self.journal.entries)}

    def load_state(self, path: str | Path) -> dict[str, Any] | None:
        """Restore the snapshot at `path`, if there is one there."""
        target = Path(path)
        if not target.exists():
            return None
        try:
            document = json.loads(target.read_bytes())
        except ValueError as exc:
            raise InvalidInput("stateFile", f"{target} is not a JSON snapshot: {exc}") from None
        return self.restore(document)

    # -- the parts ---------------------------------------------------------------------------
    def _shaping(self) -> dict[str, Any]:
        values = self.settings.model_dump(mode="json", include=set(SHAPING))
        return {name: values[name] for name in SHAPING}

    def _summary(self) -> dict[str, Any]:
        """What a restore must reproduce, compared field by field: every sync's status and records,
        every upstream account's size and changes, every event kept."""
        syncs = {}
        for sync in sorted(self.syncs.all(), key=lambda s: s.id):
            syncs[sync.id] = {
                "status": str(sync.status),
                "reason": sync.reason,
                "updatedAt": sync.updated_at.isoformat(),
                "lastSyncedAt": sync.last_synced_at.isoformat() if sync.last_synced_at else None,
                "totalRecords": sync.records.total,
                "activeRecords": sync.records.active,
                "latestCursor": sync.records.latest_cursor,
            }
        # Accounts are made when first looked at (a read makes one too), so only changed ones count.
        accounts = {
            "/".join((*state.key, *key)): {"items": account.count(), "changes": len(account.changes)}
            for state in self.tenancy for key, account in sorted(state.accounts.items()) if account.changes
        }
        return {
            "syncs": syncs,
            "accounts": dict(sorted(accounts.items())),
            "events": [event.id for event in self.events.log],
            "faults": [f.describe() for f in sorted((f for s in self.tenancy for f in s.faults.faults), key=lambda f: f.id)],
            "nango": {
                state.key[0]: sorted(
                    [c.provider, c.connection_id, c.user_id, c.updated_at.isoformat(), len(c.pruned), sorted(c.frequencies.items())]
                    for c in state.nango.connections.values()
                )
                for state in self.tenancy if getattr(state, "nango", None) is not None
            },
        }

    def _replay(self, doc: dict[str, Any]) -> None:
        """Rebuild the fresh state at the journal's origin, then make every change again at its instant."""
        self._build(Clock("manual", 1.0, doc["origin"]))
        self.webhooks.closed = True  # nothing is sent while the past is made again
        with self.journal.paused():
            self._load_startup_scenario()
        for number, entry in enumerate(doc["journal"], 1):
            try:
                self._run_to(max(entry.at, self.clock.now()))
                self._apply(entry)
            except (DomainError, NangoError) as exc:
                raise InvalidInput(
                    "journal", f"change {number} of the snapshot ({entry.op}) failed when made again: {exc}"
                ) from None
        self._run_to(max(doc["now"], self.clock.now()))

    def _apply(self, entry: Entry) -> None:
        args = dict(entry.args)
        if entry.op.startswith("sync."):
            tenant = tuple(args.pop("tenant"))
            name = entry.op.removeprefix("sync.")
            if name == "enable":
                self.syncs.enable(tenant, EnableRequest(**args))  # type: ignore[arg-type]
            else:
                getattr(self.syncs, name)(tenant, **args)
        elif entry.op.startswith("nango."):
            from ..nango.service import NangoService  # the Nango front end's changes (docs/nango.md)

            getattr(NangoService(self, args.pop("project_id")), entry.op.removeprefix("nango."))(**args)  # type: ignore[arg-type]
        else:
            getattr(self, entry.op)(**args)

    def _overlay(self, doc: dict[str, Any]) -> None:
        """What the journal cannot make again: the outside world's answers and the draws already made."""
        hooks, faults = doc["webhooks"], doc["apiFaults"]
        self.webhooks.random.setstate(_random_tuple(hooks["random"]))
        self.api_faults.random.setstate(_random_tuple(faults["random"]))
        self.api_faults.next_id = faults["nextId"]
        self.api_faults.latency_ms = faults["latencyMs"]
        self.api_faults.rules = [ApiFault(**{**r, "operations": tuple(r["operations"])}) for r in faults["rules"]]
        self.contract.calls.clear()
        self.contract.calls.extend(Call(**c) for c in doc["contract"])
        self._overlay_deliveries(hooks["deliveries"])
        self.clock.set_mode(doc["clockMode"], doc["clockRate"])

    def _overlay_deliveries(self, kept: list[dict[str, Any]]) -> None:
        by_id = {d["eventId"]: d for d in kept}
        now = self.clock.now()
        heads = []
        for state in self.tenancy:
            state.queues.clear()
            self.clock.cancel_owner(retry_owner(state))
        for delivery in self.webhooks.log:
            saved = by_id.get(delivery.event.id)
            if saved is None:
                continue
            delivery.status = saved["status"]
            delivery.attempts = [_attempt(a) for a in saved["attempts"]]
            delivery.next_attempt_at = _when(saved["nextAttemptAt"])
            if delivery.status in (PENDING, DELIVERING):
                queue = delivery.owner.queues.setdefault(delivery.event.sync_id, deque())
                queue.append(delivery)
                if len(queue) == 1:
                    heads.append(delivery)
        self.webhooks.closed = False
        for head in heads:
            if head.status == DELIVERING:
                # Its answer never came (the snapshot was taken mid-send): that attempt is made again.
                if head.attempts and head.attempts[-1].status_code is None and head.attempts[-1].error is None:
                    head.attempts.pop()
                head.status = PENDING
            if head.next_attempt_at is not None:
                due = max(head.next_attempt_at, now)
                self.clock.schedule(due, lambda _t, d=head: self.webhooks._attempt(d), owner=retry_owner(head.owner))
            else:
                self.webhooks._attempt(head)


def _parse(document: Any) -> dict[str, Any]:
    """The document checked and read into the form a replay takes; InvalidInput names what is wrong."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidInput("format", f"not a paragon-emulator snapshot (its \"format\" must be \"{FORMAT}\")")
    version = document.get("version")
    if version != VERSION:
        raise InvalidInput(
            "version",
            f"the snapshot is format version {version!r} (written by paragon-emulator "
            f"{document.get('emulatorVersion', 'unknown')}); this emulator ({__version__}) reads version {VERSION} only",
        )
    try:
        clock = document["clock"]
        parsed = {
            "settings": dict(document["settings"]),
            "origin": _when(clock["origin"]),
            "now": _when(clock["now"]),
            "clockMode": clock["mode"],
            "clockRate": float(clock["rate"]),
            "journal": [
                Entry(_when(e["at"]), str(e["op"]), dict(e["args"])) for e in document["journal"]
            ],
            "webhooks": {
                "random": document["webhooks"]["random"],
                "deliveries": [dict(d) for d in document["webhooks"]["deliveries"]],
            },
            "apiFaults": dict(document["apiFaults"]),
            "contract": [dict(c) for c in document["contract"]],
            "state": dict(document["state"]),
        }
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput("snapshot", f"the snapshot is incomplete or damaged ({type(exc).__name__}: {exc})") from None
    for entry in parsed["journal"]:
        known = (
            entry.op in REPLAYED
            or entry.op.startswith("sync.") and entry.op[5:] in SYNC_CHANGES
            or entry.op.startswith("nango.") and entry.op[6:] in _nango_changes()
        )
        if not known:
            raise InvalidInput("journal", f"the snapshot names a change this emulator does not know: {entry.op!r}")
    Clock.check(parsed["clockMode"], parsed["clockRate"])
    return parsed


def _nango_changes() -> frozenset[str]:
    from ..nango.service import CHANGES

    return CHANGES


def _same_state(expected: dict[str, Any], replayed: dict[str, Any]) -> None:
    replayed = json.loads(json.dumps(replayed))  # as the document holds it: tuples become lists
    for part in ("syncs", "accounts", "events", "faults", "nango"):
        if expected.get(part) != replayed[part]:
            detail = _first_difference(expected.get(part), replayed[part])
            raise Conflict(
                "state",
                f"the snapshot's changes did not lead to the state it records ({part}: {detail}); "
                "it was taken by a different version or edited by hand",
            )


def _first_difference(a: Any, b: Any) -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return f"{key}: {_first_difference(a.get(key), b.get(key))}"
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{len(a)} recorded, {len(b)} made again"
        for index, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return f"[{index}]: {_first_difference(x, y)}"
    return f"{json.dumps(a, default=str)[:120]} recorded, {json.dumps(b, default=str)[:120]} made again"


def _delivery_json(delivery: Any) -> dict[str, Any]:
    return {
        "eventId": delivery.event.id,
        "status": delivery.status,
        "nextAttemptAt": delivery.next_attempt_at.isoformat() if delivery.next_attempt_at else None,
        "attempts": [
            {**vars(a), "at": a.at.isoformat()} for a in delivery.attempts
        ],
    }


def _attempt(saved: dict[str, Any]) -> Attempt:
    return Attempt(**{**saved, "at": _when(saved["at"])})


def _rule_json(rule: ApiFault) -> dict[str, Any]:
    return {**vars(rule), "operations": list(rule.operations)}


def _random_state(rng: Any) -> list[Any]:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def _random_tuple(saved: list[Any]) -> tuple[Any, ...]:
    version, internal, gauss = saved
    return (version, tuple(internal), gauss)


def _when(text: Any) -> Any:
    if text is None:
        return None
    if isinstance(text, datetime):
        return text
    when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return when


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    raise TypeError(f"{type(value).__name__} cannot be written to a snapshot")
