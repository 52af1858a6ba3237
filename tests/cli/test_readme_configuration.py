"""docs/configuration.md's table is the one generated from the settings model."""

from __future__ import annotations

from pathlib import Path

from paragon_emulator.cli.settings_flags import markdown_table

CONFIGURATION = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_the_docs_list_every_setting_as_the_model_describes_it():
    assert markdown_table() in CONFIGURATION.read_text(), (
        "docs/configuration.md's table is out of date: paste `python -m paragon_emulator.cli.settings_flags`"
    )
