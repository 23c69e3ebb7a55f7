"""Service descriptions → the wire shapes of the service model (member names, camelCase)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coffer.domain.external import connection_format
from coffer.domain.model import DomainInfo, PolicyInfo, RepositoryInfo
from coffer.domain.package_groups import GroupRef, PackageGroupInfo
from coffer.domain.packages import AssetInfo, Dependency, PackageInfo, VersionInfo
from coffer.services.package_groups import AllowedRepositoryUpdates, AssociatedPackage
from coffer.services.versions import BatchResult

__all__ = [
    "allowed_repository_updates_view",
    "asset_view",
    "associated_package_view",
    "batch_view",
    "dependency_view",
    "domain_view",
    "package_group_view",
    "package_view",
    "policy_view",
    "repository_view",
    "tags_view",
    "version_description_view",
    "version_summary_view",
]


def domain_view(domain: DomainInfo, *, summary: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": domain.name,
        "owner": domain.owner,
        "arn": domain.arn,
        "status": domain.status,
        "createdTime": domain.created_time,
        "encryptionKey": domain.encryption_key,
    }
    if not summary:
        view["repositoryCount"] = domain.repository_count
        view["assetSizeBytes"] = domain.asset_size_bytes
    return view


def repository_view(repository: RepositoryInfo, *, summary: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": repository.name,
        "administratorAccount": repository.administrator_account,
        "domainName": repository.domain_name,
        "domainOwner": repository.domain_owner,
        "arn": repository.arn,
        "description": repository.description,
        "createdTime": repository.created_time,
    }
    if not summary:
        view["upstreams"] = [{"repositoryName": name} for name in repository.upstreams]
        view["externalConnections"] = [
            {
                "externalConnectionName": name,
                "packageFormat": connection_format(name).value,
                "status": "Available",
            }
            for name in repository.external_connections
        ]
    return view


def policy_view(policy: PolicyInfo) -> dict[str, Any]:
    return {
        "resourceArn": policy.resource_arn,
        "document": policy.document,
        "revision": policy.revision,
    }


def tags_view(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in tags.items()]


def package_view(package: PackageInfo, *, description: bool = False) -> dict[str, Any]:
    """PackageSummary, or PackageDescription (``name`` instead of ``package``)."""
    view: dict[str, Any] = {
        "format": package.key.format.value,
        "namespace": package.key.namespace or None,
        "name" if description else "package": package.key.name,
        "originConfiguration": {
            "restrictions": {
                "publish": package.origin.publish,
                "upstream": package.origin.upstream,
            }
        },
    }
    return view


def _origin(version: VersionInfo) -> dict[str, Any]:
    entry = (
        {"externalConnectionName": version.origin_external}
        if version.origin_external
        else {"repositoryName": version.origin_repository or version.repository_name}
    )
    return {"domainEntryPoint": entry, "originType": version.origin_type}


def version_summary_view(version: VersionInfo) -> dict[str, Any]:
    return {
        "version": version.version,
        "revision": version.revision,
        "status": version.status.value,
        "origin": _origin(version),
    }


def version_description_view(version: VersionInfo) -> dict[str, Any]:
    meta = version.metadata
    return {
        "format": version.package.format.value,
        "namespace": version.package.namespace or None,
        "packageName": version.package.name,
        "displayName": version.display_name,
        "version": version.version,
        "summary": meta.summary,
        "homePage": meta.home_page,
        "sourceCodeRepository": meta.source_code_repository,
        "publishedTime": version.published_at,
        "licenses": [{"name": name, "url": url} for name, url in meta.licenses],
        "revision": version.revision,
        "status": version.status.value,
        "origin": _origin(version),
    }


def asset_view(asset: AssetInfo) -> dict[str, Any]:
    return {"name": asset.name, "size": asset.size, "hashes": asset.hashes}


def dependency_view(dependency: Dependency) -> dict[str, Any]:
    return {
        "namespace": dependency.namespace,
        "package": dependency.package,
        "dependencyType": dependency.dependency_type,
        "versionRequirement": dependency.version_requirement,
    }


def batch_view(result: BatchResult) -> dict[str, Any]:
    return {
        "successfulVersions": {
            version: {"revision": revision, "status": status.value}
            for version, (revision, status) in result.successful.items()
        },
        "failedVersions": {
            version: {"errorCode": code, "errorMessage": message}
            for version, (code, message) in result.failed.items()
        },
    }


def _group_ref(ref: GroupRef | None) -> dict[str, Any] | None:
    return None if ref is None else {"arn": ref.arn, "pattern": ref.pattern}


def package_group_view(group: PackageGroupInfo) -> dict[str, Any]:
    """PackageGroupDescription (and PackageGroupSummary: the same members)."""
    return {
        "arn": group.arn,
        "pattern": group.pattern,
        "domainName": group.domain_name,
        "domainOwner": group.domain_owner,
        "createdTime": group.created_time,
        "contactInfo": group.contact_info,
        "description": group.description,
        "originConfiguration": {
            "restrictions": {
                restriction.value: {
                    "mode": info.mode.value,
                    "effectiveMode": info.effective_mode.value,
                    "inheritedFrom": _group_ref(info.inherited_from),
                    "repositoriesCount": info.repositories_count,
                }
                for restriction, info in group.restrictions.items()
            }
        },
        "parent": _group_ref(group.parent),
    }


def associated_package_view(package: AssociatedPackage) -> dict[str, Any]:
    return {
        "format": package.key.format.value,
        "namespace": package.key.namespace or None,
        "package": package.key.name,
        "associationType": package.association.value,
    }


def allowed_repository_updates_view(updates: AllowedRepositoryUpdates) -> dict[str, Any]:
    return {restriction.value: dict(changes) for restriction, changes in updates.items()}
