"""serving: the emulator's hot operations over real HTTP, against bare Starlette and Prism in the same run.

1. Two emulators (`serve`, manual clock fixed at one instant, so both answer the same bytes): the
   default (every request validated) and strict (responses validated too). On each, alice's Google
   Drive account is sized to 150 generated items, bob's holds 100 files created through the
   control plane, and each has a files sync run to IDLE.
2. The operations, each called once with httpx to capture the answer:
   - pull a 100-record page: GET /api/syncs/{id}/records?pageSize=100 (alice: generated items,
     whose records are regenerated, content hash included, on every read)
   - the same for bob, whose records are stored as synced: serving cost without the generation
   - sync status:            GET /api/syncs/{id}
   - batch-check of 10:      POST /api/permissions/{id}/batch-check (record ids and owners from the page)
3. The bare baseline (benchmarks/_bare.py) serves those captured bytes from memory, under uvicorn
   as `serve` runs it. Each operation is loaded on each server with the same request at 16
   connections (wrk, else a Python loop), `repeats` times, servers back to back; the ratio is
   the median of the per-round ratios emulator / bare (the machine is shared: a busy moment
   then touches both sides of a ratio), the figures are medians.
4. Latency of the pull at 1, 16 and 64 connections: p50/p99, emulator vs bare.
5. Prism (benchmarks/_prism.py) mocking the same openapi.yaml, given the same requests, rounds
   back to back with the emulator: what a generic spec mock gives instead (it answers the spec's
   examples, not state).
"""

from __future__ import annotations

import json
import statistics
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx

from . import _bare, _load, _prism
from ._harness import (
    BenchmarkError, Process, Row, advance, check, client_for, default_project, log, mint_token, ratio_range, running_server,
)

NAME = "serving"
ACCOUNT_SIZE = 150
PAGE_SIZE = 100
CHECKS = 10
CONNECTIONS = 16
LATENCY_CONNECTIONS = (1, 16, 64)
ENV = {"PARAGON_EMULATOR_CLOCK_MODE": "manual", "PARAGON_EMULATOR_CLOCK_START": "2026-01-05T09:00:00Z"}


def stack_name() -> str:
    """What uvicorn's "auto" picks in this environment (the emulator and the bare app alike)."""
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn+{http}+{loop}"


@dataclass
class Op:
    key: str
    label: str
    method: str
    path: str
    body: bytes | None
    token: str
    answer: bytes
    content_type: str
    status: int


@dataclass
class Setup:
    ops: list[Op]
    missing: dict[str, str]  # label -> why it is not measured


def _synced(client: httpx.Client, project: str, user: str, size: int, created: int = 0) -> tuple[str, str]:
    """A user's Drive of `size` generated and `created` stored items, synced; (token, sync id)."""
    upstream = f"/_emulator/upstream/{project}/{user}/googledrive/files"
    check(client.put(upstream, json={"size": size}))
    for i in range(created):
        check(client.post(upstream + "/items", json={"fields": {"name": f"notes-{i}.txt", "size": 2048}}))
    token = mint_token(client, user)
    headers = {"Authorization": f"Bearer {token}"}
    sync = check(client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}, headers=headers))["id"]
    for _ in range(50):
        advance(client, 60)
        if check(client.get(f"/api/syncs/{sync}", headers=headers))["status"] == "IDLE":
            return token, sync
    raise BenchmarkError(f"{user}'s files sync did not reach IDLE")


def _prepare(server) -> Setup:
    """The synced Drives; every operation called once and its answer kept."""
    with client_for(server) as client:
        project = default_project(client)
        alice, sync = _synced(client, project, "alice", ACCOUNT_SIZE)
        bob, bob_sync = _synced(client, project, "bob", 0, created=PAGE_SIZE)

        def call(key: str, label: str, method: str, path: str, token: str, body: object = None) -> Op:
            data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
            headers = {"Authorization": f"Bearer {token}"}
            if data is not None:
                headers["Content-Type"] = "application/json"
            answer = client.request(method, path, content=data, headers=headers)
            op = Op(key, label, method, path, data, token, answer.content, answer.headers.get("content-type", ""), answer.status_code)
            if key != "batch" and op.status != 200:
                raise BenchmarkError(f"{label} -> {op.status}: {op.answer[:300]!r}")
            return op

        page = f"/records?pageSize={PAGE_SIZE}"
        pull = call("pull", f"pull a {PAGE_SIZE}-record page", "GET", f"/api/syncs/{sync}{page}", alice)
        stored = call("stored", f"pull a {PAGE_SIZE}-record page, stored records", "GET", f"/api/syncs/{bob_sync}{page}", bob)
        for op in (pull, stored):
            if len(json.loads(op.answer)["data"]) != PAGE_SIZE:
                raise BenchmarkError(f"{op.label}: not {PAGE_SIZE} records")
        status = call("status", "sync status", "GET", f"/api/syncs/{sync}", alice)
        files = [r for r in json.loads(pull.answer)["data"] if "hash" in r][:CHECKS]
        listed = check(client.get(f"/_emulator/upstream/{project}/alice/googledrive/files", params={"limit": ACCOUNT_SIZE}))
        owners = {item["externalId"]: item["owner"] for item in listed["items"]}  # records carry no owner
        checks = [
            {"object": r["id"], "user": "user:" + owners[files[(i + i % 2) % len(files)]["externalId"]], "role": "can_read"}
            for i, r in enumerate(files)
        ]
        batch = call("batch", f"batch-check of {len(checks)}", "POST", f"/api/permissions/{sync}/batch-check", alice, {"checks": checks})
    ops, missing = [pull, stored, status], {}
    if batch.status == 200:
        ops.append(batch)
    elif batch.status == 501:
        missing[batch.label] = "not available (501 NOT_IMPLEMENTED in this build)"
    else:
        raise BenchmarkError(f"batch-check -> {batch.status}: {batch.answer[:300]!r}")
    return Setup(ops, missing)


