"""GetAuthorizationToken."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coffer.api.registry import Call, operation


@operation("GetAuthorizationToken")
async def get_authorization_token(call: Call) -> Mapping[str, Any]:
    issued = await call.services.tokens.issue(
        call.caller, call.get("domain"), call.get("domainOwner"), call.get("durationSeconds")
    )
    return {"authorizationToken": issued.token, "expiration": issued.expiration}
