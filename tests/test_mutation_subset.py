"""A fast mutation subset: the twelve one-line mutations of core logic that issue 23 applied by
hand (only five were caught then) are applied again, each to a copy of the package, and the
tests that should catch it are run against the copy; each must fail. The full mutation run
(mutmut, docs/development.md) takes hours; this part runs in CI.

A mutation whose line has moved fails here with "the mutation site moved": update `old`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "emulator" / "paragon_emulator"

# (name, file in the package, the line as it is, the line mutated, the tests that must catch it)
MUTATIONS = [
    ("errored_cannot_be_disabled", "domain/syncs.py",
     "S.ERRORED: frozenset({S.INITIALIZING, S.ACTIVE, S.IDLE, S.DISABLED})",
     "S.ERRORED: frozenset({S.INITIALIZING, S.ACTIVE, S.IDLE})",
     ["tests/http/test_schedule.py::test_an_errored_sync_can_be_disabled_and_then_reenabled"]),
    ("a_page_starts_at_its_cursor", "domain/records.py",
     "        start = after + 1\n", "        start = after\n",
     ["tests/http/test_records.py::test_a_page_past_the_end_echoes_the_cursor_it_was_given", "tests/http/test_records.py::test_a_cursor_follower_ends_with_exactly_the_upstream_state"]),
    ("ownership_inherited_from_folders", "domain/permissions.py",
     '"is_owner": False}', '"is_owner": True}',
     ["tests/http/test_permissions_model.py"]),
    ("signature_without_the_dot_before_the_body", "webhooks/signing.py",
     'f"{event_id}.{timestamp}.".encode()', 'f"{event_id}.{timestamp}".encode()',
     ["tests/http/test_webhooks.py::test_every_event_type_from_a_real_scenario_arrives_signed"]),
    ("audience_host_not_checked", "tokens.py",
     "if host not in self.hosts or not project:", "if not project:",
     ["tests/http/test_auth.py"]),
    ("periodic_full_sync_every_12_hours", "domain/engine.py",
     "self.full_interval = timedelta(seconds=timing.full_interval)",
     "self.full_interval = timedelta(seconds=timing.full_interval / 2)",
     ["tests/http/test_schedule.py"]),
    ("mime_types_filter_inverted", "sources/files.py",
     'item["mimeType"] not in configuration["mimeTypes"]', 'item["mimeType"] in configuration["mimeTypes"]',
     ["tests/http/test_configuration.py::test_mime_types_keep_exactly_the_items_of_those_types"]),
    ("only_the_first_unknown_field_reported", "spec/validation.py",
     "            for name in unexpected:\n", "            for name in unexpected[:1]:\n",
     ["tests/http/test_validation.py"]),
    ("files_pass_access_down_like_folders", "domain/permissions.py",
     'current = node.parent if parent is not None and parent.type == "folder" else None',
     "current = node.parent if parent is not None else None",
     ["tests/http/test_permissions.py::test_only_folders_pass_access_down_a_folder_turned_into_a_file_stops"]),
    ("a_cached_token_never_expires", "http/routing.py",
     "if known is not None and time.time() < known[1]:", "if known is not None:",
     ["tests/http/test_token_cache.py"]),
    ("an_empty_page_answers_no_cursor", "domain/records.py",
     "next_cursor, last_seen = cursor, 0", "next_cursor, last_seen = None, 0",
     ["tests/http/test_records.py::test_a_page_past_the_end_echoes_the_cursor_it_was_given"]),
    ("latest_cursor_three_records_early", "domain/records.py",
     "                return encode_cursor(seq)\n", "                return encode_cursor(max(seq - 3, 1))\n",
     ["tests/http/test_records.py::test_the_latest_cursor_is_the_cursor_of_the_newest_record"]),
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("pristine") / "paragon_emulator"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.mark.parametrize("name, where, old, new, tests", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_the_suite_catches_the_mutation(name, where, old, new, tests, pristine, tmp_path):
    mutant = tmp_path / "paragon_emulator"
    shutil.copytree(pristine, mutant)
    source = (mutant / where).read_text()
    assert source.count(old) == 1, f"the mutation site moved: {old!r} is not once in {where}"
    (mutant / where).write_text(source.replace(old, new))
    # The copy comes first on the path, before the editable install's finder.
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    which = subprocess.run(
        [sys.executable, "-c", "import paragon_emulator; print(paragon_emulator.__file__)"],
        env=env, capture_output=True, text=True, check=True,
    )
    assert which.stdout.strip().startswith(str(tmp_path)), which.stdout
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-rf", "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:xdist", *tests],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    summary = run.stdout.strip().splitlines()[-1:] if run.stdout.strip() else run.stderr.strip().splitlines()[-1:]
    assert run.returncode == 1, f"mutation {name} survived {tests} (pytest exit {run.returncode}: {summary})"
