"""Origin restrictions: the three restriction types, their modes, a group's stored settings and
the decision a package's group makes for one repository.

Per group, ``PUBLISH``, ``EXTERNAL_UPSTREAM`` and ``INTERNAL_UPSTREAM`` each have a mode:
``ALLOW``, ``BLOCK``, ``ALLOW_SPECIFIC_REPOSITORIES`` (only the repositories in that restriction's
allowed-repository list) or ``INHERIT`` (the mode of the first ancestor whose mode is not
``INHERIT``, with that ancestor's allowed-repository list; resolved by
:meth:`.GroupTree.effective`). The root cannot inherit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from coffer.domain.package_groups.matching import (
    ROOT_PATTERN,
    AssociationType,
    PackageGroupPattern,
)
from coffer.domain.package_groups.patterns import parse_pattern

__all__ = [
    "DEFAULT_GROUP_MODE",
    "ROOT_MODE",
    "Decision",
    "GroupSettings",
    "RestrictionMode",
    "RestrictionType",
]


class RestrictionType(StrEnum):
    EXTERNAL_UPSTREAM = "EXTERNAL_UPSTREAM"
    INTERNAL_UPSTREAM = "INTERNAL_UPSTREAM"
    PUBLISH = "PUBLISH"


class RestrictionMode(StrEnum):
    ALLOW = "ALLOW"
    ALLOW_SPECIFIC_REPOSITORIES = "ALLOW_SPECIFIC_REPOSITORIES"
    BLOCK = "BLOCK"
    INHERIT = "INHERIT"


ROOT_MODE = RestrictionMode.ALLOW  # the root lets every origin in until configured otherwise
DEFAULT_GROUP_MODE = RestrictionMode.INHERIT  # new groups follow their parent


@dataclass(frozen=True)
class GroupSettings:
    """One group as stored: its pattern, modes and allowed-repository lists."""

    pattern: PackageGroupPattern
    modes: Mapping[RestrictionType, RestrictionMode]
    allowed: Mapping[RestrictionType, frozenset[str]] = field(default_factory=dict)
    created_time: float = 0.0
    contact_info: str | None = None
    description: str | None = None

    @staticmethod
    def root(created_time: float = 0.0) -> GroupSettings:
        return GroupSettings(
            parse_pattern(ROOT_PATTERN),
            dict.fromkeys(RestrictionType, ROOT_MODE),
            created_time=created_time,
        )

    def mode(self, restriction: RestrictionType) -> RestrictionMode:
        return self.modes.get(restriction, DEFAULT_GROUP_MODE)

    def allowed_repositories(self, restriction: RestrictionType) -> frozenset[str]:
        return self.allowed.get(restriction, frozenset())


@dataclass(frozen=True)
class Decision:
    """Whether versions of a package may enter one repository, per origin, as its group says."""

    group: str  # the pattern of the package's group
    association: AssociationType
    publish: bool
    external_upstream: bool
    internal_upstream: bool
    modes: Mapping[RestrictionType, RestrictionMode]  # effective, after INHERIT

    def allows(self, restriction: RestrictionType) -> bool:
        return {
            RestrictionType.PUBLISH: self.publish,
            RestrictionType.EXTERNAL_UPSTREAM: self.external_upstream,
            RestrictionType.INTERNAL_UPSTREAM: self.internal_upstream,
        }[restriction]
