"""The relationship graph of one file sync, and the questions the Permissions API asks of it.

The real service keeps each sync's permissions in OpenFGA; this graph follows the same model:

    type user
    type group    member: [user, group#member]
    type domain   member: every user whose email is at the domain
    type folder, type file
      parent:    [folder]
      owner:     [user]
      editor:    [user, user:*, group#member, domain#member]
      viewer:    [user, user:*, group#member, domain#member]
      is_owner:  owner                                   (ownership is not inherited)
      can_write: editor or is_owner or can_write from parent
      can_read:  viewer or can_write or can_read from parent

The graph holds what the sync last saw upstream: syncs write it, so an upstream change reaches
these answers only after the sync that sees it. Every tuple written or deleted goes into the
sync's change feed. Objects are Synced Object ids; folders above the sync's scope are kept as
unlisted objects so that access inherited from them still counts.
"""

from __future__ import annotations

import base64
import binascii
import heapq
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Iterator

from .errors import ChangesTokenInvalid, ChangesTokenTypeMismatch, InvalidInput
from .feed import ChangeFeed, Entry

ROLES = ("can_read", "can_write", "is_owner")
OBJECT_TYPES = ("file", "folder")
DIRECT = ("owner", "editor", "viewer", "parent")
RELATIONS = ROLES + DIRECT
# The direct relations that give each role, and whether the role also comes from the parent.
GIVES = {"can_read": ("viewer", "editor", "owner"), "can_write": ("editor", "owner"), "is_owner": ("owner",)}
INHERITED = {"can_read": True, "can_write": True, "is_owner": False}
ANYONE = "user:*"
TYPED, BARE = "typed", "bare"  # how batch-check echoes each check's object (see PermissionGraph.batch_check)
LIST_CAP = 1000
MEMO_LIMIT = 10_000  # remembered answers per graph, so asking about many users cannot grow it without end
REACH_MEMO = 32  # list-objects answers kept until the graph changes (a client pages users repeatedly)

# A tuple of one object as stored: (subject, relation, object type); the parent's subject is its bare id.
Stored = tuple[str, str, str]


@dataclass(slots=True)
class Node:
    type: str  # file | folder
    parent: str | None  # the parent folder's object id
    grants: tuple[tuple[str, str], ...]  # (subject, relation): "user:a@x.com", "group:g@x.com#member", ...
    listed: bool  # a synced record; False for a folder kept only for what it passes down


@dataclass(frozen=True, slots=True)
class Change:
    at: datetime
    operation: str  # write | delete
    user: str
    relation: str
    object: str


def _change(entry: Entry) -> Change:
    at, operation, subject, relation, oid, type_ = entry
    user = f"folder:{subject}" if relation == "parent" else subject
    return Change(at, operation, user, relation, f"{type_}:{oid}")


def parse_user(value: str) -> str:
    """An email, with or without OpenFGA's `user:` prefix; emails compare case-insensitively."""
    email = value[5:] if value.startswith("user:") else value
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not (local and at and domain) or " " in email:
        raise InvalidInput("user", f"user must be an email, optionally prefixed 'user:', not {value!r}")
    return email


def parse_object(value: str) -> tuple[str | None, str]:
    """A Synced Object id, optionally prefixed with its type (`file:<id>`, `folder:<id>`)."""
    kind, colon, rest = value.partition(":")
    if not colon:
        return None, value
    if kind not in OBJECT_TYPES:
        raise InvalidInput("object", f"object type '{kind}' is unknown; objects are file:<id>, folder:<id> or <id>")
    if not rest:
        raise InvalidInput("object", f"object {value!r} has no id after its type")
    return kind, rest


def check_role(value: str) -> str:
    if value not in ROLES:
        raise InvalidInput("role", f"role must be one of {', '.join(ROLES)}, not {value!r}")
    return value


