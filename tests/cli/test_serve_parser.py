"""A command line starting with `serve` is parsed by a parser of serve alone (start-up builds no
other command): it must read every such line as the parser of every command reads it, help and
errors included."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from paragon_emulator.cli import build_parser

WORDS = ["--port", "0", "8081", "--seed", "7", "--clock-mode", "manual", "sideways", "--strict", "--no-strict",
         "--project-ids", "a,b", "--bogus", "--version", "-h", "serve", "token", "--host", "::1", "--log-level", "debug"]


def _read(parser_of_all: bool, argv: list[str]) -> tuple[object, str, str]:
    parser = build_parser() if parser_of_all else build_parser(only_serve=True)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result: object = vars(parser.parse_args(argv))
        except SystemExit as exc:
            result = ("exit", exc.code)
    return result, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", [["serve"], ["serve", "--help"], ["serve", "--port", "0", "--clock-mode", "manual"]])
def test_serve_lines_read_the_same(argv):
    assert _read(False, argv) == _read(True, argv)


@hsettings(max_examples=150, deadline=None)
@given(rest=st.lists(st.sampled_from(WORDS), max_size=5))
def test_any_serve_line_reads_the_same(rest):
    argv = ["serve", *rest]
    assert _read(False, argv) == _read(True, argv)
