"""serve's flags come from the settings model; unknown variables stop start-up; --version; a closed pipe."""

from __future__ import annotations

import subprocess

import httpx

from paragon_emulator import Settings, __version__

from .running import CLI, clean_env, cli, serve


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def test_every_setting_is_a_serve_flag_with_its_variable_and_description_in_the_help():
    text = " ".join(cli("serve", "--help").stdout.split())  # argparse wraps lines: compare words
    for name, field in Settings.model_fields.items():
        assert _flag(name) in text, name
        assert f"env PARAGON_EMULATOR_{name.upper()}" in text, name
        assert field.description, f"{name} has no description to show"
        assert " ".join(field.description.rstrip(".").split()) in text, name


def test_choices_are_shown_for_settings_with_a_fixed_set_of_values():
    text = cli("serve", "--help").stdout
    assert "--clock-mode {real,accelerated,manual}" in text
    assert "--log-level {critical,error,warning,info,debug}" in text
    assert "--batch-check-echo {typed,bare}" in text


def test_flags_reach_the_server():
    served = serve(
        "--clock-mode", "manual", "--seed", "5", "--webhook-url", "http://127.0.0.1:9/never",
        "--project-id", "p-one", "--project-ids", "p-two,p-three", "--no-strict-configuration",
    )
    try:
        info = httpx.get(served.url + "/_emulator/info", trust_env=False, timeout=30).json()
        assert info["seed"] == 5 and info["clock"]["mode"] == "manual"
        assert info["projectIds"] == ["p-one", "p-two", "p-three"]
        config = httpx.get(served.url + "/_emulator/webhooks/config", trust_env=False, timeout=30).json()
        assert config["url"] == "http://127.0.0.1:9/never"
    finally:
        served.stop()


def test_a_wrong_value_names_the_flag_and_the_variable_of_every_wrong_setting():
    result = cli("serve", "--webhook-timeout-seconds", "0", "--clock-mode", "sideways")
    assert result.returncode == 2
    assert "--webhook-timeout-seconds / PARAGON_EMULATOR_WEBHOOK_TIMEOUT_SECONDS" in result.stderr
    assert "--clock-mode / PARAGON_EMULATOR_CLOCK_MODE" in result.stderr and "'manual'" in result.stderr
    assert "Traceback" not in result.stderr
    # Every flag the message names exists.
    help_text = cli("serve", "--help").stdout
    assert "--webhook-timeout-seconds" in help_text


def test_a_misspelt_variable_stops_start_up_and_says_what_was_meant():
    result = cli("serve", env=clean_env(PARAGON_EMULATOR_CLOCKMODE="manual"))
    assert result.returncode == 2
    assert "PARAGON_EMULATOR_CLOCKMODE" in result.stderr
    assert "did you mean PARAGON_EMULATOR_CLOCK_MODE?" in result.stderr
    assert "Traceback" not in result.stderr
    # token reads the same settings, so it refuses too.
    assert cli("token", "--user", "a", env=clean_env(PARAGON_EMULATOR_SEEED="1")).returncode == 2


def test_the_variables_the_cli_itself_reads_are_not_refused():
    result = cli("token", "--user", "alice", env=clean_env(PARAGON_EMULATOR_URL="http://127.0.0.1:1"))
    assert result.returncode == 0 and result.stdout.count(".") == 2


def test_version():
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"paragon-emulator {__version__}"


def test_a_reader_that_goes_away_ends_the_command_quietly():
    # The JSON spec is far larger than a pipe's buffer: the write meets the closed pipe.
    process = subprocess.Popen(
        [*CLI, "spec", "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env()
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().strip() == b"{"
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141  # 128 + SIGPIPE, as a shell reports a command the pipe ended
    assert stderr == ""


def test_a_private_key_that_is_not_one_is_a_message():
    result = cli("token", "--user", "alice", "--private-key", __file__)
    assert result.returncode == 2 and "cannot sign with --private-key" in result.stderr
    assert "Traceback" not in result.stderr
