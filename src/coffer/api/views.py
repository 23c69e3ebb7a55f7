"""Service descriptions → the wire shapes of the service model (member names, camelCase)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coffer.domain.model import DomainInfo, PolicyInfo, RepositoryInfo

__all__ = ["domain_view", "policy_view", "repository_view", "tags_view"]


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
        view["externalConnections"] = []  # external connections arrive with upstream support
    return view


def policy_view(policy: PolicyInfo) -> dict[str, Any]:
    return {
        "resourceArn": policy.resource_arn,
        "document": policy.document,
        "revision": policy.revision,
    }


def tags_view(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in tags.items()]
