"""The Nango-compatible front end: a second door onto the emulator's one engine (docs/nango.md).

Served under the `nango_prefix` setting (`/nango`). Environments are projects, connections are an
end user's account at one integration, Nango syncs are the emulator's syncs, and records are read
from the same record stores, in Nango's order and with Nango's cursors.
"""
