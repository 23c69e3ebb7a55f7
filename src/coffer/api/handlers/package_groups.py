"""Package groups: CRUD, hierarchy, associations and group origin configuration."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from coffer.api.registry import Call, operation
from coffer.api.views import (
    allowed_repository_updates_view,
    associated_package_view,
    package_group_view,
)
from coffer.domain.package_groups import RestrictionMode, RestrictionType
from coffer.domain.packages import PackageFormat, PackageKey
from coffer.services.tags import tag_list_to_map


def _allowed(items: Iterable[Mapping[str, str]] | None) -> list[tuple[RestrictionType, str]]:
    return [
        (RestrictionType(item["originRestrictionType"]), item["repositoryName"])
        for item in items or ()
    ]


@operation("CreatePackageGroup")
async def create_package_group(call: Call) -> Mapping[str, Any]:
    group = await call.services.package_groups.create(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("packageGroup"),
        contact_info=call.get("contactInfo"),
        description=call.get("description"),
        tags=tag_list_to_map(call.get("tags")),
    )
    return {"packageGroup": package_group_view(group)}


@operation("DescribePackageGroup")
async def describe_package_group(call: Call) -> Mapping[str, Any]:
    group = await call.services.package_groups.describe(
        call.caller, call.get("domain"), call.get("domainOwner"), call.get("packageGroup")
    )
    return {"packageGroup": package_group_view(group)}


@operation("UpdatePackageGroup")
async def update_package_group(call: Call) -> Mapping[str, Any]:
    group = await call.services.package_groups.update(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("packageGroup"),
        contact_info=call.get("contactInfo"),
        description=call.get("description"),
    )
    return {"packageGroup": package_group_view(group)}


@operation("DeletePackageGroup")
async def delete_package_group(call: Call) -> Mapping[str, Any]:
    group = await call.services.package_groups.delete(
        call.caller, call.get("domain"), call.get("domainOwner"), call.get("packageGroup")
    )
    return {"packageGroup": package_group_view(group)}


@operation("ListPackageGroups")
async def list_package_groups(call: Call) -> Mapping[str, Any]:
    page = await call.services.package_groups.list(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        prefix=call.get("prefix"),
        max_results=call.get("maxResults"),
        next_token=call.get("nextToken"),
    )
    return {
        "packageGroups": [package_group_view(group) for group in page.items],
        "nextToken": page.next_token,
    }


@operation("ListSubPackageGroups")
async def list_sub_package_groups(call: Call) -> Mapping[str, Any]:
    page = await call.services.package_groups.list_sub_groups(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("packageGroup"),
        max_results=call.get("maxResults"),
        next_token=call.get("nextToken"),
    )
    return {
        "packageGroups": [package_group_view(group) for group in page.items],
        "nextToken": page.next_token,
    }


@operation("ListAssociatedPackages")
async def list_associated_packages(call: Call) -> Mapping[str, Any]:
    page = await call.services.package_groups.list_associated_packages(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("packageGroup"),
        preview=bool(call.get("preview")),
        max_results=call.get("maxResults"),
        next_token=call.get("nextToken"),
    )
    return {
        "packages": [associated_package_view(package) for package in page.items],
        "nextToken": page.next_token,
    }


@operation("GetAssociatedPackageGroup")
async def get_associated_package_group(call: Call) -> Mapping[str, Any]:
    group, association = await call.services.package_groups.get_associated(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        PackageKey(
            PackageFormat(call.get("format")), call.get("namespace") or "", call.get("package")
        ),
    )
    return {"packageGroup": package_group_view(group), "associationType": association.value}


@operation("UpdatePackageGroupOriginConfiguration")
async def update_package_group_origin_configuration(call: Call) -> Mapping[str, Any]:
    restrictions = call.get("restrictions") or {}
    group, updates = await call.services.package_groups.update_origin_configuration(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("packageGroup"),
        restrictions={
            RestrictionType(name): RestrictionMode(mode) for name, mode in restrictions.items()
        },
        add=_allowed(call.get("addAllowedRepositories")),
        remove=_allowed(call.get("removeAllowedRepositories")),
    )
    return {
        "packageGroup": package_group_view(group),
        "allowedRepositoryUpdates": allowed_repository_updates_view(updates),
    }


@operation("ListAllowedRepositoriesForGroup")
async def list_allowed_repositories_for_group(call: Call) -> Mapping[str, Any]:
    page = await call.services.package_groups.list_allowed_repositories(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("packageGroup"),
        RestrictionType(call.get("originRestrictionType")),
        max_results=call.get("maxResults"),
        next_token=call.get("nextToken"),
    )
    return {"allowedRepositories": page.items, "nextToken": page.next_token}
