"""Time, in one place, so tests can move it (``COFFER_TEST_CLOCK_OFFSET``) without sleeping."""

from __future__ import annotations

import os
import time

__all__ = ["now"]


def now() -> float:
    """Epoch seconds, shifted by ``COFFER_TEST_CLOCK_OFFSET`` seconds when that is set."""
    return time.time() + float(os.environ.get("COFFER_TEST_CLOCK_OFFSET", "0") or 0)
