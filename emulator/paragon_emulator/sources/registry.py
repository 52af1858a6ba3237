"""Every tenant's upstream accounts, made on first use from (seed, project, user, integration).

The accounts live in their tenant's container (domain/tenants.py), so resetting a tenant drops
them with everything else it owns; sizes set ahead for accounts not made yet live here.
"""

from __future__ import annotations

from ..domain import catalog
from ..domain.errors import InvalidInput
from ..domain.tenants import Tenants
from .base import Account
from .crm import CrmAccount
from .files import FilesAccount
from .tickets import TicketsAccount

KINDS = ("files", "contacts", "companies", "deals", "custom_objects", "tickets")


class Upstream:
    def __init__(self, seed: int, default_size: int, tenants: Tenants):
        self.seed = seed
        self.default_size = default_size
        self.tenants = tenants
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
        state = self.tenants.find((project, user))
        if state is not None and (integration, kind) in state.accounts:
            raise InvalidInput("size", f"the {integration} {kind} account of {user} exists already; reset it first")
        self.sizes[key] = size

    def account(self, project: str, user: str, integration: str, kind: str, custom: str = "") -> Account:
        found = catalog.integration(integration)
        if kind not in found.pipelines:
            raise InvalidInput("kind", f"{integration} has no '{kind}' data; it has {', '.join(found.pipelines)}")
        key = (project, user, integration, kind)
        accounts = self.tenants.get((project, user)).accounts
        account = accounts.get((integration, kind))
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
            accounts[(integration, kind)] = account
        return account

    def forget(self, project: str | None = None, user: str | None = None) -> None:
        def doomed(key: tuple[str, ...]) -> bool:
            return (project is None or key[0] == project) and (user is None or key[1] == user)

        self.sizes = {k: v for k, v in self.sizes.items() if not doomed(k)}
