"""Copying version records between repositories (CopyPackageVersions, upstream retention).

Only rows are copied: blobs are content-addressed and shared by every repository of a store.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.services import clock
from coffer.services.queries import bump_generation
from coffer.storage.db import Asset, Package, PackageVersion

__all__ = ["copy_version", "new_revision", "package_like"]


def new_revision() -> str:
    """Hex, so a revision never starts with "-" (the aws CLI would read it as an option)."""
    return secrets.token_hex(12)


def package_like(
    source: Package, repository_id: int, *, publish: str | None = None, upstream: str | None = None
) -> Package:
    """A new package row in ``repository_id`` named like ``source``."""
    return Package(
        repository_id=repository_id,
        format=source.format,
        namespace=source.namespace,
        name=source.name,
        display_name=source.display_name,
        origin_publish=publish or source.origin_publish,
        origin_upstream=upstream or source.origin_upstream,
        generation=1,
        created_at=clock.now(),
    )


async def copy_version(
    session: AsyncSession, row: PackageVersion, target: Package
) -> PackageVersion:
    """Copy ``row`` and its assets into ``target`` (which must not hold that version)."""
    columns = {c.key: getattr(row, c.key) for c in PackageVersion.__table__.columns}
    del columns["id"]
    copy = PackageVersion(**{**columns, "package_id": target.id, "revision": new_revision()})
    session.add(copy)
    await session.flush()
    assets = await session.execute(select(Asset).where(Asset.version_id == row.id))
    for asset in assets.scalars():
        values = {c.key: getattr(asset, c.key) for c in Asset.__table__.columns}
        del values["id"]
        session.add(Asset(**{**values, "version_id": copy.id}))
    await session.flush()
    await bump_generation(session, target)
    return copy
