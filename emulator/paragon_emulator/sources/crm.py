"""CRM accounts: companies, contacts and deals that refer to each other, in Paragon's CRM schemas."""

from __future__ import annotations

from typing import Any

from datetime import datetime, timedelta

from ..domain.catalog import CRM, Integration
from ..domain.clock import iso
from .base import EPOCH, Account

CONTACT_TYPES = ("lead", "customer", "prospect", "partner", "other")
CONTACT_STATUSES = ("active", "inactive", "new", "qualified", "unqualified")
INDUSTRIES = ("Technology", "Finance", "Healthcare", "Retail", "Manufacturing", "Education", "Media")
TIMEZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Europe/Berlin")
STAGES = (("Prospecting", "open"), ("Qualification", "open"), ("Proposal Sent", "open"),
          ("Negotiation", "open"), ("Closed Won", "closed_won"), ("Closed Lost", "closed_lost"))
OWNERS = 6
LIFECYCLE_STAGES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist")
SOCIAL_NETWORKS = (("linkedin", "https://www.linkedin.com/in/"), ("twitter", "https://twitter.com/"))
# The integration's own fields that do not map onto the common schema (they land in customFields),
# by integration and object kind: (field, kind of value).
CUSTOM_FIELDS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "salesforce": {"companies": (("AccountSource", "source"), ("Rating", "rating"), ("SLA__c", "tier")),
                   "deals": (("LeadSource", "source"), ("ForecastCategoryName", "forecast"), ("Competitor__c", "word"))},
    "hubspot": {"companies": (("hs_lead_status", "status"), ("hubspot_owner_assigneddate", "date")),
                "deals": (("dealtype", "dealtype"), ("hs_priority", "priority"))},
    "pipedrive": {"companies": (("label", "rating"), ("visible_to", "visibility")),
                  "deals": (("label", "rating"), ("visible_to", "visibility"))},
    "zohocrm": {"companies": (("Ownership", "ownership"), ("Rating", "rating")),
                "deals": (("Type", "dealtype"), ("Campaign_Source", "word"))},
    "microsoftDynamics": {"companies": (("accountcategorycode", "tier"), ("creditonhold", "flag")),
                          "deals": (("purchasetimeframe", "timeframe"), ("budgetstatus", "budget"))},
}
CUSTOM_VALUES: dict[str, tuple[Any, ...]] = {
    "source": ("Web", "Phone Inquiry", "Partner Referral", "Trade Show"), "rating": ("Hot", "Warm", "Cold"),
    "tier": ("Gold", "Silver", "Bronze"), "status": ("NEW", "OPEN", "IN_PROGRESS", "CONNECTED"),
    "forecast": ("Pipeline", "Best Case", "Commit"), "dealtype": ("newbusiness", "existingbusiness"),
    "priority": ("low", "medium", "high"), "visibility": ("3", "7"), "ownership": ("Public", "Private"),
    "flag": (True, False), "timeframe": (0, 1, 2, 3), "budget": (0, 1, 2),
}
PREFIXES = {"companies": "acct", "contacts": "cont", "deals": "opp", "custom_objects": "obj"}  # the kinds, and their ids


