"""File storage accounts: a tree of folders and files with real content of the stated size and type."""

from __future__ import annotations

import hashlib
from functools import cached_property, lru_cache
from typing import Any, Callable, Sequence

from ..domain.catalog import FILE_STORAGE, Integration
from ..domain.errors import InvalidInput
from .base import Account, vocabulary
from .sharing import Directory, check_grant, generated_grants, grant_key, relations

GOOGLE_FOLDER = "application/vnd.google-apps.folder"
FOLDER = "application/x-directory"
TOP_LEVEL_FOLDERS = 4
BRANCHING = 4

# (extension, MIME type, minimum size, maximum size)
FILE_TYPES = (
    ("txt", "text/plain", 120, 16_000),
    ("md", "text/markdown", 200, 12_000),
    ("csv", "text/csv", 200, 40_000),
    ("json", "application/json", 60, 8_000),
    ("html", "text/html", 300, 20_000),
    ("pdf", "application/pdf", 900, 30_000),
)
ARTICLE_TYPES = (("html", "text/html", 400, 12_000),)


def folder_mime(integration: str) -> str:
    return GOOGLE_FOLDER if integration == "googledrive" else FOLDER


class FilesAccount(Account):
    prefix = "file"

    def __init__(self, seed: int, key: tuple[str, ...], size: int, integration: str, articles: bool = False):
        super().__init__(seed, key, size)
        self.integration = integration
        self.articles = articles  # help-center / knowledge-base articles: flat, HTML only
        self.folders = 0 if articles or size < 2 else max(1, size // 12)
        self.types = ARTICLE_TYPES if articles else FILE_TYPES
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

    def generate(self, index: int) -> dict[str, Any]:
        vocab = self.vocab
        parent = self.parent_index(index)
        created = self.when("created", index)
        item: dict[str, Any] = {
            "externalId": self.external_id(index),
            "createdAt": created,
            "updatedAt": max(created, self.when("updated", index)),
            "owner": self.owners[self.h("owner-of", index) % len(self.owners)],
            "parentExternalId": self.external_id(parent) if parent is not None else None,
        }
        if index < self.folders:
            words = " ".join(vocab.pick("words", self.h("fname", index, n)) for n in range(2))
            item.update(name=words.title(), mimeType=folder_mime(self.integration), size=0)
        else:
            ext, mime, low, high = self.types[self.h("type", index) % len(self.types)]
            words = "-".join(vocab.pick("words", self.h("name", index, n)) for n in range(3))
            item.update(name=f"{words}.{ext}", mimeType=mime, size=low + self.h("size", index) % (high - low))
        item["permissions"] = generated_grants(
            self.h, self.directory, index, index < self.folders, index < TOP_LEVEL_FOLDERS
        )
        return item

    def is_folder(self, item: dict[str, Any]) -> bool:
        return item["mimeType"] in (GOOGLE_FOLDER, FOLDER)

    def contains_others(self, item: dict[str, Any]) -> bool:
        return self.is_folder(item)  # what is inside may have moved in or out of a sync's scope

    def normalize(self, item: dict[str, Any], record_id: Callable[[str], str], integration: str) -> dict[str, Any]:
        record: dict[str, Any] = {
            "id": record_id(item["externalId"]),
            "externalId": item["externalId"],
            "name": item["name"],
            "mimeType": item["mimeType"],
            "size": item["size"],
            "url": f"https://{integration}.example.com/files/{item['externalId']}",
            "createdAt": item["createdAt"],
            "updatedAt": item["updatedAt"],
            "customFields": {"owner": item["owner"]},
        }
        if not self.is_folder(item):
            record["thumbnailUrl"] = f"https://{integration}.example.com/thumbnails/{item['externalId']}.png"
            record["hash"] = {"type": "MD5", "value": self.content_hash(item)}
        if item.get("parentExternalId"):
            record["parentFolderId"] = record_id(item["parentExternalId"])
        return record

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
            found = self.item(parent)
            parent = found.get("parentExternalId") if found else None
        return chain

    def in_scope(self, item: dict[str, Any], configuration: dict[str, Any]) -> bool:
        """The sync configuration decides which items a sync sees (folder, files, MIME types)."""
        if item.get("unshared"):
            return False  # no longer shared with the connected account
        if "fileIds" in configuration:
            return item["externalId"] in configuration["fileIds"]
        if "mimeTypes" in configuration and item["mimeType"] not in configuration["mimeTypes"]:
            return False
        folder = configuration.get("folderId")
        if folder is not None:
            if configuration.get("shallowSync"):
                return item.get("parentExternalId") == folder
            return folder in self.ancestors(item)
        return True

    # -- content ---------------------------------------------------------------------------
    def content(self, item: dict[str, Any]) -> tuple[bytes, str] | None:
        if self.is_folder(item):
            return None
        key = self.h("content", item["externalId"], item.get("_version", 0))
        return make_content(item["mimeType"], item["size"], key, self.vocab.sentences), item["mimeType"]

    def content_hash(self, item: dict[str, Any]) -> str | None:
        if self.is_folder(item):
            return None
        key = self.h("content", item["externalId"], item.get("_version", 0))
        return content_md5(item["mimeType"], item["size"], key, self.seed)

    # -- changes ---------------------------------------------------------------------------
    def updatable(self) -> set[str]:
        return {"name", "mimeType", "size", "parentExternalId", "owner", "permissions"}

    def check_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        fields = dict(fields)
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
        mime = fields.get("mimeType", "text/plain")
        name = fields.get("name") or f"new-file-{external_id[-4:]}.txt"
        parent = fields.get("parentExternalId")
        if parent is not None:
            found = self.require(parent)
            if not self.is_folder(found):
                raise InvalidInput("fields.parentExternalId", f"'{parent}' is a file, not a folder")
        checked = self.check_fields(fields)
        folder = mime in (GOOGLE_FOLDER, FOLDER)
        size = 0 if folder else int(fields.get("size", 1024))
        if size < 0 or size > 50_000_000:
            raise InvalidInput("fields.size", "size must be 0 to 50,000,000 bytes")
        return {
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

    def set_shared(self, external_id: str, shared: bool, at) -> dict[str, Any]:
        item = dict(self.require(external_id))
        item["unshared"] = not shared
        item["_version"] = int(item.get("_version", 0)) + 1
        self.overlay[external_id] = item
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


@lru_cache(maxsize=65_536)
def content_md5(mime: str, size: int, key: int, seed: int) -> str:
    """The MD5 a File record carries; remembered, since building the bytes is most of a page's cost."""
    return hashlib.md5(make_content(mime, size, key, vocabulary(seed).sentences)).hexdigest()


def make_content(mime: str, size: int, key: int, sentences: tuple[str, ...]) -> bytes:
    """Bytes of exactly `size` that are a valid document of the MIME type."""
    if mime == "application/pdf":
        return _pdf(size, key, sentences)
    text = _text(size, key, sentences)
    if mime == "application/json":
        head = b'{"notes": "'
        body = _text(max(size - len(head) - 2, 0), key, sentences).replace(b'"', b"'")
        return (head + body + b'"}')[: max(size, 0)] if size >= len(head) + 2 else b"{}"[:size].ljust(size, b" ")
    if mime == "text/csv":
        return (b"id,text\n" + text)[:size]
    if mime == "text/html":
        head, tail = b"<html><body><p>", b"</p></body></html>"
        if size < len(head) + len(tail):
            return text
        return head + _text(size - len(head) - len(tail), key, sentences) + tail
    return text


def _text(size: int, key: int, sentences: tuple[str, ...]) -> bytes:
    parts, total, n = [], 0, 0
    while total < size:
        sentence = (sentences[(key + n * 7919) % len(sentences)] + " ").encode()
        parts.append(sentence)
        total += len(sentence)
        n += 1
    return b"".join(parts)[:size]


def _pdf(size: int, key: int, sentences: tuple[str, ...]) -> bytes:
    """A real one-page PDF whose text is a sentence; padded with a PDF comment to `size` bytes."""
    line = sentences[key % len(sentences)].replace("(", "").replace(")", "").replace("\\", "")
    stream = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    padding = size - (len(out) + 200)
    if padding > 2:
        # A comment line keeps the file valid while making it the stated size.
        out += b"%" + _text(padding - 2, key, sentences).replace(b"\n", b" ") + b"\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    if len(out) < size:
        out = out[:-6] + b" " * (size - len(out)) + b"%%EOF\n"
    return bytes(out[:size]) if len(out) > size else bytes(out)


# -- the file-storage integrations (catalog rows; ticketing tools' articles are in tickets.py) --------
_PICK = {"folderId": "string", "fileIds": "string[]", "mimeTypes": "string[]"}

INTEGRATIONS = (
    Integration("googledrive", "Google Drive", FILE_STORAGE, ("files",), {"files": dict(_PICK)}, permissions=True),
    Integration("box", "Box", FILE_STORAGE, ("files",), {"files": {**_PICK, "shallowSync": "boolean"}}, permissions=True),
    Integration(
        "dropbox", "Dropbox", FILE_STORAGE, ("files",), {"files": {**_PICK, "orgWideSync": "boolean"}}, permissions=True
    ),
    Integration(
        "onedrive", "OneDrive", FILE_STORAGE, ("files",), {"files": {**_PICK, "driveId": "string"}}, permissions=True
    ),
    Integration(
        "sharepoint", "SharePoint", FILE_STORAGE, ("files",),
        {"files": {**_PICK, "siteId": "string", "includeListItemMetadata": "boolean"}},
        {"files": ("siteId",)}, permissions=True,
    ),
    Integration(
        "amazons3", "Amazon S3", FILE_STORAGE, ("files",), {"files": {**_PICK, "bucket": "string", "prefix": "string"}},
        {"files": ("bucket",)},
    ),
    Integration(
        "confluence", "Confluence", FILE_STORAGE, ("files",), {"files": {"spaceId": "string", "pageIds": "string[]"}},
        {"files": ("spaceId",)}, permissions=True,
    ),
    Integration("notion", "Notion", FILE_STORAGE, ("files",), {"files": {"pageIds": "string[]"}}),
)
