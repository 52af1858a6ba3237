"""Every refusal the domain makes, as a client reads it: status, code, where (location and path),
the rule, and the message that says what went wrong. The messages are part of the product (README:
"a message that names the field"), so they are checked word for word."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import PROJECT, advance, make_settings

UPSTREAM = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files"
FOLDER = "application/vnd.google-apps.folder"


@dataclass
class World:
    client: TestClient
    headers: dict[str, str]
    sync: str
    file: str  # a file record
    folder: str  # a folder record
    deleted: str  # a record deleted upstream and tombstoned


@pytest.fixture(scope="module")
def world():
    from paragon_emulator.tokens import mint

    settings = make_settings()
    headers = {"Authorization": f"Bearer {mint(settings, 'alice')[0]}"}
    with TestClient(create_app(settings)) as client:
        sync = client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}, headers=headers).json()["id"]
        advance(client, 3)
        records = client.get(f"/api/syncs/{sync}/records", params={"pageSize": 1000}, headers=headers).json()["data"]
        files = [r for r in records if r["mimeType"] != FOLDER]
        folder = next(r for r in records if r["mimeType"] == FOLDER)
        client.delete(f"{UPSTREAM}/items/{files[1]['externalId']}")
        advance(client, 24 * 3600 + 10)
        yield World(client, headers, sync, files[0]["id"], folder["id"], files[1]["id"])


def refusal(response, status: int, code: str, location: str, path: str, rule: str, message: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["message"] == message, body
    assert body["errors"] == [{"location": location, "path": path, "rule": rule, "message": message}]


def test_records_that_cannot_be_served(world):
    c, h, s = world.client, world.headers, world.sync
    refusal(c.get(f"/api/syncs/{s}/records/nope", headers=h), 404, "RECORD_NOT_FOUND", "path", "recordId", "exists",
            "record 'nope' not found in this sync")
    refusal(c.get(f"/api/syncs/{s}/records/{world.deleted}/content", headers=h), 404, "RECORD_NOT_FOUND", "path",
            "recordId", "exists", f"record '{world.deleted}' was deleted upstream; its content is gone")
    refusal(c.get(f"/api/syncs/{s}/records/{world.folder}/content", headers=h), 400, "NO_CONTENT", "path", "recordId",
            "no_content", f"record '{world.folder}' has no downloadable content (a folder, or no file body)")
    refusal(c.get(f"/api/syncs/{s}/records", params={"cursor": "Y3Vyc29yOjAx"}, headers=h), 400, "INVALID_INPUT",
            "query", "cursor", "invalid_input", "cursor 'Y3Vyc29yOjAx' is not a cursor this API returned")
    refusal(c.get("/api/syncs/nope", headers=h), 404, "SYNC_NOT_FOUND", "path", "syncId", "exists", "sync 'nope' not found")


def test_sync_moves_that_are_refused(world):
    c, h, s = world.client, world.headers, world.sync
    refusal(c.post(f"/api/syncs/{s}/reenable", headers=h), 409, "ILLEGAL_TRANSITION", "path", "syncId", "state",
            f"sync {s} is IDLE; only a DISABLED or ERRORED sync can be re-enabled")
    body = {"integration": "googledrive", "pipeline": "files", "configurationName": "twice"}
    first = c.post("/api/syncs", json=body, headers=h).json()["id"]
    again = c.post("/api/syncs", json=body, headers=h)
    refusal(again, 409, "SYNC_ALREADY_EXISTS", "body", "$.configurationName", "state",
            f"a sync of googledrive files and configurationName 'twice' already exists: {first}")
    assert again.json()["syncId"] == first
    unnamed = c.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}, headers=h)
    refusal(unnamed, 409, "SYNC_ALREADY_EXISTS", "body", "$.configurationName", "state",
            f"a sync of googledrive files already exists: {s}")


@pytest.mark.parametrize(
    "integration,pipeline,configuration,path,message",
    [
        ("googledrive", "files", {"colour": "red"}, "$.configuration.colour",
         "configuration.colour is not an option of googledrive files; allowed: fileIds, folderId, mimeTypes"),
        ("notion", "files", {"folderId": "f"}, "$.configuration.folderId",
         "configuration.folderId is not an option of notion files; allowed: pageIds"),
        ("googledrive", "files", {"folderId": ""}, "$.configuration.folderId",
         "configuration.folderId must be a non-empty string"),
        ("googledrive", "files", {"mimeTypes": ["text/csv", ""]}, "$.configuration.mimeTypes",
         "configuration.mimeTypes must be a non-empty string[]"),
        ("box", "files", {"shallowSync": "yes"}, "$.configuration.shallowSync", "configuration.shallowSync must be a non-empty boolean"),
        ("zohocrm", "deals", {"backoffAtCreditPercentage": True}, "$.configuration.backoffAtCreditPercentage",
         "configuration.backoffAtCreditPercentage must be a non-empty number"),
        ("zohocrm", "deals", {"backoffAtCreditPercentage": 0.49}, "$.configuration.backoffAtCreditPercentage",
         "configuration.backoffAtCreditPercentage must be 0.5 to 1.0"),
        ("zohocrm", "deals", {"backoffAtCreditPercentage": 1.01}, "$.configuration.backoffAtCreditPercentage",
         "configuration.backoffAtCreditPercentage must be 0.5 to 1.0"),
        *[("microsoftDynamics", "contacts", {"view": view}, "$.configuration.view",
           'configuration.view must be an object {"type": "savedquery" or "userquery", "id": a view id}')
          for view in ([], {"type": "savedquery"}, {"type": "systemview", "id": "1"}, {"type": "userquery", "id": ""})],
        ("pylon", "files", {"includeDrafts": "true"}, "$.configuration.knowledgeBaseId",
         "configuration.knowledgeBaseId is required for pylon files"),
        ("pylon", "files", {"knowledgeBaseId": "kb", "includeDrafts": True}, "$.configuration.includeDrafts",
         "configuration.includeDrafts must be a non-empty string"),
        ("jira", "tickets", {}, "$.configuration.projectId", "configuration.projectId is required for jira tickets"),
        ("salesforce", "custom_objects", {}, "$.configuration.customObjectName",
         "configuration.customObjectName is required for salesforce custom_objects"),
        ("asana", "tickets", {}, "$.configuration.projectGid", "configuration.projectGid is required for asana tickets"),
        ("sharepoint", "files", {"mimeTypes": ["text/csv"]}, "$.configuration.siteId",
         "sharepoint files needs configuration.siteId or configuration.folderId or configuration.fileIds"),
        ("confluence", "files", {}, "$.configuration.spaceId",
         "confluence files needs configuration.spaceId or configuration.pageIds or configuration.pageId"),
        ("sharepoint", "files", {"siteId": "s", "includeListItemMetadata": True}, "$.configuration.includeListItemMetadata",
         "configuration.includeListItemMetadata is not an option of sharepoint files; allowed: fileIds, folderId, "
         "includeMetadata, mimeTypes, siteId"),
    ],
)
def test_configurations_that_are_refused(world, integration, pipeline, configuration, path, message):
    body = {"integration": integration, "pipeline": pipeline, "configuration": configuration, "configurationName": "bad"}
    response = world.client.post("/api/syncs", json=body, headers=world.headers)
    refusal(response, 400, "INVALID_CONFIGURATION", "body", path, "invalid_configuration", message)


@pytest.mark.parametrize("value", [0.5, 1.0, 1])
def test_the_zoho_credit_percentage_bounds_are_inclusive(world, value):
    body = {"integration": "zohocrm", "pipeline": "deals", "configuration": {"backoffAtCreditPercentage": value},
            "configurationName": f"zoho-{value}-{type(value).__name__}"}
    assert world.client.post("/api/syncs", json=body, headers=world.headers).status_code == 200


def test_unknown_pipeline_names_the_integrations_pipelines(world):
    response = world.client.post("/api/syncs", json={"integration": "hubspot", "pipeline": "files"}, headers=world.headers)
    refusal(response, 400, "UNKNOWN_PIPELINE", "body", "$.pipeline", "unknown_pipeline",
            "integration 'hubspot' has no pipeline 'files'; allowed: contacts, companies, deals, custom_objects")
    assert response.json()["allowed"] == ["contacts", "companies", "deals", "custom_objects"]


def test_permission_questions_that_are_refused(world):
    c, h, s = world.client, world.headers, world.sync

    def ask(op, **body):
        return c.post(f"/api/permissions/{s}/{op}", json=body, headers=h)

    refusal(ask("expand", object=f"file:{world.file}", relation="member"), 400, "INVALID_INPUT", "body", "$.relation",
            "invalid_input",
            "relation must be one of can_read, can_write, is_owner, owner, editor, viewer, parent for files and folders, "
            "not 'member'")
    refusal(ask("check", object="file:", user="a@b.test", role="can_read"), 400, "INVALID_INPUT", "body", "$.object",
            "invalid_input", "object 'file:' has no id after its type")
    refusal(ask("check", object="space:1", user="a@b.test", role="can_read"), 400, "INVALID_INPUT", "body", "$.object",
            "invalid_input", "object type 'space' is unknown; objects are file:<id>, folder:<id> or <id>")
    checks = [{"object": world.file, "user": "nobody", "role": "can_read"},
              {"object": world.file, "user": "a@b.test", "role": "owner"}]
    answers = ask("batch-check", checks=checks).json()["result"]
    assert [a["error"] for a in answers] == [
        "user must be an email, optionally prefixed 'user:', not 'nobody'",
        "role must be one of can_read, can_write, is_owner, not 'owner'",
    ]


def test_change_feed_tokens_that_are_refused(world):
    c, h, s = world.client, world.headers, world.sync
    feed = f"/api/permissions/{s}/changes"
    refusal(c.get(feed, params={"continuationToken": "bm9wZQ=="}, headers=h), 400, "PERMISSION_CHANGES_CURSOR_INVALID",
            "query", "continuationToken", "permission_changes_cursor_invalid",
            "continuationToken 'bm9wZQ==' is not a token this feed returned; start again")
    unbound = c.get(feed, params={"pageSize": 1}, headers=h).json()["continuationToken"]
    files = c.get(feed, params={"pageSize": 1, "type": "file"}, headers=h).json()["continuationToken"]
    refusal(c.get(feed, params={"continuationToken": unbound, "type": "file"}, headers=h), 400,
            "PERMISSION_CHANGES_CURSOR_TYPE_MISMATCH", "query", "type", "permission_changes_cursor_type_mismatch",
            "this continuationToken was made for type=(none); send the same type, or start again without a token")
    refusal(c.get(feed, params={"continuationToken": files}, headers=h), 400,
            "PERMISSION_CHANGES_CURSOR_TYPE_MISMATCH", "query", "type", "permission_changes_cursor_type_mismatch",
            "this continuationToken was made for type=file; send the same type, or start again without a token")


def test_clock_moves_that_are_refused(world):
    c = world.client
    now = c.get("/_emulator/clock").json()["now"].replace(".000Z", "+00:00")
    refusal(c.put("/_emulator/clock", json={"now": "2020-01-01T00:00:00Z"}), 400, "INVALID_INPUT", "body", "$.now",
            "invalid_input", f"the clock only moves forward: 2020-01-01T00:00:00+00:00 is before {now}")
    year = int(now[:4])
    beyond = f"{year + 100}{now[4:]}".replace("+00:00", "Z")
    refusal(c.put("/_emulator/clock", json={"now": beyond}), 400, "INVALID_INPUT", "body", "$.now", "invalid_input",
            f"the clock moves at most a century at a time; {beyond.replace('Z', '+00:00')} is further")


def test_control_plane_names_that_are_unknown_are_path_parameters(world):
    c = world.client
    refusal(c.post("/_emulator/webhooks/events/nope/redeliver"), 404, "NOT_FOUND", "path", "eventId", "exists",
            "no webhook event 'nope' in the log")
    fault = c.post("/_emulator/faults/sync", json={"syncId": world.sync, "kind": "rate_limited"}).json()
    unknown = fault["id"] + 1000
    refusal(c.delete(f"/_emulator/faults/sync/{unknown}"), 404, "NOT_FOUND", "path", "faultId", "exists",
            f"no sync fault {unknown}")
    assert c.delete(f"/_emulator/faults/sync/{fault['id']}").status_code == 200
    refusal(c.post("/_emulator/scenarios/nope"), 404, "NOT_FOUND", "path", "name", "exists",
            "no scenario 'nope'; bundled: crm, empty, shared-drive (or a .yaml path)")