class CrmAccount(Account):
    """One object kind (companies, contacts, deals or custom_objects) of a CRM account.

    Contacts and deals point at companies of the same account by index, so the rows relate.
    """

    def __init__(self, seed: int, key: tuple[str, ...], size: int, kind: str, companies: int, custom: str = ""):
        super().__init__(seed, key, size)
        self.own_fields = CUSTOM_FIELDS.get(key[2], {}).get(kind, ()) if len(key) > 2 else ()
        self.kind = kind
        self.prefix = PREFIXES[kind]
        self.companies = max(1, companies)
        self.custom = custom

    def company_ref(self, index: int) -> tuple[str, str]:
        """(external id, name) of the company a contact or deal belongs to."""
        if self.kind == "companies":
            return self.external_id(index), self.company_name(index)
        if not hasattr(self, "_company_account"):
            key = self.key[:-1] + ("companies",)
            self._company_account = CrmAccount(self.seed, key, self.companies, "companies", self.companies)
        number = self.h("company", index) % self.companies
        return self._company_account.external_id(number), self._company_account.company_name(number)

    def company_name(self, index: int) -> str:
        return self.vocab.pick("companies", self.h("cname", index))

    def owner(self, index: int) -> str:
        return f"owner-{self.h('owner', index) % OWNERS + 1}"

    def generate(self, index: int) -> dict[str, Any]:
        v = self.vocab
        created = self.when("created", index)
        base: dict[str, Any] = {
            "externalId": self.external_id(index),
            "createdAt": created,
            "updatedAt": max(created, self.when("updated", index)),
            "ownerId": self.owner(index),
        }
        if self.kind == "companies":
            name = self.company_name(index)
            domain = v.pick("domains", self.h("domain", index))
            base.update(
                name=name,
                website=f"https://www.{domain}",
                industry=INDUSTRIES[self.h("industry", index) % len(INDUSTRIES)],
                numberOfEmployees=10 + self.h("employees", index) % 5000,
                annualRevenue=(self.h("revenue", index) % 500 + 1) * 100_000,
                timezone=TIMEZONES[self.h("tz", index) % len(TIMEZONES)],
                type="Prospect" if self.h("ctype", index) % 3 else "Customer",
                description=v.pick("sentences", self.h("desc", index)),
                addresses=[{"street": v.pick("streets", self.h("street", index)), "city": v.pick("cities", self.h("city", index))}],
                phoneNumbers=[{"type": "work", "number": f"+1-555-{self.h('phone', index) % 9000 + 1000}"}],
            )
            self._optional_company(base, index)
        elif self.kind == "contacts":
            first, last = v.pick("first_names", self.h("first", index)), v.pick("last_names", self.h("last", index))
            company_id, company_name = self.company_ref(index)
            domain = v.pick("domains", self.h("domain", index))
            base.update(
                firstName=first, lastName=last, fullName=f"{first} {last}", companyName=company_name,
                jobTitle=v.pick("jobs", self.h("job", index)),
                emails=[{"type": "work", "email": f"{first}.{last}@{domain}".lower()}],
                phoneNumbers=[{"type": "mobile", "number": f"+1-555-{self.h('phone', index) % 9000 + 1000}"}],
                type=CONTACT_TYPES[self.h("type", index) % len(CONTACT_TYPES)],
                status=CONTACT_STATUSES[self.h("status", index) % len(CONTACT_STATUSES)],
                leadSource=("Web", "Referral", "Event", "Outbound")[self.h("src", index) % 4],
                customFields={"accountId": company_id},
            )
            self._optional_contact(base, index, first, last, domain)
        elif self.kind == "deals":
            company_id, company_name = self.company_ref(index)
            stage, status_type = STAGES[self.h("stage", index) % len(STAGES)]
            base.update(
                name=f"{company_name} - {v.pick('words', self.h('deal', index)).title()} deal",
                amount=float((self.h("amount", index) % 200 + 1) * 2500),
                statusType=status_type, status=stage, accountId=company_id,
                closeDate=self.when("close", index)[:10],
                probability={"open": 50, "closed_won": 100, "closed_lost": 0}[status_type],
                nextStep=v.pick("sentences", self.h("next", index)),
            )
            self._optional_deal(base, index)
        else:
            base.update(
                objectType=self.custom,
                customFields={
                    "Name": v.pick("words", self.h("n", index)).title(),
                    "Price__c": (self.h("price", index) % 1000) + 0.99,
                    "Active__c": bool(self.h("active", index) % 2),
                },
            )
        return base

    # -- optional fields, each in a share of records like a real account's: one hash decides them
    # all (a byte each), so a record costs a draw, not one per field.
    def _optional_contact(self, base: dict[str, Any], index: int, first: str, last: str, domain: str) -> None:
        v, draw = self.vocab, self.h("optional", index)
        if draw & 0xFF < 128:
            base["addresses"] = [{"type": "work", "street": v.pick("streets", draw >> 8), "city": v.pick("cities", draw >> 16)}]
        if draw >> 8 & 0xFF < 77:
            network, url = SOCIAL_NETWORKS[draw >> 16 & 1]
            base["socialProfiles"] = [{"type": network, "url": f"{url}{first}{last}".lower()}]
        if draw >> 16 & 0xFF < 180:
            # between creation and the epoch the account dates from, drawn from the same hash
            created = datetime.fromisoformat(base["createdAt"])
            base["lastActivityAt"] = iso(created + timedelta(seconds=(EPOCH - created).total_seconds() * (draw >> 44 & 0xFF) // 256))
        if draw >> 24 & 0xFF < 200:
            base["lifecycleStage"] = LIFECYCLE_STAGES[(draw >> 32) % len(LIFECYCLE_STAGES)]
        if draw >> 40 & 0xFF < 100:
            base["tags"] = [v.pick("words", draw >> n) for n in range(1 + (draw >> 48) % 3)]
        if draw >> 48 & 0xFF < 77:
            base["notes"] = v.pick("sentences", draw >> 20)
        if draw >> 56 & 0xFF < 128:
            base["website"] = f"https://www.{domain}"

    def _optional_company(self, base: dict[str, Any], index: int) -> None:
        draw = self.h("optional", index)
        if draw & 0xFF < 40 and self.size > 1:
            parent = (index + 1 + (draw >> 8) % (self.size - 1)) % self.size  # another company
            base["parentCompanyId"] = self.external_id(parent)
        self._own_fields(base, draw >> 16)

    def _optional_deal(self, base: dict[str, Any], index: int) -> None:
        draw = self.h("optional", index)
        if draw & 0xFF < 128:
            base["description"] = self.vocab.pick("sentences", draw >> 8)
        self._own_fields(base, draw >> 16)

    def _own_fields(self, base: dict[str, Any], draw: int) -> None:
        """The integration's unmapped fields, in three records of five."""
        if not self.own_fields or draw % 5 >= 3:
            return
        base["customFields"] = {
            name: CUSTOM_VALUES[kind][(draw >> (4 + 3 * n)) % len(CUSTOM_VALUES[kind])] if kind in CUSTOM_VALUES
            else self.when("custom", name, draw)[:10] if kind == "date" else self.vocab.pick("words", draw >> n)
            for n, (name, kind) in enumerate(self.own_fields)
        }

    def updatable(self) -> set[str]:
        return {
            "companies": {"name", "website", "industry", "numberOfEmployees", "annualRevenue", "description", "type"},
            "contacts": {"firstName", "lastName", "jobTitle", "companyName", "type", "status", "emails", "phoneNumbers"},
            "deals": {"name", "amount", "status", "statusType", "closeDate", "probability", "nextStep"},
            "custom_objects": {"customFields"},
        }[self.kind] | {"ownerId"}

    def build_created(self, external_id: str, fields: dict[str, Any], at: str) -> dict[str, Any]:
        index = self.h("created-from", external_id) % max(self.size, 1)
        template = self.generate(index)
        template.update(fields, externalId=external_id, createdAt=at, updatedAt=at)
        if self.kind == "contacts" and ("firstName" in fields or "lastName" in fields):
            template["fullName"] = f"{template['firstName']} {template['lastName']}"
        return template


# -- the CRM integrations (catalog rows) ------------------------------------------------------------
_PIPES = ("contacts", "companies", "deals", "custom_objects")


def _crm(slug: str, name: str, pipelines: tuple[str, ...], extra: dict[str, str], **quirks: Any) -> Integration:
    options = {p: dict(extra) for p in pipelines}
    required: dict[str, tuple[str, ...]] = {}
    if "custom_objects" in pipelines:
        options["custom_objects"]["customObjectName"] = "string"
        required["custom_objects"] = ("customObjectName",)
    return Integration(slug, name, CRM, pipelines, options, required, **quirks)


INTEGRATIONS = (
    _crm("salesforce", "Salesforce", _PIPES, {"listViewId": "string"}),
    _crm("hubspot", "HubSpot", _PIPES, {"properties": "string[]", "listViewId": "string"}),
    _crm("pipedrive", "Pipedrive", ("contacts", "companies", "deals"), {}),
    _crm("zohocrm", "Zoho CRM", _PIPES, {"backoffAtCreditPercentage": "number"},
         ranges={"backoffAtCreditPercentage": (0.5, 1.0)}),
    _crm("microsoftDynamics", "Microsoft Dynamics 365 Sales", _PIPES, {"view": "view"}),
)
