"""Page trees: Notion and Confluence hold pages, and a page's children are pages.

Each page is one document: Notion's Markdown (its properties in `customFields` and, as YAML
front matter, at the top of the content), Confluence's HTML. The tree is FilesAccount's, with
pages where the folders were; a sync of chosen pages takes each one and its descendants.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from .files import FilesAccount

NOTION_STATUSES = ("Not started", "In progress", "Done")
UNTITLED_ONE_IN = 20  # Notion pages with no title: a synced file with an empty name
# (MIME type, least size, most size) of a page's document
DOCUMENTS = {"notion": ("text/markdown", 200, 6_000), "confluence": ("text/html", 400, 12_000)}


class PagesAccount(FilesAccount):
    def __init__(self, seed: int, key: tuple[str, ...], size: int, integration: str):
        super().__init__(seed, key, size, integration)
        self.default_mime, self.low, self.high = DOCUMENTS[integration]
        self.notion = integration == "notion"

    # -- the tree: pages under pages ----------------------------------------------------------
    def title(self, index: int) -> str:
        draw = self.h("page", index)
        if self.notion and index >= self.folders and draw % UNTITLED_ONE_IN == 0:
            return ""
        return " ".join(self.vocab.pick("words", self.h("title", index, n)) for n in range(2 + draw % 3)).capitalize()

    folder_name = title  # a parent's name, for paths and ancestors

    def generate(self, index: int) -> dict[str, Any]:
        parent = self.parent_index(index)
        title = self.title(index)
        item = self.item_head(index, parent)
        item.update(
            name=title,
            mimeType=self.default_mime,
            size=self.low + self.h("size", index) % (self.high - self.low),
            permissions=self.generated_permissions(index),
        )
        if self.notion:
            item["properties"] = self.properties(index, title, parent)
        return item

    def properties(self, index: int, title: str, parent: int | None) -> dict[str, Any]:
        """A plain page's only property is its title; a database entry (a page under a parent page,
        two in five) has a database's columns too, drawn from one hash."""
        draw = self.h("props", index)
        if parent is None or index < self.folders or draw % 5 >= 2:
            return {"title": title}
        v = self.vocab
        found: dict[str, Any] = {
            "Name": title,
            "Status": NOTION_STATUSES[(draw >> 4) % len(NOTION_STATUSES)],
            "Tags": [v.pick("words", self.h("tag", index, n)) for n in range(1 + (draw >> 8) % 3)],
            "Owner": f"{v.pick('first_names', draw >> 12)} {v.pick('last_names', draw >> 24)}",
        }
        if (draw >> 36) % 5 < 3:
            found["Due"] = self.when("due", index)[:10]
        return found

    def is_folder(self, item: dict[str, Any]) -> bool:
        return False

    def holds_others(self, item: dict[str, Any]) -> bool:
        return True

    def contains_others(self, item: dict[str, Any]) -> bool:
        # Generated pages past the parents have no children; any other page may have some.
        index = self.index_of(item["externalId"])
        return index is None or index < self.folders

    def generated_mime(self, index: int) -> str:
        return self.default_mime

    # -- what a sync sees and how it is served ------------------------------------------------
    def sees_every_item(self, configuration: dict[str, Any]) -> bool:
        return not (configuration.get("pageIds") or "pageId" in configuration)

    def in_scope(self, item: dict[str, Any], configuration: dict[str, Any]) -> bool:
        """Chosen pages (`pageIds`, Confluence's `pageId`) come with their descendants; a space
        or a global sync takes every page."""
        if item.get("unshared"):
            return False
        chosen = configuration.get("pageIds") or ([configuration["pageId"]] if "pageId" in configuration else None)
        if chosen:
            return item["externalId"] in chosen or any(page in chosen for page in self.ancestors(item))
        return True

    def record_of(
        self, item: dict[str, Any], record_id: Callable[[str], str], integration: str, configuration: dict[str, Any]
    ) -> dict[str, Any]:
        record = super().record_of(item, record_id, integration, configuration)
        if self.notion and "parentFolderId" in record:
            record["parentId"] = record["parentFolderId"]  # the name Notion's page uses
        return record

    def custom_fields(self, item: dict[str, Any], configuration: dict[str, Any]) -> dict[str, Any]:
        return dict(self.page_properties(item)) if self.notion else {}

    def page_properties(self, item: dict[str, Any]) -> dict[str, Any]:
        return item.get("properties") or {"title": item["name"]}

    def front_matter(self, item: dict[str, Any]) -> str:
        if not self.notion:
            return ""
        lines = [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
                 for k, v in self.page_properties(item).items()]
        return "---\n" + "\n".join(lines) + "\n---\n\n"

    # -- changes ------------------------------------------------------------------------------
    def update(self, external_id: str, fields: dict[str, Any], at, kind: str = "updated") -> dict[str, Any]:
        updated = super().update(external_id, fields, at, kind)
        if self.notion and "name" in fields:
            properties = dict(self.page_properties(updated))
            properties["Name" if "Name" in properties else "title"] = updated["name"]
            updated["properties"] = properties  # the title property is the name
        return updated
