"""Read-only pages: domains → repositories → packages → versions, and search.

Each page calls the same service methods as the control-plane handlers of the operations it
shows (ListDomains, ListRepositoriesInDomain, DescribeRepository, ListPackages, …) with the
signed-in user's Caller, so it shows exactly what those operations would answer that user.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from starlette.responses import Response

from coffer.domain.external import EXTERNAL_CONNECTIONS
from coffer.domain.packages import PackageFormat
from coffer.errors import AccessDenied, NotFound
from coffer.iam.actions import Action
from coffer.services.packages import PackageAddress
from coffer.web.graph import upstream_graph
from coffer.web.readme import render_readme
from coffer.web.snippets import install_snippets, token_snippet
from coffer.web.view import View

__all__ = [
    "domain",
    "home",
    "not_found",
    "open_domain",
    "package",
    "repository",
    "search",
    "version",
]

PAGE_SIZE = 50
T = TypeVar("T")


async def optional(call: Awaitable[T]) -> T | None:
    """The answer, or None when the user may not have it (that part of the page is left out)."""
    try:
        return await call
    except AccessDenied:
        return None


def _param(view: View, name: str) -> str:
    return str(view.request.path_params[name])


def _query(view: View, name: str) -> str | None:
    return view.request.query_params.get(name) or None


def address(view: View) -> PackageAddress:
    try:
        fmt = PackageFormat(_param(view, "format"))
    except ValueError:
        raise NotFound(f"There is no package format {_param(view, 'format')!r}") from None
    return PackageAddress(
        domain=_param(view, "domain"),
        owner=_param(view, "owner"),
        repository=_param(view, "repository"),
        format=fmt,
        namespace=_query(view, "namespace"),
        name=_param(view, "package"),
    )


async def not_found(view: View) -> Response:
    raise NotFound("There is no such page in the console")


async def home(view: View) -> Response:
    try:
        domains = await view.services.domains.list(
            view.caller, max_results=PAGE_SIZE, next_token=_query(view, "after")
        )
    except AccessDenied:
        domains = None
    return view.render("home.html", domains=domains)


async def open_domain(view: View) -> Response:
    """The home page's "Open a domain" form: any domain by name, in any account."""
    name = (_query(view, "domain") or "").strip()
    owner = (_query(view, "owner") or "").strip() or view.caller.principal.account_id
    if not name:
        return view.redirect(view.url("ui:home"))
    return view.redirect(view.url("ui:domain", owner=owner, domain=name))


async def domain(view: View) -> Response:
    owner, name = _param(view, "owner"), _param(view, "domain")
    prefix = _query(view, "prefix")
    repositories = await view.services.repositories.list_in_domain(
        view.caller,
        name,
        owner,
        prefix=prefix,
        max_results=PAGE_SIZE,
        next_token=_query(view, "after"),
    )
    allowed = await view.services.browse.permitted(
        view.caller, name, owner, "*", [Action.CREATE_REPOSITORY]
    )
    return view.render(
        "domain.html",
        owner=owner,
        domain=name,
        prefix=prefix or "",
        repositories=repositories,
        can_create=Action.CREATE_REPOSITORY in allowed,
    )


async def search(view: View) -> Response:
    owner, name = _param(view, "owner"), _param(view, "domain")
    text = (_query(view, "q") or "").strip()
    found = await view.services.browse.search(
        view.caller, name, owner, text, max_results=PAGE_SIZE, next_token=_query(view, "after")
    )
    return view.render("search.html", owner=owner, domain=name, q=text, found=found)


async def repository(view: View) -> Response:
    owner, name, repo = _param(view, "owner"), _param(view, "domain"), _param(view, "repository")
    services, caller = view.services, view.caller
    info = await services.repositories.describe(caller, name, owner, repo)
    prefix = _query(view, "prefix")
    packages = await services.packages.list_packages(
        caller,
        name,
        owner,
        repo,
        prefix=prefix,
        max_results=PAGE_SIZE,
        next_token=_query(view, "after"),
    )
    endpoint = await optional(
        services.repositories.endpoint(caller, name, owner, repo, "pypi", view.base_url)
    )
    allowed = await services.browse.permitted(
        caller,
        name,
        owner,
        repo,
        [
            Action.UPDATE_REPOSITORY,
            Action.ASSOCIATE_EXTERNAL_CONNECTION,
            Action.DISASSOCIATE_EXTERNAL_CONNECTION,
        ],
    )
    return view.render(
        "repository.html",
        owner=owner,
        domain=name,
        repository=info,
        prefix=prefix or "",
        packages=packages,
        endpoint=endpoint,
        upstream=await upstream_graph(view, info),
        can_update=Action.UPDATE_REPOSITORY in allowed,
        can_connect={
            Action.ASSOCIATE_EXTERNAL_CONNECTION,
            Action.DISASSOCIATE_EXTERNAL_CONNECTION,
        }
        <= allowed,
        connections=sorted(EXTERNAL_CONNECTIONS),
    )


async def package(view: View) -> Response:
    where = address(view)
    services, caller = view.services, view.caller
    info = await services.packages.describe_package(caller, where)
    listing = await services.packages.list_versions(
        caller, where, max_results=PAGE_SIZE, next_token=_query(view, "after")
    )
    allowed = await services.browse.permitted(
        caller,
        where.domain,
        where.owner,
        where.repository,
        [Action.PUT_PACKAGE_ORIGIN_CONFIGURATION],
        package=where.key,
    )
    return view.render(
        "package.html",
        where=where,
        package=info,
        listing=listing,
        can_set_origin=Action.PUT_PACKAGE_ORIGIN_CONFIGURATION in allowed,
    )


async def version(view: View) -> Response:
    where, number = address(view), _param(view, "version")
    services, caller = view.services, view.caller
    described = await services.packages.describe_version(
        caller, where, number, Action.DESCRIBE_PACKAGE_VERSION
    )
    readme = await optional(
        services.packages.describe_version(caller, where, number, Action.GET_PACKAGE_VERSION_README)
    )
    assets = await optional(
        services.packages.describe_version(
            caller, where, number, Action.LIST_PACKAGE_VERSION_ASSETS
        )
    )
    dependencies = await optional(
        services.packages.describe_version(
            caller, where, number, Action.LIST_PACKAGE_VERSION_DEPENDENCIES
        )
    )
    endpoint = await optional(
        services.repositories.endpoint(
            caller, where.domain, where.owner, where.repository, where.format.value, view.base_url
        )
    )
    allowed = await services.browse.permitted(
        caller,
        where.domain,
        where.owner,
        where.repository,
        [Action.UPDATE_PACKAGE_VERSIONS_STATUS],
        package=where.key,
    )
    snippets = []
    if endpoint is not None and where.format is PackageFormat.PYPI:
        snippets = install_snippets(endpoint, described.display_name, described.version)
    meta = readme.metadata if readme else None
    return view.render(
        "version.html",
        where=where,
        version=described,
        readme=render_readme(meta.readme, meta.readme_content_type) if meta else None,
        assets=assets.assets if assets else None,
        dependencies=dependencies.metadata.dependencies if dependencies else None,
        token_snippet=token_snippet(where.domain, where.owner or "", view.base_url),
        snippets=snippets,
        can_set_status=Action.UPDATE_PACKAGE_VERSIONS_STATUS in allowed,
    )
