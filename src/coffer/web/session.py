"""The console session: one signed cookie, scoped to ``/ui``.

The cookie holds a CSRF token (every visitor gets one, before signing in) and, once signed in,
the user's account, id and password stamp. It is signed (itsdangerous, HMAC-SHA256 with a key
derived from the server key, so every server process accepts it), timestamped (12 hours at
most), ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` when the console is reached over HTTPS. A
cookie that fails its signature or is too old is treated as absent: the visitor is anonymous.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

__all__ = ["COOKIE", "MAX_AGE", "SessionCodec", "WebSession"]

COOKIE = "coffer_session"
MAX_AGE = 12 * 3600
PATH = "/ui"


@dataclass(frozen=True)
class WebSession:
    csrf: str
    account_id: str | None = None
    user_id: str | None = None
    stamp: str | None = None

    @classmethod
    def new(cls) -> WebSession:
        return cls(csrf=secrets.token_urlsafe(32))

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    def signed_in_as(self, account_id: str, user_id: str, stamp: str) -> WebSession:
        """The session after signing in: a fresh CSRF token, so none seen before survives."""
        return replace(WebSession.new(), account_id=account_id, user_id=user_id, stamp=stamp)


class SessionCodec:
    def __init__(self, keys: Sequence[bytes]) -> None:
        # itsdangerous signs with the last key and accepts all; ours come newest first.
        self._serializer = URLSafeTimedSerializer(list(reversed(keys)), salt="coffer.ui.session")

    def load(self, cookie: str | None) -> WebSession | None:
        if not cookie:
            return None
        try:
            data: Any = self._serializer.loads(cookie, max_age=MAX_AGE)
        except BadSignature:  # includes SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        fields = {key: data.get(key) for key in ("a", "u", "s")}
        if not all(value is None or isinstance(value, str) for value in fields.values()):
            return None
        return WebSession(data["c"], fields["a"], fields["u"], fields["s"])

    def dump(self, session: WebSession) -> str:
        data = {"c": session.csrf}
        if session.user_id is not None:
            data.update(a=session.account_id or "", u=session.user_id, s=session.stamp or "")
        return str(self._serializer.dumps(data))

    def set_cookie(self, response: Response, session: WebSession, *, secure: bool) -> None:
        response.set_cookie(
            COOKIE,
            self.dump(session),
            max_age=MAX_AGE,
            path=PATH,
            secure=secure,
            httponly=True,
            samesite="lax",
        )
