"""Each integration as its Managed Sync page documents it: every pipeline with every configuration
mode is accepted, syncs, and serves records that validate against the pipeline's schema in the
spec, with the schema's optional fields present in a realistic share of records.

DOCUMENTED below is the pages transcribed (the test's reference, written apart from the
catalog). Ids a mode needs (a folder, a page, a file) are taken from the upstream account as the
control plane lists it.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from starlette.testclient import TestClient

import paragon_emulator
from paragon_emulator import create_app
from tests.conftest import PROJECT, advance, make_settings

SIZE = 80  # items per upstream account: enough for shares to mean something
FOLDER, FOLDER_PATH, FILE, PAGE, OTHER_PAGE = "<folder>", "<folder path>", "<file>", "<page>", "<other page>"
CRM = ("contacts", "companies", "deals")


def _crm(modes: dict[str, dict[str, Any]], custom: dict[str, Any] | None) -> dict[str, dict[str, dict[str, Any]]]:
    pipelines = {pipeline: dict(modes) for pipeline in CRM}
    if custom is not None:
        pipelines["custom_objects"] = {"custom object": custom}
    return pipelines


DOCUMENTED: dict[str, dict[str, dict[str, dict[str, Any]]]] = {
    "googledrive": {"files": {"global": {}, "folder": {"folderId": FOLDER}, "specific files": {"fileIds": [FILE]}}},
    "box": {"files": {
        "global": {}, "mime types": {"mimeTypes": ["text/plain", "application/pdf"]}, "folder": {"folderId": FOLDER},
        "folder, top level only": {"folderId": FOLDER, "shallowSync": True}, "specific files": {"fileIds": [FILE]},
    }},
    "dropbox": {"files": {
        "global": {}, "team account": {"orgWideSync": True}, "folder by path": {"folderId": FOLDER_PATH},
        "folder by path, top level only": {"folderId": FOLDER_PATH, "shallowSync": True},
        "specific files": {"fileIds": [FILE]},
    }},
    "onedrive": {"files": {
        "default drive": {}, "drive": {"driveId": "b!-RIj2DuyvEyV1T4NlOaMHk8XkS_I8MdFlUCq1BlcjgmhRfAj3-Z8RY2VpuvV_tpd"},
        "folder": {"folderId": FOLDER},
    }},
    "sharepoint": {"files": {
        "site": {"siteId": "contoso.sharepoint.com,12345678-1234-1234-1234-123456789012,87654321-4321-4321-4321-210987654321"},
        "site with list item metadata": {"siteId": "contoso.sharepoint.com,1,2", "includeMetadata": True},
        "folder without a site": {"folderId": FOLDER}, "specific files": {"fileIds": [FILE]},
    }},
    "amazons3": {"files": {
        "bucket": {"bucket": "my-s3-bucket"}, "bucket, mime types": {"bucket": "my-s3-bucket", "mimeTypes": ["text/csv"]},
        "folder": {"bucket": "my-s3-bucket", "folderId": FOLDER}, "specific files": {"bucket": "my-s3-bucket", "fileIds": [FILE]},
    }},
    "confluence": {"files": {
        "space": {"spaceId": "123456789"}, "specific pages": {"pageIds": [PAGE, OTHER_PAGE]}, "one page": {"pageId": PAGE},
    }},
    "notion": {"files": {"global": {}, "specific pages": {"pageIds": [PAGE]}}},
    "servicenow": {"files": {"all knowledge bases": {}, "one knowledge base": {"kbId": "kb_knowledge_base_sys_id_here"}},
                   "tickets": {"all": {}}},
    "zendesk": {"files": {"default locale": {}, "locale": {"locale": "en-us"}},
                "tickets": {"all": {}, "organization": {"organizationId": "360001"}}},
    "intercom": {"files": {"all help centers": {}, "help center": {"helpCenterId": "12345"}}, "tickets": {"all": {}}},
    "pylon": {"files": {"knowledge base": {"knowledgeBaseId": "kb_123"},
                        "with drafts": {"knowledgeBaseId": "kb_123", "includeDrafts": "true"}},
              "tickets": {"all": {}, "one state": {"state": "new"}}},
    "jira": {"tickets": {"project": {"projectId": "10001"}}},
    "asana": {"tickets": {"project": {"projectGid": "1234567890"}}},
    "monday": {"tickets": {"board": {"boardId": "1234567890"}}},
    "clickup": {"tickets": {"list": {"listId": "901234567"}}},
    "freshdesk": {"tickets": {"all": {}, "company": {"companyId": "103000"}}},
    "salesforce": _crm({"all": {}, "list view": {"listViewId": "00B5e00000ABCDE"}}, {"customObjectName": "Product_Catalog__c"}),
    "hubspot": _crm(
        {"all": {}, "properties": {"properties": ["firstname", "lastname", "email"]}, "list view": {"listViewId": "12345"}},
        {"customObjectName": "p_projects"},
    ),
    "pipedrive": _crm({"all": {}}, None),
    "zohocrm": _crm({"all": {}, "credit backoff": {"backoffAtCreditPercentage": 0.8}},
                    {"customObjectName": "Subscriptions", "backoffAtCreditPercentage": 0.8}),
    "microsoftDynamics": _crm(
        {"all": {}, "saved view": {"view": {"type": "savedquery", "id": "00000000-0000-0000-00aa-000010001002"}}},
        {"customObjectName": "new_project"},
    ),
}
SCHEMAS = {"files": "File", "contacts": "Contact", "companies": "Company", "deals": "Deal",
           "custom_objects": "CustomObject", "tickets": "Ticket"}
# Optional fields a client maps: each must come in some records and not in all.
OPTIONAL = {
    "contacts": ("addresses", "socialProfiles", "lastActivityAt", "lifecycleStage", "tags", "notes", "website"),
    "companies": ("parentCompanyId", "customFields"),
    "deals": ("description", "customFields"),
    "tickets": ("dueAt", "resolvedAt"),
    "files": ("parentFolderId",),
}
# customFields keys each file integration documents (Notion: a page's properties, any names).
FILE_CUSTOM_FIELDS = {"sharepoint": {"fullPath", "metadata"}}
CASES = [
    pytest.param(integration, pipeline, configuration, id=f"{integration}-{pipeline}-{mode}")
    for integration, pipelines in DOCUMENTED.items()
    for pipeline, modes in pipelines.items()
    for mode, configuration in modes.items()
]
NAMES = itertools.count()
SPEC = yaml.safe_load((Path(paragon_emulator.__file__).parent / "openapi.yaml").read_text())


def validator(pipeline: str) -> OAS30Validator:
    return OAS30Validator(SPEC["components"]["schemas"][SCHEMAS[pipeline]], format_checker=oas30_format_checker)


@pytest.fixture(scope="module")
def emulator():
    with TestClient(create_app(make_settings(account_size=SIZE))) as client:
        yield client, {}


def upstream(emulator, integration: str, pipeline: str) -> dict[str, dict[str, Any]]:
    client, cache = emulator
    if (integration, pipeline) not in cache:
        path = f"/_emulator/upstream/{PROJECT}/alice/{integration}/{pipeline}"
        items = client.get(path, params={"limit": 1000}).json()["items"]
        cache[integration, pipeline] = {item["externalId"]: item for item in items}
    return cache[integration, pipeline]


def parents(items: dict[str, dict[str, Any]]) -> list[str]:
    """Items others sit in, those with the most below them first."""
    below: dict[str, int] = {}
    for item in items.values():
        for ancestor in chain_of(items, item["externalId"]):
            below[ancestor] = below.get(ancestor, 0) + 1
    return sorted(below, key=lambda e: (-below[e], e))


def chain_of(items: dict[str, dict[str, Any]], external_id: str) -> list[str]:
    found, parent = [], items[external_id].get("parentExternalId")
    while parent is not None:
        found.append(parent)
        parent = items[parent].get("parentExternalId")
    return found


def path_of(items: dict[str, dict[str, Any]], external_id: str) -> str:
    names = [items[e]["name"] for e in [external_id, *chain_of(items, external_id)]]
    return "/" + "/".join(reversed(names))


def resolve(value: Any, items: dict[str, dict[str, Any]]) -> Any:
    """A mode's configuration with its placeholders replaced by ids of the account."""
    if isinstance(value, dict):
        return {k: resolve(v, items) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, items) for v in value]
    if value in (FOLDER, FOLDER_PATH, PAGE, OTHER_PAGE):
        tops = [e for e in parents(items) if items[e].get("parentExternalId") is None]
        chosen = {FOLDER: tops[0], FOLDER_PATH: tops[0], PAGE: tops[0], OTHER_PAGE: tops[1]}[value]
        return path_of(items, chosen) if value == FOLDER_PATH else chosen
    if value == FILE:
        return next(e for e in sorted(items) if e not in set(parents(items)))
    return value


