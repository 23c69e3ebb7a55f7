"""The ``public:pypi`` external connection: any PEP 503/691 simple index, over HTTP.

The index may be pypi.org, an air-gapped mirror, or another Coffer's
``…/pypi/REPO/simple/`` with a token in the URL (``http://aws:TOKEN@host/…``). Project pages are
asked for as JSON first (PEP 691), HTML accepted; status codes map as::

    200  → RemoteProject (the page's files, its ETag)
    304  → NOT_MODIFIED (``etag`` still matches)
    404, 410 → None (no such project upstream)
    401, 403 → RemoteUnavailable (credentials refused)
    other → RemoteUnavailable

Redirects are followed (at most 5 with the shared client). Errors name the upstream by host.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Final

import httpx

from coffer.formats.pypi import is_valid_project_name, normalize
from coffer.remotes._http import DEFAULT_TIMEOUT, Upstream, host_of, new_client, translate_errors
from coffer.remotes._simple import PageError, ProjectPage, parse_html_page, parse_json_page
from coffer.services.external import NOT_MODIFIED, RemoteProject, RemoteUnavailable

__all__ = ["ACCEPT", "CHUNK_SIZE", "PyPIRemote"]

ACCEPT: Final = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)
CHUNK_SIZE: Final = 64 * 1024
_GONE: Final = frozenset({404, 410})
_DENIED: Final = frozenset({401, 403})
_JSON_TYPES: Final = frozenset(
    {
        "application/vnd.pypi.simple.v1+json",
        "application/vnd.pypi.simple.latest+json",
        "application/json",
    }
)


class PyPIRemote:
    """A simple index as a :class:`~coffer.services.external.RemoteIndex`.

    ``base_url`` is the index root (``https://pypi.org/simple/``); userinfo in it is sent as Basic
    auth to that origin only. Without ``client`` the remote makes (and :meth:`aclose` closes) its
    own; a shared client is closed by its owner.
    """

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.AsyncClient | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._upstream = Upstream.parse(base_url)
        self._client = client if client is not None else new_client()
        self._owns_client = client is None
        self._timeout = httpx.Timeout(timeout)

    @property
    def base_url(self) -> str:
        """The index URL without credentials."""
        return str(self._upstream.url)

    def __repr__(self) -> str:
        return f"PyPIRemote({self.base_url!r})"

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def project(self, name: str, *, etag: str | None = None) -> RemoteProject | str | None:
        if not is_valid_project_name(name):
            return None  # no index can have it, and it must not reach a URL path
        url = self._upstream.url.join(f"{normalize(name)}/")
        headers = {"Accept": ACCEPT, **({"If-None-Match": etag} if etag else {})}
        with translate_errors(self._upstream.host, f"project {name!r}"):
            response = await self._client.get(
                url,
                headers=headers,
                auth=self._upstream.auth_for(url),
                follow_redirects=True,
                timeout=self._timeout,
            )
        return _project_from(response, name, etag)

    async def stream(self, url: str) -> AsyncIterator[bytes]:
        target = _download_url(url)
        subject = f"file {_basename(target)!r}"
        with translate_errors(host_of(target), subject):
            async with self._client.stream(
                "GET",
                target,
                headers={"Accept-Encoding": "identity"},
                auth=self._upstream.auth_for(target),
                follow_redirects=True,
                timeout=self._timeout,
            ) as response:
                if response.status_code != 200:
                    raise _refused(response.status_code, subject, response.url)
                received = 0
                async for chunk in response.aiter_bytes(CHUNK_SIZE):
                    received += len(chunk)
                    yield chunk
                _check_complete(response, received, subject)


def _project_from(
    response: httpx.Response, name: str, etag: str | None
) -> RemoteProject | str | None:
    status = response.status_code
    if status == 304 and etag:
        return NOT_MODIFIED
    if status in _GONE:
        return None
    if status != 200:
        raise _refused(status, f"project {name!r}", response.url)
    page = _parse(response, name)
    return RemoteProject(
        name=page.name or name, files=page.files, etag=response.headers.get("ETag")
    )


def _parse(response: httpx.Response, name: str) -> ProjectPage:
    page_url = str(response.url.copy_with(userinfo=b""))
    media_type = response.headers.get("Content-Type", "").partition(";")[0].strip().lower()
    try:
        if media_type in _JSON_TYPES:
            return parse_json_page(response.content, page_url, name)
        return parse_html_page(response.text, page_url, name)
    except PageError as exc:
        raise RemoteUnavailable(
            f"Upstream {host_of(response.url)} sent an unusable page for project {name!r}: {exc}"
        ) from None


def _download_url(url: str) -> httpx.URL:
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL:
        raise RemoteUnavailable("Upstream file URL is not a valid URL") from None
    if target.scheme not in ("http", "https") or not target.host:
        raise RemoteUnavailable("Upstream file URL is not an absolute http(s) URL")
    return target


def _refused(status: int, subject: str, url: httpx.URL) -> RemoteUnavailable:
    hint = " (check the credentials in the connection URL)" if status in _DENIED else ""
    return RemoteUnavailable(f"Upstream {host_of(url)} answered HTTP {status} for {subject}{hint}")


def _basename(url: httpx.URL) -> str:
    return url.path.rpartition("/")[2][:200]


def _check_complete(response: httpx.Response, received: int, subject: str) -> None:
    """httpx raises on a body shorter than ``Content-Length`` from a real socket; this also
    catches transports that do not. Only unencoded bodies can be counted this way (we ask for
    ``identity``); for encoded ones the length applies to the bytes on the wire."""
    announced = response.headers.get("Content-Length", "")
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity") and announced.isdigit() and received < int(announced):
        raise RemoteUnavailable(
            f"Upstream {host_of(response.url)} sent {received} of {announced} bytes ({subject})"
        )
