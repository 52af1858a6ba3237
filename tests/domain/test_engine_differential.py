"""The coalescing engine against the timer-by-timer reference: random fleets, everything observable.

Two emulators with the same settings, one on the production engine and one on
`StepByStepEngine`, get the same random story through HTTP: several tenants enabling syncs of
three kinds, upstream changes, faults, disables, re-enables, deletes, frequency and credential
updates, user resets, and clock advances from milliseconds to days. After every step both must
answer every read identically: sync lists and statuses, every record page, permission change
feeds and answers, the webhook log (event ids, types, emulated timestamps, order), the faults
and the clock.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings as hsettings, strategies as st
from starlette.testclient import TestClient

from paragon_emulator import create_app
from paragon_emulator.domain.engine import Timing
from paragon_emulator.domain.work import UpstreamWork
from paragon_emulator.emulator import Emulator
from paragon_emulator.tokens import mint

from tests.conftest import PROJECT, UNDER_MUTMUT, make_settings
from tests.domain.reference_engine import StepByStepEngine

USERS = ("alice", "bob")
KINDS = (
    ("googledrive", "files", {}),
    ("hubspot", "contacts", {}),
    ("jira", "tickets", {"projectId": "P1"}),
)
NAMES = (None, "second")
FREQUENCIES = ("1m", "5m", "10m", "1h", "3h", "24h")
FAULTS = ("credential_revoked", "root_missing", "rate_limited", "record_error")


class WholeItemsWork(UpstreamWork):
    """Every run makes every item it reads (the production work skips making untouched ones)."""

    def reads_whole_items(self, sync, account, kind) -> bool:
        return True


class ReferenceEmulator(Emulator):
    def _make_work(self):
        return WholeItemsWork(self.upstream, self.events, self.settings.seconds_per_record, self._faults_of)

    def _make_engine(self, timing: Timing):
        return StepByStepEngine(self.clock, self.events, timing, self.work, self._faults_of)


def _settings(seconds_per_record: float, full_interval: int):
    return make_settings(
        account_size=6, seconds_per_record=seconds_per_record, full_sync_interval_seconds=full_interval,
        sync_run_seconds=2.0, initial_sync_delay_seconds=1.0, default_frequency="5m",
    )


# Random stories per run; under mutmut (README.md, Development), which runs this test for nearly every
# mutant of the domain, fewer: the stories below that must always be told still all run.
EXAMPLES = 15 if UNDER_MUTMUT else 60
ENGINE_BUSINESS = {"pendingTimers", "nextTimerAt", "timersRun"}  # how many timers it takes differs, by design


def _public(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _public(v) for k, v in body.items() if k not in ENGINE_BUSINESS}
    return body


class Pair:
    """The same calls to both emulators; every answer must be the same."""

    def __init__(self, seconds_per_record: float, full_interval: int, big: bool = False):
        settings = _settings(seconds_per_record, full_interval)
        self.settings = settings
        self.fast = TestClient(create_app(Emulator(settings)))
        self.slow = TestClient(create_app(ReferenceEmulator(settings)))
        self.fast.__enter__()
        self.slow.__enter__()
        if big:  # full runs of several steps (a step reads 1,000 items)
            self.call("PUT", f"/_emulator/upstream/{PROJECT}/alice/googledrive/files", json={"size": 2_500})
        self.syncs: list[tuple[str, str]] = []  # (user, sync id) ever enabled
        self.kinds: dict[str, tuple[int, int]] = {}  # sync id -> (user, kind) indexes
        self.headers = {u: {"Authorization": f"Bearer {mint(settings, u)[0]}"} for u in USERS}

    def close(self) -> None:
        self.fast.__exit__(None, None, None)
        self.slow.__exit__(None, None, None)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        answers = []
        for client in (self.fast, self.slow):
            response = client.request(method, path, **kwargs)
            assert response.status_code < 500, response.text
            body = _public(response.json()) if response.content else None
            answers.append((response.status_code, body))
        assert answers[0] == answers[1], f"{method} {path} {kwargs.get('json')}:\n fast {answers[0]}\n slow {answers[1]}"
        return answers[0]

    # -- reads: everything a client can see ---------------------------------------------------
    def observe(self) -> None:
        self.call("GET", "/_emulator/clock")
        self.call("GET", "/_emulator/faults")
        self.call("GET", "/_emulator/webhooks/events")
        for user in USERS:
            headers = self.headers[user]
            _, listed = self.call("GET", "/api/syncs", headers=headers)
            for sync in listed["data"]:
                self.call("GET", f"/api/syncs/{sync['id']}", headers=headers)
                if sync["status"] == "DISABLED":
                    continue
                self._pull_everything(sync["id"], headers)
                if sync["integration"] == "googledrive":
                    self.call("GET", f"/api/permissions/{sync['id']}/changes", headers=headers, params={"pageSize": 1000})
                    self.call(
                        "POST", f"/api/permissions/{sync['id']}/list-objects", headers=headers,
                        json={"user": f"{user}@example.com", "role": "can_read", "type": "file"},
                    )

    def _pull_everything(self, sync_id: str, headers: dict[str, str]) -> None:
        cursor = None
        for _ in range(50):
            params = {"pageSize": 1000, **({"cursor": cursor} if cursor else {})}
            _, page = self.call("GET", f"/api/syncs/{sync_id}/records", headers=headers, params=params)
            if not page.get("data"):
                return
            cursor = page["paging"].get("cursor")

    # -- the story ---------------------------------------------------------------------------
    def pick(self, index: int) -> tuple[str, str] | None:
        return self.syncs[index % len(self.syncs)] if self.syncs else None

    def act(self, action: tuple) -> None:
        name, *args = action
        if name == "enable":
            user, kind, config_name = args
            integration, pipeline, configuration = KINDS[kind]
            body: dict[str, Any] = {"integration": integration, "pipeline": pipeline, "configuration": configuration}
            if NAMES[config_name]:
                body["configurationName"] = NAMES[config_name]
            status, answer = self.call("POST", "/api/syncs", json=body, headers=self.headers[USERS[user]])
            if status == 200:
                self.syncs.append((USERS[user], answer["id"]))
                self.kinds[answer["id"]] = (user, kind)
        elif name == "advance":
            self.call("POST", "/_emulator/clock/advance", json={"seconds": args[0]})
        elif name == "change":
            picked = self.pick(args[0])
            if picked is not None:
                user_index, kind = self.kinds[picked[1]]
                self._change(user_index, kind, *args[1:])
        elif name in ("disable", "reenable", "delete", "frequency", "credential", "fault"):
            picked = self.pick(args[0])
            if picked is None:
                return
            user, sync_id = picked
            headers = self.headers[user]
            if name == "disable":
                self.call("POST", f"/api/syncs/{sync_id}/disable", headers=headers)
            elif name == "reenable":
                self.call("POST", f"/api/syncs/{sync_id}/reenable", headers=headers)
            elif name == "delete":
                self.call("DELETE", f"/api/syncs/{sync_id}", headers=headers)
            elif name == "frequency":
                self.call("PATCH", f"/api/syncs/{sync_id}", json={"incrementalAccumulatorFrequency": FREQUENCIES[args[1]]}, headers=headers)
            elif name == "credential":
                credential = f"00000000-0000-4000-8000-00000000000{args[1]}"
                self.call("PATCH", f"/api/syncs/{sync_id}", json={"credentialId": credential}, headers=headers)
            else:
                kind, once = args[1], args[2]
                body = {"syncId": sync_id, "kind": FAULTS[kind], "once": once}
                if FAULTS[kind] == "rate_limited":
                    body["backoffMs"] = 45_000
                self.call("POST", "/_emulator/faults/sync", json=body)
        elif name == "clear_faults":
            self.call("DELETE", "/_emulator/faults")
        elif name == "reset_user":
            self.call("POST", "/_emulator/reset", json={"projectId": PROJECT, "userId": USERS[args[0]]})
        else:
            raise AssertionError(name)

    def _change(self, user: int, kind: int, action: str, which: int) -> None:
        integration, pipeline, _ = KINDS[kind]
        account = f"/_emulator/upstream/{PROJECT}/{USERS[user]}/{integration}/{pipeline}"
        if action == "create":
            fields = {"name": f"new-{which}.txt"} if pipeline == "files" else {}
            self.call("POST", account + "/items", json={"fields": fields})
            return
        _, listing = self.call("GET", account, params={"offset": which * 97, "limit": 50})
        items = listing["items"] or self.call("GET", account, params={"limit": 50})[1]["items"]
        if not items:
            return
        external_id = items[which % len(items)]["externalId"]
        if action == "update":
            fields = {"name": f"renamed-{which}"} if pipeline == "files" else (
                {"firstName": f"Renamed{which}"} if pipeline == "contacts" else {"title": f"Renamed {which}"}
            )
            self.call("PATCH", f"{account}/items/{external_id}", json={"fields": fields})
        elif action == "delete":
            self.call("DELETE", f"{account}/items/{external_id}")
        elif action == "move" and pipeline == "files":
            folders = [i for i in items if i.get("mimeType", "").endswith("folder")]
            parent = folders[which % len(folders)]["externalId"] if folders else None
            if parent and parent != external_id:
                self.call("PATCH", f"{account}/items/{external_id}", json={"fields": {"parentExternalId": parent}})
        elif action in ("unshare", "share") and pipeline == "files":
            self.call("POST", f"{account}/items/{external_id}/{action}")


index = st.integers(0, 40)
seconds = st.one_of(
    st.integers(0, 4000).map(lambda ms: ms / 1000),  # inside a run
    st.integers(1, 400),  # a few incremental cycles
    st.integers(600, 6 * 3600),  # hours: full syncs at a 3 h interval
    st.integers(86_400, 2 * 86_400),  # days: whole cycles skipped
)
enables = st.tuples(st.just("enable"), st.integers(0, len(USERS) - 1), st.integers(0, len(KINDS) - 1), st.integers(0, 1))
advances = st.tuples(st.just("advance"), seconds)
# Upstream changes to the account of one of the syncs enabled so far (by index).
changes = st.tuples(
    st.just("change"), index, st.sampled_from(("create", "update", "update", "delete", "move", "unshare", "share")), index
)
actions = st.one_of(
    enables,
    advances,
    advances,
    advances,
    advances,
    changes,
    changes,
    changes,
    st.tuples(st.just("disable"), index),
    st.tuples(st.just("reenable"), index),
    st.tuples(st.just("delete"), index),
    st.tuples(st.just("frequency"), index, st.integers(0, len(FREQUENCIES) - 1)),
    st.tuples(st.just("credential"), index, st.integers(0, 3)),
    st.tuples(st.just("fault"), index, st.integers(0, len(FAULTS) - 1), st.booleans()),
    st.tuples(st.just("clear_faults")),
    st.tuples(st.just("reset_user"), st.integers(0, len(USERS) - 1)),
)


@hsettings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    fleet=st.lists(enables, min_size=1, max_size=6),
    story=st.lists(actions, min_size=1, max_size=40),
    seconds_per_record=st.sampled_from((0.0, 0.25, 7.0)),
    full_interval=st.sampled_from((10_800, 86_400)),
    big=st.sampled_from((False, False, False, False, True)),
)
# Stories that must always be told, whatever the random ones find:
@example(  # a deletion read by an incremental run is reconciled only by the next full run
    fleet=[("enable", 0, 0, 0)], story=[("advance", 10), ("change", 0, "delete", 1), ("advance", 400), ("advance", 14_400)],
    seconds_per_record=0.25, full_interval=10_800, big=False,
)
@example(  # a fault met at a run's start is emitted at that instant, before a later event of another sync
    fleet=[("enable", 0, 1, 0), ("enable", 1, 1, 0)],
    story=[("advance", 10), ("change", 0, "update", 1), ("fault", 1, 0, True), ("advance", 400)],
    seconds_per_record=0.25, full_interval=10_800, big=False,
)
@example(  # a record that failed in an incremental run is stored by the next full run
    fleet=[("enable", 0, 1, 0)],
    story=[("advance", 10), ("change", 0, "update", 1), ("fault", 0, 3, True), ("advance", 400), ("advance", 14_400)],
    seconds_per_record=0.25, full_interval=10_800, big=False,
)
@example(  # backing off while idle, then the fault cleared
    fleet=[("enable", 0, 2, 0)],
    story=[("advance", 10), ("fault", 0, 2, False), ("advance", 400), ("clear_faults",), ("advance", 400)],
    seconds_per_record=0.0, full_interval=86_400, big=False,
)
@example(  # a credential change's full run, then days of whole cycles skipped, a frequency change
    fleet=[("enable", 0, 0, 0), ("enable", 1, 1, 0)],
    story=[("advance", 10), ("credential", 0, 1), ("advance", 1), ("advance", 2 * 86_400), ("frequency", 1, 0),
           ("advance", 86_400)],
    seconds_per_record=0.25, full_interval=10_800, big=False,
)
@example(  # an upstream change in the middle of a computed full run: its remaining steps read the change
    fleet=[("enable", 0, 0, 0)],
    story=[("advance", 41.5), ("advance", 10_801), ("change", 0, "delete", 2), ("change", 0, "create", 0), ("advance", 400)],
    seconds_per_record=7.0, full_interval=10_800, big=False,
)
@example(  # the same in a full run of three steps: the steps already read are replayed, the rest read the change
    fleet=[("enable", 0, 0, 0)],
    story=[("advance", 24.5), ("advance", 10_817), ("change", 0, "delete", 1), ("change", 0, "delete", 24),
           ("change", 0, "update", 20), ("advance", 400)],
    seconds_per_record=0.01, full_interval=10_800, big=True,
)
@example(  # ... and a change at the very instant of a step comes after it
    fleet=[("enable", 0, 0, 0)],
    story=[("advance", 24.5), ("advance", 10_812), ("change", 0, "delete", 11), ("advance", 400)],
    seconds_per_record=0.01, full_interval=10_800, big=True,
)
def test_coalesced_engine_answers_like_the_timer_by_timer_one(fleet, story, seconds_per_record, full_interval, big):
    pair = Pair(seconds_per_record, full_interval, big)
    try:
        for action in [*fleet, ("advance", 3.5), *story]:
            pair.act(action)
            pair.observe()
    finally:
        pair.close()


def test_a_fleet_idle_for_a_year_answers_like_the_timer_by_timer_one():
    """Long spans without change: whole cycles are skipped, and still every timestamp is exact."""
    pair = Pair(0.25, 10_800)
    try:
        for user in range(len(USERS)):
            for kind in range(len(KINDS)):
                pair.act(("enable", user, kind, 0))
        for sync in range(len(pair.syncs)):
            pair.act(("frequency", sync, 3 + sync % 3))  # 1h, 3h, 24h
        pair.act(("advance", 3))
        pair.observe()
        for days in (1, 7, 30):
            pair.act(("advance", days * 86_400 + 17))
            pair.observe()
        pair.act(("change", 0, "update", 2))
        pair.act(("advance", 45 * 86_400))
        pair.observe()
    finally:
        pair.close()
