"""Tags on domains, repositories and package groups, keyed by ARN (TagResource, UntagResource,
ListTagsForResource)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.arns import parse_resource_arn
from coffer.errors import NotFound, QuotaExceeded, ValidationError
from coffer.iam.actions import Action
from coffer.iam.policy import ConditionValue
from coffer.iam.principal import Caller
from coffer.services.access import Access
from coffer.services.lookup import authorized_domain, authorized_repository
from coffer.storage.db import Database, Tag

__all__ = ["MAX_TAGS", "Tags", "insert_tags", "tag_condition_keys"]

MAX_TAGS = 200


def tag_condition_keys(tags: Mapping[str, str] | None) -> dict[str, ConditionValue]:
    """``aws:RequestTag/…`` and ``aws:TagKeys`` for a request that sets ``tags``."""
    if not tags:
        return {}
    keys: dict[str, ConditionValue] = {
        f"aws:RequestTag/{key}": value for key, value in tags.items()
    }
    keys["aws:TagKeys"] = list(tags)
    return keys


async def insert_tags(session: AsyncSession, arn: str, tags: Mapping[str, str]) -> None:
    """Set ``tags`` on ``arn`` (replacing values of existing keys), within the 200-tag quota."""
    if not tags:
        return
    await session.execute(delete(Tag).where(Tag.resource_arn == arn, Tag.key.in_(list(tags))))
    count = await session.scalar(
        select(func.count()).select_from(Tag).where(Tag.resource_arn == arn)
    )
    if (count or 0) + len(tags) > MAX_TAGS:
        raise QuotaExceeded(f"A resource can have at most {MAX_TAGS} tags", None, arn)
    session.add_all(Tag(resource_arn=arn, key=key, value=value) for key, value in tags.items())


def tag_list_to_map(tags: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """The wire's ``[{"key": k, "value": v}]`` as a mapping; repeated keys are an error."""
    result: dict[str, str] = {}
    for tag in tags or ():
        if tag["key"] in result:
            raise ValidationError(f"Duplicate tag key {tag['key']!r}")
        result[tag["key"]] = tag["value"]
    return result


class Tags:
    def __init__(self, db: Database, access: Access, region: str) -> None:
        self._db = db
        self._access = access
        self._region = region

    async def tag(self, caller: Caller, arn: str, tags: Mapping[str, str]) -> None:
        async with self._db.session() as session:
            arn = await self._authorize(session, caller, Action.TAG_RESOURCE, arn, tags)
            await insert_tags(session, arn, tags)

    async def untag(self, caller: Caller, arn: str, keys: list[str]) -> None:
        async with self._db.session() as session:
            arn = await self._authorize(session, caller, Action.UNTAG_RESOURCE, arn, None, keys)
            await session.execute(delete(Tag).where(Tag.resource_arn == arn, Tag.key.in_(keys)))

    async def list_for(self, caller: Caller, arn: str) -> dict[str, str]:
        async with self._db.session() as session:
            arn = await self._authorize(session, caller, Action.LIST_TAGS_FOR_RESOURCE, arn)
            rows = await session.execute(
                select(Tag.key, Tag.value).where(Tag.resource_arn == arn).order_by(Tag.key)
            )
            return dict(rows.all())

    async def _authorize(
        self,
        session: AsyncSession,
        caller: Caller,
        action: Action,
        arn: str,
        tags: Mapping[str, str] | None = None,
        removed_keys: list[str] | None = None,
    ) -> str:
        """Authorize on the tagged resource itself, which must exist; returns the ARN its tags
        are stored under (a package group's canonical ARN, whatever its encoding here)."""
        parsed = parse_resource_arn(arn)
        if parsed.region != self._region:
            raise NotFound(f"Resource {arn} does not exist in region {self._region}", None, arn)
        keys = tag_condition_keys(tags)
        if removed_keys is not None:
            keys["aws:TagKeys"] = removed_keys
        if parsed.kind == "domain":
            await authorized_domain(
                session, self._access, caller, action, parsed.domain, parsed.account, keys=keys
            )
        elif parsed.kind == "repository" and parsed.repository:
            await authorized_repository(
                session,
                self._access,
                caller,
                action,
                parsed.domain,
                parsed.account,
                parsed.repository,
                keys=keys,
            )
        elif parsed.kind == "package-group":
            # Imported here: package groups tag their ARNs on creation with this module.
            from coffer.services.package_groups import authorized_group_arn

            return await authorized_group_arn(session, self._access, caller, action, arn, keys)
        else:
            raise ValidationError(f"Resources of type {parsed.kind!r} cannot be tagged yet")
        return arn
