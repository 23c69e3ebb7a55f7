"""Metadata storage: SQLAlchemy models, engines and Alembic migrations."""

from coffer.storage.db.engine import Database, migrate
from coffer.storage.db.models import (
    AccessKey,
    Account,
    Base,
    Domain,
    Repository,
    RepositoryUpstream,
    SigningKey,
    Tag,
    User,
)

__all__ = [
    "AccessKey",
    "Account",
    "Base",
    "Database",
    "Domain",
    "Repository",
    "RepositoryUpstream",
    "SigningKey",
    "Tag",
    "User",
    "migrate",
]
