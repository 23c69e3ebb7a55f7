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
from coffer.domain.model import Page
from coffer.domain.package_groups import PackageGroupInfo, RestrictionMode, RestrictionType
from coffer.domain.packages import PackageFormat, PackageKey
from coffer.iam.principal import Caller
from coffer.services.tags import tag_list_to_map


def _group(call: Call) -> tuple[Caller, str, str | None, str]:
    """Who calls, and the group the request names: the leading arguments of most operations."""
    return call.caller, call.get("domain"), call.get("domainOwner"), call.get("packageGroup")


def _paging(call: Call) -> dict[str, Any]:
    return {"max_results": call.get("maxResults"), "next_token": call.get("nextToken")}


def _one(group: PackageGroupInfo) -> Mapping[str, Any]:
    return {"packageGroup": package_group_view(group)}


def _many(page: Page[PackageGroupInfo]) -> Mapping[str, Any]:
    return {
        "packageGroups": [package_group_view(group) for group in page.items],
        "nextToken": page.next_token,
    }


def _allowed(items: Iterable[Mapping[str, str]] | None) -> list[tuple[RestrictionType, str]]:
    return [
        (RestrictionType(item["originRestrictionType"]), item["repositoryName"])
        for item in items or ()
    ]


@operation("CreatePackageGroup")
async def create_package_group(call: Call) -> Mapping[str, Any]:
    group = await call.services.package_groups.create(
        *_group(call),
        contact_info=call.get("contactInfo"),
        description=call.get("description"),
        tags=tag_list_to_map(call.get("tags")),
    )
    return _one(group)


@operation("DescribePackageGroup")
async def describe_package_group(call: Call) -> Mapping[str, Any]:
    return _one(await call.services.package_groups.describe(*_group(call)))


@operation("UpdatePackageGroup")
async def update_package_group(call: Call) -> Mapping[str, Any]:
    group = await call.services.package_groups.update(
        *_group(call), contact_info=call.get("contactInfo"), description=call.get("description")
    )
    return _one(group)


@operation("DeletePackageGroup")
async def delete_package_group(call: Call) -> Mapping[str, Any]:
    return _one(await call.services.package_groups.delete(*_group(call)))


@operation("ListPackageGroups")
async def list_package_groups(call: Call) -> Mapping[str, Any]:
    page = await call.services.package_groups.list(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        prefix=call.get("prefix"),
        **_paging(call),
    )
    return _many(page)


@operation("ListSubPackageGroups")
async def list_sub_package_groups(call: Call) -> Mapping[str, Any]:
    return _many(await call.services.package_groups.list_sub_groups(*_group(call), **_paging(call)))


@operation("ListAssociatedPackages")
async def list_associated_packages(call: Call) -> Mapping[str, Any]:
    page = await call.services.package_groups.list_associated_packages(
        *_group(call), preview=bool(call.get("preview")), **_paging(call)
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
    return {**_one(group), "associationType": association.value}


@operation("UpdatePackageGroupOriginConfiguration")
async def update_package_group_origin_configuration(call: Call) -> Mapping[str, Any]:
    restrictions = call.get("restrictions") or {}
    group, updates = await call.services.package_groups.update_origin_configuration(
        *_group(call),
        restrictions={
            RestrictionType(name): RestrictionMode(mode) for name, mode in restrictions.items()
        },
        add=_allowed(call.get("addAllowedRepositories")),
        remove=_allowed(call.get("removeAllowedRepositories")),
    )
    return {**_one(group), "allowedRepositoryUpdates": allowed_repository_updates_view(updates)}


@operation("ListAllowedRepositoriesForGroup")
async def list_allowed_repositories_for_group(call: Call) -> Mapping[str, Any]:
    page = await call.services.package_groups.list_allowed_repositories(
        *_group(call), RestrictionType(call.get("originRestrictionType")), **_paging(call)
    )
    return {"allowedRepositories": page.items, "nextToken": page.next_token}
