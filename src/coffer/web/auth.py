"""Signing in and out of the console."""

from __future__ import annotations

from starlette.responses import Response

from coffer.errors import AuthenticationError
from coffer.web.session import WebSession
from coffer.web.view import View

__all__ = ["sign_in", "sign_in_form", "sign_out"]


def _next_url(view: View, target: str) -> str:
    """Where to go after signing in: only a console path, never another site."""
    home = view.url("ui:home")
    if target.startswith(home) and not target.startswith("//") and "\\" not in target:
        return target
    return home


async def sign_in_form(view: View) -> Response:
    if view.signed_in:
        return view.redirect(view.url("ui:home"))
    target = view.request.query_params.get("next", "")
    return view.render("sign_in.html", next=target, error=None, account="", user_name="")


async def sign_in(view: View) -> Response:
    account, user_name = view.field("account"), view.field("user_name")
    password = view.form.get("password") if view.form is not None else None
    client = view.request.client
    try:
        signed = await view.services.console.sign_in(
            account, user_name, password if isinstance(password, str) else "",
            client.host if client else None,
        )  # fmt: skip
    except AuthenticationError as error:
        return view.render(
            "sign_in.html",
            401,
            next=view.field("next"),
            error=error.message,
            account=account,
            user_name=user_name,
        )
    principal = signed.principal
    view.set_session(
        view.session.signed_in_as(principal.account_id, principal.user_id, signed.stamp)
    )
    return view.redirect(_next_url(view, view.field("next")))


async def sign_out(view: View) -> Response:
    view.set_session(WebSession.new())
    return view.redirect(view.url("ui:sign-in"))
