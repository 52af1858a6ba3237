"""API faults (`/_emulator/faults/api`) at the Nango door: named by the Nango spec's operationIds or
'*', answered in Nango's error shape, used up like the Paragon door's, and changing nothing."""

from __future__ import annotations

from paragon_emulator.nango.spec import operation_ids
from paragon_emulator.spec.validation import api_operations
from tests.conftest import advance

RECORDS_HEADERS = {"Connection-Id": "conn-1", "Provider-Config-Key": "google-drive"}


def inject(client, **body):
    response = client.post("/_emulator/faults/api", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_429_on_list_records_has_nangos_body_and_retry_after_then_is_used_up(nango, emulator_client):
    nango.connect()
    nango.start()
    advance(emulator_client, 5)
    inject(emulator_client, operations=["listRecords"], status=429, count=2, retryAfter=7)
    for _ in range(2):
        hit = nango.records(model="Document")
        assert hit.status_code == 429 and hit.headers["retry-after"] == "7"
        assert hit.json()["error"]["code"] == "too_many_request" and "listRecords" in hit.json()["error"]["message"]
    assert nango.ok("GET", "/sync/status", params={"provider_config_key": "google-drive", "connection_id": "conn-1",
                                                    "syncs": "documents"})["syncs"]  # another operation: untouched
    assert len(nango.records(model="Document").json()["records"]) == 25  # the two calls are used up
    assert emulator_client.get("/_emulator/faults").json()["api"] == []


def test_a_5xx_on_an_import_changes_nothing(nango, emulator_client):
    for status, code in ((500, "server_error"), (502, "bad_gateway"), (503, "service_unavailable")):
        inject(emulator_client, operations=["importConnection"], status=status, count=1)
        response = nango.request("POST", "/connections", json={
            "provider_config_key": "box", "connection_id": "c", "credentials": {"type": "OAUTH2", "access_token": "t"},
        })
        assert response.status_code == status and "retry-after" not in response.headers
        assert response.json()["error"]["code"] == code
        assert nango.ok("GET", "/connections") == {"connections": []}
    nango.connect("c", "bob", "box")  # the faults are used up
    assert [c["connection_id"] for c in nango.ok("GET", "/connections")["connections"]] == ["c"]


def test_star_hits_both_doors_and_a_paragon_name_only_the_paragon_door(nango, emulator_client):
    inject(emulator_client, operations=["pullRecords", "listSyncs"], status=500)
    assert nango.ok("GET", "/connections") == {"connections": []}
    assert emulator_client.get("/api/syncs").status_code == 500
    assert emulator_client.delete("/_emulator/faults").json() == {"cleared": 1}
    inject(emulator_client, status=503)  # '*': every operation of both, until cleared
    assert nango.request("GET", "/connections").status_code == 503
    assert nango.records(model="Document").status_code == 503
    assert emulator_client.get("/api/syncs").status_code == 503
    assert emulator_client.get("/_emulator/health").status_code == 200  # never the control plane
    emulator_client.delete("/_emulator/faults")
    assert nango.request("GET", "/connections").status_code == 200


def test_every_nango_operation_can_be_named_and_names_are_distinct_from_paragons(nango, emulator_client):
    ids = set(operation_ids().values())
    assert len(ids) == len(operation_ids())  # one name an operation
    assert not ids & set(api_operations())  # a name never hits both doors
    for operation_id in sorted(ids):
        fault = inject(emulator_client, operations=[operation_id], status=502, count=1)
        assert fault["operations"] == [operation_id]
    assert emulator_client.post("/_emulator/faults/api", json={"operations": ["listRecord"], "status": 500}).status_code == 400
    # Each named fault is met by its own operation's route (here: the connection routes and aliases).
    for method, path in (("GET", "/connections"), ("GET", "/connection"), ("GET", "/connections/x"), ("PATCH", "/connection/x")):
        response = nango.request(method, path, params={"provider_config_key": "box"}, json={} if method == "PATCH" else None)
        assert response.status_code == 502, (method, path, response.text)
