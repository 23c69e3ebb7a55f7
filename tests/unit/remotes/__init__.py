"""Shared fakes for the upstream adapter tests: a recording ``httpx.MockTransport`` handler."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

import httpx

from coffer.remotes._http import new_client

Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class FakeUpstream:
    """Answers from a table of exact URLs (fragment dropped); 404 for anything else.

    Every request is recorded, so tests can look at the headers that were really sent.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Handler | httpx.Response] = {}
        self.requests: list[httpx.Request] = []

    def on(self, url: str, answer: Handler | httpx.Response) -> None:
        self.routes[url] = answer

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.routes.get(str(request.url))
        if answer is None:
            return httpx.Response(404, text="not here")
        if isinstance(answer, httpx.Response):
            return answer
        response = answer(request)
        return await response if inspect.isawaitable(response) else response

    def client(self) -> httpx.AsyncClient:
        """The client production builds, on this transport."""
        return new_client(transport=httpx.MockTransport(self))

    def authorization(self, index: int = -1) -> str | None:
        value: str | None = self.requests[index].headers.get("Authorization")
        return value


def redirect(location: str, status: int = 302) -> httpx.Response:
    return httpx.Response(status, headers={"Location": location})
