"""Put/Get/DeleteDomainPermissionsPolicy and Put/Get/DeleteRepositoryPermissionsPolicy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coffer.api.registry import Call, operation
from coffer.api.views import policy_view


@operation("PutDomainPermissionsPolicy")
async def put_domain_policy(call: Call) -> Mapping[str, Any]:
    policy = await call.services.policies.put_domain(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("policyDocument"),
        call.get("policyRevision"),
    )
    return {"policy": policy_view(policy)}


@operation("GetDomainPermissionsPolicy")
async def get_domain_policy(call: Call) -> Mapping[str, Any]:
    policy = await call.services.policies.get_domain(
        call.caller, call.get("domain"), call.get("domainOwner")
    )
    return {"policy": policy_view(policy)}


@operation("DeleteDomainPermissionsPolicy")
async def delete_domain_policy(call: Call) -> Mapping[str, Any]:
    policy = await call.services.policies.delete_domain(
        call.caller, call.get("domain"), call.get("domainOwner"), call.get("policyRevision")
    )
    return {"policy": policy_view(policy)}


@operation("PutRepositoryPermissionsPolicy")
async def put_repository_policy(call: Call) -> Mapping[str, Any]:
    policy = await call.services.policies.put_repository(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("repository"),
        call.get("policyDocument"),
        call.get("policyRevision"),
    )
    return {"policy": policy_view(policy)}


@operation("GetRepositoryPermissionsPolicy")
async def get_repository_policy(call: Call) -> Mapping[str, Any]:
    policy = await call.services.policies.get_repository(
        call.caller, call.get("domain"), call.get("domainOwner"), call.get("repository")
    )
    return {"policy": policy_view(policy)}


@operation("DeleteRepositoryPermissionsPolicy")
async def delete_repository_policy(call: Call) -> Mapping[str, Any]:
    policy = await call.services.policies.delete_repository(
        call.caller,
        call.get("domain"),
        call.get("domainOwner"),
        call.get("repository"),
        call.get("policyRevision"),
    )
    return {"policy": policy_view(policy)}
