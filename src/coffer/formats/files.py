"""Serving stored blobs to package clients: zero-copy from disk where the store allows it,
streamed otherwise; ``Range`` and ``HEAD`` supported; immutable, validator-bearing headers.

With ``COFFER_BLOB_REDIRECT=1`` and a store that offers presigned URLs (S3), a download is a
``307`` to the store instead, valid for :data:`REDIRECT_EXPIRES` seconds: the bytes then flow
from the object store to the client, not through Coffer. The redirect itself is never cached."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from coffer.services import Services

__all__ = ["blob_response"]

CACHE_CONTROL = "private, max-age=31536000, immutable"
REDIRECT_EXPIRES = 600  # seconds a presigned download URL stays valid


class _File(FileResponse):
    """Reads 1 MiB at a time (Starlette's 64 KiB means 16 times the thread hops per file); a server
    offering ``http.response.pathsend`` sends the file zero-copy instead."""

    chunk_size = 1024 * 1024


def _headers(sha256: str) -> dict[str, str]:
    return {"ETag": f'"{sha256}"', "Cache-Control": CACHE_CONTROL, "Accept-Ranges": "bytes"}


async def blob_response(
    request: Request, services: Services, sha256: str, *, filename: str, media_type: str
) -> Response:
    headers = _headers(sha256)
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    if services.settings.blob_redirect:
        url = await services.blobs.redirect_url(
            sha256, filename=filename, expires_in=REDIRECT_EXPIRES
        )
        if url is not None:
            return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    path = services.blobs.local_path(sha256)
    if path is not None:
        return _File(
            path,
            media_type=media_type,
            headers=headers,
            filename=filename,
            content_disposition_type="attachment",
        )
    size = await services.blobs.size(sha256)
    headers["Content-Length"] = str(size)
    headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if request.method == "HEAD":
        return Response(status_code=200, headers=headers, media_type=media_type)
    stream: AsyncIterator[bytes] = await services.blobs.open_read(sha256)
    return StreamingResponse(stream, headers=headers, media_type=media_type)
