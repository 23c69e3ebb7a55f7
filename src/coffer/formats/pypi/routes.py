"""PyPI endpoint routes: legacy upload, the simple repository API, files and PEP 658 metadata.

``/{domain}-{owner}/pypi/{repository}/``            POST: legacy upload (every publisher)
``…/simple/``                                      the project list
``…/simple/{project}/``                            a project page (PEP 503/691/700, 592, 658/714)
``…/simple/{project}/{version}/{file}[.metadata]`` files and their core metadata

Each handler authenticates, calls one service, and renders; errors render in one place.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import anyio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from coffer.domain.packages import PackageFormat, PackageKey
from coffer.formats.files import blob_response
from coffer.formats.http import error_response, parse_endpoint, services_of, token_from
from coffer.formats.multipart import parse_upload
from coffer.formats.pypi.names import normalize
from coffer.formats.pypi.publish import prepare_upload
from coffer.formats.pypi.render import canonical_version, project_index
from coffer.formats.pypi.simple import (
    negotiate,
    render_project_html,
    render_project_json,
    render_root_html,
    render_root_json,
)
from coffer.iam.actions import Action
from coffer.services.dataplane import RepositoryRef
from coffer.services.publishing import AssetUpload

__all__ = ["pypi_routes"]

BASE = "/{domain_owner}/pypi/{repository}"
CHUNK = 1024 * 1024


async def _reader(request: Request) -> RepositoryRef:
    services = services_of(request)
    endpoint = parse_endpoint(request)
    client = request.client.host if request.client else None
    caller = await services.dataplane.authenticate(
        token_from(request), endpoint.domain, endpoint.owner, source_ip=client
    )
    return await services.dataplane.authorize(
        caller,
        endpoint.domain,
        endpoint.owner,
        endpoint.repository,
        Action.READ_FROM_REPOSITORY,
    )


def _base_path(request: Request) -> str:
    """Path-absolute prefix of this repository's endpoint, so links resolve from any page URL."""
    prefix = services_of(request).settings.public_path or request.scope.get("root_path", "")
    params = request.path_params
    return f"{prefix}/{params['domain_owner']}/pypi/{params['repository']}"


@dataclass(frozen=True, slots=True)
class _Page:
    body: bytes
    etag: str


