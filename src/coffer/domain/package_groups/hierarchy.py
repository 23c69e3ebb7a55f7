"""A domain's groups as a hierarchy: each package's group, each group's parent, and the modes
that apply after ``INHERIT``.

**Association.** A package belongs to the most specific group whose pattern matches it: a
group more specific than another matches a proper subset of its packages (think: the longest
pattern). Each group's *parent* is the most specific other group whose pattern matches a superset
of its packages; ``/*`` (every domain has it) is the root. A *strong* match matches the pattern
as written; a *weak* one only a variation of it (letter case, runs of ``-``/``.``/``_``,
confusable characters). Weak matches take part in choosing the most specific group, so variations
do not roll up to a more general group; a package weakly associated with its group is blocked
from entering any repository, whatever the group's origin configuration.
"""

from __future__ import annotations

from collections.abc import Iterable

from coffer.domain.package_groups.matching import (
    ROOT_PATTERN,
    AssociationType,
    PackageGroupPattern,
)
from coffer.domain.package_groups.normalize import normalize_key
from coffer.domain.package_groups.restrictions import (
    Decision,
    GroupSettings,
    RestrictionMode,
    RestrictionType,
)
from coffer.domain.packages import PackageFormat, PackageKey

__all__ = ["GroupTree"]


class GroupTree:
    """A domain's package groups (the root included even when not stored)."""

    def __init__(self, groups: Iterable[GroupSettings]) -> None:
        self.groups: dict[str, GroupSettings] = {}
        for group in groups:
            self.groups[group.pattern.text] = group
        if ROOT_PATTERN not in self.groups:
            self.groups[ROOT_PATTERN] = GroupSettings.root()
        self._parents: dict[str, str | None] = {}

    def __contains__(self, pattern: str) -> bool:
        return pattern in self.groups

    def get(self, pattern: str) -> GroupSettings | None:
        return self.groups.get(pattern)

    def with_group(self, group: GroupSettings) -> GroupTree:
        """This tree plus (or with a replaced) ``group``."""
        return GroupTree([*self.groups.values(), group])

    def _candidates(self, fmt: PackageFormat | None) -> Iterable[GroupSettings]:
        for group in self.groups.values():
            if group.pattern.format is None or fmt is None or group.pattern.format is fmt:
                yield group

    def parent(self, pattern: str) -> str | None:
        """The most specific other group containing ``pattern``'s packages (None for the root)."""
        if pattern in self._parents:
            return self._parents[pattern]
        target = self.groups[pattern].pattern
        best: PackageGroupPattern | None = None
        if not target.is_root:
            for group in self._candidates(target.format):
                other = group.pattern
                if other.text == target.text or not other.contains(target):
                    continue
                if best is None or (other.specificity, other.text) > (best.specificity, best.text):
                    best = other
        self._parents[pattern] = None if best is None else best.text
        return self._parents[pattern]

    def children(self, pattern: str) -> list[str]:
        """The groups whose parent is ``pattern``, sorted."""
        return sorted(p for p in self.groups if p != pattern and self.parent(p) == pattern)

    def effective(
        self, pattern: str, restriction: RestrictionType
    ) -> tuple[RestrictionMode, GroupSettings]:
        """The mode that applies to ``pattern``'s packages, and the group it is set on."""
        current: str | None = pattern
        seen: set[str] = set()
        while current is not None and current not in seen:
            seen.add(current)
            group = self.groups[current]
            mode = group.mode(restriction)
            if mode is not RestrictionMode.INHERIT:
                return mode, group
            current = self.parent(current)
        root = self.groups[ROOT_PATTERN]  # unreachable with a valid root; fail closed
        return RestrictionMode.BLOCK, root

    def associate(self, key: PackageKey) -> tuple[GroupSettings, AssociationType]:
        """The group ``key`` belongs to: the most specific match, strong or weak."""
        key = normalize_key(key)
        root = self.groups[ROOT_PATTERN]
        found = (root, AssociationType.STRONG)  # the root matches everything
        best = (root.pattern.specificity, True, root.pattern.text)
        for group in self._candidates(key.format):
            association = group.pattern.match(key)
            if association is None:
                continue
            rank = (
                group.pattern.specificity,
                association is AssociationType.STRONG,
                group.pattern.text,
            )
            if rank > best:
                best, found = rank, (group, association)
        return found

    def decide(self, key: PackageKey, repository: str) -> Decision:
        """What ``key``'s group lets into ``repository`` (see :class:`.Decision`)."""
        group, association = self.associate(key)
        allowed: dict[RestrictionType, bool] = {}
        modes: dict[RestrictionType, RestrictionMode] = {}
        for restriction in RestrictionType:
            mode, source = self.effective(group.pattern.text, restriction)
            modes[restriction] = mode
            allowed[restriction] = association is AssociationType.STRONG and (
                mode is RestrictionMode.ALLOW
                or (
                    mode is RestrictionMode.ALLOW_SPECIFIC_REPOSITORIES
                    and repository in source.allowed_repositories(restriction)
                )
            )
        return Decision(
            group=group.pattern.text,
            association=association,
            publish=allowed[RestrictionType.PUBLISH],
            external_upstream=allowed[RestrictionType.EXTERNAL_UPSTREAM],
            internal_upstream=allowed[RestrictionType.INTERNAL_UPSTREAM],
            modes=modes,
        )
