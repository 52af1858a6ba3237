"""Ticketing accounts: projects, tickets and their comments, in Paragon's Ticket schema."""

from __future__ import annotations

import io
import zipfile
from typing import Any, Callable

from datetime import datetime, timedelta

from ..domain.catalog import TICKETING, Integration
from ..domain.clock import iso
from .base import EPOCH, Account

PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = (("To Do", "open"), ("In Progress", "in_progress"), ("Waiting", "pending"), ("Done", "closed"))
TYPES = ("Bug", "Task", "Story", "Incident", "Question")
PROJECTS = 5
# Pylon's issue states (its page names them; `state` limits a sync to one). Its initial sync reads
# the issues created in the 180 days before the data's present (EPOCH); an older one that changes
# later comes in with that change.
PYLON_STATES = (("new", "open"), ("waiting_on_you", "in_progress"), ("waiting_on_customer", "pending"),
                ("on_hold", "pending"), ("closed", "closed"))
PYLON_SINCE, PRESENT = iso(EPOCH - timedelta(days=180)), iso(EPOCH)


class TicketsAccount(Account):
    prefix = "tkt"

    def __init__(self, seed: int, key: tuple[str, ...], size: int, integration: str):
        super().__init__(seed, key, size)
        self.integration = integration

    def person(self, *parts: object) -> dict[str, str]:
        v = self.vocab
        first, last = v.pick("first_names", self.h("pf", *parts)), v.pick("last_names", self.h("pl", *parts))
        return {"id": f"user-{self.h('pid', first, last) % 10**6}", "name": f"{first} {last}",
                "email": f"{first}.{last}@{v.pick('domains', self.h('dom'))}".lower()}

    def project(self, number: int) -> dict[str, str]:
        word = self.vocab.pick("words", self.h("project", number)).title()
        return {"id": f"proj-{number + 1}", "key": word[:3].upper() + str(number + 1), "name": f"{word} project"}

    def generate(self, index: int) -> dict[str, Any]:
        v = self.vocab
        project = self.project(self.h("proj", index) % PROJECTS)
        statuses = PYLON_STATES if self.integration == "pylon" else STATUSES
        status_name, category = statuses[self.h("status", index) % len(statuses)]
        created = self.when("created", index)
        external_id = self.external_id(index)
        item: dict[str, Any] = {
            "externalId": external_id,
            "title": v.pick("sentences", self.h("title", index)).rstrip("."),
            "description": "\n\n".join(v.pick("sentences", self.h("desc", index, n)) for n in range(3)),
            "status": {"name": status_name, "category": category},
            "priority": PRIORITIES[self.h("prio", index) % len(PRIORITIES)],
            "type": TYPES[self.h("type", index) % len(TYPES)],
            "assignees": [self.person("assignee", index)],
            "createdBy": self.person("creator", index),
            "tags": [v.pick("words", self.h("tag", index, n)) for n in range(self.h("tags", index) % 3)],
            "project": project,
            "createdAt": created,
            "updatedAt": max(created, self.when("updated", index)),
            "externalUrl": f"https://{self.integration}.example.com/browse/{project['key']}-{index + 1}",
            "comments": [
                {"author": self.person("comment", index, n)["name"], "body": v.pick("sentences", self.h("c", index, n))}
                for n in range(self.h("ncomments", index) % 4)
            ],
        }
        if category == "closed":
            item["resolvedAt"] = item["updatedAt"]
        due = self.h("due", index)
        if due % 5 < 2:  # two tickets in five have a due date, days to weeks after creation
            item["dueAt"] = iso(datetime.fromisoformat(created) + timedelta(days=1 + (due >> 8) % 45))
        return item

    def sees_every_item(self, configuration: dict[str, Any]) -> bool:
        return self.integration != "pylon"

    def in_scope(self, item: dict[str, Any], configuration: dict[str, Any]) -> bool:
        if self.integration != "pylon":
            return True
        if "state" in configuration and item["status"]["name"] != configuration["state"]:
            return False
        return item["createdAt"] >= PYLON_SINCE or item["updatedAt"] > PRESENT

    def normalize(
        self, item: dict[str, Any], record_id: Callable[[str], str], integration: str, configuration: dict[str, Any]
    ) -> dict[str, Any]:
        record = super().normalize(item, record_id, integration, configuration)
        record["originalRecord"] = {k: v for k, v in item.items() if k != "_version"}
        return record

    def item_of_record(self, data: dict[str, Any], version: int) -> dict[str, Any]:
        return data["originalRecord"]

    def content(self, item: dict[str, Any]) -> tuple[bytes, str]:
        """A ZIP with the ticket as Markdown (properties, body, comments) and an attachments/ folder."""
        lines = [f"# {item['title']}", "", f"- Status: {item['status']['name']}", f"- Priority: {item['priority']}",
                 f"- Type: {item['type']}", "", item.get("description", ""), "", "## Comments"]
        for comment in item.get("comments", []):
            lines += ["", f"**{comment['author']}**: {comment['body']}"]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            info = zipfile.ZipInfo(f"{item['externalId']}.md", date_time=(2025, 1, 1, 0, 0, 0))
            archive.writestr(info, "\n".join(lines))
            archive.writestr(zipfile.ZipInfo("attachments/", date_time=(2025, 1, 1, 0, 0, 0)), "")
        return buffer.getvalue(), "application/zip"

    def updatable(self) -> set[str]:
        return {"title", "description", "status", "priority", "type", "tags", "assignees", "comments"}

    def build_created(self, external_id: str, fields: dict[str, Any], at: str) -> dict[str, Any]:
        template = self.generate(self.h("created-from", external_id) % max(self.size, 1))
        template.update(fields, externalId=external_id, createdAt=at, updatedAt=at, comments=fields.get("comments", []))
        template.pop("resolvedAt", None)
        return template


# -- the ticketing integrations (catalog rows); a files pipeline syncs help-center articles ----------
INTEGRATIONS = (
    Integration("servicenow", "ServiceNow", TICKETING, ("files", "tickets"), {"files": {"kbId": "string"}, "tickets": {}}),
    Integration(
        "zendesk", "Zendesk", TICKETING, ("files", "tickets"),
        {"files": {"locale": "string"}, "tickets": {"organizationId": "string"}},
    ),
    Integration("jira", "Jira", TICKETING, ("tickets",), {"tickets": {"projectId": "string"}}, {"tickets": ("projectId",)}),
    Integration("monday", "monday.com", TICKETING, ("tickets",), {"tickets": {"boardId": "string"}}, {"tickets": ("boardId",)}),
    Integration("clickup", "ClickUp", TICKETING, ("tickets",), {"tickets": {"listId": "string"}}, {"tickets": ("listId",)}),
    Integration("freshdesk", "Freshdesk", TICKETING, ("tickets",), {"tickets": {"companyId": "string"}}),
    Integration(
        "intercom", "Intercom", TICKETING, ("files", "tickets"), {"files": {"helpCenterId": "string"}, "tickets": {}}
    ),
    Integration("asana", "Asana", TICKETING, ("tickets",), {"tickets": {"projectGid": "string"}}, {"tickets": ("projectGid",)}),
    # includeDrafts is the string "true" on Pylon's page, not a boolean.
    Integration(
        "pylon", "Pylon", TICKETING, ("files", "tickets"),
        {"files": {"knowledgeBaseId": "string", "includeDrafts": "string"}, "tickets": {"state": "string"}},
        {"files": ("knowledgeBaseId",)},
    ),
)
