"""Each tool's config writer edits only its own keys and plans before it writes."""

from __future__ import annotations

import configparser
import stat
import tomllib
from pathlib import Path

import pytest

from coffer.client.errors import ClientError
from coffer.client.tools import WRITERS, FileChange, LoginTarget, apply
from coffer.client.tools.npm import auth_key

ENDPOINT = "https://coffer.example.com/acme-111122223333/pypi/team/"
TOKEN = "cfr1.payload.signature"


def _target(tmp_path: Path, token: str | None = TOKEN, **env: str) -> LoginTarget:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return LoginTarget(ENDPOINT, "team", token, {"HOME": str(home), **env})


def _apply_all(changes: list[FileChange]) -> None:
    for change in changes:
        apply(change)


def _ini(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return parser


def test_pip_sets_index_url_and_keeps_the_rest(tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text(
        "[global]\ntimeout = 60\nextra-index-url = https://x/simple/\n[install]\nuser = yes\n"
    )
    target = _target(tmp_path, PIP_CONFIG_FILE=str(conf))
    [change] = WRITERS["pip"](target)
    assert change.path == conf
    assert change.settings == ("[global] index-url",)
    assert conf.read_text() == change.before  # planning wrote nothing
    apply(change)
    parsed = _ini(conf.read_text())
    assert parsed["global"]["index-url"] == (
        f"https://aws:{TOKEN}@coffer.example.com/acme-111122223333/pypi/team/simple/"
    )
    assert parsed["global"]["timeout"] == "60"
    assert parsed["global"]["extra-index-url"] == "https://x/simple/"
    assert parsed["install"]["user"] == "yes"
    assert WRITERS["pip"](target)[0].changed is False  # a second login changes nothing


def test_pip_keyring_setup_has_no_token(tmp_path: Path) -> None:
    target = _target(tmp_path, token=None, XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    [change] = WRITERS["pip"](target)
    assert change.path == tmp_path / "cfg" / "pip" / "pip.conf"
    apply(change)
    parsed = _ini(change.path.read_text())["global"]
    assert parsed["index-url"] == ENDPOINT + "simple/"
    assert parsed["keyring-provider"] == "import"
    # A token login afterwards drops the keyring provider again.
    apply(WRITERS["pip"](_target(tmp_path, XDG_CONFIG_HOME=str(tmp_path / "cfg")))[0])
    assert "keyring-provider" not in _ini(change.path.read_text())["global"]


def test_new_files_holding_tokens_are_private(tmp_path: Path) -> None:
    target = _target(tmp_path)
    _apply_all(WRITERS["twine"](target))
    path = Path(target.env["HOME"]) / ".pypirc"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_file_that_now_holds_a_token_is_no_longer_readable_by_others(
    tmp_path: Path,
) -> None:
    target = _target(tmp_path)
    path = Path(target.env["HOME"]) / ".pypirc"
    path.write_text("[distutils]\nindex-servers = pypi\n")
    path.chmod(0o644)
    _apply_all(WRITERS["twine"](target))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    parsed = _ini(path.read_text())
    assert parsed["distutils"]["index-servers"].split() == ["pypi", "team"]
    assert dict(parsed["team"]) == {"repository": ENDPOINT, "username": "aws", "password": TOKEN}


def test_a_symlinked_config_stays_a_symlink(tmp_path: Path) -> None:
    target = _target(tmp_path)
    real = tmp_path / "dotfiles" / "pypirc"
    real.parent.mkdir()
    real.write_text("[distutils]\nindex-servers = pypi\n")
    link = Path(target.env["HOME"]) / ".pypirc"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(real)
    _apply_all(WRITERS["twine"](target))
    assert link.is_symlink()
    assert _ini(real.read_text())["team"]["password"] == TOKEN


def test_poetry_writes_repository_and_http_basic(tmp_path: Path) -> None:
    config_dir = tmp_path / "poetry"
    config_dir.mkdir()
    (config_dir / "config.toml").write_text('# keep me\n[repositories.old]\nurl = "u"  # note\n')
    target = _target(tmp_path, POETRY_CONFIG_DIR=str(config_dir))
    _apply_all(WRITERS["poetry"](target))
    text = (config_dir / "config.toml").read_text()
    assert text.startswith('# keep me\n[repositories.old]\nurl = "u"  # note\n')
    assert tomllib.loads(text)["repositories"]["team"] == {"url": ENDPOINT}
    auth = tomllib.loads((config_dir / "auth.toml").read_text())
    assert auth["http-basic"]["team"] == {"username": "aws", "password": TOKEN}

    # The keyring set-up removes the stored password, so Poetry asks the keyring.
    _apply_all(WRITERS["poetry"](_target(tmp_path, None, POETRY_CONFIG_DIR=str(config_dir))))
    auth = tomllib.loads((config_dir / "auth.toml").read_text())
    assert "team" not in auth.get("http-basic", {})


def test_uv_index_with_credentials_or_keyring(tmp_path: Path) -> None:
    uv_toml = tmp_path / "uv.toml"
    uv_toml.write_text('[[index]]\nname = "team"\nurl = "https://old/simple/"\n')
    _apply_all(WRITERS["uv"](_target(tmp_path, UV_CONFIG_FILE=str(uv_toml))))
    [index] = tomllib.loads(uv_toml.read_text())["index"]
    assert (
        index["url"]
        == f"https://aws:{TOKEN}@coffer.example.com/acme-111122223333/pypi/team/simple/"
    )

    _apply_all(WRITERS["uv"](_target(tmp_path, None, UV_CONFIG_FILE=str(uv_toml))))
    settings = tomllib.loads(uv_toml.read_text())
    assert settings["keyring-provider"] == "subprocess"
    assert settings["index"] == [
        {
            "name": "team",
            "url": "https://aws@coffer.example.com/acme-111122223333/pypi/team/simple/",
        }
    ]


def test_npm_keeps_unrelated_lines_verbatim(tmp_path: Path) -> None:
    npmrc = tmp_path / "home" / ".npmrc"
    npmrc.parent.mkdir()
    npmrc.write_text("; comment\nfund=false\nregistry=https://registry.npmjs.org/\n")
    _apply_all(WRITERS["npm"](_target(tmp_path)))
    assert npmrc.read_text() == (
        f"; comment\nfund=false\nregistry={ENDPOINT}\n{auth_key(ENDPOINT)}={TOKEN}\n"
    )
    assert auth_key(ENDPOINT) == "//coffer.example.com/acme-111122223333/pypi/team/:_authToken"


def test_pdm_source_and_repository(tmp_path: Path) -> None:
    target = _target(tmp_path, XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    _apply_all(WRITERS["pdm"](target))
    settings = tomllib.loads((tmp_path / "cfg" / "pdm" / "config.toml").read_text())
    assert settings["pypi"]["team"] == {
        "url": ENDPOINT + "simple/",
        "username": "aws",
        "password": TOKEN,
    }
    assert settings["repository"]["team"]["url"] == ENDPOINT


@pytest.mark.parametrize(
    ("tool", "variable", "name", "text"),
    [
        ("pip", "PIP_CONFIG_FILE", "pip.conf", "[global\n"),
        ("uv", "UV_CONFIG_FILE", "uv.toml", "index = [\n"),
    ],
)
def test_a_broken_file_is_reported_not_overwritten(
    tmp_path: Path, tool: str, variable: str, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ClientError, match=f"cannot parse {path}"):
        WRITERS[tool](_target(tmp_path, **{variable: str(path)}))
    assert path.read_text() == text
