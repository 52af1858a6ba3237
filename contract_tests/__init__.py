"""Contract tests: one suite that checks any server (the emulator, or the real service) against the API contract."""
