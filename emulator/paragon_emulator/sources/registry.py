"""Every tenant's upstream accounts, made on first use from (seed, project, user, integration).

The accounts live in their tenant's container (domain/tenants.py), so resetting a tenant drops
them with everything else it owns; sizes set ahead for accounts not made yet live here.
"""

from __future__ import annotations

from ..domain.catalog import TICKETING, Catalog, Integration
from ..domain.errors import InvalidInput
from ..domain.tenants import Tenants
from . import crm, files, pages, tickets
from .base import Account

# Every category module's integrations: adding one of an existing category is a row in its module.
CATALOG = Catalog(files.INTEGRATIONS + crm.INTEGRATIONS + tickets.INTEGRATIONS)


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
        found = CATALOG.integration(integration)
        if kind not in found.pipelines:
            raise InvalidInput("kind", f"{integration} has no '{kind}' data; it has {', '.join(found.pipelines)}")
        key = (project, user, integration, kind)
        accounts = self.tenants.get((project, user)).accounts
        account = accounts.get((integration, kind))
        if account is None:
            account = ACCOUNTS[kind](self, key, found, custom)
            accounts[(integration, kind)] = account
        return account

    def forget(self, project: str | None = None, user: str | None = None) -> None:
        def doomed(key: tuple[str, ...]) -> bool:
            return (project is None or key[0] == project) and (user is None or key[1] == user)

        self.sizes = {k: v for k, v in self.sizes.items() if not doomed(k)}


# -- which category module makes the account a pipeline reads ------------------------------------
def _files(upstream: Upstream, key: tuple[str, str, str, str], row: Integration, custom: str) -> Account:
    # A ticketing tool's files are its help-center articles; Notion and Confluence hold pages.
    if row.slug in pages.DOCUMENTS:
        return pages.PagesAccount(upstream.seed, key, upstream._size(key), row.slug)
    return files.FilesAccount(upstream.seed, key, upstream._size(key), row.slug, articles=row.category == TICKETING)


def _tickets(upstream: Upstream, key: tuple[str, str, str, str], row: Integration, custom: str) -> Account:
    return tickets.TicketsAccount(upstream.seed, key, upstream._size(key), row.slug)


def _crm(upstream: Upstream, key: tuple[str, str, str, str], row: Integration, custom: str) -> Account:
    # Contacts and deals point at the companies account of the same user, whatever its size.
    companies = upstream._size((key[0], key[1], key[2], "companies"))
    return crm.CrmAccount(upstream.seed, key, upstream._size(key), key[3], companies, custom or "Custom_Object__c")


ACCOUNTS = {"files": _files, "tickets": _tickets, **{kind: _crm for kind in crm.PREFIXES}}
