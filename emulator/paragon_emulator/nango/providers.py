"""Nango provider names <-> the emulator's integration slugs, and the syncs and models each offers."""

from __future__ import annotations

from dataclasses import dataclass

# Nango's provider name -> the emulator's integration slug (fact sheet section 7): file storage
# (their `files` pipeline backs Nango's `documents` template) and two CRMs (same names).
PROVIDERS = {
    "google-drive": "googledrive",
    "one-drive": "onedrive",
    "sharepoint-online": "sharepoint",
    "box": "box",
    "dropbox": "dropbox",
    "notion": "notion",
    "salesforce": "salesforce",
    "hubspot": "hubspot",
}
SLUGS = {slug: name for name, slug in PROVIDERS.items()}


@dataclass(frozen=True)
class SyncKind:
    pipeline: str
    models: tuple[str, ...]


# Nango sync name -> the pipeline behind it and the model it writes. `documents` is Nango's Google
# Drive template; `files` is the emulator's pipeline name; both are the one sync of a connection's
# files. The CRM syncs are named after their pipelines (no Nango template is assumed).
SYNCS = {
    "documents": SyncKind("files", ("Document",)),
    "files": SyncKind("files", ("File",)),
    "contacts": SyncKind("contacts", ("Contact",)),
    "companies": SyncKind("companies", ("Company",)),
    "deals": SyncKind("deals", ("Deal",)),
}
MODELS = {model: name for name, kind in SYNCS.items() for model in kind.models}  # model -> its Nango sync name
CRM_PROVIDERS = frozenset({"salesforce", "hubspot"})


def syncs_of(provider: str) -> tuple[str, ...]:
    """The Nango sync names a provider's connections offer."""
    return ("contacts", "companies", "deals") if provider in CRM_PROVIDERS else ("documents", "files")
BASE = "base"  # Nango's default variant


def provider_of(key: str) -> str | None:
    """The Nango provider name of a provider_config_key: a Nango name or an emulator slug."""
    if key in PROVIDERS:
        return key
    return SLUGS.get(key)


def models_of(pipeline: str) -> list[tuple[str, str]]:
    """(Nango sync name, model) of every model a pipeline's runs write: each gets its own webhook."""
    return [(MODELS[model], model) for model in dict.fromkeys(m for k in SYNCS.values() if k.pipeline == pipeline for m in k.models)]
