"""The keyring backend answers only for Coffer URLs, and says why when it cannot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coffer.client.keyring_backend import CofferKeyring
from coffer.client.trust import remember, trusted_hosts

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
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


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
def test_a_coffer_shaped_url_on_a_server_nobody_chose_gets_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Any host can serve Coffer's path shape: answering it would hand that host a token.
    assert CofferKeyring().get_credential(COFFER_URL, None) is None
    assert capsys.readouterr().err == ""  # not even tried: no request was signed


@pytest.mark.usefixtures("no_aws")
def test_a_configured_control_plane_does_not_vouch_for_other_hosts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COFFER_ENDPOINT_URL", "https://coffer.example.com")
    evil = "https://evil.example.net/acme-111122223333/pypi/team/simple/"
    assert CofferKeyring().get_credential(evil, None) is None
    assert capsys.readouterr().err == ""


@pytest.mark.usefixtures("no_aws")
def test_login_remembers_the_server_once() -> None:
    assert "127.0.0.1:9" not in trusted_hosts()
    written = remember("http://127.0.0.1:9/acme-111122223333/pypi/team/")
    assert written is not None
    assert remember("http://aws:secret@127.0.0.1:9/other-111122223333/pypi/x/") is None
    assert written.read_text() == "127.0.0.1:9\n"  # host only: no path, no credentials
    assert "127.0.0.1:9" in trusted_hosts()


@pytest.mark.usefixtures("no_aws")
def test_missing_credentials_are_reported_on_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COFFER_KEYRING_HOSTS", "127.0.0.1:9")
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
