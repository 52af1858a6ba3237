"""python -m benchmarks [--quick] [--records N] [--syncs N] [--only NAME] : run and print one table."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

from . import clock, content, incremental, nango, permissions, plugin, records, reliability, serving, snapshot, startup
from ._harness import Row, log

FULL = {"records": 1_000_000, "syncs": 1000, "files": 100_000, "fleet": 10_000, "days": 365, "downloads": 200}
QUICK = {"records": 50_000, "syncs": 100, "files": 10_000, "fleet": 1_000, "days": 30, "downloads": 40}
# Seconds per load run, rounds per figure (medians), warm-up, Prism; quick is a smoke test.
SERVING_FULL = {"seconds": 3.0, "repeats": 3, "warmup": 1.0, "prism": "install"}
SERVING_QUICK = {"seconds": 0.3, "repeats": 1, "warmup": 0.0, "prism": "skip"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Benchmarks of paragon-emulator over HTTP; prints one table."
    )
    parser.add_argument(
        "--quick", action="store_true",
        help="a smoke test: smaller sizes (50,000 records, 100 syncs, 10,000 files), 0.3 s loads, no Prism, one start-up run",
    )
    parser.add_argument("--records", type=int, help="items in the pull_1m account (default 1,000,000; quick 50,000)")
    parser.add_argument("--syncs", type=int, help="syncs in incremental_1000 (default 1,000; quick 100)")
    parser.add_argument("--repeats", type=int, default=5, help="measured cycles in incremental_1000 (default 5)")
    parser.add_argument(
        "--only", action="append", choices=(records.NAME, clock.NAME, incremental.NAME, plugin.NAME, permissions.NAME, serving.NAME, startup.NAME, content.NAME, reliability.NAME, snapshot.NAME, nango.NAME), help="run only this benchmark (repeatable)"
    )
    parser.add_argument(
        "--max-wall", type=float, default=3600.0, help="wall-time bound of each wait loop, in seconds (default 3600)"
    )
    return parser


def format_table(rows: list[Row]) -> str:
    header = ("benchmark", "figure", "baseline", "ratio", "notes")
    cells = [header] + [(r.benchmark, r.figure, r.baseline, r.ratio, r.notes) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def measured_tree() -> str:
    """The commit the benchmarks ran against (the emulator is installed editable from this tree)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(Path(__file__).resolve().parent.parent), "describe", "--always", "--dirty"],
            capture_output=True, text=True, timeout=10, check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    if args.records is not None:
        sizes["records"] = args.records
    if args.syncs is not None:
        sizes["syncs"] = args.syncs
    if sizes["records"] < 1 or sizes["syncs"] < 1 or args.repeats < 1:
        print("--records must be >= 1, --syncs >= 1, --repeats >= 1", file=sys.stderr)
        return 2

    benchmarks: dict[str, Callable[[], list[Row]]] = {
        records.NAME: lambda: records.run(sizes["records"], max_wall=args.max_wall),
        incremental.NAME: lambda: incremental.run(sizes["syncs"], args.repeats, max_wall=args.max_wall),
        clock.NAME: lambda: clock.run(sizes["syncs"], sizes["fleet"], sizes["days"], max_wall=args.max_wall),
        plugin.NAME: lambda: plugin.run(100),
        permissions.NAME: lambda: permissions.run(sizes["files"], max_wall=args.max_wall),
        serving.NAME: lambda: serving.run(**(SERVING_QUICK if args.quick else SERVING_FULL)),
        startup.NAME: lambda: startup.run(1 if args.quick else 5),
        content.NAME: lambda: content.run(15 * sizes["downloads"], sizes["downloads"], max_wall=args.max_wall),
        snapshot.NAME: lambda: snapshot.run(10_000, 1 if args.quick else 5, max_wall=args.max_wall),
        reliability.NAME: lambda: reliability.run(
            *((3, 200, 2) if args.quick else (8, 1000, 5)), max_wall=args.max_wall
        ),
        nango.NAME: lambda: nango.run(10_000 if args.quick else 100_000, 2 if args.quick else 5, max_wall=args.max_wall),
    }
    selected = args.only or list(benchmarks)
    rows: list[Row] = []
    failed = False
    started = time.perf_counter()
    for name in selected:
        log(f"{name}: start ({'quick' if args.quick else 'full'}: {sizes})")
        t0 = time.perf_counter()
        try:
            rows.extend(benchmarks[name]())
        except Exception as exc:  # report it in the table and go on with the next benchmark
            failed = True
            traceback.print_exc(file=sys.stderr)
            rows.append(Row(name, "FAILED", notes=f"{type(exc).__name__}: {exc}"[:300]))
        log(f"{name}: done in {time.perf_counter() - t0:.1f} s")
    print(format_table(rows))
    print(
        f"\n(total wall time {time.perf_counter() - started:.1f} s; {'quick' if args.quick else 'full'} sizes {sizes}; "
        f"tree {measured_tree()}; python {sys.version.split()[0]})"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
