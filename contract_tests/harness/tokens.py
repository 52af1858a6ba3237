"""Where the suite's Paragon User Tokens come from.

In order: a command that prints one (fresh tokens for a real project), a token given as is, the
started emulator's CLI, or the control plane of an emulator given by URL (POST /_emulator/tokens).
"""

from __future__ import annotations

import subprocess

import httpx


def from_command(command: str) -> str:
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120, check=False)
    token = done.stdout.strip()
    if done.returncode != 0 or not token:
        raise RuntimeError(f"token command {command!r} failed ({done.returncode}): {done.stderr.strip()}")
    return token


def from_control_plane(base_url: str, user: str) -> str:
    response = httpx.post(f"{base_url}/_emulator/tokens", json={"userId": user}, timeout=30)
    response.raise_for_status()
    return response.json()["token"]


def resolve(command: str | None, given: str | None) -> str | None:
    if command:
        return from_command(command)
    return given
