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
