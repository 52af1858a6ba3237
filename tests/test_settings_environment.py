"""Settings read PARAGON_EMULATOR_ variables as pydantic-settings read them when Settings was a
BaseSettings (settings.py reads them itself so start-up need not import pydantic-settings).

The reference is pydantic-settings itself, reading every setting as text into a model with the
same names and the same prefix; that text is validated by Settings.model_validate (which reads no
environment). Every setting of Settings is a scalar or a list marked NoDecode before, so the text
is what pydantic-settings handed the model. Any environment must give the same settings, or the
same errors, both ways.
"""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

from hypothesis import given, settings as hsettings, strategies as st
from pydantic import ValidationError, create_model
from pydantic_settings import BaseSettings, SettingsConfigDict

from paragon_emulator.settings import ENV_PREFIX, Settings


class _Prefixed(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")


Reference = create_model("Reference", __base__=_Prefixed, **{name: (str | None, None) for name in Settings.model_fields})


def _outcome(build: Any) -> Any:
    try:
        return ("settings", build().model_dump())
    except ValidationError as exc:
        return ("errors", exc.errors(include_url=False, include_context=False))


def _by_reference(**given: Any) -> Settings:
    return Settings.model_validate({**Reference().model_dump(exclude_none=True), **given})


def _spellings(name: str) -> st.SearchStrategy[str]:
    variable = ENV_PREFIX + name.upper()
    return st.sampled_from([variable, variable.lower(), ENV_PREFIX + name, variable.title()])


names = st.sampled_from(sorted(Settings.model_fields) + ["bogus", "clock", "port_"])
values = st.sampled_from(
    ["", "0", "1", "-1", "true", "no", "manual", "accelerated", "9000", "70000", "1.5", "a,b", " x , ,y ",
     "RS256,ES256", "HS256", "/nango", "off", "/api", "2026-01-05T09:00:00", "p=5f3c9a1e-0b7d-4c2a-9e61-7d8f2a4b6c10",
     "10,30", "-5", "short", "a-long-control-token"]
) | st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=8)  # what an environment can hold
environments = st.lists(st.tuples(names.flatmap(_spellings), values), max_size=6)


def _clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.lower().startswith(ENV_PREFIX.lower())}


@hsettings(max_examples=300, deadline=None)
@given(environment=environments, port=st.none() | st.sampled_from([0, 8081]))
def test_any_environment_gives_the_settings_pydantic_settings_gave(environment, port):
    given_values = {} if port is None else {"port": port}  # a value given in Python wins over the variable
    variables = _clean_environment()
    variables.update(environment)  # later spellings of one name win, in both readings
    with mock.patch.dict(os.environ, variables, clear=True):
        assert _outcome(lambda: Settings(**given_values)) == _outcome(lambda: _by_reference(**given_values))


def test_a_variable_in_any_case_is_read_and_a_given_value_wins():
    variables = {**_clean_environment(), "paragon_emulator_clock_mode": "manual", "PARAGON_EMULATOR_PROJECT_IDS": "a, b"}
    with mock.patch.dict(os.environ, variables, clear=True):
        assert Settings().clock_mode == "manual"
        assert Settings().project_ids == ["a", "b"]
        assert Settings(clock_mode="real").clock_mode == "real"
