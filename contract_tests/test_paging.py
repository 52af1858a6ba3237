"""Paging through every record of a finished sync: each page's numbers are exact.

With pageSize p over N records, each page holds min(p, what is left), remainingRecords drops by
exactly the page's length, the pages add up to totalRecords, no record comes twice, and the last
cursor is caught up.
"""

from __future__ import annotations

import pytest

from .harness.syncs import pull_all, total_records


@pytest.fixture(scope="module")
def pulled(api, idle_sync, config):
    first = total_records(api, idle_sync["id"])
    if first > config.max_records:
        pytest.skip(f"the sync has {first} records, more than PARAGON_CONTRACT_MAX_RECORDS={config.max_records}")
    return pull_all(api, idle_sync["id"], config.page_size)


def test_the_pages_add_up_to_total_records(pulled):
    total = pulled.pages[0]["paging"]["totalRecords"]
    assert len(pulled.records) == total
    assert len(set(pulled.ids)) == len(pulled.ids), "a record came twice"


def test_each_page_holds_page_size_until_the_last(pulled, config):
    total = pulled.pages[0]["paging"]["totalRecords"]
    left = total
    for number, page in enumerate(pulled.pages):
        expected = min(config.page_size, left)
        assert len(page["data"]) == expected, f"page {number}: {len(page['data'])} records, expected {expected}"
        left -= expected
    assert left == 0


def test_remaining_records_drops_by_exactly_each_page(pulled):
    total = pulled.pages[0]["paging"]["totalRecords"]
    seen = 0
    for number, page in enumerate(pulled.pages):
        seen += len(page["data"])
        paging = page["paging"]
        assert paging["totalRecords"] == total, f"page {number}: totalRecords changed"
        assert paging["remainingRecords"] == total - seen, f"page {number}: {paging}"
    assert pulled.pages[-1]["paging"]["remainingRecords"] == 0


def test_a_finished_sync_has_no_deleted_records(pulled):
    paging = pulled.pages[0]["paging"]
    assert paging["totalActiveRecords"] == paging["totalRecords"]
    assert not [record["id"] for record in pulled.records if record.get("deleted")]


def test_every_non_empty_page_has_a_cursor_and_last_seen_never_goes_back(pulled):
    last_seen = 0
    for number, page in enumerate(pulled.pages):
        if page["data"]:
            assert page["paging"].get("cursor"), f"page {number} has records but no cursor"
            assert page["paging"]["lastSeen"] >= last_seen, f"page {number}: lastSeen went back"
            last_seen = page["paging"]["lastSeen"]


def test_the_last_cursor_is_caught_up(api, idle_sync, pulled):
    if not pulled.cursor:
        pytest.skip("no records, so no cursor")
    page = api.page(idle_sync["id"], 5, pulled.cursor)
    assert page["data"] == []
    assert page["paging"]["remainingRecords"] == 0


def test_a_cursor_resumes_where_its_page_ended(api, idle_sync, pulled, config):
    if len(pulled.pages) < 2:
        pytest.skip("one page only")
    cursor = pulled.pages[0]["paging"]["cursor"]
    again = api.page(idle_sync["id"], config.page_size, cursor)
    assert [record["id"] for record in again["data"]] == [record["id"] for record in pulled.pages[1]["data"]]


def test_one_big_page_holds_the_same_records_in_the_same_order(api, idle_sync, pulled):
    total = len(pulled.records)
    if not 0 < total < 1000:
        pytest.skip("needs 1 to 999 records to fit one page")
    page = api.page(idle_sync["id"], total + 1)
    assert [record["id"] for record in page["data"]] == pulled.ids
    assert page["paging"]["remainingRecords"] == 0


def test_each_pulled_record_can_be_fetched_by_its_id(api, idle_sync, pulled):
    for record in pulled.records[:50]:
        fetched = api.record(idle_sync["id"], record["id"])
        assert fetched.status_code == 200, fetched.text
        data = fetched.json()["data"]
        assert (data["id"], data.get("externalId")) == (record["id"], record.get("externalId"))


def test_a_record_that_does_not_exist_is_404(api, idle_sync):
    assert api.record(idle_sync["id"], "contract-no-such-record").status_code == 404
