"""paragon-emulator: a local, faithful emulator of Paragon's Managed Sync API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Emulator", "Settings", "create_app", "__version__"]

if TYPE_CHECKING:
    from .app import create_app
    from .emulator import Emulator
    from .settings import Settings


def __getattr__(name: str) -> Any:
    # Lazy, so `import paragon_emulator` stays cheap (the pytest plugin is imported by every run).
    if name == "Emulator":
        from .emulator import Emulator

        return Emulator
    if name == "Settings":
        from .settings import Settings

        return Settings
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