class PermissionGraph:
    def __init__(self, sync_id: str, generation: int = 0) -> None:
        self.sync_id = sync_id
        self.generation = generation  # a sync deleted and enabled again (same id) gets a new feed and new tokens
        self.nodes: dict[str, Node] = {}
        self.children: dict[str, set[str]] = {}
        self.holders: dict[str, set[str]] = {}  # subject -> objects it holds a direct relation on
        self.groups: dict[str, tuple[str, ...]] = {}  # group email -> member subjects
        self.directory: tuple[str, ...] = ()  # the organisation's users, for user:* and domain answers
        self.listed: dict[str, set[str]] = {t: set() for t in OBJECT_TYPES}  # synced records by type
        self.feed = ChangeFeed()
        self._shared: dict[Any, Any] = {}
        self._grant_sets: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}  # as given -> as kept
        self._memo: dict[Any, Any] = {}  # answers that hold until the graph changes
        self._reached: OrderedDict[tuple[str, str, str], set[str]] = OrderedDict()  # the last few list-objects

    # -- writing (syncs) -----------------------------------------------------------------------
    def put(self, oid: str, type_: str, parent: str | None, grants: Iterable[tuple[str, str]], listed: bool, at: datetime) -> None:
        old = self.nodes.get(oid)
        pairs = self._grant_set(grants)
        if old is not None and (old.type, old.parent, old.grants, old.listed) == (type_, parent, pairs, listed):
            return
        node = Node(type_, self._intern(parent) if parent is not None else None, pairs, listed)
        self._unlink(oid, old)
        self.nodes[oid] = node
        if listed:
            self.listed[type_].add(oid)
        if parent is not None:
            self.children.setdefault(parent, set()).add(oid)
        for subject, _ in pairs:
            self.holders.setdefault(subject, set()).add(oid)
        if old is None:  # a new object: each of its tuples is written
            self.feed.extend((at, "write", s, r, oid, t) for s, r, t in self._tuples(node))
        else:
            self._diff(oid, self._tuples(old), self._tuples(node), at)
        self._changed()

    def _grant_set(self, grants: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        """The grants sorted, without repeats, shared: objects repeat a few sets (an owner and a team)."""
        given = tuple(grants)
        found = self._grant_sets.get(given)
        if found is None:
            found = self._intern(tuple(sorted({self._intern((self._intern(s), r)) for s, r in given})))
            if len(self._grant_sets) < MEMO_LIMIT:
                self._grant_sets[given] = found
        return found

    def remove(self, oid: str, at: datetime) -> None:
        old = self.nodes.pop(oid, None)
        if old is None:
            return
        self._unlink(oid, old)
        self._diff(oid, self._tuples(old), [], at)
        self._changed()

    def set_group(self, group: str, members: Iterable[str], at: datetime) -> None:
        subjects = tuple(sorted(self._intern(m if m.startswith("user:") else f"{m}#member") for m in members))
        old = self.groups.get(group, ())
        if subjects == old and group in self.groups:
            return
        self.groups[group] = subjects
        self._diff(group, [(s, "member", "group") for s in old], [(s, "member", "group") for s in subjects], at)
        self._changed()

    def set_directory(self, users: Iterable[str]) -> None:
        self.directory = tuple(users)
        self._changed()

    def _changed(self) -> None:
        self._memo.clear()
        self._reached.clear()

    def _intern(self, value: Any) -> Any:
        """One shared copy of each subject, parent id and grant list: most objects repeat a few."""
        return self._shared.setdefault(value, value)

    def _unlink(self, oid: str, old: Node | None) -> None:
        if old is None:
            return
        self.listed[old.type].discard(oid)
        if old.parent is not None:
            siblings = self.children.get(old.parent)
            if siblings is not None:
                siblings.discard(oid)
                if not siblings:
                    del self.children[old.parent]
        for subject, _ in old.grants:
            held = self.holders.get(subject)
            if held is not None:
                held.discard(oid)
                if not held:
                    del self.holders[subject]

    def _tuples(self, node: Node | None) -> list[Stored]:
        if node is None:
            return []
        found = [(subject, relation, node.type) for subject, relation in node.grants]
        if node.parent is not None:
            found.append((node.parent, "parent", node.type))
        return found

    def _diff(self, oid: str, old: list[Stored], new: list[Stored], at: datetime) -> None:
        before, after = set(old), set(new)
        self.feed.extend((at, "delete", s, r, oid, t) for s, r, t in old if (s, r, t) not in after)
        self.feed.extend((at, "write", s, r, oid, t) for s, r, t in new if (s, r, t) not in before)

    # -- who is who ------------------------------------------------------------------------------
    def subjects_of(self, email: str) -> frozenset[str]:
        """Every subject that stands for the user: itself, anyone, its domain, its groups (nested)."""
        key = ("subjects", email)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) > MEMO_LIMIT:
                self._memo.clear()
            found = {f"user:{email}", ANYONE, f"domain:{email.partition('@')[2]}#member"}
            containing = self._containing()
            queue = deque([f"user:{email}"])
            while queue:
                for group in containing.get(queue.popleft(), ()):
                    subject = f"group:{group}#member"
                    if subject not in found:
                        found.add(subject)
                        queue.append(subject)
            found = self._memo[key] = frozenset(found)
        return found

    def _containing(self) -> dict[str, list[str]]:
        found = self._memo.get("containing")
        if found is None:
            found = {}
            for group, members in self.groups.items():
                for member in members:
                    found.setdefault(member, []).append(group)
            self._memo["containing"] = found
        return found

    def known_users(self) -> list[str]:
        """The users list-users can name: the directory, group members and users granted anything."""
        found = self._memo.get("known")
        if found is None:
            users = dict.fromkeys(self.directory)
            for members in self.groups.values():
                users.update((m[5:], None) for m in members if m.startswith("user:"))
            users.update((s[5:], None) for s in self.holders if s.startswith("user:") and s != ANYONE)
            found = self._memo["known"] = sorted(users)
        return found

    def members(self, subject: str) -> set[str]:
        """The users a subject stands for (group members through nesting, a domain's known users)."""
        if subject == ANYONE:
            return set(self.known_users())
        if subject.startswith("domain:"):
            domain = subject[len("domain:"):].removesuffix("#member")
            return {u for u in self.known_users() if u.partition("@")[2] == domain}
        if subject.startswith("group:"):
            users: set[str] = set()
            seen, queue = set(), deque([subject[len("group:"):].removesuffix("#member")])
            while queue:
                group = queue.popleft()
                if group in seen:
                    continue
                seen.add(group)
                for member in self.groups.get(group, ()):
                    if member.startswith("user:"):
                        users.add(member[5:])
                    else:
                        queue.append(member[len("group:"):].removesuffix("#member"))
            return users
        return {subject[5:]}

    # -- questions -------------------------------------------------------------------------------
    def find(self, oid: str, type_: str | None) -> Node | None:
        """A synced object, if it exists with that type (OpenFGA knows nothing of anything else)."""
        node = self.nodes.get(oid)
        if node is None or not node.listed or (type_ is not None and node.type != type_):
            return None
        return node

    def _chain(self, oid: str, role: str) -> Iterator[Node]:
        seen: set[str] = set()
        current: str | None = oid
        while current is not None and current not in seen:
            node = self.nodes.get(current)
            if node is None:
                return
            yield node
            if not INHERITED[role]:
                return
            seen.add(current)
            parent = self.nodes.get(node.parent) if node.parent is not None else None
            # Only folders pass access down (a folder turned into a file upstream stops doing so).
            current = node.parent if parent is not None and parent.type == "folder" else None

    def check(self, email: str, role: str, oid: str, type_: str | None = None) -> bool:
        if self.find(oid, type_) is None:
            return False
        subjects, gives = self.subjects_of(email), GIVES[role]
        for node in self._chain(oid, role):
            for subject, relation in node.grants:
                if relation in gives and subject in subjects:
                    return True
        return False

    def batch_check(self, checks: Iterable[dict[str, str]], echo: str = TYPED) -> list[dict[str, Any]]:
        """One answer per check, in order; a check that cannot be answered gets `allowed: false` and an error."""
        results: list[dict[str, Any]] = []
        for check in checks:
            request = dict(check) if echo == BARE else {**check, "object": self.typed(check["object"])}
            try:
                type_, oid = parse_object(check["object"])
                allowed = self.check(parse_user(check["user"]), check_role(check["role"]), oid, type_)
                results.append({"allowed": allowed, "request": request})
            except InvalidInput as exc:  # one bad question does not sink the batch
                results.append({"allowed": False, "request": request, "error": exc.message})
        return results

    def typed(self, value: str) -> str:
        """An object as the relationship graph names it, `file:<id>` or `folder:<id>`.

        A client written by Paragon reads batch-check's echo this way (it splits on ':'). An
        object sent typed, and one the graph does not hold (its type is unknown), stay as sent.
        """
        if ":" in value:
            return value
        node = self.find(value, None)
        return f"{node.type}:{value}" if node is not None else value

    def list_users(self, oid: str, role: str, type_: str | None = None) -> list[str]:
        if self.find(oid, type_) is None:
            return []
        gives = GIVES[role]
        users: set[str] = set()
        for node in self._chain(oid, role):
            for subject, relation in node.grants:
                if relation in gives:
                    users |= self.members(subject)
        return sorted(users)

    def list_objects(self, email: str, type_: str, role: str, limit: int | None = None) -> list[str]:
        """The listed objects of the type the user has the role on, in id order (the first `limit`)."""
        key = (email, type_, role)
        found = self._reached.get(key)
        if found is None:
            found = self._reached[key] = self._reach(email, role) & self.listed[type_]
            if len(self._reached) > REACH_MEMO:
                self._reached.popitem(last=False)
        return sorted(found) if limit is None or len(found) <= limit else heapq.nsmallest(limit, found)

    def _reach(self, email: str, role: str) -> set[str]:
        gives = GIVES[role]
        reached: set[str] = set()
        for subject in self.subjects_of(email):
            for oid in self.holders.get(subject, ()):
                if any(s == subject and r in gives for s, r in self.nodes[oid].grants):
                    reached.add(oid)
        frontier = reached if INHERITED[role] else set()
        while frontier:  # down the tree a level at a time, with set operations
            below: set[str] = set()
            for oid in frontier:
                kids = self.children.get(oid)
                if kids and self.nodes[oid].type == "folder":
                    below |= kids
            frontier = below - reached
            reached |= frontier
        return reached

    def expand(self, oid: str, relation: str, type_: str | None = None) -> dict[str, Any]:
        """One level of OpenFGA's userset tree for `<type>:<id>#<relation>`."""
        if relation not in RELATIONS:
            raise InvalidInput(
                "relation", f"relation must be one of {', '.join(RELATIONS)} for files and folders, not {relation!r}"
            )
        # Unlike check, expand shows folders above the sync's scope too: they explain inherited access.
        node = self.nodes.get(oid)
        if node is not None and type_ is not None and node.type != type_:
            node = None
        name = f"{node.type}:{oid}" if node is not None else f"{type_ or 'file'}:{oid}"
        here = f"{name}#{relation}"
        if relation in DIRECT:
            if relation == "parent":
                users = [f"folder:{node.parent}"] if node is not None and node.parent is not None else []
            else:
                users = sorted(s for s, r in node.grants if r == relation) if node is not None else []
            return {"name": here, "leaf": {"users": {"users": users}}}
        if relation == "is_owner":
            return {"name": here, "leaf": {"computed": {"userset": f"{name}#owner"}}}
        parts = ("editor", "is_owner") if relation == "can_write" else ("viewer", "can_write")
        parent = f"folder:{node.parent}#{relation}" if node is not None and node.parent is not None else None
        nodes = [{"name": here, "leaf": {"computed": {"userset": f"{name}#{part}"}}} for part in parts]
        nodes.append({
            "name": here,
            "leaf": {"tupleToUserset": {
                "tupleset": f"{name}#parent",
                "computed": [{"userset": parent}] if parent else [],
            }},
        })
        return {"name": here, "union": {"nodes": nodes}}

    def expand_group(self, group: str) -> dict[str, Any]:
        return {"name": f"group:{group}#member", "leaf": {"users": {"users": list(self.groups.get(group, ()))}}}

    # -- the change feed -------------------------------------------------------------------------
    def changes(self, token: str | None, start: datetime | None, type_: str | None, size: int) -> tuple[list[Change], str]:
        """A page of the feed and the token that continues it (the same token at the end)."""
        if token is not None:
            position = self._decode(token, type_)
        elif start is not None:
            position = self.feed.first_at_or_after(start)
        else:
            position = 0
        page: list[Change] = []
        while position < len(self.feed) and len(page) < size:
            if type_ is None or self.feed.type_at(position) == type_:
                page.append(_change(self.feed[position]))
            position += 1
        return page, self._encode(position, type_)

    def _encode(self, position: int, type_: str | None) -> str:
        text = f"changes:{self.sync_id}.{self.generation}:{type_ or '*'}:{position}"
        return base64.urlsafe_b64encode(text.encode()).decode()

    def _decode(self, token: str, type_: str | None) -> int:
        invalid = ChangesTokenInvalid(
            "continuationToken", f"continuationToken {token!r} is not a token this feed returned; start again"
        )
        try:
            prefix, sync_id, bound, number = base64.urlsafe_b64decode(token.encode()).decode().split(":")
            position = int(number)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise invalid from None
        if prefix != "changes" or sync_id != f"{self.sync_id}.{self.generation}" or not 0 <= position <= len(self.feed) or str(position) != number:
            raise invalid
        if bound != (type_ or "*"):
            raise ChangesTokenTypeMismatch(
                "type",
                f"this continuationToken was made for type={'(none)' if bound == '*' else bound}; "
                "send the same type, or start again without a token",
            )
        return position
