"""Listing a domain's package groups and a group's sub-groups."""

from __future__ import annotations

from coffer.domain.model import Page
from coffer.domain.package_groups import PackageGroupInfo, parse_pattern
from coffer.iam.actions import Action
from coffer.iam.principal import Caller
from coffer.services.lookup import authorized_domain
from coffer.services.package_groups.base import GroupService, page_of
from coffer.services.pagination import decode_token

__all__ = ["GroupListing"]


class GroupListing(GroupService):
    async def list(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        *,
        prefix: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page[PackageGroupInfo]:
        """The domain's groups whose patterns start with ``prefix``, sorted by pattern."""
        after = decode_token(next_token)
        async with self._db.session() as session:
            domain = await authorized_domain(
                session, self._access, caller, Action.LIST_PACKAGE_GROUPS, domain_name, owner
            )
            tree = await self._tree(session, domain)
        patterns = sorted(p for p in tree.groups if p.startswith(prefix or ""))
        page, token = page_of(patterns, after, max_results)
        return Page([self._info(tree, domain, p) for p in page], token)

    async def list_sub_groups(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        pattern: str,
        *,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page[PackageGroupInfo]:
        """The direct children of a group, sorted by pattern."""
        parse_pattern(pattern)
        after = decode_token(next_token)
        async with self._db.session() as session:
            domain, tree = await self._existing(
                session, caller, Action.LIST_SUB_PACKAGE_GROUPS, domain_name, owner, pattern
            )
        page, token = page_of(tree.children(pattern), after, max_results)
        return Page([self._info(tree, domain, p) for p in page], token)
