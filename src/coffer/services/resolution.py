"""Upstream resolution: which repositories a request searches, in which order, and retention.

CodeArtifact's order: the repository itself, then each upstream depth-first in the listed order
(A, A's upstreams…, then B), never a repository twice, at most 25 in all; a repository's
external connection is searched right after the repository. A package's origin controls gate
each hop: where a repository holds the package with ``upstream: BLOCK``, nothing beyond that
repository (neither its upstreams nor its external connection) is consulted for it — so a name
first published privately never takes versions from upstream (dependency confusion). A file
fetched through an upstream is *retained* in the repository the request came to (and, from an
external connection, ingested into the repository that owns it), so it stays installable if
the upstream loses it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.external import connection_format
from coffer.domain.packages import (
    AssetInfo,
    OriginRestrictions,
    PackageInfo,
    PackageKey,
    VersionInfo,
    VersionMetadata,
    VersionStatus,
    canonical_version,
    version_sort_key,
)
from coffer.errors import NotFound, ResourceType
from coffer.services.artifacts import ProjectListing
from coffer.services.dataplane import RepositoryRef
from coffer.services.external import RemoteFile, RemoteProject, RemoteUnavailable
from coffer.services.hotpath import ChangeCounters, StampedCache
from coffer.services.ingestion import Ingestion, Owner
from coffer.services.package_groups import effective_restrictions
from coffer.services.queries import (
    asset_info,
    assets_of,
    bump_generation,
    find_package,
    package_info,
    version_info,
)
from coffer.services.records import copy_version, package_like
from coffer.storage.db import Asset, Database, Package, PackageVersion, Repository
from coffer.storage.db import RepositoryUpstream as Edge

__all__ = ["MAX_SEARCHED", "Resolver", "SearchGraph"]

log = logging.getLogger("coffer.resolution")

MAX_SEARCHED = 25
VISIBLE = (VersionStatus.PUBLISHED.value, VersionStatus.UNLISTED.value)


@dataclass
class SearchGraph:
    """A domain's repositories, their ordered upstreams and external connections."""

    names: dict[int, str] = field(default_factory=dict)
    external: dict[int, str] = field(default_factory=dict)
    upstreams: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))

    def order(self, start: int, blocked: set[int] | None = None) -> list[int]:
        """Depth-first search order from ``start``; ``blocked`` repositories are searched but
        their upstreams are not."""
        seen: list[int] = []
        stack = [start]
        while stack and len(seen) < MAX_SEARCHED:
            node = stack.pop()
            if node in seen:
                continue
            seen.append(node)
            if blocked is None or node not in blocked:
                stack.extend(reversed(self.upstreams.get(node, [])))
        return seen


@dataclass
class Source:
    """One repository on the search path, with what it holds of the package."""

    repository_id: int
    name: str
    package: Package | None
    versions: list[PackageVersion]
    connection: str | None = None
    remote: RemoteProject | None = None

    def version(self, canonical: str) -> PackageVersion | None:
        return next((v for v in self.versions if v.canonical_version == canonical), None)

    def remote_file(self, key: PackageKey, canonical: str, filename: str) -> RemoteFile | None:
        files = self.remote.files if self.remote else ()
        return next(
            (
                f
                for f in files
                if f.filename == filename and canonical_version(key.format, f.version) == canonical
            ),
            None,
        )


