"""Benchmarks of paragon-emulator through its public surface.

Each benchmark starts `python -m paragon_emulator serve` as a subprocess on a free 127.0.0.1
port and talks to it over HTTP only (the control plane under /_emulator/ and the Sync API with a
token minted by POST /_emulator/tokens); nothing here imports the emulator.

    python -m benchmarks            # every benchmark, full sizes (1,000,000 records, 1,000 syncs)
    python -m benchmarks --quick    # smaller sizes (50,000 records, 100 syncs), well under a minute
    python -m benchmarks --help     # sizes, repeats, one benchmark only

Benchmarks:

- `pull_1m` (benchmarks.records): initial sync of an N-item Google Drive account, then a pull of
  every record page by page (pageSize=1000, following paging.cursor); server peak RSS (VmHWM).
- `incremental_1000` (benchmarks.incremental): wall time of one 62 s clock advance that runs one
  incremental cycle of N idle HubSpot contacts syncs, against the same advance with 1 sync.
"""
