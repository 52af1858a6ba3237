"""An account's item hash (sources/base.py Account.h) is mix() of the seed, the account key and the parts.

Account.h hashes the account's own prefix once and copies the hasher; mix() is the reference: the
same text hashed whole. Every generated value (ids, names, dates, content) hangs on this equality.
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from paragon_emulator.sources.base import Account, mix

parts = st.lists(st.one_of(st.text(), st.integers(), st.booleans(), st.none()), max_size=5)


@settings(deadline=None)  # a new seed draws its faker vocabulary first
@given(seed=st.sampled_from([0, 7, -3, 2**40]), key=st.lists(st.text(), max_size=4).map(tuple), parts=parts)
def test_the_item_hash_is_mix_of_seed_key_and_parts(seed: int, key: tuple[str, ...], parts: list) -> None:
    account = Account(seed, key, 10)
    assert account.h(*parts) == mix(seed, *key, *parts)


@settings(deadline=None, max_examples=25)
@given(indexes=st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=3000))
def test_external_ids_and_dates_are_the_hash_written_out_however_often_and_in_whatever_order_asked(indexes) -> None:
    """external_id keeps the ids it named last (bounded) and when() writes dates its own way: both
    must give what the plain formulas give."""
    from datetime import timedelta

    from paragon_emulator.domain.clock import iso
    from paragon_emulator.sources.base import EPOCH

    account = Account(0, ("p", "u", "googledrive", "files"), 10**7)
    asked = list(range(2100)) + indexes  # past the bound of the ids kept, then anywhere
    for index in asked + asked[::-1]:
        assert account.external_id(index) == f"item-{mix(0, *account.key, 'id', index) % 16**10:010x}-{index}"
        seconds = mix(0, *account.key, "when", "created", index) % (2 * 365 * 86400)
        assert account.when("created", index) == iso(EPOCH - timedelta(seconds=seconds))