class Resolver:
    def __init__(
        self, db: Database, ingestion: Ingestion, counters: ChangeCounters | None = None
    ) -> None:
        self._db = db
        self._ingestion = ingestion
        self._counters = counters or ChangeCounters(db)
        # Files a repository holds itself, under the change counters (see services.hotpath).
        self._assets: StampedCache[tuple[int, PackageKey, str, str], AssetInfo] = StampedCache(
            16384
        )

    async def graph(self, session: AsyncSession, domain_id: int) -> SearchGraph:
        graph = SearchGraph()
        rows = await session.execute(
            select(Repository.id, Repository.name, Repository.external_connection).where(
                Repository.domain_id == domain_id
            )
        )
        for repo_id, name, connection in rows:
            graph.names[repo_id] = name
            if connection:
                graph.external[repo_id] = connection
        edges = await session.execute(
            select(Edge.repository_id, Edge.upstream_id)
            .where(Edge.repository_id.in_(list(graph.names)))
            .order_by(Edge.repository_id, Edge.position)
        )
        for repo_id, upstream_id in edges:
            graph.upstreams[repo_id].append(upstream_id)
        return graph

    async def _local(
        self,
        session: AsyncSession,
        repo: RepositoryRef,
        key: PackageKey,
        canonical: str | None = None,
    ) -> tuple[
        SearchGraph, list[int], dict[int, Package], dict[int, list[PackageVersion]], set[int]
    ]:
        """The search order and what it holds locally, and which of its repositories may
        ingest ``key`` from their external connection (package groups decide that). With
        ``canonical``, only that version is loaded (an upload's check stays flat in the number
        of versions)."""
        graph = await self.graph(session, repo.domain_id)
        rows = await session.execute(
            select(Package).where(
                Package.repository_id.in_(list(graph.names)),
                Package.format == key.format.value,
                Package.namespace == key.namespace,
                Package.name == key.name,
            )
        )
        packages = {package.repository_id: package for package in rows.scalars()}
        blocked = {rid for rid, pkg in packages.items() if pkg.origin_upstream == "BLOCK"}
        home = await effective_restrictions(session, repo.domain_id, repo.repository, key)
        if not home.internal_upstream:
            blocked.add(repo.repository_id)  # the package's group keeps upstreams out here
        order = graph.order(repo.repository_id, blocked)
        external = set()
        for rid in order:
            if rid in graph.external and rid not in blocked:
                group = await effective_restrictions(session, repo.domain_id, graph.names[rid], key)
                if group.external_upstream:
                    external.add(rid)
        versions: dict[int, list[PackageVersion]] = defaultdict(list)
        ids = {packages[rid].id: rid for rid in order if rid in packages}
        if ids:
            query = select(PackageVersion).where(
                PackageVersion.package_id.in_(list(ids)), PackageVersion.status.in_(VISIBLE)
            )
            if canonical is not None:
                query = query.where(PackageVersion.canonical_version == canonical)
            found = await session.execute(query.order_by(PackageVersion.id))
            for row in found.scalars():
                versions[ids[row.package_id]].append(row)
        order = [rid for rid in order if rid not in blocked or rid in packages]
        return graph, order, packages, versions, external

    async def sources(
        self, repo: RepositoryRef, key: PackageKey, canonical: str | None = None
    ) -> list[Source]:
        """The search path for ``key`` from ``repo``, with upstream pages where connected
        (with ``canonical``, each source's versions are that version only, if it holds it)."""
        return (await self._sources(repo, key, canonical))[0]

    async def _sources(
        self, repo: RepositoryRef, key: PackageKey, canonical: str | None = None
    ) -> tuple[list[Source], bool]:
        """:meth:`sources`, and whether an upstream registry was asked (even if it answered
        404 or not at all: its next answer may differ without any database change)."""
        consulted = False
        async with self._db.session() as session:
            graph, order, packages, versions, external = await self._local(
                session, repo, key, canonical
            )
        result: list[Source] = []
        failure: RemoteUnavailable | None = None
        for rid in order:
            package = packages.get(rid)
            source = Source(rid, graph.names[rid], package, versions.get(rid, []))
            connection = graph.external.get(rid)
            if rid in external and connection and connection_format(connection) is key.format:
                source.connection = connection
                consulted = True
                try:
                    source.remote = await self._ingestion.project(connection, key)
                except RemoteUnavailable as error:
                    log.warning("upstream unavailable", extra={"connection": connection})
                    failure = error
            if source.package is not None or source.remote is not None:
                result.append(source)
        if failure is not None and not any(s.versions or s.remote for s in result):
            raise failure
        return result, consulted

    async def project(self, repo: RepositoryRef, key: PackageKey) -> ProjectListing:
        """The package's visible versions across the search path, nearest repository first."""
        return (await self.listing(repo, key))[0]

    async def listing(self, repo: RepositoryRef, key: PackageKey) -> tuple[ProjectListing, bool]:
        """:meth:`project`, and whether it came from the database alone (no upstream registry
        page was consulted), so the change counters decide when it changes."""
        sources, consulted = await self._sources(repo, key)
        return await self._merged(sources, key), not consulted

    async def _merged(self, sources: list[Source], key: PackageKey) -> ProjectListing:
        async with self._db.session() as session:
            assets = await assets_of(session, [v.id for s in sources for v in s.versions])
        merged: dict[str, VersionInfo] = {}
        for source in sources:
            for row in source.versions:
                assert source.package is not None  # noqa: S101 - versions imply a package
                found = version_info(source.package, row, source.name, assets[row.id])
                _merge_local(merged, row.canonical_version, found)
            if source.remote is not None:
                _merge_remote(merged, source, key)
        if not merged:
            raise _missing(key)
        home = next((s.package for s in sources if s.package is not None), None)
        info = package_info(home) if home is not None else _virtual_package(key, sources[0])
        ordered = sorted(merged.values(), key=lambda v: version_sort_key(key.format, v.version))
        return ProjectListing(info, tuple(ordered))

    async def asset(
        self, repo: RepositoryRef, key: PackageKey, canonical: str, filename: str
    ) -> AssetInfo:
        """A downloadable asset from the nearest repository that has it; fetched from an
        external connection if need be, and retained in ``repo`` if it came from elsewhere."""
        stamp = (await self._counters.current()).both
        cache_key = (repo.repository_id, key, canonical, filename)
        cached = self._assets.get(cache_key, stamp)
        if cached is not None:
            return cached
        for source in await self.sources(repo, key, canonical):
            held = await self._holds(source, canonical, filename)
            if held and source.repository_id == repo.repository_id:
                info = await self._materialize(repo, key, source, canonical, filename)
                self._assets.put(cache_key, stamp, info)
                return info
            if not held:
                remote = source.remote_file(key, canonical, filename)
                if remote is None or source.connection is None:
                    continue
                owner = Owner(source.repository_id, source.name, source.connection)
                display = source.remote.name if source.remote else key.name
                await self._ingestion.ingest(owner, key, display, remote)
            return await self._materialize(repo, key, source, canonical, filename)
        raise NotFound(
            f"{filename} is not a downloadable file of {key.name} {canonical}",
            ResourceType.ASSET,
            filename,
        )

    async def _holds(self, source: Source, canonical: str, filename: str) -> bool:
        row = source.version(canonical)
        if row is None:
            return False
        async with self._db.session() as session:
            return await _has_file(session, row, filename)

    async def _materialize(
        self, repo: RepositoryRef, key: PackageKey, source: Source, canonical: str, filename: str
    ) -> AssetInfo:
        """The asset as recorded in ``source``, retained in ``repo`` when they differ."""
        for _attempt in range(3):
            try:
                async with self._db.session() as session:
                    return await _retain(session, repo, key, source, canonical, filename)
            except IntegrityError:  # a concurrent request retained the same version first
                continue
        raise _missing(key)

    async def exists_upstream(
        self, session: AsyncSession, repo: RepositoryRef, key: PackageKey, canonical: str
    ) -> str | None:
        """The name of an upstream repository that holds this version, if any."""
        graph, order, _packages, versions, _external = await self._local(
            session, repo, key, canonical
        )
        for rid in order:
            if rid != repo.repository_id and any(
                v.canonical_version == canonical for v in versions.get(rid, [])
            ):
                return graph.names[rid]
        return None


