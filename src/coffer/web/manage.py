"""Forms that change things: create a repository, edit its upstreams, set a package's origin
controls, change a version's status. Each calls the service method of the control-plane
operation it stands for, so the same policies allow or refuse it; then redirects (303)."""

from __future__ import annotations

from starlette.responses import Response

from coffer.domain.external import connection_format
from coffer.domain.packages import OriginRestrictions, VersionStatus
from coffer.errors import ValidationError
from coffer.services.versions import Selection
from coffer.web.browse import address
from coffer.web.view import View

__all__ = [
    "create_repository",
    "set_external_connection",
    "set_origin",
    "set_status",
    "set_upstreams",
]

SETTABLE = (VersionStatus.PUBLISHED, VersionStatus.UNLISTED, VersionStatus.ARCHIVED)


def _names(text: str) -> list[str]:
    """Repository names, one per line or separated by commas, in order."""
    return [name for line in text.replace(",", "\n").splitlines() if (name := line.strip())]


def _choice(view: View, name: str, allowed: tuple[str, ...]) -> str:
    value = view.field(name)
    if value not in allowed:
        raise ValidationError(f"{name} must be one of {', '.join(allowed)}")
    return value


async def create_repository(view: View) -> Response:
    owner, domain = view.request.path_params["owner"], view.request.path_params["domain"]
    created = await view.services.repositories.create(
        view.caller,
        domain,
        owner,
        view.field("name"),
        description=view.field("description") or None,
        upstreams=_names(view.field("upstreams")),
    )
    return view.redirect(
        view.url("ui:repository", owner=owner, domain=domain, repository=created.name)
    )


async def set_upstreams(view: View) -> Response:
    params = view.request.path_params
    await view.services.repositories.update(
        view.caller,
        params["domain"],
        params["owner"],
        params["repository"],
        upstreams=_names(view.field("upstreams")),
    )
    return view.redirect(view.url("ui:repository", **params))


async def set_external_connection(view: View) -> Response:
    """Replace the repository's external connection ("" removes it): Disassociate, Associate."""
    params = view.request.path_params
    where = (view.caller, params["domain"], params["owner"], params["repository"])
    repositories = view.services.repositories
    wanted = view.field("connection")
    if wanted:
        connection_format(wanted)  # refuse an unknown name before changing anything
    current = (await repositories.describe(*where)).external_connections
    for connection in current:
        if connection != wanted:
            await repositories.disassociate_external_connection(*where, connection)
    if wanted and wanted not in current:
        await repositories.associate_external_connection(*where, wanted)
    return view.redirect(view.url("ui:repository", **params))


async def set_origin(view: View) -> Response:
    where = address(view)
    restrictions = OriginRestrictions(
        publish=_choice(view, "publish", ("ALLOW", "BLOCK")),
        upstream=_choice(view, "upstream", ("ALLOW", "BLOCK")),
    )
    await view.services.packages.put_origin_configuration(view.caller, where, restrictions)
    return view.redirect(
        view.url("ui:package", {"namespace": where.namespace}, **view.request.path_params)
    )


async def set_status(view: View) -> Response:
    where = address(view)
    number = view.request.path_params["version"]
    target = VersionStatus(_choice(view, "status", tuple(status.value for status in SETTABLE)))
    result = await view.services.versions.update_status(
        view.caller, where, Selection(versions=[number]), target
    )
    if result.failed:
        [(_, message)] = result.failed.values()
        raise ValidationError(message)
    return view.redirect(
        view.url("ui:version", {"namespace": where.namespace}, **view.request.path_params)
    )
