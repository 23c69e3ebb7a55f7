"""Metadata storage: SQLAlchemy models, engines and Alembic migrations."""

from coffer.storage.db.engine import Database, migrate
from coffer.storage.db.models import (
    AccessKey,
    Account,
    Asset,
    Base,
    ChangeCounter,
    ConsolePassword,
    Domain,
    Package,
    PackageGroup,
    PackageGroupAllowedRepository,
    PackageVersion,
    RemoteIndexCache,
    Repository,
    RepositoryUpstream,
    SigningKey,
    Tag,
    User,
)

__all__ = [
    "AccessKey",
    "Account",
    "Asset",
    "Base",
    "ChangeCounter",
    "ConsolePassword",
    "Database",
    "Domain",
    "Package",
    "PackageGroup",
    "PackageGroupAllowedRepository",
    "PackageVersion",
    "RemoteIndexCache",
    "Repository",
    "RepositoryUpstream",
    "SigningKey",
    "Tag",
    "User",
    "migrate",
]
