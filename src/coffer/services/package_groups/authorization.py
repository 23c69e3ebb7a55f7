"""Authorizing package group operations, and the not-found error for a group.

ListPackageGroups is authorized on the domain's ARN, every other operation on the group's ARN
(``arn:aws:codeartifact:<region>:<owner>:package-group/<domain><encoded pattern>``;
GetAssociatedPackageGroup: the ARN of the group it answers with), always with the domain's
policy as the resource policy.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.arns import package_group_arn, parse_resource_arn
from coffer.domain.package_groups import (
    GroupSettings,
    GroupTree,
    decode_pattern,
    encode_pattern,
    parse_pattern,
)
from coffer.errors import NotFound, ValidationError
from coffer.iam.actions import Action
from coffer.iam.policy import ConditionValue
from coffer.iam.principal import Caller
from coffer.services.access import Access
from coffer.services.lookup import find_domain, require_domain
from coffer.services.package_groups.loading import load_tree
from coffer.storage.db import Domain

__all__ = ["authorized", "authorized_group_arn", "group_arn", "missing_group", "require_group"]


def group_arn(region: str, owner: str, domain: str, pattern: str) -> str:
    return package_group_arn(region, owner, domain, encode_pattern(pattern))


async def authorized(
    session: AsyncSession,
    access: Access,
    caller: Caller,
    action: Action,
    domain_name: str,
    owner: str | None,
    pattern: str,
    *,
    keys: Mapping[str, ConditionValue] | None = None,
) -> Domain:
    """Authorize ``action`` on the group's ARN under the domain's policy, then require the
    domain (not the group: callers check that, so a denied caller learns nothing)."""
    owner = owner or caller.principal.account_id
    domain = await find_domain(session, owner, domain_name)
    await access.authorize(
        session,
        caller,
        action,
        group_arn(access.region, owner, domain_name, pattern),
        resource_account=owner,
        resource_policies=[domain.policy_document if domain is not None else None],
        keys=keys,
    )
    return require_domain(domain, owner, domain_name)


def missing_group(domain: Domain, pattern: str) -> NotFound:
    return NotFound(
        f"Package group '{pattern}' does not exist in domain '{domain.name}' owned by account "
        f"'{domain.owner_id}'",
        None,
        pattern,
    )


def require_group(tree: GroupTree, domain: Domain, pattern: str) -> GroupSettings:
    group = tree.get(pattern)
    if group is None:
        raise missing_group(domain, pattern)
    return group


async def authorized_group_arn(
    session: AsyncSession,
    access: Access,
    caller: Caller,
    action: Action,
    arn: str,
    keys: Mapping[str, ConditionValue] | None = None,
) -> str:
    """Authorize ``action`` on an existing package group named by ARN (TagResource and friends);
    returns the group's canonical ARN, the key its tags are stored under."""
    parsed = parse_resource_arn(arn)
    encoded = arn.split(":package-group/", 1)[1][len(parsed.domain) :]
    try:
        pattern = decode_pattern(encoded)
    except UnicodeDecodeError:
        raise ValidationError(f"Invalid package group ARN {arn!r}") from None
    parse_pattern(pattern)
    domain = await authorized(
        session, access, caller, action, parsed.domain, parsed.account, pattern, keys=keys
    )
    tree = await load_tree(session, domain.id, root_created=domain.created_at)
    require_group(tree, domain, pattern)
    return group_arn(access.region, domain.owner_id, domain.name, pattern)