def _merge_local(merged: dict[str, VersionInfo], canonical: str, found: VersionInfo) -> None:
    """The nearest repository's version wins; a farther copy of the *same* version (same
    origin) contributes the files the nearer copy was not retained with."""
    current = merged.get(canonical)
    if current is None:
        merged[canonical] = found
        return
    same_origin = (current.origin_external, current.origin_repository) == (
        found.origin_external,
        found.origin_repository,
    )
    names = {asset.name for asset in current.assets}
    extra = tuple(asset for asset in found.assets if asset.name not in names)
    if same_origin and extra:
        merged[canonical] = replace(current, assets=(*current.assets, *extra))


def _merge_remote(merged: dict[str, VersionInfo], source: Source, key: PackageKey) -> None:
    """Add the upstream's files: new versions, and files missing from versions ingested
    from this same connection (ingestion is per file)."""
    assert source.remote is not None  # noqa: S101 - the caller checked
    for file in source.remote.files:
        canonical = canonical_version(key.format, file.version)
        current = merged.get(canonical)
        if current is None:
            merged[canonical] = _virtual_version(key, source, file)
        elif current.origin_external == source.connection and all(
            asset.name != file.filename for asset in current.assets
        ):
            merged[canonical] = _with_file(current, file)


def _remote_asset(file: RemoteFile) -> AssetInfo:
    return AssetInfo(
        name=file.filename,
        size=file.size or 0,
        sha256=file.sha256 or "",
        md5="",
        sha1="",
        sha512="",
        blake2b_256="",
        created_at=file.upload_time or 0.0,
        metadata_sha256=file.core_metadata_sha256,
    )


