"""The sign-in limiter: failures per key within a sliding window."""

from __future__ import annotations

import pytest

from coffer.errors import Throttled
from coffer.services.console import SignInLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_a_minute_then_refused_until_the_oldest_ages_out() -> None:
    clock = Clock()
    limiter = SignInLimiter(max_failures=5, window=60, now=clock)
    key = ("111122223333", "alice", "198.51.100.7")
    for _ in range(5):
        limiter.check(key)
        limiter.fail(key)
        clock.now += 1
    with pytest.raises(Throttled) as refused:
        limiter.check(key)
    assert refused.value.retry_after == 56  # the first failure (t=1000) ages out at t=1060
    limiter.check(("111122223333", "alice", "198.51.100.8"))  # another address: its own count
    clock.now = 1060.5
    limiter.check(key)


def test_a_success_clears_the_count() -> None:
    limiter = SignInLimiter(max_failures=2, window=60, now=Clock())
    key = ("a", "b", "c")
    limiter.fail(key)
    limiter.succeed(key)
    limiter.fail(key)
    limiter.check(key)
