"""Which packages belong to a package group, and which group a package belongs to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.model import Page
from coffer.domain.package_groups import (
    DEFAULT_GROUP_MODE,
    AssociationType,
    GroupSettings,
    GroupTree,
    PackageGroupInfo,
    PackageGroupPattern,
    RestrictionType,
    normalize_key,
    parse_pattern,
)
from coffer.domain.packages import PackageFormat, PackageKey
from coffer.iam.actions import Action
from coffer.iam.principal import Caller
from coffer.services.lookup import find_domain
from coffer.services.package_groups.authorization import missing_group
from coffer.services.package_groups.base import DEFAULT_PAGE, GroupService
from coffer.services.pagination import decode_key, encode_token
from coffer.storage.db import Domain, Package, Repository

__all__ = ["AssociatedPackage", "GroupAssociations"]


@dataclass(frozen=True)
class AssociatedPackage:
    key: PackageKey
    association: AssociationType


async def _package_keys(
    session: AsyncSession, domain: Domain, pattern: PackageGroupPattern
) -> Sequence[tuple[str, str, str]]:
    """Every package in the domain's repositories (of the pattern's format, if it has one)."""
    columns = (Package.format, Package.namespace, Package.name)
    query = (
        select(*columns)
        .join(Repository, Repository.id == Package.repository_id)
        .where(Repository.domain_id == domain.id)
        .distinct()
        .order_by(*columns)
    )
    if pattern.format is not None:
        query = query.where(Package.format == pattern.format.value)
    return [(fmt, namespace, name) for fmt, namespace, name in (await session.execute(query))]


def _associated_page(
    tree: GroupTree,
    pattern: str,
    rows: Sequence[tuple[str, str, str]],
    after: list[str] | None,
    limit: int,
) -> Page[AssociatedPackage]:
    """The packages of ``rows`` whose group is ``pattern``, after the key ``after``."""
    found: list[AssociatedPackage] = []
    for fmt, namespace, name in sorted(set(rows)):
        if after is not None and [fmt, namespace, name] <= after:
            continue
        key = PackageKey(PackageFormat(fmt), namespace, name)
        group, association = tree.associate(key)
        if group.pattern.text == pattern:
            found.append(AssociatedPackage(key, association))
            if len(found) > limit:
                break
    token = None
    if len(found) > limit:
        last = found[limit - 1].key
        token = encode_token([last.format.value, last.namespace, last.name])
    return Page(found[:limit], token)


class GroupAssociations(GroupService):
    async def list_associated_packages(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        pattern: str,
        *,
        preview: bool = False,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page[AssociatedPackage]:
        """The packages in the domain's repositories whose group is ``pattern``; with
        ``preview``, those it would have if it existed (it need not)."""
        parsed = parse_pattern(pattern)
        after = decode_key(next_token, 3)
        async with self._db.session() as session:
            domain = await self._authorize(
                session, caller, Action.LIST_ASSOCIATED_PACKAGES, domain_name, owner, pattern
            )
            tree = await self._tree(session, domain)
            if pattern not in tree:
                if not preview:
                    raise missing_group(domain, pattern)
                tree = tree.with_group(
                    GroupSettings(parsed, dict.fromkeys(RestrictionType, DEFAULT_GROUP_MODE))
                )
            rows = await _package_keys(session, domain, parsed)
        return _associated_page(tree, pattern, rows, after, max_results or DEFAULT_PAGE)

    async def get_associated(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        key: PackageKey,
    ) -> tuple[PackageGroupInfo, AssociationType]:
        """The group a package belongs to (it need not exist in any repository)."""
        owner = owner or caller.principal.account_id
        key = normalize_key(key)
        async with self._db.session() as session:
            found = await find_domain(session, owner, domain_name)
            tree = GroupTree([]) if found is None else await self._tree(session, found)
            group, association = tree.associate(key)
            domain = await self._authorize(
                session,
                caller,
                Action.GET_ASSOCIATED_PACKAGE_GROUP,
                domain_name,
                owner,
                group.pattern.text,
            )
            return self._info(tree, domain, group.pattern.text), association
