"""Every tenant's upstream accounts, made on first use from (seed, project, user, integration)."""

from __future__ import annotations

from ..domain import catalog
from ..domain.errors import InvalidInput
from .base import Account
from .crm import CrmAccount
from .files import FilesAccount
from .tickets import TicketsAccount

KINDS = ("files", "contacts", "companies", "deals", "custom_objects", "tickets")


class Upstream:
    def __init__(self, seed: int, default_size: int):
        self.seed = seed
        self.default_size = default_size
        self.accounts: dict[tuple[str, str, str, str], Account] = {}
        self.sizes: dict[tuple[str, str, str, str], int] = {}

    def _size(self, key: tuple[str, str, str, str]) -> int:
        project, user, integration, kind = key
        for candidate in (key, (project, user, integration, "*"), (project, "*", integration, kind), (project, "*", "*", "*")):
            if candidate in self.sizes:
                return self.sizes[candidate]
        return self.default_size

    def set_size(self, project: str, user: str, integration: str, kind: str, size: int) -> None:
        """Size of an account not read yet ('*' for every user, integration or kind of a project)."""
        if size < 0 or size > 10_000_000:
            raise InvalidInput("size", f"an account holds 0 to 10,000,000 items, not {size}")
        key = (project, user, integration, kind)
        if key in self.accounts:
            raise InvalidInput("size", f"the {integration} {kind} account of {user} exists already; reset it first")
        self.sizes[key] = size

    def account(self, project: str, user: str, integration: str, kind: str, custom: str = "") -> Account:
        found = catalog.integration(integration)
        if kind not in found.pipelines:
            raise InvalidInput("kind", f"{integration} has no '{kind}' data; it has {', '.join(found.pipelines)}")
        key = (project, user, integration, kind)
        account = self.accounts.get(key)
        if account is None:
            size = self._size(key)
            if kind == "files":
                account = FilesAccount(self.seed, key, size, integration, articles=found.category == catalog.TICKETING)
            elif kind == "tickets":
                account = TicketsAccount(self.seed, key, size, integration)
            else:
                # Contacts and deals point at the companies account of the same user, whatever its size.
                companies = self._size((project, user, integration, "companies"))
                account = CrmAccount(self.seed, key, size, kind, companies, custom or "Custom_Object__c")
            self.accounts[key] = account
        return account

    def forget(self, project: str | None = None, user: str | None = None) -> None:
        def doomed(key: tuple[str, ...]) -> bool:
            return (project is None or key[0] == project) and (user is None or key[1] == user)

        self.accounts = {k: v for k, v in self.accounts.items() if not doomed(k)}
        self.sizes = {k: v for k, v in self.sizes.items() if not doomed(k)}
