"""The README's plugin example is a real test: its code block is that file, to the byte."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = Path(__file__).with_name("test_readme_example.py")
FUNCTION = "def test_a_google_drive_sync_end_to_end("


def example_blocks(markdown: str) -> list[str]:
    return [b for b in re.findall(r"```python\n(.*?)```", markdown, flags=re.S) if FUNCTION in b]


def test_the_readme_shows_the_example_test_exactly() -> None:
    assert example_blocks((ROOT / "README.md").read_text()) == [EXAMPLE.read_text()]
