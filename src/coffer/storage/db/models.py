"""Tables. Uniqueness and immutability live in constraints, so many processes can share them.

Timestamps are stored as float epoch seconds: exact enough, portable across SQLite and
PostgreSQL, and what the CodeArtifact wire format wants anyway.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(String(34))
    created_at: Mapped[float] = mapped_column(Float)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # AIDA… unique id
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    policy_document: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)

    account: Mapped[Account] = relationship(lazy="joined")


class AccessKey(Base):
    __tablename__ = "access_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # AKIA…
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="Active")
    created_at: Mapped[float] = mapped_column(Float)

    user: Mapped[User] = relationship(lazy="joined")


class ConsolePassword(Base):
    """A user's web-console password, as an Argon2 hash (``coffer admin set-password``)."""

    __tablename__ = "console_passwords"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    password_hash: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[float] = mapped_column(Float)


class SigningKey(Base):
    """Keys that sign authorization tokens; the newest signs, all verify until removed."""

    __tablename__ = "signing_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[float] = mapped_column(Float)


class Domain(Base):
    __tablename__ = "domains"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    name: Mapped[str] = mapped_column(String(50))
    encryption_key: Mapped[str | None] = mapped_column(String(1011))
    created_at: Mapped[float] = mapped_column(Float)
    policy_document: Mapped[str | None] = mapped_column(Text)
    policy_revision: Mapped[str | None] = mapped_column(String(100))


class Repository(Base):
    __tablename__ = "repositories"
    __table_args__ = (UniqueConstraint("domain_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    administrator_account: Mapped[str] = mapped_column(String(12))
    description: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[float] = mapped_column(Float)
    policy_document: Mapped[str | None] = mapped_column(Text)
    policy_revision: Mapped[str | None] = mapped_column(String(100))
    external_connection: Mapped[str | None] = mapped_column(String(100))

    domain: Mapped[Domain] = relationship(lazy="joined")


class RepositoryUpstream(Base):
    __tablename__ = "repository_upstreams"

    repository_id: Mapped[int] = mapped_column(
        ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    upstream_id: Mapped[int] = mapped_column(ForeignKey("repositories.id"), index=True)


class Tag(Base):
    __tablename__ = "tags"

    resource_arn: Mapped[str] = mapped_column(String(1011), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class Package(Base):
    """A package in one repository. ``generation`` moves on every change its index shows."""

    __tablename__ = "packages"
    __table_args__ = (UniqueConstraint("repository_id", "format", "namespace", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repository_id: Mapped[int] = mapped_column(
        ForeignKey("repositories.id", ondelete="CASCADE"), index=True
    )
    format: Mapped[str] = mapped_column(String(16))
    namespace: Mapped[str] = mapped_column(String(255), default="")
    name: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(255))
    origin_publish: Mapped[str] = mapped_column(String(8), default="ALLOW")
    origin_upstream: Mapped[str] = mapped_column(String(8), default="BLOCK")
    generation: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[float] = mapped_column(Float)


class PackageVersion(Base):
    __tablename__ = "package_versions"
    __table_args__ = (UniqueConstraint("package_id", "canonical_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    package_id: Mapped[int] = mapped_column(
        ForeignKey("packages.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[str] = mapped_column(String(255))
    canonical_version: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    revision: Mapped[str] = mapped_column(String(64))
    origin_type: Mapped[str] = mapped_column(String(16), default="INTERNAL")
    # Where the version entered the domain: the repository it was published to, or the
    # external connection it was ingested through.
    origin_repository: Mapped[str | None] = mapped_column(String(100))
    origin_external: Mapped[str | None] = mapped_column(String(100))
    # Why a version is Unlisted: an upstream's PEP 592 yank reason, shown to installers.
    status_reason: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[float] = mapped_column(Float)
    summary: Mapped[str | None] = mapped_column(Text)
    home_page: Mapped[str | None] = mapped_column(Text)
    source_code_repository: Mapped[str | None] = mapped_column(Text)
    licenses: Mapped[str | None] = mapped_column(Text)  # JSON list of {name, url}
    readme: Mapped[str | None] = mapped_column(Text)
    readme_content_type: Mapped[str | None] = mapped_column(Text)
    requires_python: Mapped[str | None] = mapped_column(Text)
    dependencies: Mapped[str | None] = mapped_column(Text)  # JSON list of PackageDependency


class Asset(Base):
    """A file of a version. ``sha256`` is the blob key; ``metadata_sha256`` the PEP 658 file's."""

    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("version_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("package_versions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    md5: Mapped[str] = mapped_column(String(32))
    sha1: Mapped[str] = mapped_column(String(40))
    sha512: Mapped[str] = mapped_column(String(128))
    blake2b_256: Mapped[str] = mapped_column(String(64))
    metadata_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[float] = mapped_column(Float)


class RemoteIndexCache(Base):
    """An upstream registry's page for one project, shared by every server process."""

    __tablename__ = "remote_index_cache"

    connection: Mapped[str] = mapped_column(String(100), primary_key=True)
    project: Mapped[str] = mapped_column(String(255), primary_key=True)
    body: Mapped[str] = mapped_column(Text)  # RemoteProject as JSON
    etag: Mapped[str | None] = mapped_column(String(255))
    fetched_at: Mapped[float] = mapped_column(Float)


class PackageGroup(Base):
    """A package group of a domain. The root group ``/*`` is stored only once it is changed;
    until then the services describe it from the domain. Modes are INHERIT, ALLOW, BLOCK or
    ALLOW_SPECIFIC_REPOSITORIES (see ``coffer.domain.package_groups``)."""

    __tablename__ = "package_groups"
    __table_args__ = (UniqueConstraint("domain_id", "pattern"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"), index=True)
    pattern: Mapped[str] = mapped_column(String(520))
    contact_info: Mapped[str | None] = mapped_column(String(1000))
    description: Mapped[str | None] = mapped_column(String(1000))
    publish_mode: Mapped[str] = mapped_column(String(32))
    external_upstream_mode: Mapped[str] = mapped_column(String(32))
    internal_upstream_mode: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[float] = mapped_column(Float)


class PackageGroupAllowedRepository(Base):
    """A repository on one of a group's allowed-repository lists (one list per restriction)."""

    __tablename__ = "package_group_repositories"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("package_groups.id", ondelete="CASCADE"), primary_key=True
    )
    restriction_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    repository_id: Mapped[int] = mapped_column(
        ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ChangeCounter(Base):
    """``config`` and ``content``: moved on by database triggers (migration 0008) whenever what
    authorization or index pages read changes, so per-process caches can check one row pair."""

    __tablename__ = "change_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
