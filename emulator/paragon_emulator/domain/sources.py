"""What the domain needs of a simulated upstream account: the Source protocol, owned here.

`sources/` implements it, one module a category (files, CRM, tickets), each with its quirks; the
domain never imports `sources/` and never asks which category an account is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol


class Change(Protocol):
    external_id: str
    kind: str  # created, updated, deleted, shared, unshared, permissions, membership (a group)


class Source(Protocol):
    changes: Sequence[Change]  # the change log: syncs read it from where they last stopped

    # -- reading ------------------------------------------------------------------------
    def external_ids(self) -> Iterator[str]: ...
    def item(self, external_id: str) -> dict[str, Any] | None: ...
    def count(self) -> int: ...
    def index_of(self, external_id: str) -> int | None:
        """The index of a generated item by its id (changed or not); None for anything else."""
    def untouched_index(self, external_id: str) -> int | None:
        """The index of a generated item never changed nor deleted; None for anything else."""
    def generate(self, index: int) -> dict[str, Any]: ...
    def sketch(self, index: int) -> dict[str, Any]:
        """Of a generated item, what a permissions graph reads (id, parent, type, owner, sharing)."""

    # -- what the category decides --------------------------------------------------------
    def in_scope(self, item: dict[str, Any], configuration: dict[str, Any]) -> bool:
        """Whether a sync with this configuration sees the item."""
    def sees_every_item(self, configuration: dict[str, Any]) -> bool:
        """Whether such a sync sees every generated item never changed (so a run need not make them)."""
    def contains_others(self, item: dict[str, Any]) -> bool:
        """Whether a change to the item can change what else is in scope (a folder)."""
    def normalize(
        self, item: dict[str, Any], record_id: Callable[[str], str], integration: str, configuration: dict[str, Any]
    ) -> dict[str, Any] | Callable[[], dict[str, Any]]:
        """The item in Paragon's normalized schema; `record_id` maps an external id to its record id;
        the sync's configuration may add fields (SharePoint's includeMetadata). A part that is costly
        to make (a file's MD5) may wait: then what is returned makes the record when first read."""
    def item_of_record(self, data: dict[str, Any], version: int) -> dict[str, Any]:
        """The item a stored record was normalized from, as far as its content needs."""
    def content(self, item: dict[str, Any]) -> tuple[bytes, str] | None:
        """The item's bytes and MIME type (None: it has none, e.g. a folder)."""

    # -- sharing (accounts whose syncs keep a permissions graph) ----------------------------
    def is_folder(self, item: dict[str, Any]) -> bool: ...
    def relations(self, item: dict[str, Any]) -> list[tuple[str, str]]:
        """The item's (subject, relation) pairs in the permissions model."""
    def directory_users(self) -> list[str]:
        """The organisation's people, for user:* and domain answers."""
    def group_members(self, configuration: dict[str, Any]) -> dict[str, Sequence[str]]:
        """Every group's members as a sync with this configuration sees them."""


class Upstream(Protocol):
    def account(self, project: str, user: str, integration: str, kind: str, custom: str = "") -> Source: ...
