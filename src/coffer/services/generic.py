"""PublishPackageVersion: the generic format's only way in (raw asset bytes, one per call)."""

from __future__ import annotations

from collections.abc import AsyncIterable

from coffer.domain.packages import AssetInfo, PackageFormat, VersionStatus, canonical_version
from coffer.errors import ValidationError
from coffer.iam.actions import Action
from coffer.iam.principal import Caller
from coffer.services.dataplane import RepositoryRef
from coffer.services.packages import PackageAddress, Packages
from coffer.services.publishing import AssetUpload, Publishing
from coffer.storage.db import Database

__all__ = ["GenericPublisher"]


class GenericPublisher:
    def __init__(self, db: Database, packages: Packages, publishing: Publishing) -> None:
        self._db = db
        self._packages = packages
        self._publishing = publishing

    async def publish(
        self,
        caller: Caller,
        address: PackageAddress,
        version: str,
        asset_name: str,
        content: AsyncIterable[bytes],
        sha256: str,
        *,
        unfinished: bool = False,
    ) -> tuple[VersionStatus, str, AssetInfo]:
        """Add one asset; the version stays Unfinished while ``unfinished`` is set, and is
        sealed once Published. Returns the version's status and revision, and the asset."""
        if address.format is not PackageFormat.GENERIC:
            raise ValidationError("PublishPackageVersion only publishes the generic format")
        if not address.namespace:
            raise ValidationError("Generic packages need a namespace")
        async with self._db.session() as session:
            repository = await self._packages.authorize(
                session, caller, Action.PUBLISH_PACKAGE_VERSION, address
            )
            ref = RepositoryRef(
                domain_id=repository.domain_id,
                domain=repository.domain.name,
                owner=repository.domain.owner_id,
                repository_id=repository.id,
                repository=repository.name,
                caller=caller,
            )
        asset = await self._publishing.publish_asset(
            ref,
            AssetUpload(
                key=address.key,
                display_name=address.name,
                version=version,
                canonical_version=canonical_version(address.format, version),
                filename=asset_name,
                content=content,
                status=VersionStatus.UNFINISHED if unfinished else VersionStatus.PUBLISHED,
                expected_sha256=sha256.lower(),
                sealed_when_published=True,
            ),
        )
        info = await self._packages.describe_version(
            caller, address, version, Action.PUBLISH_PACKAGE_VERSION
        )
        return info.status, info.revision, asset
