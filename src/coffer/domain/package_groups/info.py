"""How a package group is described to callers (DescribePackageGroup and the listings)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coffer.domain.package_groups.restrictions import RestrictionMode, RestrictionType

__all__ = ["GroupRef", "PackageGroupInfo", "RestrictionInfo"]


@dataclass(frozen=True)
class GroupRef:
    arn: str
    pattern: str


@dataclass(frozen=True)
class RestrictionInfo:
    mode: RestrictionMode
    effective_mode: RestrictionMode
    inherited_from: GroupRef | None
    repositories_count: int


@dataclass(frozen=True)
class PackageGroupInfo:
    arn: str
    pattern: str
    domain_name: str
    domain_owner: str
    created_time: float
    contact_info: str | None
    description: str | None
    restrictions: Mapping[RestrictionType, RestrictionInfo]
    parent: GroupRef | None
