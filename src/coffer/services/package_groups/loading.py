"""Loading a domain's stored groups (and their allowed-repository lists) into a
:class:`~coffer.domain.package_groups.GroupTree`."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.package_groups import (
    ROOT_PATTERN,
    GroupSettings,
    GroupTree,
    RestrictionMode,
    RestrictionType,
    parse_pattern,
)
from coffer.domain.packages import PackageFormat
from coffer.storage.db import PackageGroup, PackageGroupAllowedRepository, Repository

__all__ = ["MODE_COLUMNS", "load_tree", "settings_from_row"]

MODE_COLUMNS = {
    RestrictionType.PUBLISH: "publish_mode",
    RestrictionType.EXTERNAL_UPSTREAM: "external_upstream_mode",
    RestrictionType.INTERNAL_UPSTREAM: "internal_upstream_mode",
}
"""The :class:`~coffer.storage.db.PackageGroup` column each restriction's mode is stored in."""


def settings_from_row(
    row: PackageGroup, allowed: Mapping[RestrictionType, frozenset[str]]
) -> GroupSettings:
    return GroupSettings(
        pattern=parse_pattern(row.pattern),
        modes={t: RestrictionMode(getattr(row, column)) for t, column in MODE_COLUMNS.items()},
        allowed=allowed,
        created_time=row.created_at,
        contact_info=row.contact_info,
        description=row.description,
    )


async def _allowed_lists(
    session: AsyncSession, group_ids: list[int]
) -> dict[int, dict[RestrictionType, set[str]]]:
    """Each group's allowed-repository lists, by repository name."""
    allowed: dict[int, dict[RestrictionType, set[str]]] = {group_id: {} for group_id in group_ids}
    if group_ids:
        listed = await session.execute(
            select(
                PackageGroupAllowedRepository.group_id,
                PackageGroupAllowedRepository.restriction_type,
                Repository.name,
            )
            .join(Repository, Repository.id == PackageGroupAllowedRepository.repository_id)
            .where(PackageGroupAllowedRepository.group_id.in_(group_ids))
        )
        for group_id, restriction, name in listed:
            allowed[group_id].setdefault(RestrictionType(restriction), set()).add(name)
    return allowed


async def load_tree(
    session: AsyncSession, domain_id: int, fmt: PackageFormat | None = None, root_created: float = 0
) -> GroupTree:
    """A domain's groups; with ``fmt``, only the root and that format's groups (all a package of
    that format can be associated with, and all their ancestors)."""
    query = select(PackageGroup).where(PackageGroup.domain_id == domain_id)
    if fmt is not None:
        query = query.where(
            or_(PackageGroup.pattern == ROOT_PATTERN, PackageGroup.pattern.like(f"/{fmt.value}/%"))
        )
    rows = list((await session.execute(query)).scalars())
    allowed = await _allowed_lists(session, [row.id for row in rows])
    groups = [
        settings_from_row(row, {t: frozenset(names) for t, names in allowed[row.id].items()})
        for row in rows
    ]
    if not any(group.pattern.text == ROOT_PATTERN for group in groups):
        groups.append(GroupSettings.root(root_created))
    return GroupTree(groups)
