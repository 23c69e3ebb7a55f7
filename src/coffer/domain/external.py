"""External connections: the public registries a repository can ingest packages from."""

from __future__ import annotations

from coffer.domain.packages import PackageFormat
from coffer.errors import ValidationError

__all__ = ["DEFAULT_URLS", "EXTERNAL_CONNECTIONS", "connection_format"]

EXTERNAL_CONNECTIONS: dict[str, PackageFormat] = {
    "public:pypi": PackageFormat.PYPI,
    "public:npmjs": PackageFormat.NPM,
    "public:maven-central": PackageFormat.MAVEN,
    "public:maven-googleandroid": PackageFormat.MAVEN,
    "public:maven-gradleplugins": PackageFormat.MAVEN,
    "public:maven-commonsware": PackageFormat.MAVEN,
    "public:maven-clojars": PackageFormat.MAVEN,
    "public:nuget-org": PackageFormat.NUGET,
    "public:ruby-gems-org": PackageFormat.RUBY,
    "public:crates-io": PackageFormat.CARGO,
}

# Where each connection points unless COFFER_EXTERNAL_CONNECTIONS says otherwise.
DEFAULT_URLS: dict[str, str] = {
    "public:pypi": "https://pypi.org/simple/",
    "public:npmjs": "https://registry.npmjs.org/",
    "public:maven-central": "https://repo1.maven.org/maven2/",
    "public:crates-io": "https://index.crates.io/",
    "public:nuget-org": "https://api.nuget.org/v3/index.json",
    "public:ruby-gems-org": "https://rubygems.org/",
}


def connection_format(name: str) -> PackageFormat:
    try:
        return EXTERNAL_CONNECTIONS[name]
    except KeyError:
        known = ", ".join(sorted(EXTERNAL_CONNECTIONS))
        raise ValidationError(f"Unknown external connection {name!r}; known: {known}") from None
