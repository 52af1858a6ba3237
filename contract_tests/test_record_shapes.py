"""The records a finished sync serves have the documented shape of their pipeline's Synced Object.

The pull-records response only promises `SyncedRecord` (an id and any fields); the pipeline's own
schema (File for files, Contact, Company, Deal, CustomObject, Ticket) is in the contract's
components. Every record of the session's sync is checked against it, and against the one-page
answer of get-record.
"""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from .harness.syncs import pull_all, total_records

SCHEMAS = {"files": "File", "contacts": "Contact", "companies": "Company", "deals": "Deal",
           "custom_objects": "CustomObject", "tickets": "Ticket"}


@pytest.fixture(scope="module")
def schema(config):
    components = yaml.safe_load(config.spec_path.read_text())["components"]["schemas"]
    return jsonschema.Draft4Validator(components[SCHEMAS[config.pipeline]], format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def records(api, idle_sync, config):
    if total_records(api, idle_sync["id"]) > config.max_records:
        pytest.skip(f"the sync has more than PARAGON_CONTRACT_MAX_RECORDS={config.max_records} records")
    return [r for r in pull_all(api, idle_sync["id"], 100).records if not r.get("deleted")]


def test_every_record_has_its_pipelines_documented_shape(records, schema):
    problems = {r["id"]: [e.message for e in schema.iter_errors(r)] for r in records}
    assert not {k: v for k, v in problems.items() if v}


def test_get_record_serves_the_same_shape(api, idle_sync, records, schema):
    if not records:
        pytest.skip("the sync holds no records")
    answer = api.call("GET", f"/api/syncs/{idle_sync['id']}/records/{records[0]['id']}", expect=200).json()["data"]
    assert not [e.message for e in schema.iter_errors(answer)]
    assert answer["id"] == records[0]["id"]
