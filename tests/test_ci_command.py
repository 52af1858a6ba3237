"""README.md's test command is the one .ci/run runs, word for word."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"Run the tests.*?```sh\n(.*?)\n```", readme, re.S)
    assert block is not None, "README.md has no 'Run the tests' command"
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith(("#", "set ", "cd "))]
    assert ci_lines == [block.group(1)]
