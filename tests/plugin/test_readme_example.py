def test_a_google_drive_sync_end_to_end(paragon_emulator, paragon_client, paragon_webhooks):
    # Alice enables a Google Drive files sync (paragon_client carries her token).
    response = paragon_client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"})
    assert response.status_code == 200, response.text
    sync = response.json()
    assert sync["status"] == "INITIALIZING"

    # The clock is manual: time moves only when the test moves it. A minute runs the initial sync.
    paragon_emulator.advance(duration="1m")
    assert paragon_client.get(f"/api/syncs/{sync['id']}").json()["status"] == "IDLE"

    # Pull every record, ten at a time.
    records, params = [], {"pageSize": 10}
    while True:
        page = paragon_client.get(f"/api/syncs/{sync['id']}/records", params=params).json()
        records += page["data"]
        if page["paging"]["remainingRecords"] == 0:
            break
        params["cursor"] = page["paging"]["cursor"]
    assert len(records) == 25  # an upstream account holds 25 generated items unless sized

    # The emulator told the webhook receiver (signature checked) that the sync finished.
    done = paragon_webhooks.wait_for("sync_complete", sync_id=sync["id"])
    assert done["data"]["numRecords"] == len(records)

    # A file appears upstream; the next incremental sync (every minute) picks it up.
    paragon_emulator.change_upstream("alice", "googledrive", "files", "create", fields={"name": "plan.txt"})
    paragon_emulator.advance(duration="1m")
    created = paragon_webhooks.wait_for("record_created", sync_id=sync["id"])
    record = paragon_client.get(f"/api/syncs/{sync['id']}/records/{created['data']['recordId']}").json()
    assert record["data"]["name"] == "plan.txt"
