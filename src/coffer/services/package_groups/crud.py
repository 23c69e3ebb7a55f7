"""Creating, describing, updating and deleting package groups."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.package_groups import (
    DEFAULT_GROUP_MODE,
    ROOT_PATTERN,
    PackageGroupInfo,
    PackageGroupPattern,
    parse_pattern,
)
from coffer.errors import Conflict, ValidationError
from coffer.iam.actions import Action
from coffer.iam.principal import Caller
from coffer.services import clock
from coffer.services.package_groups.authorization import require_group
from coffer.services.package_groups.base import GroupService, retrying
from coffer.services.package_groups.loading import MODE_COLUMNS, settings_from_row
from coffer.services.tags import insert_tags, tag_condition_keys
from coffer.storage.db import Domain, PackageGroup, PackageGroupAllowedRepository, Tag

__all__ = ["GroupCrud"]


def _exists(domain: Domain, pattern: str) -> Conflict:
    return Conflict(
        f"Package group '{pattern}' already exists in domain '{domain.name}'", None, pattern
    )


async def _insert(
    session: AsyncSession,
    domain: Domain,
    pattern: PackageGroupPattern,
    contact_info: str | None,
    description: str | None,
) -> PackageGroup:
    """Store a new group with the default modes; a concurrent twin makes it a conflict."""
    row = PackageGroup(
        domain_id=domain.id,
        pattern=pattern.text,
        contact_info=contact_info,
        description=description,
        created_at=clock.now(),
    )
    for column in MODE_COLUMNS.values():
        setattr(row, column, DEFAULT_GROUP_MODE.value)
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        raise _exists(domain, pattern.text) from None
    return row


class GroupCrud(GroupService):
    async def create(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        pattern: str,
        *,
        contact_info: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> PackageGroupInfo:
        parsed = parse_pattern(pattern)
        keys = tag_condition_keys(tags)
        async with self._db.session() as session:
            domain = await self._authorize(
                session, caller, Action.CREATE_PACKAGE_GROUP, domain_name, owner, pattern, keys=keys
            )
            arn = self.arn(domain.owner_id, domain.name, pattern)
            if tags:
                await self._authorize(
                    session, caller, Action.TAG_RESOURCE, domain_name, owner, pattern, keys=keys
                )
            tree = await self._tree(session, domain)
            if pattern in tree:
                raise _exists(domain, pattern)
            row = await _insert(session, domain, parsed, contact_info, description)
            # Tags of an earlier group with this pattern (deleted with its domain) are stale.
            await session.execute(delete(Tag).where(Tag.resource_arn == arn))
            await insert_tags(session, arn, tags or {})
            tree = tree.with_group(settings_from_row(row, {}))
            return self._info(tree, domain, pattern)

    async def describe(
        self, caller: Caller, domain_name: str, owner: str | None, pattern: str
    ) -> PackageGroupInfo:
        parse_pattern(pattern)
        async with self._db.session() as session:
            domain, tree = await self._existing(
                session, caller, Action.DESCRIBE_PACKAGE_GROUP, domain_name, owner, pattern
            )
            return self._info(tree, domain, pattern)

    async def update(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        pattern: str,
        *,
        contact_info: str | None = None,
        description: str | None = None,
    ) -> PackageGroupInfo:
        """Change a group's contact information and description (never its pattern)."""
        parse_pattern(pattern)

        async def attempt() -> PackageGroupInfo:
            async with self._db.session() as session:
                domain = await self._authorize(
                    session, caller, Action.UPDATE_PACKAGE_GROUP, domain_name, owner, pattern
                )
                row = await self._row(session, domain, pattern)
                if contact_info is not None:
                    row.contact_info = contact_info
                if description is not None:
                    row.description = description
                await session.flush()
                return self._info(await self._tree(session, domain), domain, pattern)

        return await retrying(attempt)

    async def delete(
        self, caller: Caller, domain_name: str, owner: str | None, pattern: str
    ) -> PackageGroupInfo:
        """Delete a group. Its packages and their versions stay; its sub-groups become children
        of its parent (the hierarchy is computed, so nothing moves); the root cannot go."""
        parse_pattern(pattern)
        async with self._db.session() as session:
            domain = await self._authorize(
                session, caller, Action.DELETE_PACKAGE_GROUP, domain_name, owner, pattern
            )
            if pattern == ROOT_PATTERN:
                raise ValidationError(f"The root package group {ROOT_PATTERN} cannot be deleted")
            tree = await self._tree(session, domain)
            require_group(tree, domain, pattern)
            info = self._info(tree, domain, pattern)
            row = await self._row(session, domain, pattern)
            await session.execute(
                delete(PackageGroupAllowedRepository).where(
                    PackageGroupAllowedRepository.group_id == row.id
                )
            )
            await session.execute(delete(Tag).where(Tag.resource_arn == info.arn))
            await session.delete(row)
            return info
