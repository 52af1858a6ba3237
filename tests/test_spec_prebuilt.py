"""The spec's JSON copy (spec/prebuilt.py): the same dict as parsing the YAML, and never a stale one."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from paragon_emulator import made_once
from paragon_emulator.spec import prebuilt, validation


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    places = [tmp_path / "package", tmp_path / "user"]
    monkeypatch.setattr(made_once, "_folders", lambda: places)
    return places


class Parser:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> dict:
        self.calls += 1
        return validation.parse_yaml(text)


SPEC = resources.files("paragon_emulator").joinpath("openapi.yaml").read_text()


def test_the_copy_is_the_parsed_yaml_and_parsing_happens_once(folders: list[Path]) -> None:
    parse = Parser()
    first = prebuilt.load(SPEC, parse)
    second = prebuilt.load(SPEC, parse)
    assert parse.calls == 1
    assert first == second == yaml.safe_load(SPEC)
    assert (folders[0] / prebuilt.copy_name(SPEC)).exists()


def test_an_edited_spec_is_parsed_again(folders: list[Path]) -> None:
    parse = Parser()
    prebuilt.load(SPEC, parse)
    edited = SPEC.replace("Paragon", "Paragon (edited)", 1)
    assert edited != SPEC
    assert prebuilt.load(edited, parse) == yaml.safe_load(edited)
    assert parse.calls == 2


def test_a_broken_copy_is_not_read(folders: list[Path]) -> None:
    parse = Parser()
    prebuilt.load(SPEC, parse)
    (folders[0] / prebuilt.copy_name(SPEC)).write_bytes(b'{"openapi": "3.0')  # cut short
    assert prebuilt.load(SPEC, parse) == yaml.safe_load(SPEC)
    assert parse.calls == 2


def test_no_writable_place_still_gives_the_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setattr(made_once, "_folders", lambda: [blocker / "cache"])  # under a file: cannot exist
    assert prebuilt.load(SPEC, Parser()) == yaml.safe_load(SPEC)


def test_the_served_spec_is_the_yaml(client) -> None:
    assert client.get("/openapi.json").json() == yaml.safe_load(SPEC)
