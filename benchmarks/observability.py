"""observability: what seeing the emulator costs.

1. Logging: three emulators, at `--log-level info` (the default: the emulator's lines for syncs,
   runs, webhooks, control actions and refused requests, written to a file), at info with
   `--access-log` (uvicorn's line for every request too), and at `warning`. The serving
   benchmark's hot operations (a 100-record page, a sync's status) are loaded on each, servers
   back to back in each round, who goes first rotating; the ratio is the median of the per-round
   ratios against `warning`, with their range. Goal: info costs <= 5%.
2. The dashboard's first paint: Chromium (the system's, driven by Playwright; never downloaded)
   opens /_emulator/ui on an emulator holding N syncs; the figure is the time from navigation to
   the frame after the sync table holds every row (median and range of fresh pages), beside the
   same with one sync. Goal: <= 1 s with 1,000 syncs. Every request the page makes must go to the
   emulator: any other is refused and fails the benchmark.
"""

from __future__ import annotations

import os
import shutil
import statistics
from typing import Any

from . import _load, serving
from ._harness import BenchmarkError, Row, advance, check, client_for, log, mint_token, running_server

NAME = "observability"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# Installed before the page's own script: notes when the sync table first holds `want` rows,
# after the next frame is painted.
PAINT_PROBE = """
(() => {
  const want = %d;
  new MutationObserver((_, observer) => {
    if (document.querySelectorAll('#sync-table tr[data-sync-id]').length >= want && !window.__painted) {
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => { window.__painted = performance.now(); }));
    }
  }).observe(document, {childList: true, subtree: true});
})();
"""


def run(syncs: int = 1000, seconds: float = 3.0, repeats: int = 5, pages: int = 7) -> list[Row]:
    return _logging_rows(seconds, repeats) + _paint_rows(syncs, pages)


# -- 1. logging at info vs off ---------------------------------------------------------------------
def _logging_rows(seconds: float, repeats: int) -> list[Row]:
    env = dict(serving.ENV)
    access = {"PARAGON_EMULATOR_LOG_LEVEL": "info", "PARAGON_EMULATOR_ACCESS_LOG": "true"}
    with running_server({**env, "PARAGON_EMULATOR_LOG_LEVEL": "info"}, f"{NAME}-info") as info, \
            running_server({**env, **access}, f"{NAME}-access") as every, \
            running_server({**env, "PARAGON_EMULATOR_LOG_LEVEL": "warning"}, f"{NAME}-warning") as quiet:
        servers = {"info": info, "access": every, "warning": quiet}
        ops = {name: serving._prepare(server).ops for name, server in servers.items()}
        urls = {name: server.base_url for name, server in servers.items()}
        keys = [i for i, op in enumerate(ops["info"]) if op.key in ("pull", "status")]
        for name in urls:  # warm-up
            for i in keys:
                serving._measure(urls[name], ops[name][i], serving.CONNECTIONS, min(seconds, 1.0))
        log(f"{NAME}: logging info vs warning, {_load.generator_name(seconds)}, {seconds:g} s x {repeats}")
        loads: dict[tuple[int, str], list[_load.Load]] = {}
        for round_ in range(repeats):
            names = list(urls)
            order = names[round_ % 3:] + names[: round_ % 3]  # who goes first rotates
            for i in keys:
                for name in order:
                    loads.setdefault((i, name), []).append(serving._measure(urls[name], ops[name][i], serving.CONNECTIONS, seconds))
    rows = []
    how = f"{_load.generator_name(seconds)}, {serving.CONNECTIONS} connections, {seconds:g} s x {repeats} rounds"
    for i in keys:
        off = loads[(i, "warning")]
        for name, label, goal in (("info", "log level info", "goal >= 95% (info costs <= 5%)"),
                                  ("access", "info + --access-log", "a line per request: for comparison")):
            on = loads[(i, name)]
            ratios = [a.rps / b.rps for a, b in zip(on, off)]
            rows.append(Row(
                NAME, f"{ops['info'][i].label}, {label}: {statistics.median(a.rps for a in on):,.0f} req/s",
                f"warning: {statistics.median(b.rps for b in off):,.0f} req/s", f"{statistics.median(ratios):.0%}",
                f"range {min(ratios):.0%}-{max(ratios):.0%}; {goal}; lines to a file; {how}",
            ))
    return rows


# -- 2. the dashboard's first paint ----------------------------------------------------------------
def _paint_rows(syncs: int, pages: int) -> list[Row]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return [Row(NAME, "dashboard first paint: not measured", notes="Playwright is not installed (pip install -e '.[test]')")]
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(chromium, os.X_OK):
        return [Row(NAME, "dashboard first paint: not measured", notes="no system Chromium (apt-get install chromium)")]
    figures = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            for count in (1, syncs):
                with running_server({"PARAGON_EMULATOR_CLOCK_MODE": "manual"}, f"{NAME}-ui-{count}") as server:
                    _fill(server, count)
                    figures[count] = [_first_paint(browser, server.base_url, count) for _ in range(pages)]
        finally:
            browser.close()
    one, many = figures[1], figures[syncs]
    return [Row(
        NAME, f"dashboard first paint, {syncs:,} syncs: {statistics.median(many):.0f} ms",
        f"1 sync: {statistics.median(one):.0f} ms", f"{statistics.median(many) / 1000:.0%} of the 1 s goal",
        f"navigation to the frame after the sync table's last row; range {min(many):.0f}-{max(many):.0f} ms over "
        f"{pages} fresh pages; Chromium {browser.version} headless; no request left 127.0.0.1",
    )]


def _fill(server: Any, count: int) -> None:
    """`count` HubSpot contacts syncs of one user (a configurationName each), run to IDLE."""
    with client_for(server) as client:
        headers = {"Authorization": f"Bearer {mint_token(client, 'alice')}"}
        for i in range(count):
            body = {"integration": "hubspot", "pipeline": "contacts", "configurationName": f"c{i}"}
            check(client.post("/api/syncs", json=body, headers=headers))
        advance(client, 60)


def _first_paint(browser: Any, base_url: str, rows: int) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    elsewhere: list[str] = []

    def only_the_emulator(route: Any) -> None:
        url = route.request.url
        if url.startswith(base_url + "/") or url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    try:
        context.route("**/*", only_the_emulator)
        page = context.new_page()
        page.add_init_script(PAINT_PROBE % rows)
        page.goto(base_url + "/_emulator/ui")
        page.wait_for_function("() => window.__painted !== undefined", timeout=60_000)
        painted = float(page.evaluate("window.__painted"))
    finally:
        context.close()
    if elsewhere:
        raise BenchmarkError(f"the dashboard asked hosts other than the emulator: {elsewhere}")
    return painted
