"""Package and package-version operations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from coffer.api.registry import Call, operation
from coffer.api.views import (
    asset_view,
    batch_view,
    dependency_view,
    package_view,
    version_description_view,
    version_summary_view,
)
from coffer.domain.packages import OriginRestrictions, PackageFormat, VersionStatus
from coffer.iam.actions import Action
from coffer.services.packages import PackageAddress
from coffer.services.versions import Selection


def _address(call: Call, repository_member: str = "repository") -> PackageAddress:
    return PackageAddress(
        domain=call.get("domain"),
        owner=call.get("domainOwner"),
        repository=call.get(repository_member),
        format=PackageFormat(call.get("format")),
        namespace=call.get("namespace"),
        name=call.get("package"),
    )


def _selection(call: Call) -> Selection:
    expected = call.get("expectedStatus")
    return Selection(
        versions=call.get("versions") or [],
        revisions=call.get("versionRevisions") or {},
        expected_status=VersionStatus(expected) if expected else None,
    )


def _version_header(call: Call, address: PackageAddress) -> dict[str, Any]:
    return {
        "format": address.format.value,
        "namespace": address.namespace,
        "package": address.key.name,
    }


@operation("ListPackages")
async def list_packages(call: Call) -> Mapping[str, Any]:
    fmt = call.get("format")
    page = await call.services.packages.list_packages(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("repository"),
        fmt=PackageFormat(fmt) if fmt else None,
        namespace=call.get("namespace"),
        prefix=call.get("packagePrefix"),
        publish=call.get("publish"),
        upstream=call.get("upstream"),
        max_results=call.get("maxResults"),
        next_token=call.get("nextToken"),
    )
    return {"packages": [package_view(p) for p in page.items], "nextToken": page.next_token}


@operation("DescribePackage")
async def describe_package(call: Call) -> Mapping[str, Any]:
    package = await call.services.packages.describe_package(call.caller, _address(call))
    return {"package": package_view(package, description=True)}


@operation("PutPackageOriginConfiguration")
async def put_package_origin_configuration(call: Call) -> Mapping[str, Any]:
    restrictions = call.get("restrictions")
    package = await call.services.packages.put_origin_configuration(
        call.caller,
        _address(call),
        OriginRestrictions(restrictions["publish"], restrictions["upstream"]),
    )
    return {"originConfiguration": package_view(package)["originConfiguration"]}


@operation("DeletePackage")
async def delete_package(call: Call) -> Mapping[str, Any]:
    package = await call.services.packages.delete_package(call.caller, _address(call))
    return {"deletedPackage": package_view(package)}


@operation("ListPackageVersions")
async def list_package_versions(call: Call) -> Mapping[str, Any]:
    address = _address(call)
    status = call.get("status")
    listing = await call.services.packages.list_versions(
        call.caller,
        address,
        status=VersionStatus(status) if status else None,
        sort_by=call.get("sortBy"),
        origin_type=call.get("originType"),
        max_results=call.get("maxResults"),
        next_token=call.get("nextToken"),
    )
    return {
        **_version_header(call, address),
        "defaultDisplayVersion": listing.default_display_version,
        "versions": [version_summary_view(v) for v in listing.versions],
        "nextToken": listing.next_token,
    }


@operation("DescribePackageVersion")
async def describe_package_version(call: Call) -> Mapping[str, Any]:
    version = await call.services.packages.describe_version(
        call.caller, _address(call), call.get("packageVersion"), Action.DESCRIBE_PACKAGE_VERSION
    )
    return {"packageVersion": version_description_view(version)}


@operation("ListPackageVersionAssets")
async def list_package_version_assets(call: Call) -> Mapping[str, Any]:
    address = _address(call)
    version = await call.services.packages.describe_version(
        call.caller, address, call.get("packageVersion"), Action.LIST_PACKAGE_VERSION_ASSETS
    )
    return {
        **_version_header(call, address),
        "version": version.version,
        "versionRevision": version.revision,
        "assets": [asset_view(asset) for asset in version.assets],
    }


@operation("GetPackageVersionAsset")
async def get_package_version_asset(call: Call) -> Mapping[str, Any]:
    version, asset = await call.services.packages.asset(
        call.caller,
        _address(call),
        call.get("packageVersion"),
        call.get("asset"),
        call.get("packageVersionRevision"),
    )
    stream: AsyncIterator[bytes] = await call.services.blobs.open_read(asset.sha256)
    return {
        "asset": stream,
        "assetName": asset.name,
        "packageVersion": version.version,
        "packageVersionRevision": version.revision,
    }


@operation("GetPackageVersionReadme")
async def get_package_version_readme(call: Call) -> Mapping[str, Any]:
    address = _address(call)
    version = await call.services.packages.describe_version(
        call.caller, address, call.get("packageVersion"), Action.GET_PACKAGE_VERSION_README
    )
    return {
        **_version_header(call, address),
        "version": version.version,
        "versionRevision": version.revision,
        "readme": version.metadata.readme,
    }


@operation("ListPackageVersionDependencies")
async def list_package_version_dependencies(call: Call) -> Mapping[str, Any]:
    address = _address(call)
    version = await call.services.packages.describe_version(
        call.caller,
        address,
        call.get("packageVersion"),
        Action.LIST_PACKAGE_VERSION_DEPENDENCIES,
    )
    return {
        **_version_header(call, address),
        "version": version.version,
        "versionRevision": version.revision,
        "dependencies": [dependency_view(d) for d in version.metadata.dependencies],
    }


@operation("UpdatePackageVersionsStatus")
async def update_package_versions_status(call: Call) -> Mapping[str, Any]:
    result = await call.services.versions.update_status(
        call.caller, _address(call), _selection(call), VersionStatus(call.get("targetStatus"))
    )
    return batch_view(result)


@operation("DisposePackageVersions")
async def dispose_package_versions(call: Call) -> Mapping[str, Any]:
    result = await call.services.versions.dispose(call.caller, _address(call), _selection(call))
    return batch_view(result)


@operation("DeletePackageVersions")
async def delete_package_versions(call: Call) -> Mapping[str, Any]:
    result = await call.services.versions.delete(call.caller, _address(call), _selection(call))
    return batch_view(result)


@operation("CopyPackageVersions")
async def copy_package_versions(call: Call) -> Mapping[str, Any]:
    result = await call.services.versions.copy(
        call.caller,
        _address(call, "sourceRepository"),
        call.get("destinationRepository"),
        _selection(call),
        allow_overwrite=bool(call.get("allowOverwrite")),
    )
    return batch_view(result)


async def _chunks(content: object) -> AsyncIterator[bytes]:
    if isinstance(content, bytes):
        yield content
        return
    async for chunk in content:  # type: ignore[attr-defined]
        yield chunk


@operation("PublishPackageVersion")
async def publish_package_version(call: Call) -> Mapping[str, Any]:
    address = _address(call)
    status, revision, asset = await call.services.generic.publish(
        call.caller,
        address,
        call.get("packageVersion"),
        call.get("assetName"),
        _chunks(call.get("assetContent")),
        call.get("assetSHA256"),
        unfinished=bool(call.get("unfinished")),
    )
    return {
        **_version_header(call, address),
        "version": call.get("packageVersion"),
        "versionRevision": revision,
        "status": status.value,
        "asset": asset_view(asset),
    }
