"""A files sync's configuration decides what it syncs: `mimeTypes`, `folderId` with and without
`shallowSync`, `fileIds`. Each is checked against the upstream account as the control plane lists it."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import PROJECT, advance, make_settings

UPSTREAM = f"/_emulator/upstream/{PROJECT}/alice/box/files"
FOLDER = "application/x-directory"
TYPES = ["text/plain", "text/markdown", "text/csv", "application/json", "text/html", "application/pdf", FOLDER]
NAMES = itertools.count()


@pytest.fixture(scope="module")
def box():
    """An emulator with one 200-item Box account (16 folders four deep), and its items."""
    with TestClient(create_app(make_settings(account_size=200))) as client:
        items = client.get(UPSTREAM, params={"limit": 1000}).json()["items"]
        assert len(items) == 200
        yield client, {item["externalId"]: item for item in items}


def synced(client, headers, configuration) -> set[str]:
    """The external ids a new sync with this configuration holds after its initial sync."""
    body = {"integration": "box", "pipeline": "files", "configuration": configuration, "configurationName": f"c{next(NAMES)}"}
    response = client.post("/api/syncs", json=body, headers=headers)
    assert response.status_code == 200, response.text
    advance(client, 3)
    page = client.get(f"/api/syncs/{response.json()['id']}/records", params={"pageSize": 1000}, headers=headers).json()
    assert page["paging"]["remainingRecords"] == 0
    return {record["externalId"] for record in page["data"]}


def under(items, external_id: str, folder: str) -> bool:
    parent = items[external_id].get("parentExternalId")
    while parent is not None:
        if parent == folder:
            return True
        parent = items[parent].get("parentExternalId")
    return False


def folders(items) -> list[str]:
    return sorted(e for e, item in items.items() if item["mimeType"] == FOLDER)


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(types=st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True))
def test_mime_types_keep_exactly_the_items_of_those_types(box, auth, types):
    client, items = box
    expected = {e for e, item in items.items() if item["mimeType"] in types}
    assert synced(client, auth(), {"mimeTypes": types}) == expected


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), shallow=st.booleans())
def test_a_folder_sync_is_the_subtree_or_with_shallow_sync_the_folders_own_items(box, auth, data, shallow):
    client, items = box
    folder = data.draw(st.sampled_from(folders(items)))
    if shallow:
        expected = {e for e, item in items.items() if item.get("parentExternalId") == folder}
    else:
        expected = {e for e in items if under(items, e, folder)}
    assert synced(client, auth(), {"folderId": folder, "shallowSync": shallow}) == expected


def test_shallow_sync_leaves_out_what_is_in_subfolders(box, auth):
    client, items = box
    top = next(f for f in folders(items) if any(items[g].get("parentExternalId") == f for g in folders(items)))
    deep = synced(client, auth(), {"folderId": top})
    shallow = synced(client, auth(), {"folderId": top, "shallowSync": True})
    assert shallow < deep and all(items[e]["parentExternalId"] == top for e in shallow)


def test_mime_types_and_a_folder_together_keep_what_both_keep(box, auth):
    client, items = box
    folder = folders(items)[0]
    expected = {e for e in items if under(items, e, folder) and items[e]["mimeType"] in ("application/pdf", "text/csv")}
    assert expected
    assert synced(client, auth(), {"folderId": folder, "mimeTypes": ["application/pdf", "text/csv"]}) == expected


def test_file_ids_sync_just_those_files(box, auth):
    client, items = box
    chosen = sorted(e for e, item in items.items() if item["mimeType"] != FOLDER)[:5]
    assert synced(client, auth(), {"fileIds": chosen}) == set(chosen)
