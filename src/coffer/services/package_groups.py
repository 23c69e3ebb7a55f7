"""Package groups: CRUD, the hierarchy, associated packages and group origin configuration.

The grammar, matching and inheritance rules live in :mod:`coffer.domain.package_groups`; this
module loads a domain's groups into a :class:`~coffer.domain.package_groups.GroupTree` and asks
it. Every domain has the root group ``/*``: it is described from the domain until it is first
changed, then stored like any other group (it can be changed but never deleted).

Authorization: ListPackageGroups is authorized on the domain's ARN, every other operation on the
group's ARN (``arn:aws:codeartifact:<region>:<owner>:package-group/<domain><encoded pattern>``;
GetAssociatedPackageGroup: the ARN of the group it answers with), always with the domain's
policy as the resource policy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.arns import package_group_arn, parse_resource_arn
from coffer.domain.model import Page
from coffer.domain.package_groups import (
    DEFAULT_GROUP_MODE,
    ROOT_MODE,
    ROOT_PATTERN,
    AssociationType,
    Decision,
    GroupRef,
    GroupSettings,
    GroupTree,
    PackageGroupInfo,
    RestrictionInfo,
    RestrictionMode,
    RestrictionType,
    decode_pattern,
    encode_pattern,
    normalize_key,
    parse_pattern,
)
from coffer.domain.packages import PackageFormat, PackageKey
from coffer.errors import Conflict, NotFound, ValidationError
from coffer.iam.actions import Action
from coffer.iam.policy import ConditionValue
from coffer.iam.principal import Caller
from coffer.services import clock
from coffer.services.access import Access
from coffer.services.lookup import (
    authorized_domain,
    find_domain,
    find_repository,
    require_domain,
    require_repository,
)
from coffer.services.pagination import decode_key, decode_token, encode_token
from coffer.services.tags import insert_tags, tag_condition_keys
from coffer.storage.db import (
    Database,
    Domain,
    Package,
    PackageGroup,
    PackageGroupAllowedRepository,
    Repository,
    Tag,
)

__all__ = [
    "AllowedRepositoryUpdates",
    "AssociatedPackage",
    "GroupRestrictions",
    "PackageGroups",
    "authorized_group_arn",
    "effective_restrictions",
    "load_tree",
]

GroupRestrictions = Decision
"""What :func:`effective_restrictions` answers: :class:`coffer.domain.package_groups.Decision`."""

AllowedRepositoryUpdates = dict[RestrictionType, dict[str, list[str]]]
"""``{restriction: {"ADDED": [...], "REMOVED": [...]}}`` as UpdatePackageGroupOriginConfiguration
reports it."""

_MODE_COLUMNS = {
    RestrictionType.PUBLISH: "publish_mode",
    RestrictionType.EXTERNAL_UPSTREAM: "external_upstream_mode",
    RestrictionType.INTERNAL_UPSTREAM: "internal_upstream_mode",
}
_DEFAULT_PAGE = 100


@dataclass(frozen=True)
class AssociatedPackage:
    key: PackageKey
    association: AssociationType


# Loading ---------------------------------------------------------------------------------


def _settings(
    row: PackageGroup, allowed: Mapping[RestrictionType, frozenset[str]]
) -> GroupSettings:
    return GroupSettings(
        pattern=parse_pattern(row.pattern),
        modes={t: RestrictionMode(getattr(row, column)) for t, column in _MODE_COLUMNS.items()},
        allowed=allowed,
        created_time=row.created_at,
        contact_info=row.contact_info,
        description=row.description,
    )


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
    allowed: dict[int, dict[RestrictionType, set[str]]] = {row.id: {} for row in rows}
    if rows:
        listed = await session.execute(
            select(
                PackageGroupAllowedRepository.group_id,
                PackageGroupAllowedRepository.restriction_type,
                Repository.name,
            )
            .join(Repository, Repository.id == PackageGroupAllowedRepository.repository_id)
            .where(PackageGroupAllowedRepository.group_id.in_(list(allowed)))
        )
        for group_id, restriction, name in listed:
            allowed[group_id].setdefault(RestrictionType(restriction), set()).add(name)
    groups = [
        _settings(row, {t: frozenset(names) for t, names in allowed[row.id].items()})
        for row in rows
    ]
    if not any(group.pattern.text == ROOT_PATTERN for group in groups):
        groups.append(GroupSettings.root(root_created))
    return GroupTree(groups)


async def effective_restrictions(
    session: AsyncSession, domain_id: int, repository_name: str, key: PackageKey
) -> GroupRestrictions:
    """Whether versions of ``key`` may enter repository ``repository_name`` of the domain, by
    publishing, from an external connection, or from an upstream repository, as the package's
    package group says. It only reads; call it inside the caller's transaction.

    The answer is for the package's *group*: the most specific group matching ``key`` (after the
    format's name normalization), strong or weak, with ``INHERIT`` resolved up the hierarchy. An
    ``ALLOW_SPECIFIC_REPOSITORIES`` mode allows ``repository_name`` only if it is on the
    allowed-repository list of the group the mode is set on (the one ``INHERIT`` led to). A
    package that only *weakly* matches its group (a case/separator/confusable variation of the
    pattern) is blocked for every origin (``association`` is ``WEAK`` and all three are False).

    Which repository to ask about, per origin (the user guide's ``repoA → repoB → npmjs``
    example puts ``repoB`` on the EXTERNAL_UPSTREAM list and ``repoA`` on INTERNAL_UPSTREAM):

    * ``publish``: the repository a version is published to.
    * ``external_upstream``: the repository that owns the external connection the version is
      ingested through.
    * ``internal_upstream``: each repository that would retain a version found in one of its
      upstream repositories (in Coffer: the most downstream repository of the request).

    How this combines with package-level origin controls (PutPackageOriginConfiguration, the
    ``publish``/``upstream`` ALLOW|BLOCK pair stored per package per repository): a version may
    enter a repository only if **both** allow it; neither overrides the other, a BLOCK on either
    level wins.

    * publishing: package-level ``publish`` AND ``publish`` here;
    * ingesting from an external connection: package-level ``upstream`` AND
      ``external_upstream`` here;
    * retaining from an upstream repository: package-level ``upstream`` AND
      ``internal_upstream`` here (the package-level ``upstream`` covers both kinds of upstream);
    * a package with no record in the repository yet has no package-level controls: only the
      group decides (the record created by its first version then gets the usual defaults:
      published first → publish ALLOW / upstream BLOCK; ingested first → BLOCK / ALLOW).

    The user guide's section "How package origin controls interact with package group origin
    controls" could not be read here; the AND rule is what the rest of the guide implies (a
    group BLOCK stops every associated package, a package BLOCK stops that package) and is
    unverified against the service. Blocked entries fail the way package-level blocks do today.
    """
    tree = await load_tree(session, domain_id, key.format)
    return tree.decide(key, repository_name)


# Authorization ---------------------------------------------------------------------------


def _group_arn(region: str, owner: str, domain: str, pattern: str) -> str:
    return package_group_arn(region, owner, domain, encode_pattern(pattern))


async def _authorized(
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
        _group_arn(access.region, owner, domain_name, pattern),
        resource_account=owner,
        resource_policies=[domain.policy_document if domain is not None else None],
        keys=keys,
    )
    return require_domain(domain, owner, domain_name)


def _missing(domain: Domain, pattern: str) -> NotFound:
    return NotFound(
        f"Package group '{pattern}' does not exist in domain '{domain.name}' owned by account "
        f"'{domain.owner_id}'",
        None,
        pattern,
    )


def _require(tree: GroupTree, domain: Domain, pattern: str) -> GroupSettings:
    group = tree.get(pattern)
    if group is None:
        raise _missing(domain, pattern)
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
    domain = await _authorized(
        session, access, caller, action, parsed.domain, parsed.account, pattern, keys=keys
    )
    tree = await load_tree(session, domain.id, root_created=domain.created_at)
    _require(tree, domain, pattern)
    return _group_arn(access.region, domain.owner_id, domain.name, pattern)


# The service -----------------------------------------------------------------------------

T = TypeVar("T")


async def _retrying(attempt: Callable[[], Awaitable[T]]) -> T:
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


def _page(
    items: Sequence[str], after: str | None, limit: int | None
) -> tuple[list[str], str | None]:
    """Sorted string keys after ``after``: one page, and the token of the next."""
    limit = limit or _DEFAULT_PAGE
    rest = [item for item in items if after is None or item > after]
    page = rest[:limit]
    return page, encode_token(page[-1]) if len(rest) > limit else None


class PackageGroups:
    def __init__(self, db: Database, access: Access, region: str) -> None:
        self._db = db
        self._access = access
        self._region = region

    def arn(self, owner: str, domain: str, pattern: str) -> str:
        return _group_arn(self._region, owner, domain, pattern)

    def _ref(self, domain: Domain, pattern: str) -> GroupRef:
        return GroupRef(self.arn(domain.owner_id, domain.name, pattern), pattern)

    def _info(self, tree: GroupTree, domain: Domain, pattern: str) -> PackageGroupInfo:
        group = tree.groups[pattern]
        restrictions: dict[RestrictionType, RestrictionInfo] = {}
        for restriction in RestrictionType:
            mode = group.mode(restriction)
            effective, source = tree.effective(pattern, restriction)
            restrictions[restriction] = RestrictionInfo(
                mode=mode,
                effective_mode=effective,
                inherited_from=(
                    self._ref(domain, source.pattern.text)
                    if mode is RestrictionMode.INHERIT
                    else None
                ),
                repositories_count=len(group.allowed_repositories(restriction)),
            )
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

    async def _tree(self, session: AsyncSession, domain: Domain) -> GroupTree:
        return await load_tree(session, domain.id, root_created=domain.created_at)

    async def _row(self, session: AsyncSession, domain: Domain, pattern: str) -> PackageGroup:
        """The stored group; the root is stored now if it was not yet."""
        query = select(PackageGroup).where(
            PackageGroup.domain_id == domain.id, PackageGroup.pattern == pattern
        )
        row = (await session.execute(query)).scalar_one_or_none()
        if row is not None:
            return row
        if pattern != ROOT_PATTERN:
            raise _missing(domain, pattern)
        root = PackageGroup(domain_id=domain.id, pattern=ROOT_PATTERN, created_at=domain.created_at)
        for column in _MODE_COLUMNS.values():
            setattr(root, column, ROOT_MODE.value)
        session.add(root)
        await session.flush()  # IntegrityError if a concurrent request stored it: see _retrying
        return root

    async def create(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        pattern: str,
        *,
        contact_info: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> PackageGroupInfo:
        parsed = parse_pattern(pattern)
        keys = tag_condition_keys(tags)
        async with self._db.session() as session:
            domain = await _authorized(
                session,
                self._access,
                caller,
                Action.CREATE_PACKAGE_GROUP,
                domain_name,
                owner,
                pattern,
                keys=keys,
            )
            arn = self.arn(domain.owner_id, domain.name, pattern)
            if tags:
                await _authorized(
                    session,
                    self._access,
                    caller,
                    Action.TAG_RESOURCE,
                    domain_name,
                    owner,
                    pattern,
                    keys=keys,
                )
            tree = await self._tree(session, domain)
            if pattern in tree:
                raise _exists(domain, pattern)
            row = PackageGroup(
                domain_id=domain.id,
                pattern=parsed.text,
                contact_info=contact_info,
                description=description,
                created_at=clock.now(),
            )
            for column in _MODE_COLUMNS.values():
                setattr(row, column, DEFAULT_GROUP_MODE.value)
            session.add(row)
            try:
                await session.flush()
            except IntegrityError:
                raise _exists(domain, pattern) from None
            # Tags of an earlier group with this pattern (deleted with its domain) are stale.
            await session.execute(delete(Tag).where(Tag.resource_arn == arn))
            await insert_tags(session, arn, tags or {})
            tree = tree.with_group(_settings(row, {}))
            return self._info(tree, domain, pattern)

    async def describe(
        self, caller: Caller, domain_name: str, owner: str | None, pattern: str
    ) -> PackageGroupInfo:
        parse_pattern(pattern)
        async with self._db.session() as session:
            domain = await _authorized(
                session,
                self._access,
                caller,
                Action.DESCRIBE_PACKAGE_GROUP,
                domain_name,
                owner,
                pattern,
            )
            tree = await self._tree(session, domain)
            _require(tree, domain, pattern)
            return self._info(tree, domain, pattern)

    async def update(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        pattern: str,
        *,
        contact_info: str | None = None,
        description: str | None = None,
    ) -> PackageGroupInfo:
        """Change a group's contact information and description (never its pattern)."""
        parse_pattern(pattern)

        async def attempt() -> PackageGroupInfo:
            async with self._db.session() as session:
                domain = await _authorized(
                    session,
                    self._access,
                    caller,
                    Action.UPDATE_PACKAGE_GROUP,
                    domain_name,
                    owner,
                    pattern,
                )
                row = await self._row(session, domain, pattern)
                if contact_info is not None:
                    row.contact_info = contact_info
                if description is not None:
                    row.description = description
                await session.flush()
                return self._info(await self._tree(session, domain), domain, pattern)

        return await _retrying(attempt)

    async def delete(
        self, caller: Caller, domain_name: str, owner: str | None, pattern: str
    ) -> PackageGroupInfo:
        """Delete a group. Its packages and their versions stay; its sub-groups become children
        of its parent (the hierarchy is computed, so nothing moves); the root cannot go."""
        parse_pattern(pattern)
        async with self._db.session() as session:
            domain = await _authorized(
                session,
                self._access,
                caller,
                Action.DELETE_PACKAGE_GROUP,
                domain_name,
                owner,
                pattern,
            )
            if pattern == ROOT_PATTERN:
                raise ValidationError(f"The root package group {ROOT_PATTERN} cannot be deleted")
            tree = await self._tree(session, domain)
            _require(tree, domain, pattern)
            info = self._info(tree, domain, pattern)
            row = await self._row(session, domain, pattern)
            await session.execute(
                delete(PackageGroupAllowedRepository).where(
                    PackageGroupAllowedRepository.group_id == row.id
                )
            )
            await session.execute(delete(Tag).where(Tag.resource_arn == info.arn))
            await session.delete(row)
            return info

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
        page, token = _page(patterns, after, max_results)
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
            domain = await _authorized(
                session,
                self._access,
                caller,
                Action.LIST_SUB_PACKAGE_GROUPS,
                domain_name,
                owner,
                pattern,
            )
            tree = await self._tree(session, domain)
            _require(tree, domain, pattern)
        page, token = _page(tree.children(pattern), after, max_results)
        return Page([self._info(tree, domain, p) for p in page], token)

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
        limit = max_results or _DEFAULT_PAGE
        async with self._db.session() as session:
            domain = await _authorized(
                session,
                self._access,
                caller,
                Action.LIST_ASSOCIATED_PACKAGES,
                domain_name,
                owner,
                pattern,
            )
            tree = await self._tree(session, domain)
            if pattern not in tree:
                if not preview:
                    raise _missing(domain, pattern)
                tree = tree.with_group(
                    GroupSettings(parsed, dict.fromkeys(RestrictionType, DEFAULT_GROUP_MODE))
                )
            columns = (Package.format, Package.namespace, Package.name)
            query = (
                select(*columns)
                .join(Repository, Repository.id == Package.repository_id)
                .where(Repository.domain_id == domain.id)
                .distinct()
                .order_by(*columns)
            )
            if parsed.format is not None:
                query = query.where(Package.format == parsed.format.value)
            rows = (await session.execute(query)).all()
        found: list[AssociatedPackage] = []
        keys = sorted({(fmt, namespace, name) for fmt, namespace, name in rows})
        for fmt, namespace, name in keys:
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
            domain = await _authorized(
                session,
                self._access,
                caller,
                Action.GET_ASSOCIATED_PACKAGE_GROUP,
                domain_name,
                owner,
                group.pattern.text,
            )
            return self._info(tree, domain, group.pattern.text), association

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
        restrictions = dict(restrictions or {})
        added, removed = list(dict.fromkeys(add)), list(dict.fromkeys(remove))
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

        async def attempt() -> tuple[PackageGroupInfo, AllowedRepositoryUpdates]:
            async with self._db.session() as session:
                domain = await _authorized(
                    session,
                    self._access,
                    caller,
                    Action.UPDATE_PACKAGE_GROUP_ORIGIN_CONFIGURATION,
                    domain_name,
                    owner,
                    pattern,
                )
                row = await self._row(session, domain, pattern)
                for restriction, mode in restrictions.items():
                    setattr(row, _MODE_COLUMNS[restriction], mode.value)
                await session.flush()
                updates: AllowedRepositoryUpdates = {}
                for restriction, name in added:
                    repository = require_repository(
                        await find_repository(session, domain, name), domain, name
                    )
                    listed = await session.get(
                        PackageGroupAllowedRepository, (row.id, restriction.value, repository.id)
                    )
                    if listed is None:
                        session.add(
                            PackageGroupAllowedRepository(
                                group_id=row.id,
                                restriction_type=restriction.value,
                                repository_id=repository.id,
                            )
                        )
                    updates.setdefault(restriction, {}).setdefault("ADDED", []).append(name)
                for restriction, name in removed:
                    gone = await find_repository(session, domain, name)
                    if gone is not None:
                        await session.execute(
                            delete(PackageGroupAllowedRepository).where(
                                PackageGroupAllowedRepository.group_id == row.id,
                                PackageGroupAllowedRepository.restriction_type == restriction.value,
                                PackageGroupAllowedRepository.repository_id == gone.id,
                            )
                        )
                    updates.setdefault(restriction, {}).setdefault("REMOVED", []).append(name)
                await session.flush()
                tree = await self._tree(session, domain)
                return self._info(tree, domain, pattern), updates

        return await _retrying(attempt)

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
            domain = await _authorized(
                session,
                self._access,
                caller,
                Action.LIST_ALLOWED_REPOSITORIES_FOR_GROUP,
                domain_name,
                owner,
                pattern,
            )
            group = _require(await self._tree(session, domain), domain, pattern)
        page, token = _page(sorted(group.allowed_repositories(restriction)), after, max_results)
        return Page(page, token)


def _exists(domain: Domain, pattern: str) -> Conflict:
    return Conflict(
        f"Package group '{pattern}' already exists in domain '{domain.name}'", None, pattern
    )
