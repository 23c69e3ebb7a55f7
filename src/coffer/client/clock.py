"""The client's clock, with a test-only hook to move it.

``COFFER_CLIENT_CLOCK_OFFSET`` (seconds, test-only) shifts what the client takes as "now": both
the token cache's idea of expiry and the time botocore signs requests with. Tests pair it with
the server's ``COFFER_TEST_CLOCK_OFFSET`` to let the whole world jump forward without sleeping.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

__all__ = ["OFFSET_VARIABLE", "now", "shift_signing_clock"]

OFFSET_VARIABLE = "COFFER_CLIENT_CLOCK_OFFSET"


def _offset() -> float:
    return float(os.environ.get(OFFSET_VARIABLE, "0") or 0)


def now() -> float:
    """Epoch seconds, shifted by ``COFFER_CLIENT_CLOCK_OFFSET`` when that is set."""
    return time.time() + _offset()


def shift_signing_clock() -> None:
    """Make botocore sign with the shifted clock (only when the test hook is set)."""
    offset = _offset()
    if not offset:
        return
    import botocore.auth

    original = getattr(botocore.auth, "_coffer_original_now", botocore.auth.get_current_datetime)

    def shifted(*args: Any, **kwargs: Any) -> dt.datetime:
        value: dt.datetime = original(*args, **kwargs)
        return value + dt.timedelta(seconds=offset)

    botocore.auth._coffer_original_now = original
    botocore.auth.get_current_datetime = shifted
