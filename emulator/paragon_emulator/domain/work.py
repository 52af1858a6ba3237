"""What a sync run does: read the upstream account, update the record store, emit record events.

Initial and full syncs walk the whole account in the sync's scope; the full sync also tombstones
records that are gone or no longer shared. Incremental syncs read only the account's change log
from where the sync last stopped, so they see creations and updates, never deletions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator

from typing import Callable

from .engine import INCREMENTAL, INITIAL, Step
from .events import EventBus, RecordCreated, RecordDeleted, RecordErrored, RecordUpdated
from .ids import namespace_of, uuid5_text
from .faults import FaultBook
from .records import CREATED, UPDATED, Data, StoredRecord
from .sources import Source as Account, Upstream
from .syncs import Sync


BATCH = 1000  # items read per step of a run


RECORD_CHANGES = {CREATED: RecordCreated, UPDATED: RecordUpdated}
MEMBERSHIP = "membership"  # change-log kind of a group's membership; its external id is "group:<email>"
# Changes an incremental run brings fully in line by storing the item; after any other (a deletion,
# a move out of scope, a sharing or membership change) only a full run does.
KEPT_IN_LINE_BY_INCREMENTAL = frozenset({"created", "updated"})


@dataclass
class Run:
    kind: str
    ids: Iterator[str]
    seen: set[str] = field(default_factory=set)
    groups: list[str] | None = None  # groups whose membership changed; None: read the whole directory
    directory_read: bool = False
    record_failed: bool = False


def record_id(sync: Sync, external_id: str) -> str:
    """Paragon's own id for a synced object: name-based on the sync and the integration's id.

    The same text as str(uuid.uuid5(uuid.UUID(sync.id), external_id)), built without the UUID
    objects (a tenth of the cost of an incremental run went to them)."""
    return uuid5_text(namespace_of(sync.id), external_id)


class UpstreamWork:
    batch = BATCH

    def __init__(
        self, upstream: Upstream, events: EventBus, seconds_per_record: float, faults: Callable[[Sync], FaultBook]
    ):
        self.faults = faults  # the fault book of the sync's tenant
        self.upstream = upstream
        self.events = events
        self.seconds_per_record = seconds_per_record

    def account(self, sync: Sync) -> Account:
        # Kept on the sync: a sync reads one account for its whole life, and both go with their tenant.
        account = sync.account
        if account is None:
            account = sync.account = self.upstream.account(
                sync.project_id, sync.user_id, sync.integration, sync.pipeline, sync.configuration.get("customObjectName", "")
            )
        return account

    def in_scope(self, sync: Sync, account: Account, item: dict[str, Any]) -> bool:
        return account.in_scope(item, sync.configuration)

    def reads_whole_items(self, sync: Sync, account: Account, kind: str) -> bool:
        """Whether a run makes every item it reads; else untouched generated items are not made
        when the configuration takes them all (an incremental run reads only changed ones)."""
        return kind == INCREMENTAL or not account.sees_every_item(sync.configuration)

    # -- SyncWork ------------------------------------------------------------------------
    def begin(self, sync: Sync, kind: str) -> None:
        current = sync.reading
        if kind == INITIAL and current is not None and current.kind == INITIAL:
            return  # a re-enabled initial sync carries on where it stopped
        account = self.account(sync)
        start = sync.position
        sync.position = len(account.changes)
        groups: list[str] | None = None
        if kind == INCREMENTAL:
            fresh = account.changes[start:]
            if any(c.kind not in KEPT_IN_LINE_BY_INCREMENTAL for c in fresh):
                sync.needs_full = True
            ids: Iterator[str] = iter(dict.fromkeys(c.external_id for c in fresh if c.kind != MEMBERSHIP))
            groups = list(dict.fromkeys(c.external_id.partition(":")[2] for c in fresh if c.kind == MEMBERSHIP))
        else:
            ids = account.external_ids()
        sync.reading = Run(kind, ids, groups=groups)

    def forget(self, sync: Sync) -> None:
        sync.reading = None
        sync.position = 0

    def unread_changes(self, sync: Sync) -> bool:
        return len(self.account(sync).changes) != sync.position

    def item_count(self, sync: Sync) -> int:
        return self.account(sync).count()

    def step(self, sync: Sync, kind: str, at: datetime) -> Step:
        run = sync.reading
        account = self.account(sync)
        notify = kind != INITIAL  # the initial sync announces itself with sync_complete only
        if sync.permissions is not None and not run.directory_read:
            self._read_directory(sync, account, run.groups, at)
            run.directory_read = True
        read = 0
        whole = self.reads_whole_items(sync, account, kind)
        for external_id in itertools.islice(run.ids, BATCH):
            read += 1
            index = None if whole else account.untouched_index(external_id)
            if index is not None:
                # Generated, never changed, and in every scope: the store keeps its index alone, so
                # only the graph needs anything of it, and not its name, dates or size.
                item = account.sketch(index) if sync.permissions is not None else {"externalId": external_id}
            else:
                item = account.item(external_id)
                if item is None or not self.in_scope(sync, account, item):
                    if item is not None and sync.permissions is not None:
                        self._refresh_ancestor(sync, account, item, at)
                    if kind == INCREMENTAL:
                        sync.needs_full = True
                    continue  # incremental runs never delete: only a full sync sees what is gone
            if kind == INCREMENTAL and account.contains_others(item):
                sync.needs_full = True  # what is inside a folder may have moved in or out of scope
            rid = record_id(sync, external_id)
            fault = self.faults(sync).take_record_fault(sync.id, (rid, external_id))
            if fault is not None:
                # The record fails, the rest carries on; what was stored before is kept as it was.
                run.record_failed = True
                if kind == INCREMENTAL:
                    sync.needs_full = True
                run.seen.add(rid)
                message = fault.message or f"Failed to process record {external_id}: the integration returned an error"
                self.events.emit(RecordErrored(message, rid, sync.pipeline), at, sync)
                continue
            run.seen.add(self._store(sync, account, item, at, notify, rid, index))
        seconds = read * self.seconds_per_record
        if read == BATCH:
            return Step(done=False, seconds=seconds)
        if kind != INCREMENTAL:
            gone = [rid for rid in sync.records.live_ids() if rid not in run.seen]
            for rid in gone:
                external_id = sync.records.get(rid).external_id
                sync.records.delete(rid, at)
                if sync.permissions is not None:
                    self._unplace(sync, account, rid, external_id, at)
                if notify:
                    self.events.emit(RecordDeleted(rid, sync.pipeline, external_id), at, sync)
            sync.needs_full = run.record_failed  # a failed record is brought in line by the next full run
        sync.reading = None
        return Step(done=True, seconds=seconds, records_seen=sync.records.active)

    def _store(
        self, sync: Sync, account: Account, item: dict[str, Any], at: datetime, notify: bool, rid: str,
        untouched: int | None = None,
    ) -> str:
        external_id = item["externalId"]
        version = int(item.get("_version", 0))
        index = untouched if untouched is not None else account.index_of(external_id) if version == 0 else None
        # Generated items are regenerated on read (the store keeps their index alone); changed ones
        # are kept as synced, so a later upstream change stays invisible until the sync that sees it.
        data = None if index is not None else self.normalize(sync, account, item, rid)
        outcome = sync.records.upsert(rid, external_id, version, at, data, index, account.external_id)
        if notify and outcome is not None:
            self.events.emit(RECORD_CHANGES[outcome](rid, sync.pipeline), at, sync)
        if sync.permissions is not None:
            self._place(sync, account, item, at, listed=True, rid=rid)
        return rid

    # -- permissions -----------------------------------------------------------------------
    def _place(
        self, sync: Sync, account: Account, item: dict[str, Any], at: datetime, listed: bool, rid: str | None = None
    ) -> None:
        """Write the item's tuples; folders above the sync's scope come along for what they pass down."""
        assert sync.permissions is not None
        graph = sync.permissions
        current: dict[str, Any] | None = item
        while current is not None:
            parent_external = current.get("parentExternalId")
            parent = record_id(sync, parent_external) if parent_external else None
            kind = "folder" if account.is_folder(current) else "file"
            # The record store's own id string is reused: at 10^6 objects, copies add up.
            graph.put(rid or record_id(sync, current["externalId"]), kind, parent, account.relations(current), listed, at)
            if parent is None or parent in graph.nodes:
                return
            current, rid, listed = account.item(parent_external), None, False  # up to the first folder known

    def _unplace(self, sync: Sync, account: Account, rid: str, external_id: str, at: datetime) -> None:
        """A record gone from the sync; a folder that still exists upstream still passes access down."""
        assert sync.permissions is not None
        item = account.item(external_id)
        if item is not None and rid in sync.permissions.children:
            self._place(sync, account, item, at, listed=False, rid=rid)
        else:
            sync.permissions.remove(rid, at)

    def _refresh_ancestor(self, sync: Sync, account: Account, item: dict[str, Any], at: datetime) -> None:
        assert sync.permissions is not None
        node = sync.permissions.nodes.get(record_id(sync, item["externalId"]))
        if node is not None and not node.listed:
            self._place(sync, account, item, at, listed=False)

    def _read_directory(self, sync: Sync, account: Account, groups: list[str] | None, at: datetime) -> None:
        """Group memberships as the run sees them upstream: all of them, or those that changed."""
        assert sync.permissions is not None
        if groups == []:
            return  # an incremental run with no membership change: nothing to read (most of them)
        members = account.group_members(sync.configuration)
        if groups is None:
            # Its people only: group members come with the groups, and memberships change.
            sync.permissions.set_directory(account.directory_users())
            groups = list(members)
        for group in groups:
            sync.permissions.set_group(group, members.get(group, ()), at)

    # -- reading records -------------------------------------------------------------------
    def record_data(self, sync: Sync, record: StoredRecord) -> dict[str, Any]:
        return self.records_data(sync, [record])[0]

    def records_data(self, sync: Sync, records: list[StoredRecord]) -> list[dict[str, Any]]:
        """The records as served (a record's answer is the same for as long as its `key` names it)."""
        account: Account | None = None
        found: list[dict[str, Any]] = []
        for record in records:
            if record.deleted:
                found.append({"id": record.id, "externalId": record.external_id, "deleted": True})
            elif record.data is not None:
                found.append(record.data)
            else:
                account = account or self.account(sync)
                found.append(self._generated(sync, account, record))
        return found

    def _generated(self, sync: Sync, account: Account, record: StoredRecord) -> dict[str, Any]:
        # Not kept: the HTTP layer keeps records' JSON, bounded by bytes (http/rendering.py).
        index = record.index
        assert index is not None, "records without data are generated items"
        data = self.normalize(sync, account, account.generate(index))
        return data() if callable(data) else data

    def normalize(self, sync: Sync, account: Account, item: dict[str, Any], rid: str | None = None) -> Data:
        """The upstream item in Paragon's normalized schema for the pipeline (or what makes it)."""
        own = item["externalId"]

        def ids(external_id: str) -> str:
            return rid if rid is not None and external_id == own else record_id(sync, external_id)

        return account.normalize(item, ids, sync.integration, sync.configuration)

    def content(self, sync: Sync, record: StoredRecord) -> tuple[bytes, str] | None:
        """The record's content as synced (the real service proxies it from the integration)."""
        account = self.account(sync)
        if record.data is None:
            item = account.generate(account.index_of(record.external_id) or 0)
        else:
            item = account.item_of_record(record.data, record.version)
        return account.content(item)
