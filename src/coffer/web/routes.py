"""The console's routes, mounted at ``/ui`` (names ``ui:*`` for ``url_path_for``).

``-`` is never a repository name, so ``/-/`` segments cannot clash with one.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from coffer.web import auth, browse, manage
from coffer.web.view import page

__all__ = ["ui_routes"]

DOMAIN = "/domains/{owner}/{domain}"
REPOSITORY = DOMAIN + "/{repository}"
PACKAGE = REPOSITORY + "/{format}/{package}"
VERSION = PACKAGE + "/{version}"


def ui_routes() -> list[BaseRoute]:
    routes = [
        Route("/", page(browse.home), name="home"),
        Route("/sign-in", page(auth.sign_in_form, public=True), name="sign-in"),
        Route("/sign-in", page(auth.sign_in, public=True), methods=["POST"]),
        Route("/sign-out", page(auth.sign_out, public=True), methods=["POST"], name="sign-out"),
        Route("/-/domain", page(browse.open_domain), name="open-domain"),
        Route(DOMAIN + "/", page(browse.domain), name="domain"),
        Route(DOMAIN + "/-/search", page(browse.search), name="search"),
        Route(
            DOMAIN + "/-/repositories",
            page(manage.create_repository),
            methods=["POST"],
            name="create-repository",
        ),
        Route(REPOSITORY + "/", page(browse.repository), name="repository"),
        Route(
            REPOSITORY + "/-/upstreams",
            page(manage.set_upstreams),
            methods=["POST"],
            name="set-upstreams",
        ),
        Route(
            REPOSITORY + "/-/external-connection",
            page(manage.set_external_connection),
            methods=["POST"],
            name="set-external-connection",
        ),
        Route(PACKAGE + "/", page(browse.package), name="package"),
        Route(PACKAGE + "/-/origin", page(manage.set_origin), methods=["POST"], name="set-origin"),
        Route(VERSION + "/", page(browse.version), name="version"),
        Route(VERSION + "/-/status", page(manage.set_status), methods=["POST"], name="set-status"),
        Mount("/static", StaticFiles(packages=[("coffer.web", "static")]), name="static"),
        Route("/{rest:path}", page(browse.not_found), methods=["GET", "POST"]),
    ]
    return [Mount("/ui", routes=routes, name="ui")]