def sync_records(emulator, auth, integration: str, pipeline: str, configuration: dict[str, Any]) -> list[dict[str, Any]]:
    client, _ = emulator
    body = {"integration": integration, "pipeline": pipeline, "configuration": configuration,
            "configurationName": f"mode-{next(NAMES)}"}
    response = client.post("/api/syncs", json=body, headers=auth())
    assert response.status_code == 200, response.text
    advance(client, 60)
    sync = response.json()["id"]
    assert client.get(f"/api/syncs/{sync}", headers=auth()).json()["status"] == "IDLE"
    page = client.get(f"/api/syncs/{sync}/records", params={"pageSize": 1000}, headers=auth()).json()
    assert page["paging"]["remainingRecords"] == 0
    return page["data"]


@pytest.mark.parametrize(("integration", "pipeline", "configuration"), CASES)
def test_every_documented_mode_syncs_records_of_the_documented_schema(emulator, auth, integration, pipeline, configuration):
    items = upstream(emulator, integration, pipeline)
    records = sync_records(emulator, auth, integration, pipeline, resolve(configuration, items))
    assert records, "a documented configuration synced nothing"
    check = validator(pipeline)
    for record in records:
        errors = [error.message for error in check.iter_errors(record)]
        assert not errors, (record, errors)
        assert "deleted" not in record
    if pipeline == "files" and integration != "notion":
        extra = {key for record in records for key in record.get("customFields", {})}
        assert extra <= FILE_CUSTOM_FIELDS.get(integration, set()), f"undocumented customFields: {extra}"


