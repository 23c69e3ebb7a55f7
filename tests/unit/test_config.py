"""coffer.config.Settings: COFFER_* environment variables, flag overrides, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from coffer.config import DEFAULT_DATA_DIR, ConfigError, Settings


def test_defaults_with_an_empty_environment() -> None:
    settings = Settings.from_env({})

    assert settings.data_dir == DEFAULT_DATA_DIR
    assert settings.region == "us-east-1"
    assert settings.database_url is None
    assert settings.blob_store_url is None
    assert settings.public_url is None
    assert settings.secret_key is None
    assert settings.max_asset_size == 5 * 1024**3
    assert settings.external_connections == {}


def test_every_variable() -> None:
    settings = Settings.from_env(
        {
            "COFFER_DATA_DIR": "/srv/coffer",
            "COFFER_DATABASE_URL": "postgresql://coffer@db/coffer",
            "COFFER_BLOB_STORE": "s3://bucket/prefix",
            "COFFER_PUBLIC_URL": "https://packages.example.com",
            "COFFER_REGION": "eu-west-1",
            "COFFER_SECRET_KEY": "k2,k1",
            "COFFER_MAX_ASSET_SIZE": "1048576",
            "COFFER_EXTERNAL_CONNECTIONS": "public:pypi=https://pypi.mirror.internal/simple/",
        }
    )

    assert settings.data_dir == Path("/srv/coffer")
    assert settings.database_url == "postgresql://coffer@db/coffer"
    assert settings.resolved_database_url == "postgresql://coffer@db/coffer"
    assert settings.blob_store_url == "s3://bucket/prefix"
    assert settings.resolved_blob_store_url == "s3://bucket/prefix"
    assert settings.public_url == "https://packages.example.com"
    assert settings.region == "eu-west-1"
    assert settings.secret_key == "k2,k1"
    assert settings.max_asset_size == 1048576
    assert settings.external_connections == {"public:pypi": "https://pypi.mirror.internal/simple/"}


def test_reads_the_process_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COFFER_REGION", "ap-southeast-2")
    monkeypatch.setenv("COFFER_DATA_DIR", "/tmp/from-env")

    settings = Settings.from_env()

    assert settings.region == "ap-southeast-2"
    assert settings.data_dir == Path("/tmp/from-env")


def test_other_variables_are_ignored() -> None:
    settings = Settings.from_env({"REGION": "eu-west-1", "coffer_region": "eu-west-2"})

    assert settings.region == "us-east-1"


def test_empty_values_count_as_unset() -> None:
    settings = Settings.from_env(
        {"COFFER_PUBLIC_URL": "", "COFFER_REGION": "", "COFFER_DATA_DIR": ""}
    )

    assert settings.public_url is None
    assert settings.region == "us-east-1"
    assert settings.data_dir == DEFAULT_DATA_DIR


def test_overrides_win_over_the_environment() -> None:
    settings = Settings.from_env(
        {"COFFER_DATA_DIR": "/from/env", "COFFER_PUBLIC_URL": "http://env.example"},
        data_dir=Path("/from/flag"),
        public_url="https://flag.example",
    )

    assert settings.data_dir == Path("/from/flag")
    assert settings.public_url == "https://flag.example"


def test_none_overrides_leave_the_environment_alone() -> None:
    settings = Settings.from_env({"COFFER_DATA_DIR": "/from/env"}, data_dir=None, region=None)

    assert settings.data_dir == Path("/from/env")
    assert settings.region == "us-east-1"


def test_overrides_are_validated_too() -> None:
    with pytest.raises(ConfigError):
        Settings.from_env({}, public_url="packages.example.com")


def test_embedded_defaults_live_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.from_env({"COFFER_DATA_DIR": str(tmp_path)})

    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'coffer.db'}"
    assert settings.resolved_blob_store_url == (tmp_path / "blobs").as_uri()
    assert settings.credentials_path == tmp_path / "admin.credentials"


def test_relative_data_dir_resolves_to_an_absolute_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    settings = Settings.from_env({"COFFER_DATA_DIR": "relative"})

    assert (
        settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'relative'}/coffer.db"
    )
    assert settings.resolved_blob_store_url.startswith("file:///")


@pytest.mark.parametrize("url", ["http://localhost:8000", "https://packages.example.com/coffer/"])
def test_public_url_accepted(url: str) -> None:
    assert Settings.from_env({"COFFER_PUBLIC_URL": url}).public_url == url


@pytest.mark.parametrize(
    "url", ["packages.example.com", "ftp://packages.example.com", "//packages.example.com"]
)
def test_public_url_must_be_http(url: str) -> None:
    with pytest.raises(ConfigError, match="COFFER_PUBLIC_URL"):
        Settings.from_env({"COFFER_PUBLIC_URL": url})


@pytest.mark.parametrize("raw", ["0", "-1"])
def test_max_asset_size_must_be_positive(raw: str) -> None:
    with pytest.raises(ConfigError, match="COFFER_MAX_ASSET_SIZE"):
        Settings.from_env({"COFFER_MAX_ASSET_SIZE": raw})


@pytest.mark.parametrize("raw", ["big", "5GB", "1.5", "1e9"])
def test_max_asset_size_must_be_a_whole_number(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"COFFER_MAX_ASSET_SIZE": raw})

    assert raw in str(caught.value)


def test_bad_number_names_the_variable() -> None:
    """An operator with a dozen COFFER_* variables needs to know which one is wrong."""
    with pytest.raises(ConfigError, match="COFFER_MAX_ASSET_SIZE"):
        Settings.from_env({"COFFER_MAX_ASSET_SIZE": "5GB"})


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)


# COFFER_EXTERNAL_CONNECTIONS ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("public:pypi=https://mirror/simple/", {"public:pypi": "https://mirror/simple/"}),
        (
            "public:pypi=https://a/simple/,public:npmjs=https://b/npm/",
            {"public:pypi": "https://a/simple/", "public:npmjs": "https://b/npm/"},
        ),
        (
            " public:pypi = https://a/simple/ , public:npmjs=https://b/ ,",
            {"public:pypi": "https://a/simple/", "public:npmjs": "https://b/"},
        ),
        ("public:maven-central=https://m/?a=b&c=d", {"public:maven-central": "https://m/?a=b&c=d"}),
        (",,", {}),
    ],
    ids=["one", "two", "whitespace-and-trailing-comma", "equals-in-url", "only-commas"],
)
def test_external_connections(raw: str, parsed: dict[str, str]) -> None:
    settings = Settings.from_env({"COFFER_EXTERNAL_CONNECTIONS": raw})

    assert dict(settings.external_connections) == parsed


@pytest.mark.parametrize(
    "raw", ["public:pypi", "=https://mirror/", "public:pypi=", "a=https://x,broken"]
)
def test_external_connections_invalid(raw: str) -> None:
    with pytest.raises(ConfigError, match="NAME=URL"):
        Settings.from_env({"COFFER_EXTERNAL_CONNECTIONS": raw})


def test_external_connections_override() -> None:
    settings = Settings.from_env(
        {"COFFER_EXTERNAL_CONNECTIONS": "public:pypi=https://env/"},
        external_connections={"public:pypi": "https://flag/"},
    )

    assert dict(settings.external_connections) == {"public:pypi": "https://flag/"}


def test_settings_are_immutable() -> None:
    settings = Settings.from_env({})

    with pytest.raises(AttributeError):
        settings.region = "eu-west-1"  # type: ignore[misc]
