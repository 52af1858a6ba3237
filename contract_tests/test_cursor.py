"""A stale cursor catches up: after upstream changes and the next incremental sync, a cursor kept
from earlier returns exactly the records created or changed since, each once, and nothing else.

Needs the control plane to change the upstream account; the scenario runs as a user of its own
(minted by the control plane) so that its changes cannot show in other scenarios' syncs.
"""

from __future__ import annotations

import pytest

from .harness.claims import user_and_project
from .harness.syncs import is_folder, pull_all, wait_for_status

pytestmark = pytest.mark.needs_control_plane


@pytest.fixture(scope="module")
def story(server, control, waiter, config):
    token = server.mint("contract-cursor")
    api = server.api(token)
    user, project = user_and_project(token)
    sync = api.enable(config.integration, config.pipeline, server.name("cursor"))
    wait_for_status(api, waiter, sync["id"], "IDLE")
    before = pull_all(api, sync["id"], config.page_size)
    assert len(before.pages) >= 2, "the scenario needs at least two pages"

    # Change one file of the first page and create one; the next incremental sync sees both.
    changed = next(record for record in before.pages[0]["data"] if not is_folder(record))
    renamed, created_name = f"renamed-{server.run_id}.txt", f"created-{server.run_id}.txt"
    control.update_item(project, user, config.integration, config.pipeline, changed["externalId"],
                               {"name": renamed})
    created = control.create_item(project, user, config.integration, config.pipeline,
                                         {"name": created_name})

    def caught_up():
        found = pull_all(api, sync["id"], config.page_size, before.cursor)
        return found if len(found.records) >= 2 else None

    after_end = waiter.until(caught_up, "the next incremental sync to pick up the upstream changes")
    return {
        "api": api, "sync": sync, "before": before, "after_end": after_end, "changed": changed,
        "renamed": renamed, "created_external_id": created["externalId"], "created_name": created_name,
    }


def test_the_stale_cursor_returns_exactly_the_changed_records(story):
    records = story["after_end"].records
    by_external = {record["externalId"]: record for record in records}
    assert sorted(by_external) == sorted([story["changed"]["externalId"], story["created_external_id"]]), records
    assert len(records) == 2
    assert by_external[story["changed"]["externalId"]]["id"] == story["changed"]["id"]
    assert by_external[story["changed"]["externalId"]]["name"] == story["renamed"]
    assert by_external[story["created_external_id"]]["name"] == story["created_name"]


def test_the_paging_numbers_count_the_new_record(story):
    total_before = story["before"].pages[0]["paging"]["totalRecords"]
    first = story["after_end"].pages[0]["paging"]
    assert first["totalRecords"] == total_before + 1
    assert first["totalActiveRecords"] == total_before + 1
    assert story["after_end"].pages[-1]["paging"]["remainingRecords"] == 0


def test_an_older_cursor_gets_the_rest_and_each_changed_record_once_at_the_end(story, config):
    before, api, sync = story["before"], story["api"], story["sync"]
    after_first_page = pull_all(api, sync["id"], config.page_size, before.pages[0]["paging"]["cursor"])
    untouched = [rid for rid in before.ids[len(before.pages[0]["data"]):] if rid != story["changed"]["id"]]
    ids = after_first_page.ids
    assert len(ids) == len(set(ids)), "a record came twice"
    assert ids[:len(untouched)] == untouched
    assert sorted(ids[len(untouched):]) == sorted(story["after_end"].ids)


def test_the_new_last_cursor_is_caught_up(story):
    api, sync = story["api"], story["sync"]
    page = api.page(sync["id"], 5, story["after_end"].cursor)
    assert page["data"] == []
    assert page["paging"]["remainingRecords"] == 0
