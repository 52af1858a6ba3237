"""The suite itself: it stays independent of the emulator's code, and documents its knobs."""

from __future__ import annotations

import ast
from pathlib import Path

from .harness import config

SUITE = Path(__file__).resolve().parent


def _imported_modules(source: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
            "import_module", "__import__"
        ):
            found |= {arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
    return found


def test_the_suite_never_imports_the_emulator():
    # It must judge the emulator from the outside, exactly as it judges the real service.
    offenders = {
        str(source.relative_to(SUITE)): sorted(m for m in _imported_modules(source) if m.split(".")[0] == "paragon_emulator")
        for source in SUITE.rglob("*.py")
    }
    assert not {name: modules for name, modules in offenders.items() if modules}


def test_the_import_check_sees_every_way_of_importing(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import paragon_emulator\nfrom paragon_emulator.http import x\n"
                     "import importlib\nimportlib.import_module('paragon_emulator.app')\n")
    assert _imported_modules(probe) >= {"paragon_emulator", "paragon_emulator.http", "paragon_emulator.app"}


def test_every_variable_is_documented_in_both_readmes():
    # The suite's own README, and the project's page on contract testing.
    readmes = {path: path.read_text() for path in (SUITE / "README.md", SUITE.parent / "docs" / "contract-testing.md")}
    missing = {
        str(path.name if path.parent == SUITE.parent else path.relative_to(SUITE.parent)): [
            name for name, _, _ in config.VARIABLES if name not in text
        ]
        for path, text in readmes.items()
    }
    assert not {where: names for where, names in missing.items() if names}
