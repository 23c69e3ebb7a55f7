"""Create/Describe/Update/DeleteRepository, ListRepositories[InDomain], GetRepositoryEndpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coffer.api.registry import Call, operation
from coffer.api.views import repository_view
from coffer.services.tags import tag_list_to_map


def _upstreams(call: Call) -> list[str] | None:
    upstreams = call.get("upstreams")
    return None if upstreams is None else [item["repositoryName"] for item in upstreams]


@operation("CreateRepository")
async def create_repository(call: Call) -> Mapping[str, Any]:
    repository = await call.services.repositories.create(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("repository"),
        description=call.get("description"),
        upstreams=_upstreams(call) or [],
        tags=tag_list_to_map(call.get("tags")),
    )
    return {"repository": repository_view(repository)}


@operation("DescribeRepository")
async def describe_repository(call: Call) -> Mapping[str, Any]:
    repository = await call.services.repositories.describe(
        call.caller, call.get("domain"), call.get("domainOwner"), call.get("repository")
    )
    return {"repository": repository_view(repository)}


@operation("UpdateRepository")
async def update_repository(call: Call) -> Mapping[str, Any]:
    repository = await call.services.repositories.update(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("repository"),
        description=call.get("description"),
        upstreams=_upstreams(call),
    )
    return {"repository": repository_view(repository)}


@operation("DeleteRepository")
async def delete_repository(call: Call) -> Mapping[str, Any]:
    repository = await call.services.repositories.delete(
        call.caller, call.get("domain"), call.get("domainOwner"), call.get("repository")
    )
    return {"repository": repository_view(repository)}


@operation("ListRepositories")
async def list_repositories(call: Call) -> Mapping[str, Any]:
    page = await call.services.repositories.list(
        call.caller,
        prefix=call.get("repositoryPrefix"),
        max_results=call.get("maxResults"),
        next_token=call.get("nextToken"),
    )
    return {
        "repositories": [repository_view(item, summary=True) for item in page.items],
        "nextToken": page.next_token,
    }


@operation("ListRepositoriesInDomain")
async def list_repositories_in_domain(call: Call) -> Mapping[str, Any]:
    page = await call.services.repositories.list_in_domain(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        administrator=call.get("administratorAccount"),
        prefix=call.get("repositoryPrefix"),
        max_results=call.get("maxResults"),
        next_token=call.get("nextToken"),
    )
    return {
        "repositories": [repository_view(item, summary=True) for item in page.items],
        "nextToken": page.next_token,
    }


@operation("AssociateExternalConnection")
async def associate_external_connection(call: Call) -> Mapping[str, Any]:
    repository = await call.services.repositories.associate_external_connection(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("repository"),
        call.get("externalConnection"),
    )
    return {"repository": repository_view(repository)}


@operation("DisassociateExternalConnection")
async def disassociate_external_connection(call: Call) -> Mapping[str, Any]:
    repository = await call.services.repositories.disassociate_external_connection(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("repository"),
        call.get("externalConnection"),
    )
    return {"repository": repository_view(repository)}


@operation("GetRepositoryEndpoint")
async def get_repository_endpoint(call: Call) -> Mapping[str, Any]:
    endpoint = await call.services.repositories.endpoint(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("repository"),
        call.get("format"),
        call.base_url,
    )
    return {"repositoryEndpoint": endpoint}
