"""The service container: one per process, built from :class:`~coffer.config.Settings`."""

from __future__ import annotations

import os
from pathlib import Path

from coffer.config import Settings
from coffer.iam.secrets import SecretBox, new_server_key
from coffer.services.access import Access
from coffer.services.artifacts import Artifacts
from coffer.services.browse import Browse
from coffer.services.console import Console
from coffer.services.dataplane import DataPlane
from coffer.services.domains import Domains
from coffer.services.external import Remotes
from coffer.services.generic import GenericPublisher
from coffer.services.hotpath import ChangeCounters
from coffer.services.iam_admin import IamAdmin
from coffer.services.ingestion import Ingestion
from coffer.services.package_groups import PackageGroups
from coffer.services.packages import Packages
from coffer.services.policies import ResourcePolicies
from coffer.services.publishing import Publishing
from coffer.services.repositories import Repositories
from coffer.services.resolution import Resolver
from coffer.services.tags import Tags
from coffer.services.tokens import Tokens
from coffer.services.versions import Versions
from coffer.storage.blobs import BlobStore, open_blob_store
from coffer.storage.db import Database, migrate

__all__ = ["Services", "open_services"]


def _server_keys(settings: Settings) -> list[str]:
    """``COFFER_SECRET_KEY`` (comma-separated, newest first) or ``DIR/secret.key``, made once."""
    if settings.secret_key:
        return [key.strip() for key in settings.secret_key.split(",") if key.strip()]
    path = settings.data_dir / "secret.key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        _write_private(path, new_server_key() + "\n")
    return [path.read_text().strip()]


def _write_private(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600; never replaces an existing file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


class Services:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        blobs: BlobStore,
        box: SecretBox,
        remotes: Remotes | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.blobs = blobs
        self.box = box
        self.remotes = remotes
        self.iam = IamAdmin(db, box)
        self.console = Console(db, box)
        self.access = Access(db, box, settings.region)
        self.counters = ChangeCounters(db)
        self.tokens = Tokens(db, box, self.access, self.counters)
        self.domains = Domains(db, self.access, settings.region)
        self.repositories = Repositories(db, self.access, settings.region)
        self.policies = ResourcePolicies(db, self.access, settings.region)
        self.tags = Tags(db, self.access, settings.region)
        self.dataplane = DataPlane(db, self.access, self.tokens, self.counters)
        self.ingestion = Ingestion(
            db, blobs, remotes, settings.remote_index_ttl, settings.max_asset_size
        )
        self.resolver = Resolver(db, self.ingestion, self.counters)
        self.publishing = Publishing(db, blobs, self.resolver, settings.max_asset_size)
        self.artifacts = Artifacts(db)
        self.packages = Packages(db, self.access, settings.region)
        self.browse = Browse(db, self.access, settings.region)
        self.package_groups = PackageGroups(db, self.access, settings.region)
        self.versions = Versions(db, self.packages)
        self.generic = GenericPublisher(db, self.packages, self.publishing)

    async def check(self) -> None:
        """Raise unless the database and the blob store both answer."""
        await self.db.check()
        await self.blobs.check()

    async def close(self) -> None:
        if self.remotes is not None:
            await self.remotes.aclose()
        await self.blobs.close()
        self.counters.close()
        await self.db.close()


def open_services(
    settings: Settings, *, run_migrations: bool = True, remotes: Remotes | None = None
) -> Services:
    """Services over the configured stores; ``remotes`` reach external connections (the
    composition root supplies them, so the services never import an HTTP client)."""
    if run_migrations:
        migrate(settings.resolved_database_url)
    box = SecretBox(_server_keys(settings))
    return Services(
        settings,
        Database(settings.resolved_database_url),
        open_blob_store(settings.resolved_blob_store_url),
        box,
        remotes,
    )
