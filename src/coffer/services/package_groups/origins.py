"""A package group's origin configuration: restriction modes and allowed-repository lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.model import Page
from coffer.domain.package_groups import (
    ROOT_PATTERN,
    PackageGroupInfo,
    RestrictionMode,
    RestrictionType,
    parse_pattern,
)
from coffer.errors import ValidationError
from coffer.iam.actions import Action
from coffer.iam.principal import Caller
from coffer.services.lookup import find_repository, require_repository
from coffer.services.package_groups.base import GroupService, page_of, retrying
from coffer.services.package_groups.loading import MODE_COLUMNS
from coffer.services.pagination import decode_token
from coffer.storage.db import Domain, PackageGroupAllowedRepository

__all__ = ["AllowedRepositoryUpdates", "GroupOrigins"]

AllowedRepositoryUpdates = dict[RestrictionType, dict[str, list[str]]]
"""``{restriction: {"ADDED": [...], "REMOVED": [...]}}`` as UpdatePackageGroupOriginConfiguration
reports it."""

_Listing = Sequence[tuple[RestrictionType, str]]


def _check_request(
    pattern: str,
    restrictions: Mapping[RestrictionType, RestrictionMode],
    added: _Listing,
    removed: _Listing,
) -> None:
    both = set(added) & set(removed)
    if both:
        restriction, name = sorted(both)[0]
        raise ValidationError(
            f"Repository '{name}' is both added to and removed from the {restriction.value} "
            "allowed repositories"
        )
    if pattern == ROOT_PATTERN and RestrictionMode.INHERIT in restrictions.values():
        raise ValidationError(
            f"The root package group {ROOT_PATTERN} has no parent to inherit from"
        )


async def _add_allowed(
    session: AsyncSession,
    domain: Domain,
    group_id: int,
    added: _Listing,
    updates: AllowedRepositoryUpdates,
) -> None:
    """List each repository (it must exist) unless it is listed already."""
    for restriction, name in added:
        repository = require_repository(await find_repository(session, domain, name), domain, name)
        listed = await session.get(
            PackageGroupAllowedRepository, (group_id, restriction.value, repository.id)
        )
        if listed is None:
            session.add(
                PackageGroupAllowedRepository(
                    group_id=group_id,
                    restriction_type=restriction.value,
                    repository_id=repository.id,
                )
            )
        updates.setdefault(restriction, {}).setdefault("ADDED", []).append(name)


async def _remove_allowed(
    session: AsyncSession,
    domain: Domain,
    group_id: int,
    removed: _Listing,
    updates: AllowedRepositoryUpdates,
) -> None:
    """Unlist each repository; one that does not exist or is not listed is no error."""
    for restriction, name in removed:
        gone = await find_repository(session, domain, name)
        if gone is not None:
            await session.execute(
                delete(PackageGroupAllowedRepository).where(
                    PackageGroupAllowedRepository.group_id == group_id,
                    PackageGroupAllowedRepository.restriction_type == restriction.value,
                    PackageGroupAllowedRepository.repository_id == gone.id,
                )
            )
        updates.setdefault(restriction, {}).setdefault("REMOVED", []).append(name)


class GroupOrigins(GroupService):
    async def update_origin_configuration(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        pattern: str,
        *,
        restrictions: Mapping[RestrictionType, RestrictionMode] | None = None,
        add: Iterable[tuple[RestrictionType, str]] = (),
        remove: Iterable[tuple[RestrictionType, str]] = (),
    ) -> tuple[PackageGroupInfo, AllowedRepositoryUpdates]:
        """Set restriction modes and edit allowed-repository lists. Lists are kept whatever the
        mode (they only count while the mode is ALLOW_SPECIFIC_REPOSITORIES); adding a
        repository that does not exist is an error, removing one that is not listed is not."""
        parse_pattern(pattern)
        modes = dict(restrictions or {})
        added, removed = list(dict.fromkeys(add)), list(dict.fromkeys(remove))
        _check_request(pattern, modes, added, removed)
        action = Action.UPDATE_PACKAGE_GROUP_ORIGIN_CONFIGURATION

        async def attempt() -> tuple[PackageGroupInfo, AllowedRepositoryUpdates]:
            async with self._db.session() as session:
                domain = await self._authorize(session, caller, action, domain_name, owner, pattern)
                row = await self._row(session, domain, pattern)
                for restriction, mode in modes.items():
                    setattr(row, MODE_COLUMNS[restriction], mode.value)
                await session.flush()
                updates: AllowedRepositoryUpdates = {}
                await _add_allowed(session, domain, row.id, added, updates)
                await _remove_allowed(session, domain, row.id, removed, updates)
                await session.flush()
                tree = await self._tree(session, domain)
                return self._info(tree, domain, pattern), updates

        return await retrying(attempt)

    async def list_allowed_repositories(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        pattern: str,
        restriction: RestrictionType,
        *,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page[str]:
        """The repositories on a group's own allowed list for ``restriction``, sorted."""
        parse_pattern(pattern)
        after = decode_token(next_token)
        async with self._db.session() as session:
            _, tree = await self._existing(
                session,
                caller,
                Action.LIST_ALLOWED_REPOSITORIES_FOR_GROUP,
                domain_name,
                owner,
                pattern,
            )
        group = tree.groups[pattern]
        page, token = page_of(sorted(group.allowed_repositories(restriction)), after, max_results)
        return Page(page, token)
