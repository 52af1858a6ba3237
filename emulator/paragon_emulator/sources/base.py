"""A simulated upstream account: generated items plus the changes tests made to it.

Generated items are a pure function of (seed, account key, index), so an account of a million
items costs nothing until read. Changes made through the control plane live in a small overlay
and in a change log; syncs read the log from where they last stopped (incremental) or walk the
whole account (initial and full syncs).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Callable, Iterator, Sequence

from .. import made_once
from ..domain.clock import iso
from ..domain.errors import InvalidInput, NotFound

EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)  # generated items date from the two years before
NAIVE_EPOCH = EPOCH.replace(tzinfo=None)


def mix(*parts: object) -> int:
    """A stable 64-bit hash of the parts (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class Vocabulary:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    companies: tuple[str, ...]
    words: tuple[str, ...]
    jobs: tuple[str, ...]
    cities: tuple[str, ...]
    streets: tuple[str, ...]
    domains: tuple[str, ...]
    sentences: tuple[str, ...]

    def pick(self, pool: str, key: int) -> str:
        values = getattr(self, pool)
        return values[key % len(values)]


VOCABULARY_FORMAT = 1  # one more when draw_vocabulary draws otherwise: kept vocabularies are then drawn again
KEPT_VOCABULARIES = 8  # ~60 KB each; the image's is the default seed's


@lru_cache(maxsize=8)
def vocabulary(seed: int) -> Vocabulary:
    """Realistic values from faker, drawn once per seed; items then pick from them by hash.

    Drawing them costs ~0.25 s (faker's import and locale), paid by a server's first sync: they
    are kept between runs (made_once), named by the seed and by the faker installed."""
    drawn = made_once.load(
        f"vocabulary-{VOCABULARY_FORMAT}-{seed}-{_faker_stamp()}.json", lambda: asdict(draw_vocabulary(seed)), _whole,
        kin="vocabulary-", most=KEPT_VOCABULARIES,
    )
    return Vocabulary(**{pool: tuple(values) for pool, values in drawn.items()})


def _whole(kept: Any) -> bool:
    """A kept vocabulary has every pool, each a list of strings (else it is drawn again)."""
    return (
        isinstance(kept, dict) and kept.keys() == {f.name for f in fields(Vocabulary)}
        and all(isinstance(v, list) and v and all(isinstance(s, str) for s in v) for v in kept.values())
    )


def _faker_stamp() -> str:
    """Changes when another faker is installed (its draws may differ), without importing it."""
    origin = importlib.util.find_spec("faker").origin  # type: ignore[union-attr]
    stat = os.stat(origin)  # type: ignore[arg-type]
    return hashlib.blake2b(f"{origin}\x1f{stat.st_mtime_ns}\x1f{stat.st_size}".encode(), digest_size=8).hexdigest()


def draw_vocabulary(seed: int) -> Vocabulary:
    from faker import Faker  # here, not at start-up: importing it costs ~50 ms, and a server may never need it

    fake = Faker("en_US")
    fake.seed_instance(seed)
    return Vocabulary(
        first_names=tuple(fake.first_name() for _ in range(400)),
        last_names=tuple(fake.last_name() for _ in range(400)),
        companies=tuple(fake.company() for _ in range(300)),
        words=tuple(dict.fromkeys(fake.words(nb=1500))),
        jobs=tuple(fake.job() for _ in range(200)),
        cities=tuple(fake.city() for _ in range(200)),
        streets=tuple(fake.street_address() for _ in range(200)),
        domains=tuple(fake.domain_name() for _ in range(200)),
        sentences=tuple(fake.sentence(nb_words=12) for _ in range(500)),
    )


@dataclass
class Change:
    seq: int
    external_id: str
    kind: str  # created, updated, deleted, moved, shared, unshared, permissions, membership (a group)


class Account:
    """Base of the category accounts: generated items by index, an overlay, a change log."""

    prefix = "item"

    def __init__(self, seed: int, key: tuple[str, ...], size: int):
        self.seed = seed
        self.key = key
        # The hasher fed with "seed\x1fkey...\x1f": every item hash starts with it (a third of h's cost).
        self._hash_prefix = hashlib.blake2b(("\x1f".join(map(str, (seed, *key))) + "\x1f").encode(), digest_size=8)
        self._fresh_hasher = self._hash_prefix.copy
        self._named: dict[int, str] = {}  # the external ids named last: a run names each item ~5 times
        self.size = size
        self.vocab = vocabulary(seed)
        self.overlay: dict[str, dict[str, Any]] = {}  # external id -> current raw item (changed or created)
        self.deleted: set[str] = set()
        self.changes: list[Change] = []
        self._created = 0

    # -- identity ------------------------------------------------------------------------
    def h(self, *parts: object) -> int:
        """mix(seed, *key, *parts): the account's part of the hashed text is hashed once, then copied."""
        if not parts:
            return mix(self.seed, *self.key)
        hasher = self._fresh_hasher()
        # Two parts is most calls: the f-string writes what the join does, in half the time.
        hasher.update((f"{parts[0]}\x1f{parts[1]}" if len(parts) == 2 else "\x1f".join(map(str, parts))).encode())
        return int.from_bytes(hasher.digest(), "big")

    def when(self, *parts: object) -> str:
        # iso() of the same instant: whole seconds in UTC, written without converting zones.
        instant = NAIVE_EPOCH - timedelta(seconds=self.h("when", *parts) % (2 * 365 * 86400))
        return instant.isoformat(timespec="milliseconds") + "Z"

    def external_id(self, index: int) -> str:
        named = self._named.get(index)
        if named is None:
            if len(self._named) >= 1024:
                self._named.clear()
            named = self._named[index] = f"{self.prefix}-{self.h('id', index) % 16**10:010x}-{index}"
        return named

    def index_of(self, external_id: str) -> int | None:
        head, _, tail = external_id.rpartition("-")
        if tail.isdigit() and int(tail) < self.size and self.external_id(int(tail)) == external_id:
            return int(tail)
        return None

    # -- reading -------------------------------------------------------------------------
    def generate(self, index: int) -> dict[str, Any]:
        raise NotImplementedError

    # -- what the category decides (the domain's Source protocol; these are the defaults) ----
    HIDDEN = frozenset({"_version", "owner", "parentExternalId", "comments", "unshared"})

    def in_scope(self, item: dict[str, Any], configuration: dict[str, Any]) -> bool:
        return True

    def contains_others(self, item: dict[str, Any]) -> bool:
        return False

    def normalize(
        self, item: dict[str, Any], record_id: Callable[[str], str], integration: str, configuration: dict[str, Any]
    ) -> dict[str, Any]:
        return {"id": record_id(item["externalId"]), **{k: v for k, v in item.items() if k not in self.HIDDEN}}

    def item_of_record(self, data: dict[str, Any], version: int) -> dict[str, Any]:
        return {**data, "_version": version}

    def content(self, item: dict[str, Any]) -> tuple[bytes, str] | None:
        return None

    def is_folder(self, item: dict[str, Any]) -> bool:
        return False

    def relations(self, item: dict[str, Any]) -> list[tuple[str, str]]:
        return []

    def directory_users(self) -> list[str]:
        return []

    def group_members(self, configuration: dict[str, Any]) -> dict[str, Sequence[str]]:
        return {}

    def untouched_index(self, external_id: str) -> int | None:
        """The index of a generated item never changed nor deleted; None for anything else."""
        if external_id in self.overlay or external_id in self.deleted:
            return None
        return self.index_of(external_id)

    def sees_every_item(self, configuration: dict[str, Any]) -> bool:
        # True only where in_scope is this class's (which takes everything): a category that
        # scopes items decides for itself.
        return type(self).in_scope is Account.in_scope

    def sketch(self, index: int) -> dict[str, Any]:
        """What a sync's permissions graph needs of a generated item; the whole item by default."""
        return self.generate(index)

    def item(self, external_id: str) -> dict[str, Any] | None:
        if external_id in self.deleted:
            return None
        if external_id in self.overlay:
            return self.overlay[external_id]
        index = self.index_of(external_id)
        return self.generate(index) if index is not None else None

    def require(self, external_id: str) -> dict[str, Any]:
        found = self.item(external_id)
        if found is None:
            raise NotFound("externalId", f"upstream item '{external_id}' does not exist in this account")
        return found

    def external_ids(self) -> Iterator[str]:
        for index in range(self.size):
            external_id = self.external_id(index)
            if external_id not in self.deleted:
                yield external_id
        for external_id in list(self.overlay):  # a copy: items may be created while a run reads
            if self.index_of(external_id) is None and external_id not in self.deleted:
                yield external_id

    def count(self) -> int:
        created = sum(1 for e in self.overlay if self.index_of(e) is None and e not in self.deleted)
        generated_deleted = sum(1 for e in self.deleted if self.index_of(e) is not None)
        return self.size - generated_deleted + created

    # -- changing (control plane) --------------------------------------------------------------
    def _log(self, external_id: str, kind: str) -> None:
        self.changes.append(Change(len(self.changes) + 1, external_id, kind))

    def new_external_id(self) -> str:
        self._created += 1
        return f"{self.prefix}-new-{self.h('created', self._created) % 16**10:010x}-n{self._created}"

    def create(self, fields: dict[str, Any], at: datetime) -> dict[str, Any]:
        unknown = set(fields) - self.updatable()
        if unknown:
            raise InvalidInput(
                f"fields.{sorted(unknown)[0]}",
                f"unknown field {', '.join(sorted(unknown))}; known: {', '.join(sorted(self.updatable()))}",
            )
        external_id = self.new_external_id()
        item = self.build_created(external_id, fields, iso(at))
        item["_version"] = 0
        self.overlay[external_id] = item
        self._log(external_id, "created")
        return item

    def update(self, external_id: str, fields: dict[str, Any], at: datetime, kind: str = "updated") -> dict[str, Any]:
        current = dict(self.require(external_id))
        unknown = set(fields) - self.updatable()
        if unknown:
            raise InvalidInput(
                f"fields.{sorted(unknown)[0]}",
                f"cannot change {', '.join(sorted(unknown))}; changeable: {', '.join(sorted(self.updatable()))}",
            )
        current.update(self.check_fields(fields))
        current["_version"] = int(current.get("_version", 0)) + 1
        current["updatedAt"] = iso(at)
        self.overlay[external_id] = current
        self._log(external_id, kind)
        return current

    def delete(self, external_id: str) -> None:
        self.require(external_id)
        self.deleted.add(external_id)
        self.overlay.pop(external_id, None)
        self._log(external_id, "deleted")

    def check_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Fields a change sets, checked and normalised beyond their names (categories refine this)."""
        return fields

    def build_created(self, external_id: str, fields: dict[str, Any], at: str) -> dict[str, Any]:
        raise NotImplementedError

    def updatable(self) -> set[str]:
        raise NotImplementedError
