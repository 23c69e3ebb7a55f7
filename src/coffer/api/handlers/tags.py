"""TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coffer.api.registry import Call, operation
from coffer.api.views import tags_view
from coffer.services.tags import tag_list_to_map


@operation("TagResource")
async def tag_resource(call: Call) -> Mapping[str, Any]:
    await call.services.tags.tag(
        call.caller, call.get("resourceArn"), tag_list_to_map(call.get("tags"))
    )
    return {}


@operation("UntagResource")
async def untag_resource(call: Call) -> Mapping[str, Any]:
    await call.services.tags.untag(call.caller, call.get("resourceArn"), list(call.get("tagKeys")))
    return {}


@operation("ListTagsForResource")
async def list_tags(call: Call) -> Mapping[str, Any]:
    tags = await call.services.tags.list_for(call.caller, call.get("resourceArn"))
    return {"tags": tags_view(tags)}
