"""Values kept between runs (made_once.py): faker's vocabulary is drawn once per seed and faker,
then read back the same; a damaged or unwritable copy only means drawing it again."""

from __future__ import annotations

from pathlib import Path

import pytest

from paragon_emulator import made_once
from paragon_emulator.sources import base


DRAW = base.draw_vocabulary  # faker's own draw, before a test counts its calls


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    places = [tmp_path / "package", tmp_path / "user"]
    monkeypatch.setattr(made_once, "_folders", lambda: places)
    base.vocabulary.cache_clear()
    yield places
    base.vocabulary.cache_clear()


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    made: list[int] = []

    def counted(seed: int) -> base.Vocabulary:
        made.append(seed)
        return DRAW(seed)

    monkeypatch.setattr(base, "draw_vocabulary", counted)
    return made


def fresh(seed: int) -> base.Vocabulary:
    base.vocabulary.cache_clear()
    return base.vocabulary(seed)


def test_a_vocabulary_is_drawn_once_and_read_back_the_same(folders, draws):
    first = fresh(11)
    assert draws == [11] and [p.name for p in folders[0].iterdir()] == [
        f"vocabulary-{base.VOCABULARY_FORMAT}-11-{base._faker_stamp()}.json"
    ]
    again = fresh(11)
    assert draws == [11] and again == first == DRAW(11)
    assert fresh(12) != first and draws == [11, 12]


def test_another_faker_draws_again(folders, draws, monkeypatch):
    fresh(3)
    monkeypatch.setattr(base, "_faker_stamp", lambda: "another-faker")
    fresh(3)
    assert draws == [3, 3]


def test_a_copy_cut_short_is_drawn_again_and_rewritten(folders, draws):
    first = fresh(5)
    (kept,) = folders[0].iterdir()
    kept.write_bytes(kept.read_bytes()[:100])
    assert fresh(5) == first and draws == [5, 5]
    assert fresh(5) == first and draws == [5, 5]  # the rewritten copy is whole


def test_a_copy_of_another_shape_is_drawn_again(folders, draws):
    first = fresh(6)
    (kept,) = folders[0].iterdir()
    kept.write_text('{"words": ["only", "one", "pool"]}')
    assert fresh(6) == first and draws == [6, 6]


def test_only_the_last_vocabularies_drawn_are_kept(folders, draws):
    for seed in range(base.KEPT_VOCABULARIES + 3):
        fresh(seed)
    kept = sorted(p.name.split("-")[2] for p in folders[0].iterdir())
    assert kept == sorted(str(s) for s in range(3, base.KEPT_VOCABULARIES + 3))


def test_with_nowhere_to_keep_it_the_vocabulary_is_drawn_each_time(tmp_path, monkeypatch, draws):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(made_once, "_folders", lambda: [blocked / "package", blocked / "user"])
    assert fresh(9) == fresh(9) and draws == [9, 9]
    base.vocabulary.cache_clear()