def _measure(base_url: str, op: Op, connections: int, seconds: float) -> _load.Load:
    headers = {"Authorization": f"Bearer {op.token}"}
    if op.body is not None:
        headers["Content-Type"] = "application/json"
    load = _load.measure(
        base_url + op.path, method=op.method, headers=headers, body=op.body, connections=connections, seconds=seconds
    )
    if load.errors or not load.requests:
        raise BenchmarkError(f"{base_url}{op.path}: {load.errors} errors in {load.requests} requests")
    return load


@dataclass
class Figure:
    """Medians over the rounds of one (operation, server, connections)."""

    rps: float
    p50_ms: float
    p99_ms: float

    @classmethod
    def of(cls, runs: list[_load.Load]) -> "Figure":
        return cls(*(statistics.median(getattr(r, f) for r in runs) for f in ("rps", "p50_ms", "p99_ms")))


def _ratios(runs: list[_load.Load], baseline: list[_load.Load], percent: bool = True) -> str:
    """Median of the rounds' ratios (each round measures both back to back) and their range."""
    return ratio_range([a.rps / b.rps for a, b in zip(runs, baseline)], percent=percent)


def _comparable(seconds: float, repeats: int) -> bool:
    """Whether rounds this short and few can give a ratio: wrk, at least a second, at least 3 rounds."""
    return _load.generator_name(seconds) == "wrk" and repeats >= 3


NOT_MEASURED = "not measured"


def _rps(value: float) -> str:
    return f"{value:,.0f} req/s"


def _lat(figure: Figure) -> str:
    return f"p50 {figure.p50_ms:.2f} ms, p99 {figure.p99_ms:.2f} ms"


def run(seconds: float = 3.0, repeats: int = 3, warmup: float = 1.0, prism: str = "install") -> list[Row]:
    """prism: "install" (when missing), "if-installed" or "skip"."""
    with running_server(ENV, NAME) as plain, running_server({**ENV, "PARAGON_EMULATOR_STRICT": "true"}, f"{NAME}-strict") as strict:
        setup, strict_setup = _prepare(plain), _prepare(strict)
        same = all(a.answer == b.answer for a, b in zip(setup.ops, strict_setup.ops))
        with _bare_server(setup) as bare:
            # server -> (its URL, the operations as called there: each server minted its own tokens)
            servers = {"emulator": (plain.base_url, setup.ops), "strict": (strict.base_url, strict_setup.ops), "bare": (bare.base_url, setup.ops)}
            if warmup:
                for url, ops in servers.values():
                    for op in ops:
                        _measure(url, op, CONNECTIONS, warmup)
            log(f"{NAME}: throughput at {CONNECTIONS} connections ({_load.generator_name(seconds)}, {seconds:g} s x {repeats})")
            loads: dict[tuple[str, str, int], list[_load.Load]] = {}
            for _ in range(repeats):  # rounds: every server back to back for each operation
                for i, op in enumerate(setup.ops):
                    for name, (url, ops) in servers.items():
                        loads.setdefault((op.key, name, CONNECTIONS), []).append(_measure(url, ops[i], CONNECTIONS, seconds))
            pull = setup.ops[0]
            log(f"{NAME}: latency of the pull at {LATENCY_CONNECTIONS} connections")
            for _ in range(repeats):
                for connections in (c for c in LATENCY_CONNECTIONS if c != CONNECTIONS):
                    for name in ("emulator", "bare"):
                        loads.setdefault((pull.key, name, connections), []).append(_measure(servers[name][0], pull, connections, seconds))
        prism_rows = _prism_rows(setup, plain.base_url, seconds, repeats, warmup, prism)
    return _rows(setup, loads, same, seconds, repeats) + prism_rows


@contextmanager
def _bare_server(setup: Setup) -> Iterator[Process]:
    """The bare app, serving the emulator's captured answers; checked to answer the same bytes."""
    with tempfile.TemporaryDirectory(prefix="paragon-bench-") as tmp:
        manifest = Path(tmp) / "answers.json"
        answers = (_bare.entry(op.method, op.path.split("?")[0], op.status, op.content_type, op.answer) for op in setup.ops)
        manifest.write_text(json.dumps(dict(answers)))
        with _bare.process(manifest) as bare:
            bare.start()
            for op in setup.ops:
                got = _measure_once(bare.base_url, op)
                if got != op.answer:
                    raise BenchmarkError(f"the bare app answers {len(got)} bytes for {op.label}, not {len(op.answer)}")
            yield bare


