"""The keyring backend answers only for Coffer URLs, and says why when it cannot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coffer.client.keyring_backend import CofferKeyring

COFFER_URL = "http://127.0.0.1:9/acme-111122223333/pypi/team/simple/"


@pytest.fixture
def no_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("AWS_", "COFFER_")):
            monkeypatch.delenv(name)
    (tmp_path / "empty").touch()
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize(
    "service", ["https://pypi.org/simple/", "127.0.0.1:9", "http://127.0.0.1:9/simple/"]
)
def test_other_services_get_nothing(service: str) -> None:
    backend = CofferKeyring()
    assert backend.get_credential(service, None) is None
    assert backend.get_password(service, "aws") is None


@pytest.mark.usefixtures("no_aws")
def test_hosts_outside_the_allowed_list_get_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COFFER_KEYRING_HOSTS", "coffer.example.com, 10.0.0.1:8000")
    assert CofferKeyring().get_credential(COFFER_URL, None) is None
    assert capsys.readouterr().err == ""  # not even tried


@pytest.mark.usefixtures("no_aws")
def test_missing_credentials_are_reported_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert CofferKeyring().get_password(COFFER_URL, "aws") is None
    assert capsys.readouterr().err == (
        f"coffer keyring: {COFFER_URL}: no AWS credentials found: set AWS_ACCESS_KEY_ID/"
        "AWS_SECRET_ACCESS_KEY, AWS_SHARED_CREDENTIALS_FILE or --profile\n"
    )


def test_tokens_are_fetched_not_stored() -> None:
    with pytest.raises(NotImplementedError):
        CofferKeyring().set_password(COFFER_URL, "aws", "x")
    with pytest.raises(NotImplementedError):
        CofferKeyring().delete_password(COFFER_URL, "aws")
