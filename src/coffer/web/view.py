"""What every console page shares: the session, the caller, CSRF, rendering and errors.

Handlers are ``async def handler(view: View) -> Response`` wrapped by :func:`page`, which

1. loads the session cookie (a missing or tampered one means a new, anonymous session),
2. refuses a POST whose form lacks the session's CSRF token,
3. resolves the signed-in user to a :class:`~coffer.iam.principal.Caller` (or redirects to the
   sign-in page), exactly as the control plane builds one: the user as they are now, the client
   address for ``aws:SourceIp`` and whether the request came over TLS,
4. renders any error through :mod:`coffer.web.errors`, and
5. adds the security headers and writes the cookie back when it changed.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Mapping
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from coffer.errors import InvalidToken, ValidationError
from coffer.iam.principal import Caller
from coffer.services import Services
from coffer.web.errors import FormExpired, SignInRequired, error_page_for
from coffer.web.session import COOKIE, SessionCodec, WebSession
from coffer.web.templating import environment

__all__ = ["SECURITY_HEADERS", "Handler", "View", "page"]

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
        "object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@cache
def templates() -> Environment:
    """One environment per process, built on first use (it caches compiled templates)."""
    return environment()


class View:
    def __init__(self, request: Request, codec: SessionCodec, session: WebSession | None) -> None:
        self.request = request
        self.services: Services = request.app.state.services
        self._codec = codec
        self.session = session or WebSession.new()
        self._session_changed = session is None
        self._caller: Caller | None = None
        self.form: FormData | None = None

    # -------------------------------------------------------------- identity

    @property
    def caller(self) -> Caller:
        if self._caller is None:
            raise SignInRequired
        return self._caller

    @property
    def signed_in(self) -> bool:
        return self._caller is not None

    @property
    def secure(self) -> bool:
        configured = self.services.settings.public_url or ""
        return self.request.url.scheme == "https" or configured.startswith("https://")

    async def resolve_caller(self) -> None:
        session = self.session
        if not session.signed_in or not session.account_id or not session.user_id:
            return
        try:
            principal = await self.services.console.principal(
                session.account_id, session.user_id, session.stamp or ""
            )
        except InvalidToken:
            self.set_session(WebSession.new())
            return
        client = self.request.client
        self._caller = Caller(
            principal,
            source_ip=client.host if client else None,
            secure_transport=self.request.url.scheme == "https",
        )

    def set_session(self, session: WebSession) -> None:
        self.session = session
        self._session_changed = True

    async def check_csrf(self) -> None:
        try:
            self.form = await self.request.form()
        except HTTPException:  # a malformed multipart body
            raise ValidationError("The form could not be read") from None
        sent = self.form.get("csrf")
        if not isinstance(sent, str) or not hmac.compare_digest(
            sent.encode(), self.session.csrf.encode()
        ):
            raise FormExpired

    def field(self, name: str) -> str:
        """A text field of the POSTed form ("" when absent)."""
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else ""

    # -------------------------------------------------------------- answers

    @property
    def base_url(self) -> str:
        """The public URL data-plane endpoints are built from (as the control plane's)."""
        configured = self.services.settings.public_url
        if configured:
            return configured.rstrip("/")
        return f"{self.request.url.scheme}://{self.request.url.netloc}"

    def url(self, name: str, query: Mapping[str, str | None] | None = None, **params: Any) -> str:
        quoted = {key: quote(str(value), safe="") for key, value in params.items()}
        path = str(self.request.app.url_path_for(name, **quoted))
        pairs = {key: value for key, value in (query or {}).items() if value}
        return f"{path}?{urlencode(pairs)}" if pairs else path

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = templates().get_template(template).render(view=self, **context)
        return HTMLResponse(body, status_code=status)

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

    def finish(self, response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        if self._session_changed:
            self._codec.set_cookie(response, self.session, secure=self.secure)
        return response


Handler = Callable[[View], Awaitable[Response]]


def page(handler: Handler, *, public: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint running ``handler`` (``public``: no sign-in needed)."""

    async def endpoint(request: Request) -> Response:
        services: Services = request.app.state.services
        codec = SessionCodec(services.console.session_keys)
        view = View(request, codec, codec.load(request.cookies.get(COOKIE)))
        try:
            if request.method == "POST":
                await view.check_csrf()
            await view.resolve_caller()
            if not public and not view.signed_in:
                raise SignInRequired
            response = await handler(view)
        except SignInRequired:
            response = view.redirect(sign_in_url(view))
        except Exception as error:  # every error becomes an error page
            shown = error_page_for(error)
            response = view.render(
                "error.html", shown.status, title=shown.title, message=shown.message
            )
            response.headers.update(shown.headers)
        return view.finish(response)

    return endpoint


def sign_in_url(view: View) -> str:
    target = view.request.url.path if view.request.method == "GET" else None
    if target == view.url("ui:home"):
        target = None
    return view.url("ui:sign-in", {"next": target})
