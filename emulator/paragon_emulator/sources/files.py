"""File storage accounts: a tree of folders and files, each file real content of its type (sources/content)."""

from __future__ import annotations

import json
from bisect import bisect_right
from functools import cached_property
from itertools import accumulate
from typing import Any, Callable, Sequence

from ..domain.catalog import FILE_STORAGE, Integration
from ..domain.errors import InvalidInput
from . import content
from .base import Account
from .sharing import Directory, check_grant, generated_grants, grant_key, relations

GOOGLE_FOLDER = "application/vnd.google-apps.folder"
FOLDER = "application/x-directory"
TOP_LEVEL_FOLDERS = 4
# Configuration keys that leave some items out of a sync (FilesAccount.in_scope reads them).
SCOPING = ("fileIds", "mimeTypes", "prefix", "folderId")
DEPARTMENTS = ("Finance", "Legal", "Marketing", "Engineering", "Sales", "Operations")
DOCUMENT_STATUSES = ("Draft", "In review", "Approved", "Final")
BRANCHING = 4

# (extension, MIME type, minimum size, maximum size, weight): a mix like a team drive's, by count.
# A text format's size is exact; a built one's (Office, PDF, images) follows from its text, which
# the size sets roughly.
FILE_TYPES = (
    ("docx", content.DOCX, 600, 8_000, 14),
    ("pdf", content.PDF, 600, 9_000, 13),
    ("xlsx", content.XLSX, 300, 3_000, 8),
    ("pptx", content.PPTX, 600, 6_000, 5),
    ("txt", "text/plain", 120, 16_000, 8),
    ("md", "text/markdown", 200, 12_000, 6),
    ("csv", "text/csv", 200, 40_000, 6),
    ("json", "application/json", 60, 8_000, 4),
    ("html", "text/html", 300, 20_000, 5),
    ("png", content.PNG, 0, 1, 7),
    ("jpg", content.JPEG, 0, 1, 9),
)
# Google Drive also holds Google's own documents (no extension); they download as Office files.
GOOGLE_TYPES = (
    ("", content.GOOGLE_DOC, 600, 8_000, 10),
    ("", content.GOOGLE_SHEET, 300, 3_000, 6),
    ("", content.GOOGLE_SLIDES, 600, 6_000, 3),
)
ARTICLE_TYPES = (("html", "text/html", 400, 12_000, 1),)
EXTENSIONS = {mime: ext for ext, mime, *_ in FILE_TYPES}
# An item's own text: its documents are laid out per number of lines, so both are bounded.
MAX_TEXT, MAX_LINES = 50_000, 1_000


def folder_mime(integration: str) -> str:
    return GOOGLE_FOLDER if integration == "googledrive" else FOLDER



def file_url(integration: str, external_id: str) -> str:
    """Where an item lives at its integration (a file record's `url`)."""
    return f"https://{integration}.example.com/files/{external_id}"