def _virtual_version(key: PackageKey, source: Source, file: RemoteFile) -> VersionInfo:
    status = VersionStatus.UNLISTED if file.yanked else VersionStatus.PUBLISHED
    return VersionInfo(
        package=key,
        display_name=source.remote.name if source.remote else key.name,
        version=file.version,
        status=status,
        revision="",
        origin_type="EXTERNAL",
        published_at=file.upload_time or 0.0,
        metadata=VersionMetadata(requires_python=file.requires_python),
        repository_name=source.name,
        assets=(_remote_asset(file),),
        origin_external=source.connection,
        status_reason=file.yanked if isinstance(file.yanked, str) and file.yanked else None,
    )


def _with_file(version: VersionInfo, file: RemoteFile) -> VersionInfo:
    return replace(version, assets=(*version.assets, _remote_asset(file)))


def _virtual_package(key: PackageKey, source: Source) -> PackageInfo:
    """What an index shows for a package only an upstream registry has."""
    name = source.remote.name if source.remote else key.name
    return PackageInfo(key, name, OriginRestrictions("BLOCK", "ALLOW"), 0)


async def _version_row(
    session: AsyncSession, repository_id: int, key: PackageKey, canonical: str
) -> tuple[Package | None, PackageVersion | None]:
    package = await find_package(session, repository_id, key)
    if package is None:
        return None, None
    result = await session.execute(
        select(PackageVersion).where(
            PackageVersion.package_id == package.id,
            PackageVersion.canonical_version == canonical,
            PackageVersion.status.in_(VISIBLE),
        )
    )
    return package, result.scalar_one_or_none()


async def _retain(
    session: AsyncSession,
    repo: RepositoryRef,
    key: PackageKey,
    source: Source,
    canonical: str,
    filename: str,
) -> AssetInfo:
    """Find the asset in ``source`` and make sure ``repo`` holds it too."""
    source_package, row = await _version_row(session, source.repository_id, key, canonical)
    asset = None
    if row is not None:
        found = await session.execute(
            select(Asset).where(Asset.version_id == row.id, Asset.name == filename)
        )
        asset = found.scalar_one_or_none()
    if source_package is None or row is None or asset is None:
        raise _missing(key)
    if source.repository_id == repo.repository_id:
        return asset_info(asset)
    package, mine = await _version_row(session, repo.repository_id, key, canonical)
    if package is None:
        # Ingested first: publish BLOCK so nobody can shadow it by publishing here.
        package = package_like(
            source_package, repo.repository_id, publish="BLOCK", upstream="ALLOW"
        )
        session.add(package)
        await session.flush()
    if mine is None:
        await copy_version(session, row, package)
    elif not await _has_file(session, mine, filename):
        values = {c.key: getattr(asset, c.key) for c in Asset.__table__.columns}
        del values["id"]
        session.add(Asset(**{**values, "version_id": mine.id}))
        await bump_generation(session, package)
    return asset_info(asset)


async def _has_file(session: AsyncSession, version: PackageVersion, filename: str) -> bool:
    found = await session.execute(
        select(Asset.id).where(Asset.version_id == version.id, Asset.name == filename)
    )
    return found.first() is not None


def _missing(key: PackageKey) -> NotFound:
    return NotFound(f"Package {key.name} not found", ResourceType.PACKAGE, key.name)
