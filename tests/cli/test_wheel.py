"""The built wheel, installed away from the checkout: one import name, the scenarios by name, the contract suite."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )
    (built,) = out.glob("paragon_emulator-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=600,
    )
    return target


def run_installed(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    # The installed copy comes first on the path; the working directory is no checkout.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARAGON_EMULATOR_", "PARAGON_CONTRACT_"))}
    env["PYTHONPATH"] = str(installed)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def test_the_wheel_holds_one_import_name_the_scenarios_the_suite_the_license_and_py_typed(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"paragon_emulator", wheel.name.split("-py3")[0] + ".dist-info"}
    for expected in (
        "paragon_emulator/py.typed", "paragon_emulator/openapi.yaml", "paragon_emulator/fixtures/crm.yaml",
        "paragon_emulator/contract_tests/conftest.py", "paragon_emulator/contract_tests/harness/config.py",
        "paragon_emulator/contract_tests/README.md",
    ):
        assert expected in names, expected
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    metadata = next(zipfile.ZipFile(wheel).read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    assert "Classifier: Framework :: Pytest" in metadata and "License-Expression: Apache-2.0" in metadata


def test_scenarios_load_by_name_from_the_installed_package(installed, tmp_path):
    done = run_installed(
        installed, tmp_path, "-c",
        "import paragon_emulator, paragon_emulator.scenarios as s; print(paragon_emulator.__file__); "
        "print(sorted(x.name for x in s.available()))",
    )
    assert done.returncode == 0, done.stderr
    where, names = done.stdout.splitlines()
    assert where.startswith(str(installed))
    assert names == "['crm', 'empty', 'shared-drive']"


def test_contract_test_runs_the_suite_from_the_installed_package(installed, tmp_path):
    done = run_installed(
        installed, tmp_path, "-m", "paragon_emulator", "contract-test", "--max-examples", "2", "--", "-k", "paging",
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"rootdir: {installed / 'paragon_emulator' / 'contract_tests'}" in done.stdout
    assert " passed" in done.stdout.splitlines()[-1] and "failed" not in done.stdout.splitlines()[-1]
