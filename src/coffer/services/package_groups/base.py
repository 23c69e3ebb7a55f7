"""What every package group operation shares: the service's state, loading and describing a
domain's groups, the stored row of a group, retries and paging."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.package_groups import (
    ROOT_MODE,
    ROOT_PATTERN,
    GroupRef,
    GroupTree,
    PackageGroupInfo,
    RestrictionInfo,
    RestrictionMode,
    RestrictionType,
)
from coffer.errors import Conflict
from coffer.iam.actions import Action
from coffer.iam.policy import ConditionValue
from coffer.iam.principal import Caller
from coffer.services.access import Access
from coffer.services.package_groups.authorization import (
    authorized,
    group_arn,
    missing_group,
    require_group,
)
from coffer.services.package_groups.loading import MODE_COLUMNS, load_tree
from coffer.services.pagination import encode_token
from coffer.storage.db import Database, Domain, PackageGroup

__all__ = ["DEFAULT_PAGE", "GroupService", "page_of", "retrying"]

DEFAULT_PAGE = 100

T = TypeVar("T")


async def retrying(attempt: Callable[[], Awaitable[T]]) -> T:
    """Run a transaction again when a concurrent one stored the same rows first (the root
    group stored on its first change, an allowed repository listed twice)."""
    for _ in range(2):
        try:
            return await attempt()
        except IntegrityError:
            continue
    try:
        return await attempt()
    except IntegrityError:
        raise Conflict("The package group was changed concurrently; retry the request") from None


def page_of(
    items: Sequence[str], after: str | None, limit: int | None
) -> tuple[list[str], str | None]:
    """Sorted string keys after ``after``: one page, and the token of the next."""
    limit = limit or DEFAULT_PAGE
    rest = [item for item in items if after is None or item > after]
    page = rest[:limit]
    return page, encode_token(page[-1]) if len(rest) > limit else None


class GroupService:
    """The state and helpers the package group operations (one mixin a topic) share."""

    def __init__(self, db: Database, access: Access, region: str) -> None:
        self._db = db
        self._access = access
        self._region = region

    def arn(self, owner: str, domain: str, pattern: str) -> str:
        return group_arn(self._region, owner, domain, pattern)

    def _ref(self, domain: Domain, pattern: str) -> GroupRef:
        return GroupRef(self.arn(domain.owner_id, domain.name, pattern), pattern)

    def _restriction(
        self, tree: GroupTree, domain: Domain, pattern: str, restriction: RestrictionType
    ) -> RestrictionInfo:
        mode = tree.groups[pattern].mode(restriction)
        effective, source = tree.effective(pattern, restriction)
        return RestrictionInfo(
            mode=mode,
            effective_mode=effective,
            inherited_from=(
                self._ref(domain, source.pattern.text) if mode is RestrictionMode.INHERIT else None
            ),
            repositories_count=len(tree.groups[pattern].allowed_repositories(restriction)),
        )

    def _info(self, tree: GroupTree, domain: Domain, pattern: str) -> PackageGroupInfo:
        group = tree.groups[pattern]
        restrictions = {
            restriction: self._restriction(tree, domain, pattern, restriction)
            for restriction in RestrictionType
        }
        parent = tree.parent(pattern)
        return PackageGroupInfo(
            arn=self.arn(domain.owner_id, domain.name, pattern),
            pattern=pattern,
            domain_name=domain.name,
            domain_owner=domain.owner_id,
            created_time=group.created_time,
            contact_info=group.contact_info,
            description=group.description,
            restrictions=restrictions,
            parent=None if parent is None else self._ref(domain, parent),
        )

    async def _authorize(
        self,
        session: AsyncSession,
        caller: Caller,
        action: Action,
        domain_name: str,
        owner: str | None,
        pattern: str,
        *,
        keys: Mapping[str, ConditionValue] | None = None,
    ) -> Domain:
        """See :func:`.authorized`: the domain, once ``action`` on the group is authorized."""
        return await authorized(
            session, self._access, caller, action, domain_name, owner, pattern, keys=keys
        )

    async def _tree(self, session: AsyncSession, domain: Domain) -> GroupTree:
        return await load_tree(session, domain.id, root_created=domain.created_at)

    async def _existing(
        self,
        session: AsyncSession,
        caller: Caller,
        action: Action,
        domain_name: str,
        owner: str | None,
        pattern: str,
    ) -> tuple[Domain, GroupTree]:
        """Authorize ``action`` on the group, then load the domain's groups and require it."""
        domain = await self._authorize(session, caller, action, domain_name, owner, pattern)
        tree = await self._tree(session, domain)
        require_group(tree, domain, pattern)
        return domain, tree

    async def _row(self, session: AsyncSession, domain: Domain, pattern: str) -> PackageGroup:
        """The stored group; the root is stored now if it was not yet."""
        query = select(PackageGroup).where(
            PackageGroup.domain_id == domain.id, PackageGroup.pattern == pattern
        )
        row = (await session.execute(query)).scalar_one_or_none()
        if row is not None:
            return row
        if pattern != ROOT_PATTERN:
            raise missing_group(domain, pattern)
        root = PackageGroup(domain_id=domain.id, pattern=ROOT_PATTERN, created_at=domain.created_at)
        for column in MODE_COLUMNS.values():
            setattr(root, column, ROOT_MODE.value)
        session.add(root)
        await session.flush()  # IntegrityError if a concurrent request stored it: see retrying
        return root