SHARE_CASES = [
    pytest.param(integration, pipeline, next(iter(modes.values())), id=f"{integration}-{pipeline}")
    for integration, pipelines in DOCUMENTED.items()
    for pipeline, modes in pipelines.items()
    if pipeline in OPTIONAL and not (pipeline == "files" and integration in ("servicenow", "zendesk", "intercom", "pylon"))
]
PYLON_SINCE = "2024-07-05T00:00:00.000Z"  # 180 days before the generated data's present, 2025-01-01


def initially_synced(integration: str, items: dict[str, dict[str, Any]]) -> set[str]:
    """What a sync of the whole account reads first: all of it, but Pylon's last 180 days of issues."""
    if integration == "pylon":
        return {e for e, item in items.items() if item["createdAt"] >= PYLON_SINCE}
    return set(items)


@pytest.mark.parametrize(("integration", "pipeline", "configuration"), SHARE_CASES)
def test_optional_fields_come_in_some_records_and_not_all(emulator, auth, integration, pipeline, configuration):
    items = upstream(emulator, integration, pipeline)
    records = sync_records(emulator, auth, integration, pipeline, resolve(configuration, items))
    assert {r["externalId"] for r in records} == initially_synced(integration, items)
    for field in OPTIONAL[pipeline]:
        share = sum(field in record for record in records) / len(records)
        assert 0.05 <= share <= 0.95, f"{field} is in {share:.0%} of {integration} {pipeline} records"


# -- what single pages say -----------------------------------------------------------------------
def test_sharepoint_sends_full_path_always_and_list_item_columns_when_asked(emulator, auth):
    items = upstream(emulator, "sharepoint", "files")
    plain = sync_records(emulator, auth, "sharepoint", "files", {"siteId": "site-1"})
    assert {r["externalId"]: r["customFields"]["fullPath"] for r in plain} == {e: path_of(items, e) for e in items}
    assert not any("metadata" in r["customFields"] for r in plain)
    rich = sync_records(emulator, auth, "sharepoint", "files", {"siteId": "site-1", "includeMetadata": True})
    for record in rich:
        metadata = record["customFields"]["metadata"]
        folder = items[record["externalId"]]["mimeType"] == "application/x-directory"
        assert metadata["ContentType"] == ("Folder" if folder else "Document")
        assert metadata["Author"] == items[record["externalId"]]["owner"]


