"""Storage settings: COFFER_BLOB_REDIRECT (presigned downloads where the blob store offers them)."""

from __future__ import annotations

import pytest

from coffer.config import ConfigError, Settings


def test_blob_redirect_is_off_by_default() -> None:
    assert Settings.from_env({}).blob_redirect is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("YES", True), ("on", True), ("0", False), ("off", False)],
)
def test_blob_redirect(raw: str, expected: bool) -> None:
    assert Settings.from_env({"COFFER_BLOB_REDIRECT": raw}).blob_redirect is expected


def test_blob_redirect_refuses_other_words() -> None:
    with pytest.raises(ConfigError, match="COFFER_BLOB_REDIRECT"):
        Settings.from_env({"COFFER_BLOB_REDIRECT": "maybe"})
