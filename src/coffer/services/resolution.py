"""Upstream resolution: which repositories a request searches, in which order, and retention.

CodeArtifact's order: the repository itself, then each upstream depth-first in the listed order
(A, A's upstreams…, then B), never a repository twice, at most 25 in all. A package's origin
controls gate each hop: where a repository holds the package with ``upstream: BLOCK``, nothing
beyond that repository is consulted for it — so a name first published privately never takes
versions from upstream (dependency confusion). A version fetched through an upstream is
*retained* in the repository the request came to, and so stays installable if the upstream
loses it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.packages import AssetInfo, PackageKey
from coffer.domain.packages import VersionStatus as S
from coffer.errors import NotFound, ResourceType
from coffer.services.artifacts import ProjectListing
from coffer.services.dataplane import RepositoryRef
from coffer.services.queries import asset_info, package_info, version_info
from coffer.services.records import copy_version, package_like
from coffer.storage.db import Asset, Database, Package, PackageVersion, Repository
from coffer.storage.db import RepositoryUpstream as Edge

__all__ = ["MAX_SEARCHED", "Resolver", "SearchGraph"]

MAX_SEARCHED = 25
VISIBLE = (S.PUBLISHED.value, S.UNLISTED.value)


@dataclass
class SearchGraph:
    """A domain's repositories and their ordered upstreams."""

    names: dict[int, str] = field(default_factory=dict)
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
class Found:
    """A package's rows across the graph, by repository id."""

    packages: dict[int, Package]
    versions: dict[int, list[PackageVersion]]
    order: list[int]
    names: dict[int, str]


class Resolver:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def graph(self, session: AsyncSession, domain_id: int) -> SearchGraph:
        graph = SearchGraph()
        rows = await session.execute(
            select(Repository.id, Repository.name).where(Repository.domain_id == domain_id)
        )
        graph.names = dict(rows.all())
        edges = await session.execute(
            select(Edge.repository_id, Edge.upstream_id)
            .where(Edge.repository_id.in_(list(graph.names)))
            .order_by(Edge.repository_id, Edge.position)
        )
        for repo_id, upstream_id in edges:
            graph.upstreams[repo_id].append(upstream_id)
        return graph

    async def _find(self, session: AsyncSession, repo: RepositoryRef, key: PackageKey) -> Found:
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
        order = [rid for rid in graph.order(repo.repository_id, blocked) if rid in packages]
        versions: dict[int, list[PackageVersion]] = defaultdict(list)
        if order:
            found = await session.execute(
                select(PackageVersion)
                .where(
                    PackageVersion.package_id.in_([packages[rid].id for rid in order]),
                    PackageVersion.status.in_(VISIBLE),
                )
                .order_by(PackageVersion.id)
            )
            by_package = {packages[rid].id: rid for rid in order}
            for row in found.scalars():
                versions[by_package[row.package_id]].append(row)
        return Found(packages, versions, order, graph.names)

    async def project(self, repo: RepositoryRef, key: PackageKey) -> ProjectListing:
        """The package's visible versions across the search graph, nearest repository first."""
        async with self._db.session() as session:
            found = await self._find(session, repo, key)
            chosen: dict[str, tuple[Package, PackageVersion, str]] = {}
            for rid in found.order:
                for row in found.versions[rid]:
                    item = (found.packages[rid], row, found.names[rid])
                    chosen.setdefault(row.canonical_version, item)
            if not chosen:
                raise _missing(key)
            assets = await _assets(session, [row.id for _, row, _ in chosen.values()])
        infos = tuple(
            version_info(package, row, name, assets[row.id])
            for package, row, name in sorted(chosen.values(), key=lambda item: item[1].id)
        )
        home = found.packages.get(repo.repository_id) or found.packages[found.order[0]]
        return ProjectListing(package_info(home), infos)

    async def asset(
        self, repo: RepositoryRef, key: PackageKey, canonical_version: str, filename: str
    ) -> AssetInfo:
        """A downloadable asset from the nearest repository that has it, retained here if it
        came from an upstream."""
        for _attempt in range(3):
            try:
                async with self._db.session() as session:
                    return await self._asset(session, repo, key, canonical_version, filename)
            except IntegrityError:  # a concurrent request retained the same version first
                continue
        raise _missing(key)

    async def _asset(
        self,
        session: AsyncSession,
        repo: RepositoryRef,
        key: PackageKey,
        canonical_version: str,
        filename: str,
    ) -> AssetInfo:
        found = await self._find(session, repo, key)
        for rid in found.order:
            row = next(
                (v for v in found.versions[rid] if v.canonical_version == canonical_version), None
            )
            if row is None:
                continue
            result = await session.execute(
                select(Asset).where(Asset.version_id == row.id, Asset.name == filename)
            )
            asset = result.scalar_one_or_none()
            if asset is None:
                break
            if rid != repo.repository_id:
                await _retain(session, found, rid, row, repo.repository_id)
            return asset_info(asset)
        raise NotFound(
            f"{filename} is not a downloadable file of {key.name} {canonical_version}",
            ResourceType.ASSET,
            filename,
        )

    async def exists_upstream(
        self, session: AsyncSession, repo: RepositoryRef, key: PackageKey, canonical: str
    ) -> str | None:
        """The name of an upstream repository that holds this version, if any."""
        found = await self._find(session, repo, key)
        for rid in found.order:
            if rid == repo.repository_id:
                continue
            if any(v.canonical_version == canonical for v in found.versions[rid]):
                return found.names[rid]
        return None


async def _assets(session: AsyncSession, version_ids: list[int]) -> dict[int, list[Asset]]:
    grouped: dict[int, list[Asset]] = {version_id: [] for version_id in version_ids}
    rows = await session.execute(
        select(Asset).where(Asset.version_id.in_(version_ids)).order_by(Asset.name)
    )
    for asset in rows.scalars():
        grouped[asset.version_id].append(asset)
    return grouped


async def _retain(
    session: AsyncSession, found: Found, source: int, row: PackageVersion, target: int
) -> None:
    """Keep a version fetched through an upstream in the repository the request came to."""
    package = found.packages.get(target)
    if package is None:
        # Ingested first: publish BLOCK so nobody can shadow it by publishing here.
        package = package_like(found.packages[source], target, publish="BLOCK", upstream="ALLOW")
        session.add(package)
        await session.flush()
    await copy_version(session, row, package)


def _missing(key: PackageKey) -> NotFound:
    return NotFound(f"Package {key.name} not found", ResourceType.PACKAGE, key.name)