async def _cached_page(
    request: Request,
    repo: RepositoryRef,
    media_type: str,
    render: Callable[[], Awaitable[tuple[bytes, bool]]],
) -> Response:
    """Serve a page from the per-process cache while the change counters are unchanged;
    ``render`` gives the body and whether it may be cached (False: an upstream registry's page
    went into it, which the counters do not track)."""
    dataplane = services_of(request).dataplane
    stamp = (await dataplane.stamp()).both
    key = ("pypi", repo.repository_id, request.scope["path"], media_type, _base_path(request))
    page = dataplane.pages.get(key, stamp)
    if page is None:
        body, cacheable = await render()
        page = _Page(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        if cacheable:
            dataplane.pages.put(key, stamp, page)
    return _page(request, page.body, media_type, page.etag)


def _page(request: Request, body: bytes, media_type: str, etag: str) -> Response:
    headers = {"ETag": etag, "Vary": "Accept, Authorization", "Cache-Control": "private, no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":  # the headers GET would send, Content-Length included
        headers["Content-Length"] = str(len(body))
        return Response(b"", media_type=media_type, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _not_acceptable() -> Response:
    return PlainTextResponse(
        "None of the Accept types is served; use application/vnd.pypi.simple.v1+json, "
        "application/vnd.pypi.simple.v1+html or text/html\n",
        status_code=406,
    )


async def simple_root(request: Request) -> Response:
    try:
        repo = await _reader(request)
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            return _not_acceptable()

        async def render() -> tuple[bytes, bool]:
            names = await services_of(request).artifacts.project_names(repo, PackageFormat.PYPI)
            json_page = media_type.endswith("json")
            return (render_root_json(names) if json_page else render_root_html(names)), True

        return await _cached_page(request, repo, media_type, render)
    except Exception as error:  # one place renders every error in the clients' dialect
        return error_response(error)


async def simple_project(request: Request) -> Response:
    try:
        repo = await _reader(request)
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            return _not_acceptable()
        project = request.path_params["project"]
        if project != normalize(project):
            return _redirect(request, f"{_base_path(request)}/simple/{normalize(project)}/")
        key = PackageKey(PackageFormat.PYPI, "", project)

        async def render() -> tuple[bytes, bool]:
            listing, local = await services_of(request).resolver.listing(repo, key)
            index = project_index(listing, f"{_base_path(request)}/simple/{project}")
            json_page = media_type.endswith("json")
            return (render_project_json(index) if json_page else render_project_html(index)), local

        return await _cached_page(request, repo, media_type, render)
    except Exception as error:
        return error_response(error)


async def project_file(request: Request) -> Response:
    try:
        repo = await _reader(request)
        params = request.path_params
        filename: str = params["filename"]
        wants_metadata = filename.endswith(".metadata")
        asset_name = filename.removesuffix(".metadata") if wants_metadata else filename
        key = PackageKey(PackageFormat.PYPI, "", normalize(params["project"]))
        services = services_of(request)
        asset = await services.resolver.asset(
            repo, key, canonical_version(params["version"]), asset_name
        )
        if not wants_metadata:
            return await blob_response(
                request, services, asset.sha256, filename=asset.name, media_type=_media(asset.name)
            )
        if asset.metadata_sha256 is None:
            return PlainTextResponse(f"{asset.name} has no core metadata file\n", 404)
        return await blob_response(
            request, services, asset.metadata_sha256, filename=filename, media_type="text/plain"
        )
    except Exception as error:
        return error_response(error)


def _media(filename: str) -> str:
    if filename.endswith((".whl", ".zip")):
        return "application/zip"
    if filename.endswith(".tar.gz"):
        return "application/gzip"
    return "application/octet-stream"


def _redirect(request: Request, path: str) -> Response:
    query = request.url.query
    return RedirectResponse(path + (f"?{query}" if query else ""), status_code=301)


async def add_slash(request: Request) -> Response:
    return _redirect(request, request.url.path + "/")


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as handle:
        while chunk := await handle.read(CHUNK):
            yield chunk


async def upload(request: Request) -> Response:
    """The legacy upload API (``POST`` multipart, ``:action=file_upload``)."""
    services = services_of(request)
    try:
        endpoint = parse_endpoint(request)
        client = request.client.host if request.client else None
        caller = await services.dataplane.authenticate(
            token_from(request), endpoint.domain, endpoint.owner, source_ip=client
        )
        spooled = await parse_upload(
            request.headers.get("content-type"),
            request.stream(),
            tmp_dir=services.settings.data_dir / "tmp" / "uploads",
            max_file_size=services.settings.max_asset_size,
        )
    except Exception as error:
        return error_response(error)
    try:
        if spooled.field(":action") == "submit":
            return PlainTextResponse(
                "Project pre-registration is not needed; upload your files instead\n", 410
            )
        prepared = await anyio.to_thread.run_sync(prepare_upload, spooled)
        repo = await services.dataplane.authorize(
            caller,
            endpoint.domain,
            endpoint.owner,
            endpoint.repository,
            Action.PUBLISH_PACKAGE_VERSION,
            package=prepared.key,
        )
        assert spooled.path is not None  # noqa: S101 - prepare_upload requires the file part
        await services.publishing.publish_asset(
            repo,
            AssetUpload(
                key=prepared.key,
                display_name=prepared.display_name,
                version=prepared.version,
                canonical_version=prepared.canonical_version,
                filename=prepared.filename,
                content=_chunks(spooled.path),
                metadata=prepared.metadata,
                core_metadata=prepared.core_metadata,
                expected_sha256=spooled.sha256,
            ),
        )
        return PlainTextResponse("OK\n")
    except Exception as error:
        return error_response(error)
    finally:
        spooled.discard()


def pypi_routes() -> list[BaseRoute]:
    read = ["GET", "HEAD"]
    return [
        Route(f"{BASE}/", upload, methods=["POST"]),
        Route(BASE, upload, methods=["POST"]),
        Route(f"{BASE}/simple", add_slash, methods=read),
        Route(f"{BASE}/simple/", simple_root, methods=read),
        Route(f"{BASE}/simple/{{project}}", add_slash, methods=read),
        Route(f"{BASE}/simple/{{project}}/", simple_project, methods=read),
        Route(f"{BASE}/simple/{{project}}/{{version}}/{{filename}}", project_file, methods=read),
        # hatch looks for files already published at `<repository>/+simple/<name>/`
        Route(f"{BASE}/+simple/{{project}}/", simple_project, methods=read),
    ]
