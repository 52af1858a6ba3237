"""Connections: import (201, upsert), list and its filters, get, patch, delete, singular aliases."""

from __future__ import annotations

from tests.conftest import PROJECT, advance


def test_import_answers_201_with_the_connection_and_upserts(nango):
    created = nango.connect("conn-1", "alice")
    assert created["connection_id"] == "conn-1" and created["provider_config_key"] == "google-drive"
    assert created["credentials"] == {"type": "OAUTH2", "access_token": "token"}
    assert created["created_at"].endswith("+00:00") and created["errors"] == []
    again = nango.connect("conn-1", "alice")
    assert again["id"] == created["id"]
    assert len(nango.ok("GET", "/connections")["connections"]) == 1


def test_import_refusals(nango):
    base = {"provider_config_key": "google-drive", "credentials": {"type": "OAUTH2", "access_token": "t"}}
    unknown = nango.request("POST", "/connections", json={**base, "provider_config_key": "nope"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    wrong_mode = nango.request("POST", "/connections", json={**base, "credentials": {"type": "API_KEY", "apiKey": "k"}})
    assert wrong_mode.status_code == 400 and wrong_mode.json()["error"]["code"] == "invalid_body"
    no_token = nango.request("POST", "/connections", json={**base, "credentials": {"type": "OAUTH2"}})
    assert no_token.status_code == 400
    assert nango.ok("GET", "/connections") == {"connections": []}


def test_list_filters(nango):
    nango.connect("a", "alice")
    nango.connect("b", "bob", provider="box")
    nango.connect("c", "carol", provider="dropbox")
    nango.ok("PATCH", "/connections/b", params={"provider_config_key": "box"}, json={"tags": {"team": "red"}})

    def ids(**params):
        return [c["connection_id"] for c in nango.ok("GET", "/connections", params=params)["connections"]]

    assert ids() == ["a", "b", "c"]
    assert ids(connectionId="b") == ["b"]
    assert ids(endUserId="carol") == ["c"]
    assert ids(integrationId="box,google-drive") == ["a", "b"]
    assert ids(search="BO") == ["b"]
    assert ids(**{"tags[team]": "red"}) == ["b"]
    assert ids(limit=2, page=1) == ["c"]
    assert [c["connection_id"] for c in nango.ok("GET", "/connection")["connections"]] == ["a", "b", "c"]


def test_get_patch_delete_and_their_errors(nango):
    nango.connect("conn-1")
    got = nango.ok("GET", "/connections/conn-1", params={"provider_config_key": "google-drive", "force_refresh": "false",
                                                         "refresh_token": "false", "refresh_github_app_jwt_token": "false"})
    assert got["connection_id"] == "conn-1" and got["webhook_url_override"] is None
    # The Paragon slug names the same integration.
    assert nango.ok("GET", "/connection/conn-1", params={"provider_config_key": "googledrive"})["id"] == got["id"]
    missing = nango.request("GET", "/connections/nope", params={"provider_config_key": "google-drive"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad_key = nango.request("GET", "/connections/conn-1", params={"provider_config_key": "nope"})
    assert bad_key.status_code == 400 and bad_key.json()["error"]["code"] == "unknown_provider_config"

    url = "http://127.0.0.1:9/hook"  # loopback receivers are accepted, unlike Nango's cloud
    assert nango.ok("PATCH", "/connections/conn-1", params={"provider_config_key": "google-drive"},
                    json={"webhook_url_override": url, "tags": {"k": "v"}}) == {"success": True}
    got = nango.ok("GET", "/connections/conn-1", params={"provider_config_key": "google-drive"})
    assert got["webhook_url_override"] == url and got["tags"] == {"k": "v"}

    gone = nango.request("DELETE", "/connections/nope", params={"provider_config_key": "google-drive"})
    assert gone.status_code == 400 and gone.json() == {"error": {"code": "unknown_connection"}}
    assert nango.ok("DELETE", "/connections/conn-1", params={"provider_config_key": "google-drive"}) == {"success": True}
    assert nango.ok("GET", "/connections") == {"connections": []}


def test_a_connection_is_the_end_users_account_seen_by_the_paragon_api_too(nango, emulator_client, auth):
    nango.connect("conn-1", "alice")
    nango.start()
    advance(emulator_client, 5)
    syncs = emulator_client.get("/api/syncs", headers=auth("alice")).json()["data"]
    assert [(s["integration"], s["pipeline"], s["credentialId"]) for s in syncs] == [("googledrive", "files", "conn-1")]
    nango.ok("DELETE", "/connections/conn-1", params={"provider_config_key": "google-drive"})
    assert emulator_client.get("/api/syncs", headers=auth("alice")).json()["data"] == []
    assert PROJECT