def test_the_old_sharepoint_option_name_is_refused_and_a_sharepoint_sync_needs_a_site_folder_or_files(emulator, auth):
    client, _ = emulator
    for configuration, field in (({"siteId": "s", "includeListItemMetadata": True}, "includeListItemMetadata"),
                                 ({}, "siteId"), ({"includeMetadata": True}, "siteId")):
        body = {"integration": "sharepoint", "pipeline": "files", "configuration": configuration}
        response = client.post("/api/syncs", json=body, headers=auth())
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["path"] == f"$.configuration.{field}"


@pytest.mark.parametrize(("integration", "pipeline", "configuration", "field"), [
    ("asana", "tickets", {}, "projectGid"),
    ("confluence", "files", {}, "spaceId"),
    ("intercom", "tickets", {"helpCenterId": "1"}, "helpCenterId"),
])
def test_what_a_page_requires_or_leaves_out_is_refused(emulator, auth, integration, pipeline, configuration, field):
    client, _ = emulator
    body = {"integration": integration, "pipeline": pipeline, "configuration": configuration}
    response = client.post("/api/syncs", json=body, headers=auth())
    assert response.status_code == 400, response.text
    assert field in response.json()["message"]


@pytest.mark.parametrize("shallow", [False, True])
def test_dropbox_takes_a_folder_by_its_path(emulator, auth, shallow):
    items = upstream(emulator, "dropbox", "files")
    folder = resolve(FOLDER, items)
    configuration = {"folderId": path_of(items, folder).upper(), "shallowSync": shallow}  # Dropbox ignores case
    synced = {r["externalId"] for r in sync_records(emulator, auth, "dropbox", "files", configuration)}
    expected = {e for e in items if (items[e].get("parentExternalId") == folder if shallow else folder in chain_of(items, e))}
    assert synced == expected and expected


def test_a_confluence_page_sync_takes_the_page_and_its_descendants_as_html(emulator, auth):
    items = upstream(emulator, "confluence", "files")
    page = resolve(PAGE, items)
    records = sync_records(emulator, auth, "confluence", "files", {"pageId": page})
    expected = {page} | {e for e in items if page in chain_of(items, e)}
    assert {r["externalId"] for r in records} == expected and len(expected) < len(items)
    assert {r["mimeType"] for r in records} == {"text/html"}
    client, _ = emulator
    sync = client.get("/api/syncs", headers=auth()).json()["data"][-1]["id"]
    top = next(r for r in records if r["externalId"] == page)
    body = client.get(f"/api/syncs/{sync}/records/{top['id']}/content", headers=auth())
    assert body.headers["content-type"].startswith("text/html") and b"<html" in body.content


def test_a_pylon_ticket_sync_reads_the_last_180_days_and_the_state_it_is_limited_to(emulator, auth):
    items = upstream(emulator, "pylon", "tickets")
    recent = initially_synced("pylon", items)
    assert 0 < len(recent) < len(items), "the account holds issues on both sides of the window"
    assert {r["externalId"] for r in sync_records(emulator, auth, "pylon", "tickets", {})} == recent
    states = {item["status"]["name"] for item in items.values()}
    assert states == {"new", "waiting_on_you", "waiting_on_customer", "on_hold", "closed"}
    for state in sorted(states):
        synced = sync_records(emulator, auth, "pylon", "tickets", {"state": state})
        assert {r["externalId"] for r in synced} == {e for e in recent if items[e]["status"]["name"] == state}


def test_an_old_pylon_issue_comes_in_once_it_changes():
    with TestClient(create_app(make_settings(account_size=40))) as client:
        headers = {"Authorization": "Bearer " + client.post("/_emulator/tokens", json={"userId": "bob"}).json()["token"]}
        path = f"/_emulator/upstream/{PROJECT}/bob/pylon/tickets"
        items = client.get(path, params={"limit": 100}).json()["items"]
        old = next(item["externalId"] for item in items if item["createdAt"] < PYLON_SINCE)
        sync = client.post("/api/syncs", json={"integration": "pylon", "pipeline": "tickets"}, headers=headers).json()["id"]
        advance(client, 60)
        def synced() -> set[str]:
            page = client.get(f"/api/syncs/{sync}/records", params={"pageSize": 100}, headers=headers).json()
            return {r["externalId"] for r in page["data"]}
        assert old not in synced()
        assert client.patch(f"{path}/items/{old}", json={"fields": {"title": "Still broken"}}).status_code == 200
        advance(client, 3600)
        assert old in synced()


