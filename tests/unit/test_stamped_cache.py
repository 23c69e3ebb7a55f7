"""The per-process cache the hot path keeps: an entry is used only under its own stamp."""

from __future__ import annotations

from coffer.services.hotpath import Stamp, StampedCache


def test_an_entry_is_used_only_under_the_stamp_it_was_stored_with() -> None:
    cache: StampedCache[str, bytes] = StampedCache()
    cache.put("page", Stamp(1, 1), b"old")
    assert cache.get("page", Stamp(1, 1)) == b"old"
    assert cache.get("page", Stamp(1, 2)) is None  # content moved
    assert cache.get("page", Stamp(2, 1)) is None  # config moved
    cache.put("page", Stamp(1, 2), b"new")
    assert cache.get("page", Stamp(1, 2)) == b"new"
    assert cache.get("page", Stamp(1, 1)) is None  # never back to the old bytes
    assert cache.get("other", Stamp(1, 2)) is None


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: StampedCache[int, int] = StampedCache(size=2)
    cache.put(1, "s", 10)
    cache.put(2, "s", 20)
    assert cache.get(1, "s") == 10  # 1 is now the most recent
    cache.put(3, "s", 30)
    assert (cache.get(1, "s"), cache.get(2, "s"), cache.get(3, "s")) == (10, None, 30)
    cache.clear()
    assert cache.get(1, "s") is None
