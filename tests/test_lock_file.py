"""requirements.lock pins every dependency pyproject.toml names, so CI and the image install the
versions that were tested; a dependency added without regenerating the lock fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def pinned() -> dict[str, str]:
    found = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^ ;]+)", line)
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def named() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in ("test", "contract"):
        requirements += project["optional-dependencies"][extra]
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_the_lock_pins_every_dependency_of_the_package_and_its_test_and_contract_extras():
    missing = sorted(named() - set(pinned()))
    assert not missing, f"not in requirements.lock: {missing}; regenerate it (docs/development.md)"


def test_every_pin_satisfies_what_pyproject_asks():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    versions = pinned()
    wrong = [
        f"{r.name}=={versions[canonicalize_name(r.name)]} (asks {r.specifier})"
        for r in requirements
        if canonicalize_name(r.name) in versions and not r.specifier.contains(versions[canonicalize_name(r.name)], prereleases=True)
    ]
    assert not wrong, wrong
