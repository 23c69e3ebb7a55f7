"""Contract tests: one conformance suite, run against every storage backend."""

import pytest

# The suite's assertions live outside test_*.py modules; have pytest rewrite them too.
pytest.register_assert_rewrite(f"{__name__}.blobstore_suite")
