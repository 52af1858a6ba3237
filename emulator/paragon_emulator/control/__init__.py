"""Every control operation, defined once, over the domain.

The `Emulator` is composed of the parts here, one module a concern (clock, syncs, upstream,
webhooks, faults, the contract report). The HTTP control plane, the pytest plugin, scenarios
and the Python API all call these methods and add nothing of their own; the CLI drives a
running server through the HTTP control plane. The lock is taken in one place (`base.py`).
"""