def test_notion_pages_are_markdown_with_their_properties_as_front_matter(emulator, auth):
    client, _ = emulator
    items = upstream(emulator, "notion", "files")
    records = sync_records(emulator, auth, "notion", "files", {})
    sync = client.get("/api/syncs", headers=auth()).json()["data"][-1]["id"]
    assert {r["mimeType"] for r in records} == {"text/markdown"}
    by_id = {r["id"]: r for r in records}
    children = [r for r in records if "parentFolderId" in r]
    assert children and all(r["parentId"] == r["parentFolderId"] in by_id for r in children)
    entries = [r for r in records if "Status" in r["customFields"]]
    untitled = [r for r in records if r["name"] == ""]
    assert entries and untitled, "a realistic workspace has database entries and untitled pages"
    for record in [entries[0], untitled[0], records[0]]:
        text = client.get(f"/api/syncs/{sync}/records/{record['id']}/content", headers=auth()).content.decode()
        _, front, body = text.split("---\n", 2)
        assert yaml.safe_load(front) == record["customFields"]
        assert record["size"] == len(text.encode())
        assert body.lstrip().startswith(f"# {record['name']}\n") if record["name"] else not body.lstrip().startswith("#")
    assert all(r["name"] == items[r["externalId"]]["name"] for r in records)


# -- the docs' table of configuration keys ---------------------------------------------------------
SAMPLES = {"shallowSync": True, "orgWideSync": True, "includeMetadata": True, "backoffAtCreditPercentage": 0.8,
           "view": {"type": "savedquery", "id": "x"}, "fileIds": ["x"], "mimeTypes": ["text/plain"], "pageIds": ["x"],
           "properties": ["name"]}


def documented_keys() -> dict[str, set[str]]:
    """integration -> the configuration keys docs/records.md's table names for it."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "records.md").read_text()
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|$", text, flags=re.M)
    return {integration: set(re.findall(r"`(\w+)`", keys)) - {"type", "id"} for integration, keys in rows}


def test_the_docs_table_names_every_integration_and_key_the_pages_document():
    table = documented_keys()
    assert set(table) == set(DOCUMENTED)
    for integration, pipelines in DOCUMENTED.items():
        used = {key for modes in pipelines.values() for mode in modes.values() for key in mode}
        assert used <= table[integration], (integration, used - table[integration])


def test_every_key_the_docs_table_names_is_an_option_the_emulator_takes(emulator, auth):
    client, _ = emulator
    for integration, keys in documented_keys().items():
        pipelines = list(DOCUMENTED[integration])
        for key in keys:
            taken = []
            for pipeline in pipelines:
                body = {"integration": integration, "pipeline": pipeline, "configurationName": f"key-{next(NAMES)}",
                        "configuration": {key: SAMPLES.get(key, "x")}}
                response = client.post("/api/syncs", json=body, headers=auth())
                taken.append(response.status_code == 200 or "is not an option" not in response.text)
            assert any(taken), f"{integration} takes no {key}"


def test_a_renamed_notion_page_changes_its_title_property_and_front_matter():
    with TestClient(create_app(make_settings(account_size=30))) as client:
        token = client.post("/_emulator/tokens", json={"userId": "alice"}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        path = f"/_emulator/upstream/{PROJECT}/alice/notion/files"
        sync = client.post("/api/syncs", json={"integration": "notion", "pipeline": "files"}, headers=headers).json()["id"]
        advance(client, 60)
        records = client.get(f"/api/syncs/{sync}/records", params={"pageSize": 100}, headers=headers).json()["data"]
        entry = next(r for r in records if "Name" in r["customFields"])
        answer = client.patch(f"{path}/items/{entry['externalId']}", json={"fields": {"name": "Launch checklist"}})
        assert answer.status_code == 200, answer.text
        advance(client, 60)
        renamed = client.get(f"/api/syncs/{sync}/records/{entry['id']}", headers=headers).json()["data"]
        assert renamed["name"] == renamed["customFields"]["Name"] == "Launch checklist"
        assert {k: v for k, v in renamed["customFields"].items() if k != "Name"} == {
            k: v for k, v in entry["customFields"].items() if k != "Name"}
        text = client.get(f"/api/syncs/{sync}/records/{entry['id']}/content", headers=headers).content.decode()
        assert yaml.safe_load(text.split("---\n", 2)[1]) == renamed["customFields"]
        assert "# Launch checklist\n" in text
