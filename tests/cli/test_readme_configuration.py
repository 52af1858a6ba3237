"""The README's Configuration table is the one generated from the settings model."""

from __future__ import annotations

from pathlib import Path

from paragon_emulator.cli.settings_flags import markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_setting_as_the_model_describes_it():
    assert markdown_table() in README.read_text(), (
        "README.md's Configuration table is out of date: paste `python -m paragon_emulator.cli.settings_flags`"
    )