def _measure_once(base_url: str, op: Op) -> bytes:
    headers = {"Authorization": f"Bearer {op.token}"}
    if op.body is not None:
        headers["Content-Type"] = "application/json"
    with httpx.Client(trust_env=False, timeout=30) as client:
        return client.request(op.method, base_url + op.path, content=op.body, headers=headers).content


GOALS = {"pull": ">= 70%", "stored": ">= 70%", "status": ">= 80%", "batch": ">= 70%"}  # issue 21; strict >= 50%


def _rows(setup: Setup, loads: dict, same: bool, seconds: float, repeats: int) -> list[Row]:
    how = (
        f"{_load.generator_name(seconds)}, {CONNECTIONS} connections, {seconds:g} s x {repeats} alternating rounds, "
        f"{stack_name()} on both; ratio: median of the rounds' ratios (range)"
    )
    comparable = _comparable(seconds, repeats)
    why = f"ratio {NOT_MEASURED}: rounds too short or too few (--quick)"
    rows = []
    for op in setup.ops:
        emulator, strict, bare = (loads[(op.key, name, CONNECTIONS)] for name in ("emulator", "strict", "bare"))
        rows.append(Row(
            NAME, f"{op.label}: {_rps(Figure.of(emulator).rps)}", f"bare Starlette, same bytes: {_rps(Figure.of(bare).rps)}",
            _ratios(emulator, bare) if comparable else NOT_MEASURED,
            f"requests validated; goal {GOALS.get(op.key, '')}; {len(op.answer):,}-byte answer; "
            + (how if comparable else why),
        ))
        rows.append(Row(
            NAME, f"{op.label}, strict: {_rps(Figure.of(strict).rps)}", f"bare: {_rps(Figure.of(bare).rps)}",
            _ratios(strict, bare) if comparable else NOT_MEASURED,
            "responses validated too; goal >= 50%" + ("" if same else "; NOTE strict answered different bytes"),
        ))
    for label, why in setup.missing.items():
        rows.append(Row(NAME, f"{label}: {why}", notes="measured once the operation is served"))
    pull = setup.ops[0]
    for connections in LATENCY_CONNECTIONS:
        emulator, bare = (Figure.of(loads[(pull.key, name, connections)]) for name in ("emulator", "bare"))
        rows.append(Row(
            NAME, f"pull latency, {connections} client{'s' if connections > 1 else ''}: {_lat(emulator)}",
            f"bare: {_lat(bare)}", f"p50 {emulator.p50_ms / bare.p50_ms:.1f}x" if comparable else NOT_MEASURED,
            f"{_rps(emulator.rps)} vs {_rps(bare.rps)}; {_load.generator_name(seconds)}, {seconds:g} s x {repeats} rounds (medians)",
        ))
    return rows


def _prism_rows(setup: Setup, emulator_url: str, seconds: float, repeats: int, warmup: float, mode: str) -> list[Row]:
    label = "Prism mock of openapi.yaml"
    if mode == "skip":
        return [Row(NAME, f"{label}: skipped", notes="not measured with --quick")]
    try:
        binary = _prism.find(install=mode == "install")
    except _prism.Unavailable as exc:
        return [Row(NAME, f"{label}: not measured", notes=str(exc))]
    version = _prism.version(binary)
    rows = []
    try:
        with _prism.process(binary) as prism:
            started = prism.start(timeout=120)
            log(f"{NAME}: Prism {version} ready in {started:.1f} s")
            for op in (o for o in setup.ops if o.key != "stored"):  # the same requests the emulator got
                answer = _measure_once(prism.base_url, op)
                if warmup:
                    _measure(prism.base_url, op, CONNECTIONS, warmup)
                runs, mine = [], []
                for _ in range(repeats):  # back to back with the emulator, as for the bare app
                    mine.append(_measure(emulator_url, op, CONNECTIONS, seconds))
                    runs.append(_measure(prism.base_url, op, CONNECTIONS, seconds))
                theirs, ours = Figure.of(runs), Figure.of(mine)
                rows.append(Row(
                    NAME, f"{op.label}: emulator {_rps(ours.rps)}", f"Prism {version}: {_rps(theirs.rps)}",
                    _ratios(mine, runs, percent=False),
                    f"same request, {CONNECTIONS} connections; Prism answers the spec's {len(answer):,}-byte example, the "
                    f"emulator {len(op.answer):,} bytes of its state; p50 {theirs.p50_ms:.2f} ms vs {ours.p50_ms:.2f} ms; "
                    f"Prism up in {started:.1f} s",
                ))
    except Exception as exc:  # Prism is a comparison: its failure must not cost the table
        rows.append(Row(NAME, f"{label}: failed", notes=f"{type(exc).__name__}: {exc}"[:300]))
    return rows