class FilesAccount(Account):
    prefix = "file"
    default_mime = "text/plain"  # of an item created without one

    def __init__(self, seed: int, key: tuple[str, ...], size: int, integration: str, articles: bool = False):
        super().__init__(seed, key, size)
        self.integration = integration
        self.articles = articles  # help-center / knowledge-base articles: flat, HTML only
        self.folders = 0 if articles or size < 2 else max(1, size // 12)
        self.types = ARTICLE_TYPES if articles else FILE_TYPES + (GOOGLE_TYPES if integration == "googledrive" else ())
        self.weights = list(accumulate(t[-1] for t in self.types))
        self.versions: dict[tuple[str, int], dict[str, Any]] = {}  # every version of changed items, for content
        self._links: dict[str, tuple[str, str | None]] = {}  # generated folder -> (name, parent's id)
        self.owners = [
            f"{self.vocab.pick('first_names', self.h('owner', n)).lower()}@{self.vocab.pick('domains', self.h('dom'))}"
            for n in range(5)
        ]

    @cached_property
    def directory(self) -> Directory:
        """The organisation the account belongs to: its people and groups (made on first use)."""
        return Directory(self.h, self.vocab.pick, self.owners[0].partition("@")[2], self.owners, self.size)

    # -- the tree --------------------------------------------------------------------------
    def parent_index(self, index: int) -> int | None:
        if index < self.folders:
            return None if index < TOP_LEVEL_FOLDERS else (index - TOP_LEVEL_FOLDERS) // BRANCHING
        if self.folders == 0 or self.h("top", index) % 10 == 0:
            return None
        return self.h("parent", index) % self.folders

    def folder_name(self, index: int) -> str:
        return " ".join(self.vocab.pick("words", self.h("fname", index, n)) for n in range(2)).title()

    def link(self, external_id: str) -> tuple[str | None, str | None]:
        """(name, parent's external id) of a folder, None for one that does not exist. Generated
        folders are computed (and kept: there are few), not generated whole: paths and ancestors
        walk them for every item read."""
        if external_id not in self.overlay and external_id not in self.deleted:
            found = self._links.get(external_id)
            if found is not None:
                return found
            index = self.index_of(external_id)
            if index is not None:
                parent = self.parent_index(index)
                found = (self.folder_name(index), self.external_id(parent) if parent is not None else None)
                self._links[external_id] = found
                return found
        item = self.item(external_id)
        return (item["name"], item.get("parentExternalId")) if item is not None else (None, None)

    def path_of(self, item: dict[str, Any]) -> str:
        """'/Folder/Sub/name.docx': where the item sits in the account, by its folders' names."""
        names, parent, seen = [item["name"]], item.get("parentExternalId"), set()
        while parent is not None and parent not in seen:
            seen.add(parent)
            name, parent = self.link(parent)
            if name is None:
                break
            names.append(name)
        return "/" + "/".join(reversed(names))

    def generate(self, index: int) -> dict[str, Any]:
        item = self.item_head(index, self.parent_index(index))
        if index < self.folders:
            item.update(name=self.folder_name(index), mimeType=folder_mime(self.integration), size=0)
        else:
            ext, mime, low, high, _ = self.generated_type(index)
            words = [self.vocab.pick("words", self.h("name", index, n)) for n in range(3)]
            name = f"{'-'.join(words)}.{ext}" if ext else " ".join(words).capitalize()
            item.update(name=name, mimeType=mime, size=low + self.h("size", index) % (high - low))
        item["permissions"] = self.generated_permissions(index)
        return item

    def sketch(self, index: int) -> dict[str, Any]:
        """The generated item's parent, type and sharing (what a sync's graph reads), not its name,
        dates or size: a fifth of the hashing of `generate`."""
        parent = self.parent_index(index)
        return {
            "externalId": self.external_id(index),
            "owner": self.generated_owner(index),
            "parentExternalId": self.external_id(parent) if parent is not None else None,
            "mimeType": self.generated_mime(index),
            "permissions": self.generated_permissions(index),
        }

    def generated_mime(self, index: int) -> str:
        return folder_mime(self.integration) if index < self.folders else self.generated_type(index)[1]

    def generated_type(self, index: int) -> tuple[str, str, int, int, int]:
        """(extension, MIME type, least size, most size, weight) of a generated file."""
        return self.types[bisect_right(self.weights, self.h("type", index) % self.weights[-1])]

    def item_head(self, index: int, parent: int | None) -> dict[str, Any]:
        """What a generated item of the tree starts with (its id, dates, owner and parent), in the
        order its JSON has them."""
        created = self.when("created", index)
        return {
            "externalId": self.external_id(index),
            "createdAt": created,
            "updatedAt": max(created, self.when("updated", index)),
            "owner": self.generated_owner(index),
            "parentExternalId": self.external_id(parent) if parent is not None else None,
        }

    def generated_owner(self, index: int) -> str:
        return self.owners[self.h("owner-of", index) % len(self.owners)]

    def generated_permissions(self, index: int) -> list[dict[str, Any]]:
        return generated_grants(self.h, self.directory, index, index < self.folders, index < TOP_LEVEL_FOLDERS)

    def is_folder(self, item: dict[str, Any]) -> bool:
        return item["mimeType"] in (GOOGLE_FOLDER, FOLDER)

    def holds_others(self, item: dict[str, Any]) -> bool:
        """Whether other items may sit inside it (a folder here; any page in a page tree)."""
        return self.is_folder(item)

    def contains_others(self, item: dict[str, Any]) -> bool:
        return self.is_folder(item)  # what is inside may have moved in or out of a sync's scope

    def normalize(
        self, item: dict[str, Any], record_id: Callable[[str], str], integration: str, configuration: dict[str, Any]
    ) -> dict[str, Any] | Callable[[], dict[str, Any]]:
        record = self.record_of(item, record_id, integration, configuration)
        if self.is_folder(item):
            return record
        # A file's size and MD5 are its bytes' (built from the item as synced): they are made when
        # the record is first read, so a sync, or a snapshot's replay, does not build documents.
        plan = self.plan(item)

        def with_content_digest() -> dict[str, Any]:
            record["size"], record["hash"]["value"] = content.digest(plan)
            return record

        return with_content_digest

    def record_of(
        self, item: dict[str, Any], record_id: Callable[[str], str], integration: str, configuration: dict[str, Any]
    ) -> dict[str, Any]:
        """The record but for its content's size and MD5 (left 0 and "")."""
        folder = self.is_folder(item)
        record: dict[str, Any] = {
            "id": record_id(item["externalId"]),
            "externalId": item["externalId"],
            "name": item["name"],
            "mimeType": item["mimeType"],
            "size": 0,  # the bytes a download gives, whatever size the item was given
            "url": file_url(integration, item["externalId"]),
            "createdAt": item["createdAt"],
            "updatedAt": item["updatedAt"],
        }
        custom = self.custom_fields(item, configuration)
        if custom:
            record["customFields"] = custom
        if not folder:
            record["thumbnailUrl"] = f"https://{integration}.example.com/thumbnails/{item['externalId']}.png"
            record["hash"] = {"type": "MD5", "value": ""}
        if item.get("parentExternalId"):
            record["parentFolderId"] = record_id(item["parentExternalId"])
        return record

    def custom_fields(self, item: dict[str, Any], configuration: dict[str, Any]) -> dict[str, Any]:
        """Only what the integration's page documents: SharePoint's fullPath (always) and, with
        includeMetadata, the list item's columns."""
        if self.integration != "sharepoint":
            return {}
        custom: dict[str, Any] = {"fullPath": self.path_of(item)}
        if configuration.get("includeMetadata"):
            custom["metadata"] = self.list_item(item)
        return custom

    def list_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """A SharePoint document library's columns for the item: its built-in ones and a few a
        team adds (one hash decides them all)."""
        draw = self.h("columns", item["externalId"])
        folder = self.is_folder(item)
        columns: dict[str, Any] = {
            "ContentType": "Folder" if folder else "Document",
            "Title": content.title_of(item["name"]),
            "Author": item.get("owner", ""),
            "_UIVersionString": f"{1 + draw % 7}.0",
        }
        if not folder and draw >> 8 & 3:
            columns["Department"] = DEPARTMENTS[(draw >> 10) % len(DEPARTMENTS)]
            columns["DocumentStatus"] = DOCUMENT_STATUSES[(draw >> 16) % len(DOCUMENT_STATUSES)]
        return columns

    # -- sharing ---------------------------------------------------------------------------
    def relations(self, item: dict[str, Any]) -> list[tuple[str, str]]:
        return relations(item)

    def directory_users(self) -> list[str]:
        return self.directory.people + self.directory.outsiders

    def group_members(self, configuration: dict[str, Any]) -> dict[str, Sequence[str]]:
        # Dropbox brings group permissions only with orgWideSync (team accounts).
        synced = self.integration != "dropbox" or bool(configuration.get("orgWideSync"))
        return {group: (members if synced else ()) for group, members in self.directory.groups.items()}

    def ancestors(self, item: dict[str, Any]) -> list[str]:
        chain, parent, seen = [], item.get("parentExternalId"), set()
        while parent is not None and parent not in seen:
            seen.add(parent)
            chain.append(parent)
            name, parent = self.link(parent)
        return chain

    def sees_every_item(self, configuration: dict[str, Any]) -> bool:
        return type(self).in_scope is FilesAccount.in_scope and not any(key in configuration for key in SCOPING)

    def in_scope(self, item: dict[str, Any], configuration: dict[str, Any]) -> bool:
        """The sync configuration decides which items a sync sees (folder, files, MIME types)."""
        if item.get("unshared"):
            return False  # no longer shared with the connected account
        if "fileIds" in configuration:
            return item["externalId"] in configuration["fileIds"]
        if "mimeTypes" in configuration and item["mimeType"] not in configuration["mimeTypes"]:
            return False
        prefix = configuration.get("prefix")  # S3: a key prefix, "reports/2025/"
        if prefix is not None and not self.path_of(item)[1:].startswith(prefix):
            return False
        folder = configuration.get("folderId")
        if folder is not None:
            if folder.startswith("/") and self.integration == "dropbox":
                return self._under_path(item, folder, bool(configuration.get("shallowSync")))
            if configuration.get("shallowSync"):
                return item.get("parentExternalId") == folder
            return folder in self.ancestors(item)
        return True

    def _under_path(self, item: dict[str, Any], folder: str, shallow: bool) -> bool:
        """Dropbox names a folder by its path ("/Documents"), compared as Dropbox does, ignoring case."""
        where, top = self.path_of(item).lower(), folder.rstrip("/").lower()
        return where.rpartition("/")[0] == top if shallow else where.startswith(top + "/")

    # -- content ---------------------------------------------------------------------------
    def plan(self, item: dict[str, Any]) -> content.Plan:
        """What the item's bytes are made from: the same plan, the same bytes."""
        return content.Plan(
            mime=item["mimeType"],
            title=content.title_of(item["name"]),
            # Not _version: sharing and unsharing make versions too, and leave the bytes alone.
            key=self.h("content", item["externalId"], item.get("_content", 0)),
            seed=self.seed,
            size=int(item["size"]),
            text=item.get("content"),
            created=item["createdAt"],
            modified=item["updatedAt"],
            author=item.get("owner", ""),
            front=self.front_matter(item),
        )

    def front_matter(self, item: dict[str, Any]) -> str:
        return ""

    def content(self, item: dict[str, Any]) -> tuple[bytes, str] | None:
        if self.is_folder(item):
            return None
        data, _ = content.render(self.plan(item))
        return data, content.served_type(item["mimeType"])

    def item_of_record(self, data: dict[str, Any], version: int) -> dict[str, Any]:
        # The record is the item as synced; its content is that version's, kept when it changed.
        kept = self.versions.get((data["externalId"], version))
        return kept if kept is not None else {**data, "_version": version}

    def _keep(self, item: dict[str, Any]) -> dict[str, Any]:
        self.versions[(item["externalId"], int(item.get("_version", 0)))] = item
        return item

    # -- changes ---------------------------------------------------------------------------
    def updatable(self) -> set[str]:
        return {"name", "mimeType", "size", "parentExternalId", "owner", "permissions", "content"}

    def create(self, fields: dict[str, Any], at) -> dict[str, Any]:
        return self._keep(super().create(fields, at))

    def update(self, external_id: str, fields: dict[str, Any], at, kind: str = "updated") -> dict[str, Any]:
        current = self.require(external_id)
        fields = dict(fields)
        merged = {**current, **self.check_fields(fields)}
        sized = self._own_text_size(merged, fields.get("size"))
        if sized is not None:
            fields["size"] = sized
        self._check_content(merged)
        updated = super().update(external_id, fields, at, kind)
        updated["_content"] = int(current.get("_content", 0)) + 1  # what keys its bytes (see `plan`)
        return self._keep(updated)

    def _own_text_size(self, item: dict[str, Any], given: int | None) -> int | None:
        """A text file with its own text is that text: its size follows (None: the item has no such text)."""
        text = item.get("content")
        if text is None or content.built(item["mimeType"]) or self.is_folder(item):
            return None
        size = len(text.encode("utf-8"))
        if given is not None and given != size:
            raise InvalidInput("fields.size", f"the content is {size:,} bytes, not {given:,}; leave size out")
        return size

    def _check_content(self, item: dict[str, Any]) -> None:
        """An item's own text must suit its type: none for a folder or an image, JSON for a .json."""
        text = item.get("content")
        if text is None:
            return
        mime = item["mimeType"]
        if self.is_folder(item) or content.served_type(mime) in content.IMAGES:
            raise InvalidInput("fields.content", f"a {mime} item holds no text; leave content out")
        if mime == "application/json":
            try:
                json.loads(text)
            except ValueError as exc:
                raise InvalidInput("fields.content", f"content of an application/json item must be JSON: {exc}") from None

    def check_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        fields = dict(fields)
        if "content" in fields:
            text = fields["content"]
            if not isinstance(text, str) or len(text) > MAX_TEXT or text.count("\n") >= MAX_LINES:
                raise InvalidInput(
                    "fields.content", f"content is the file's text: a string of at most {MAX_TEXT:,} characters and {MAX_LINES:,} lines"
                )
        if "size" in fields and (
            isinstance(fields["size"], bool) or not isinstance(fields["size"], int) or not 0 <= fields["size"] <= 50_000_000
        ):
            raise InvalidInput("fields.size", f"size must be 0 to 50,000,000 bytes, not {fields['size']!r}")
        if "mimeType" in fields and (not isinstance(fields["mimeType"], str) or "/" not in fields["mimeType"]):
            raise InvalidInput("fields.mimeType", f"mimeType must be a MIME type such as text/plain, not {fields['mimeType']!r}")
        if "name" in fields and (not isinstance(fields["name"], str) or not fields["name"].strip()):
            raise InvalidInput("fields.name", f"name must be a non-empty string, not {fields['name']!r}")
        if "owner" in fields:
            fields["owner"] = str(fields["owner"]).strip().lower()  # emails compare case-insensitively
        if "permissions" not in fields:
            return fields
        grants = fields["permissions"]
        if not isinstance(grants, list) or not all(isinstance(g, dict) for g in grants):
            raise InvalidInput("fields.permissions", "permissions is a list of grants such as {type, email, role}")
        fields["permissions"] = [check_grant(g, at=f"$.fields.permissions[{n}]") for n, g in enumerate(grants)]
        return fields

    def build_created(self, external_id: str, fields: dict[str, Any], at: str) -> dict[str, Any]:
        checked = self.check_fields(fields)
        mime = checked.get("mimeType", self.default_mime)
        ext = EXTENSIONS.get(mime, "txt" if mime.startswith("text/") else "")
        name = fields.get("name") or f"new-file-{external_id[-4:]}" + (f".{ext}" if ext else "")
        parent = fields.get("parentExternalId")
        if parent is not None:
            found = self.require(parent)
            if not self.holds_others(found):
                raise InvalidInput("fields.parentExternalId", f"'{parent}' is a file, not a folder")
        folder = mime in (GOOGLE_FOLDER, FOLDER)
        text = checked.get("content")
        size = self._own_text_size({"mimeType": mime, "content": text}, checked.get("size"))
        if size is None:
            size = 0 if folder else checked.get("size", 1024)
        item = {
            "externalId": external_id,
            "name": name,
            "mimeType": mime,
            "size": size,
            "createdAt": at,
            "updatedAt": at,
            "owner": checked.get("owner", self.owners[0]),
            "parentExternalId": parent,
            "permissions": checked.get("permissions", []),
        }
        if text is not None:
            item["content"] = text
        self._check_content(item)
        return item

    def set_shared(self, external_id: str, shared: bool, at) -> dict[str, Any]:
        item = dict(self.require(external_id))
        item["unshared"] = not shared
        item["_version"] = int(item.get("_version", 0)) + 1
        self.overlay[external_id] = self._keep(item)
        self._log(external_id, "shared" if shared else "unshared")
        return item

    # -- sharing (permissions) -------------------------------------------------------------
    def grant(self, external_id: str, grant: dict[str, Any]) -> dict[str, Any]:
        """Share the item with someone (or change their role); the item's own version is unchanged."""
        clean = check_grant(grant)
        item = dict(self.require(external_id))
        others = [g for g in item.get("permissions", []) if grant_key(g) != grant_key(clean)]
        item["permissions"] = others + [clean]
        self.overlay[external_id] = item
        self._log(external_id, "permissions")
        return item

    def revoke(self, external_id: str, grant: dict[str, Any]) -> dict[str, Any]:
        clean = check_grant(grant, need_role=False)
        item = dict(self.require(external_id))
        kept = [g for g in item.get("permissions", []) if grant_key(g) != grant_key(clean)]
        if len(kept) == len(item.get("permissions", [])):
            raise InvalidInput("$.type", f"item '{external_id}' is not shared with {' '.join(grant_key(clean)).strip()}")
        item["permissions"] = kept
        self.overlay[external_id] = item
        self._log(external_id, "permissions")
        return item

    def set_group(self, group: str, members: list[str]) -> dict[str, Any]:
        clean = self.directory.set_members(group, members)
        self._log(f"group:{group.strip().lower()}", "membership")
        return {"email": group.strip().lower(), "members": clean}


# -- the file-storage integrations (catalog rows; ticketing tools' articles are in tickets.py) --------
_PICK = {"folderId": "string", "fileIds": "string[]", "mimeTypes": "string[]"}

INTEGRATIONS = (
    Integration("googledrive", "Google Drive", FILE_STORAGE, ("files",), {"files": dict(_PICK)}, permissions=True),
    Integration("box", "Box", FILE_STORAGE, ("files",), {"files": {**_PICK, "shallowSync": "boolean"}}, permissions=True),
    Integration(
        "dropbox", "Dropbox", FILE_STORAGE, ("files",),
        {"files": {**_PICK, "orgWideSync": "boolean", "shallowSync": "boolean"}}, permissions=True,
    ),
    Integration(
        "onedrive", "OneDrive", FILE_STORAGE, ("files",), {"files": {**_PICK, "driveId": "string", "shallowSync": "boolean"}},
        permissions=True,
    ),
    Integration(
        "sharepoint", "SharePoint", FILE_STORAGE, ("files",),
        {"files": {**_PICK, "siteId": "string", "includeMetadata": "boolean"}},
        one_of={"files": ("siteId", "folderId", "fileIds")}, permissions=True,
    ),
    Integration(
        "amazons3", "Amazon S3", FILE_STORAGE, ("files",), {"files": {**_PICK, "bucket": "string", "prefix": "string"}},
        {"files": ("bucket",)},
    ),
    # Space sync, specific pages (and their descendants), or one page and its descendants.
    Integration(
        "confluence", "Confluence", FILE_STORAGE, ("files",),
        {"files": {"spaceId": "string", "pageIds": "string[]", "pageId": "string"}},
        one_of={"files": ("spaceId", "pageIds", "pageId")}, permissions=True,
    ),
    Integration("notion", "Notion", FILE_STORAGE, ("files",), {"files": {"pageIds": "string[]"}}),
)
