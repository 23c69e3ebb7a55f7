"""CreateDomain, DescribeDomain, DeleteDomain, ListDomains."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coffer.api.registry import Call, operation
from coffer.api.views import domain_view
from coffer.services.tags import tag_list_to_map


@operation("CreateDomain")
async def create_domain(call: Call) -> Mapping[str, Any]:
    domain = await call.services.domains.create(
        call.caller,
        call.get("domain"),
        encryption_key=call.get("encryptionKey"),
        tags=tag_list_to_map(call.get("tags")),
    )
    return {"domain": domain_view(domain)}


@operation("DescribeDomain")
async def describe_domain(call: Call) -> Mapping[str, Any]:
    domain = await call.services.domains.describe(
        call.caller, call.get("domain"), call.get("domainOwner")
    )
    return {"domain": domain_view(domain)}


@operation("DeleteDomain")
async def delete_domain(call: Call) -> Mapping[str, Any]:
    domain = await call.services.domains.delete(
        call.caller, call.get("domain"), call.get("domainOwner")
    )
    return {"domain": domain_view(domain)}


@operation("ListDomains")
async def list_domains(call: Call) -> Mapping[str, Any]:
    page = await call.services.domains.list(
        call.caller, max_results=call.get("maxResults"), next_token=call.get("nextToken")
    )
    return {
        "domains": [domain_view(domain, summary=True) for domain in page.items],
        "nextToken": page.next_token,
    }
