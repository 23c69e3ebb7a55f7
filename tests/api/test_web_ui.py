"""The web console in-process: sign-in, sessions, CSRF, authorization, pages and forms.

Browsers are played by ``httpx`` with a cookie jar; the pages' own forms supply the CSRF token
(``Console.post`` reads it from the last page, as a browser submits what the page holds).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from coffer.services import Services
from coffer.web.session import SessionCodec, WebSession
from support.dists import build_wheel, wheel_filename

pytestmark = pytest.mark.anyio

BASE_URL = "http://coffer.test"
PASSWORD = "correct horse battery staple"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Console:
    """One browser: a cookie jar and the CSRF token of the last form it saw."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.token: str | None = None

    def _saw(self, response: httpx.Response) -> httpx.Response:
        found = CSRF.search(response.text)
        if found:
            self.token = html.unescape(found.group(1))
        return response

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._saw(await self.http.get(path, **kwargs))

    def csrf(self) -> str:
        """The token of the forms on the last page that had one."""
        assert self.token, "no page with a form was seen"
        return self.token

    async def post(
        self, path: str, data: dict[str, str], *, csrf: str | None = None
    ) -> httpx.Response:
        form = {"csrf": self.csrf() if csrf is None else csrf, **data}
        return self._saw(await self.http.post(path, data=form))

    async def sign_in(self, account: str, user: str, password: str = PASSWORD) -> httpx.Response:
        await self.get("/ui/sign-in")
        return await self.post(
            "/ui/sign-in", {"account": account, "user_name": user, "password": password}
        )


@pytest.fixture
async def browser(app: Starlette) -> AsyncIterator[Console]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("198.51.100.7", 5000)), base_url=BASE_URL
    ) as http:
        yield Console(http)


@pytest.fixture
async def other_browser(app: Starlette) -> AsyncIterator[Console]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("198.51.100.8", 5000)), base_url=BASE_URL
    ) as http:
        yield Console(http)


@pytest.fixture
async def admin_console(browser: Console, services: Services, admin: Any) -> Console:
    await services.console.set_password(admin.account_id, "admin", PASSWORD)
    response = await browser.sign_in(admin.account_id, "admin")
    assert response.status_code == 303, response.text
    return browser


class Repo:
    """Domain ``acme``, repository ``main``, and a token to publish and install with."""

    def __init__(self, ca: Any, token: str, owner: str) -> None:
        self.http: httpx.AsyncClient = ca.http
        self.owner = owner
        self.auth = {"Authorization": "Basic " + base64.b64encode(f"aws:{token}".encode()).decode()}
        self.endpoint = f"/acme-{owner}/pypi/main/"
        self.ui = f"/ui/domains/{owner}/acme/main/"

    async def upload(self, name: str, version: str, **wheel: Any) -> None:
        content = build_wheel(name, version, **wheel)
        response = await self.http.post(
            self.endpoint,
            headers=self.auth,
            data={":action": "file_upload", "name": name, "version": version,
                  "filetype": "bdist_wheel", "pyversion": "py3", "protocol_version": "1"},
            files={"content": (wheel_filename(name, version), content)},
        )  # fmt: skip
        assert response.status_code == 200, response.text

    async def simple_versions(self, project: str) -> list[str]:
        reply = await self.http.get(
            f"{self.endpoint}simple/{project}/", headers={**self.auth, "Accept": SIMPLE_JSON}
        )
        assert reply.status_code == 200, reply.text
        return list(reply.json()["versions"])

    async def yanked(self, project: str) -> set[str]:
        reply = await self.http.get(
            f"{self.endpoint}simple/{project}/", headers={**self.auth, "Accept": SIMPLE_JSON}
        )
        return {file["filename"] for file in reply.json()["files"] if file.get("yanked")}


@pytest.fixture
async def repo(ca: Any, admin: Any) -> Repo:
    await ca.create_domain(admin, "acme")
    await ca.create_repository(admin, "acme", "main")
    reply = await ca.ok("POST", "/v1/authorization-token", query={"domain": "acme"}, creds=admin)
    return Repo(ca, reply["authorizationToken"], admin.account_id)


def text_of(page: str) -> str:
    """The page's text, tags removed, whitespace collapsed (what a reader sees)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# ------------------------------------------------------------------------------- sign-in


async def test_pages_need_a_signed_in_user(browser: Console) -> None:
    response = await browser.get("/ui/domains/111122223333/acme/")
    assert response.status_code == 303
    assert (
        response.headers["location"] == "/ui/sign-in?next=%2Fui%2Fdomains%2F111122223333%2Facme%2F"
    )
    cookie = response.headers["set-cookie"]  # every visitor gets a session (for its CSRF token)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/ui" in cookie
    assert "Secure" not in cookie  # plain http here; see the https test below


async def test_sign_in_goes_back_where_the_user_was_headed(
    browser: Console, services: Services, admin: Any, repo: Repo
) -> None:
    await services.console.set_password(admin.account_id, "admin", PASSWORD)
    await browser.get(f"/ui/sign-in?next={repo.ui}")
    response = await browser.post(
        "/ui/sign-in",
        {"account": admin.account_id, "user_name": "admin", "password": PASSWORD,
         "next": repo.ui},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == repo.ui
    page = await browser.get(repo.ui)
    assert page.status_code == 200
    assert "<h1>main</h1>" in page.text


async def test_sign_in_never_redirects_off_the_console(
    browser: Console, services: Services, admin: Any
) -> None:
    await services.console.set_password(admin.account_id, "admin", PASSWORD)
    await browser.get("/ui/sign-in")
    response = await browser.post(
        "/ui/sign-in",
        {"account": admin.account_id, "user_name": "admin", "password": PASSWORD,
         "next": "//evil.example/ui/"},
    )  # fmt: skip
    assert response.headers["location"] == "/ui/"


async def test_a_wrong_password_is_refused_with_one_message_for_every_cause(
    browser: Console, services: Services, admin: Any, users: Any
) -> None:
    await services.console.set_password(admin.account_id, "admin", PASSWORD)
    await users.create("nopassword")
    for account, user, password in [
        (admin.account_id, "admin", "wrong password"),
        (admin.account_id, "nopassword", PASSWORD),  # a user without a console password
        (admin.account_id, "nobody", PASSWORD),
        ("999999999999", "admin", PASSWORD),
    ]:
        response = await browser.sign_in(account, user, password)
        assert response.status_code == 401
        assert "The account, user name or password is not correct" in response.text
    assert (await browser.get("/ui/")).status_code == 303  # still signed out


async def test_sign_in_is_rate_limited_per_user_and_address(
    browser: Console, other_browser: Console, services: Services, admin: Any
) -> None:
    await services.console.set_password(admin.account_id, "admin", PASSWORD)
    for _ in range(5):
        assert (await browser.sign_in(admin.account_id, "admin", "guess")).status_code == 401
    refused = await browser.sign_in(admin.account_id, "admin", PASSWORD)  # even the right one
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "Too many failed sign-ins; try again in" in text_of(refused.text)
    # Another address is counted apart, so an attacker cannot lock the real user out.
    assert (await other_browser.sign_in(admin.account_id, "admin")).status_code == 303


async def test_concurrent_guesses_cannot_slip_past_the_limit(
    browser: Console, services: Services, admin: Any
) -> None:
    await services.console.set_password(admin.account_id, "admin", PASSWORD)
    await browser.get("/ui/sign-in")
    form = {"account": admin.account_id, "user_name": "admin", "password": "guess"}
    answers = await asyncio.gather(*(browser.post("/ui/sign-in", form) for _ in range(12)))
    assert sorted(answer.status_code for answer in answers) == [401] * 5 + [429] * 7


async def test_sign_out_ends_the_session(admin_console: Console) -> None:
    assert (await admin_console.get("/ui/")).status_code == 200
    response = await admin_console.post("/ui/sign-out", {})
    assert response.status_code == 303
    assert (await admin_console.get("/ui/")).status_code == 303


async def test_setting_a_new_password_ends_open_sessions(
    admin_console: Console, services: Services, admin: Any
) -> None:
    assert (await admin_console.get("/ui/")).status_code == 200
    await services.console.set_password(admin.account_id, "admin", "a brand new password")
    assert (await admin_console.get("/ui/")).status_code == 303


async def test_deleting_the_user_ends_the_session(
    browser: Console, services: Services, users: Any
) -> None:
    carol = await users.create("carol")
    await services.console.set_password(carol.account_id, "carol", PASSWORD)
    assert (await browser.sign_in(carol.account_id, "carol")).status_code == 303
    assert (await browser.get("/ui/")).status_code == 200
    await services.iam.delete_user(carol.account_id, "carol")
    assert (await browser.get("/ui/")).status_code == 303


async def test_a_tampered_session_cookie_is_no_session(
    admin_console: Console, services: Services, users: Any
) -> None:
    cookie = admin_console.http.cookies["coffer_session"]
    eve = await users.create("eve")
    eve_id = (await services.iam.get_user(eve.account_id, "eve")).user_id
    await services.console.set_password(eve.account_id, "eve", PASSWORD)
    # A session claiming to be eve, signed with a key that is not the server's.
    forger = SessionCodec([b"not the server key"])
    forged = forger.dump(WebSession("csrf", eve.account_id, eve_id, "stamp"))
    # The admin's own cookie with one character of its payload changed.
    flipped = ("A" if cookie[1] != "A" else "B").join((cookie[:1], cookie[2:]))
    for value in (forged, flipped, "garbage", ""):
        admin_console.http.cookies.clear()
        admin_console.http.cookies.set("coffer_session", value, domain="coffer.test", path="/ui")
        response = await admin_console.get("/ui/")
        assert response.status_code == 303, value
        assert response.headers["location"] == "/ui/sign-in"
    admin_console.http.cookies.clear()
    admin_console.http.cookies.set("coffer_session", cookie, domain="coffer.test", path="/ui")
    assert (await admin_console.get("/ui/")).status_code == 200  # the genuine one still works


async def test_https_sessions_are_secure_cookies(app: Starlette) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://coffer.test"
    ) as http:
        response = await http.get("/ui/sign-in")
    assert "Secure" in response.headers["set-cookie"]


# ---------------------------------------------------------------------------------- CSRF


async def test_a_post_without_the_session_csrf_token_is_refused(
    admin_console: Console, repo: Repo
) -> None:
    await repo.upload("lib-a", "1.0")
    page = f"{repo.ui}pypi/lib-a/1.0/"
    await admin_console.get(page)
    for token in ("", "not-the-token", "ünïcode"):
        refused = await admin_console.post(page + "-/status", {"status": "Archived"}, csrf=token)
        assert refused.status_code == 403
        assert "The form has expired or came from another site" in refused.text
    assert await repo.simple_versions("lib-a") == ["1.0"]
    broken = await admin_console.http.post(
        page + "-/status",
        content=b"--x\r\nnot a part",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert broken.status_code == 400
    assert "The form could not be read" in broken.text
    # A form from before signing in carries the anonymous session's token: also refused.
    assert (await admin_console.post("/ui/sign-out", {}, csrf="stale")).status_code == 403


async def test_the_sign_in_form_needs_its_csrf_token(
    browser: Console, services: Services, admin: Any
) -> None:
    await services.console.set_password(admin.account_id, "admin", PASSWORD)
    response = await browser.http.post(
        "/ui/sign-in",
        data={"account": admin.account_id, "user_name": "admin", "password": PASSWORD},
    )
    assert response.status_code == 403
    assert (await browser.get("/ui/")).status_code == 303


# ------------------------------------------------------------------------- pages, headers


async def test_browse_from_domains_to_a_version(admin_console: Console, repo: Repo) -> None:
    readme = "# Lib A\n\nA *useful* library.\n"
    extra = "Requires-Python: >=3.9\nRequires-Dist: six>=1.0\nLicense: MIT\n"
    await repo.upload("Lib_A", "1.2.0", description=readme, metadata_extra=extra)
    home = await admin_console.get("/ui/")
    assert f'href="/ui/domains/{repo.owner}/acme/"' in home.text
    domain = await admin_console.get(f"/ui/domains/{repo.owner}/acme/")
    assert f'href="{repo.ui}"' in domain.text
    repository = await admin_console.get(repo.ui)
    assert f'href="{repo.ui}pypi/lib-a/"' in repository.text
    assert f"http://coffer.test{repo.endpoint}" in repository.text
    package = await admin_console.get(f"{repo.ui}pypi/lib-a/")
    assert f'href="{repo.ui}pypi/lib-a/1.2.0/"' in package.text
    version = await admin_console.get(f"{repo.ui}pypi/lib-a/1.2.0/")
    assert version.status_code == 200
    shown = text_of(version.text)
    assert "<em>useful</em>" in version.text
    wheel = build_wheel("Lib_A", "1.2.0", description=readme, metadata_extra=extra)
    assert f"sha256:{hashlib.sha256(wheel).hexdigest()}" in shown
    assert wheel_filename("Lib_A", "1.2.0") in shown
    assert ">=3.9" in shown
    assert "six>=1.0" in shown
    assert "Published" in shown
    assert "internal" in shown
    index = f"http://aws:${{CODEARTIFACT_TOKEN}}@coffer.test{repo.endpoint}simple/"
    assert f'pip install --index-url "{index}" Lib_A==1.2.0' in shown
    assert f"uv add --index artifact=http://coffer.test{repo.endpoint}simple/ Lib_A==1.2.0" in shown
    assert "poetry add --source artifact Lib_A==1.2.0" in shown
    assert "aws codeartifact get-authorization-token --domain acme" in shown


async def test_open_a_domain_by_name(admin_console: Console, repo: Repo) -> None:
    opened = await admin_console.get("/ui/-/domain?domain=acme")
    assert opened.headers["location"] == f"/ui/domains/{repo.owner}/acme/"
    other = await admin_console.get("/ui/-/domain?domain=theirs&owner=111122223333")
    assert other.headers["location"] == "/ui/domains/111122223333/theirs/"


async def test_pages_carry_a_content_security_policy(admin_console: Console, repo: Repo) -> None:
    for path in ("/ui/", "/ui/sign-in", repo.ui, f"{repo.ui}pypi/missing/"):
        response = await admin_console.get(path)
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"


async def test_a_hostile_readme_is_shown_without_anything_that_runs(
    admin_console: Console, repo: Repo
) -> None:
    hostile = (
        "# Hello\n\n<script>alert('x')</script>\n\n<img src=x onerror=\"alert('y')\">\n\n"
        "[click](javascript:alert('z'))\n\n<iframe src=\"https://evil.example\"></iframe>\n\n"
        '<style>body{display:none}</style>\n\n<p style="position:fixed" onclick="go()">hi</p>\n\n'
        '<a href="javascript:alert(1)">raw link</a> <a href="https://example.com">fine</a>\n'
    )
    await repo.upload("hostile-readme", "1.0", description=hostile)
    page = (await admin_console.get(f"{repo.ui}pypi/hostile-readme/1.0/")).text
    readme = page.split('<article class="readme">', 1)[1].split("</article>", 1)[0]
    assert "<h1>Hello</h1>" in readme
    for forbidden in ("<script", "onerror", "onclick", "<iframe", "<style", "style="):
        assert forbidden not in readme.lower(), forbidden
    assert not re.search(r"href=[\"']?\s*javascript", readme, re.IGNORECASE)
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">fine</a>' in readme
    assert "<script" not in page.split("<main>", 1)[1]


async def test_unknown_things_are_not_found(admin_console: Console, repo: Repo) -> None:
    for path in (
        f"/ui/domains/{repo.owner}/nowhere/",
        f"{repo.ui}pypi/missing/",
        f"{repo.ui}pypi/missing/1.0/",
        f"{repo.ui}cobol/missing/",
    ):
        response = await admin_console.get(path)
        assert response.status_code == 404, path
        assert "Not found" in response.text


# ---------------------------------------------------------------------------- authorization


async def test_a_user_without_permission_sees_neither_the_repository_nor_its_packages(
    repo: Repo, browser: Console, services: Services, users: Any, ca: Any, admin: Any
) -> None:
    await repo.upload("secret-lib", "1.0")
    await ca.create_domain(admin, "elsewhere")
    # Everything, but only in another domain: not acme's repositories or packages.
    bob = await users.create(
        "bob",
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "codeartifact:*",
         "Resource": [f"arn:aws:codeartifact:us-east-1:{admin.account_id}:*/elsewhere*"]}]},
    )  # fmt: skip
    await services.console.set_password(bob.account_id, "bob", PASSWORD)
    assert (await browser.sign_in(bob.account_id, "bob")).status_code == 303
    home = await browser.get("/ui/")
    assert "acme" not in home.text
    # Each page answers "Not allowed", and exactly as it does for a name that does not exist:
    # nothing is learnt about what is there.
    pairs = [
        (f"/ui/domains/{repo.owner}/acme/", f"/ui/domains/{repo.owner}/nodomain/"),
        (repo.ui, f"/ui/domains/{repo.owner}/acme/norepo/"),
        (f"{repo.ui}pypi/secret-lib/", f"{repo.ui}pypi/nopackage/"),
        (f"{repo.ui}pypi/secret-lib/1.0/", f"{repo.ui}pypi/nopackage/1.0/"),
        (f"/ui/domains/{repo.owner}/acme/-/search?q=secret",
         f"/ui/domains/{repo.owner}/nodomain/-/search?q=secret"),
    ]  # fmt: skip
    for existing, missing in pairs:
        shown = await browser.get(existing)
        assert shown.status_code == 403, existing
        assert "Not allowed" in shown.text
        absent = await browser.get(missing)
        assert absent.status_code == 403, missing
        absent_text = absent.text
        for a, b in (("acme", "nodomain"), ("main", "norepo"), ("secret-lib", "nopackage")):
            absent_text = absent_text.replace(b, a)
        assert _without_csrf(shown.text) == _without_csrf(absent_text)
    # Forms are refused the same way, and change nothing.
    await browser.get("/ui/")
    refused = await browser.post(f"{repo.ui}pypi/secret-lib/1.0/-/status", {"status": "Archived"})
    assert refused.status_code == 403
    assert await repo.simple_versions("secret-lib") == ["1.0"]


async def test_search_shows_only_repositories_the_user_may_read(
    repo: Repo, browser: Console, services: Services, users: Any, ca: Any, admin: Any
) -> None:
    await ca.create_repository(admin, "acme", "hidden")
    await repo.upload("shared-tool", "1.0")
    hidden = Repo(ca, repo.auth["Authorization"], admin.account_id)  # same token, other repo
    hidden.auth = repo.auth
    hidden.endpoint = f"/acme-{admin.account_id}/pypi/hidden/"
    await hidden.upload("shared-tool", "2.0")
    await hidden.upload("hidden-tool", "1.0")
    arn = f"arn:aws:codeartifact:us-east-1:{admin.account_id}"
    dana = await users.create(
        "dana",
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "codeartifact:ListRepositoriesInDomain",
             "Resource": f"{arn}:domain/acme"},
            {"Effect": "Allow", "Action": "codeartifact:*",
             "Resource": [f"{arn}:repository/acme/main", f"{arn}:package/acme/main/*"]}]},
    )  # fmt: skip
    await services.console.set_password(dana.account_id, "dana", PASSWORD)
    assert (await browser.sign_in(dana.account_id, "dana")).status_code == 303
    found = await browser.get(f"/ui/domains/{repo.owner}/acme/-/search?q=TOOL")
    assert found.status_code == 200
    rows = re.findall(r'href="(/ui/domains/[^"]+)">([^<]+)</a></td>', found.text)
    assert rows == [(f"{repo.ui}pypi/shared-tool/", "shared-tool")]


def _without_csrf(page: str) -> str:
    return CSRF.sub("", page)


# ---------------------------------------------------------------------------- pagination


async def test_packages_are_listed_page_by_page(
    admin_console: Console, repo: Repo, services: Services, admin: Any
) -> None:
    from coffer.domain.packages import OriginRestrictions, PackageFormat
    from coffer.iam.principal import Caller
    from coffer.services.packages import PackageAddress

    names = [f"pkg-{index:03d}" for index in range(120)]
    principal = await _principal(services, admin)
    for name in names:
        await services.packages.put_origin_configuration(
            Caller(principal),
            PackageAddress("acme", None, "main", PackageFormat.PYPI, None, name),
            OriginRestrictions(),
        )
    seen: list[str] = []
    path: str | None = repo.ui
    pages = 0
    while path is not None:
        page = await admin_console.get(path)
        assert page.status_code == 200
        listed = re.findall(r'<a href="[^"]+/pypi/([^/"]+)/">', page.text)
        assert len(listed) <= 50
        seen += listed
        pages += 1
        after = re.search(r'rel="next" href="([^"]+)"', page.text)
        path = html.unescape(after.group(1)) if after else None
    assert seen == names
    assert pages == 3


async def _principal(services: Services, admin: Any) -> Any:
    from coffer.iam.principal import Principal

    user = await services.iam.get_user(admin.account_id, "admin")
    return Principal(admin.account_id, user.user_id, "admin")


# --------------------------------------------------------------------------------- forms


async def test_changing_a_version_status_takes_it_out_of_simple(
    admin_console: Console, repo: Repo
) -> None:
    await repo.upload("lib-s", "1.0")
    await repo.upload("lib-s", "2.0")
    assert await repo.simple_versions("lib-s") == ["1.0", "2.0"]
    page = f"{repo.ui}pypi/lib-s/2.0/"
    await admin_console.get(page)
    response = await admin_console.post(page + "-/status", {"status": "Archived"})
    assert response.status_code == 303
    assert response.headers["location"] == page
    assert await repo.simple_versions("lib-s") == ["1.0"]
    shown = text_of((await admin_console.get(page)).text)
    assert "lib-s 2.0 Archived" in shown
    # Unlisted: listed as yanked (PEP 592), so only a pinned install still finds it.
    await admin_console.post(page + "-/status", {"status": "Unlisted"})
    assert await repo.simple_versions("lib-s") == ["1.0", "2.0"]
    assert await repo.yanked("lib-s") == {wheel_filename("lib-s", "2.0")}
    await admin_console.post(page + "-/status", {"status": "Published"})
    assert await repo.yanked("lib-s") == set()
    refused = await admin_console.post(page + "-/status", {"status": "Disposed"})
    assert refused.status_code == 400


async def test_create_a_repository_and_edit_its_upstreams(
    admin_console: Console, repo: Repo
) -> None:
    domain = f"/ui/domains/{repo.owner}/acme/"
    await admin_console.get(domain)
    created = await admin_console.post(
        domain + "-/repositories", {"name": "team", "description": "Team", "upstreams": "main"}
    )
    assert created.status_code == 303
    team = f"{domain}team/"
    assert created.headers["location"] == team
    page = await admin_console.get(team)
    assert f'<a href="{domain}main/">main</a>' in page.text
    await admin_console.post(team + "-/upstreams", {"upstreams": ""})
    page = await admin_console.get(team)
    assert "No upstream repositories." in page.text
    bad = await admin_console.post(domain + "-/repositories", {"name": "-bad"})
    assert bad.status_code == 400


async def test_set_a_package_origin_controls(admin_console: Console, repo: Repo) -> None:
    await repo.upload("lib-o", "1.0")
    package = f"{repo.ui}pypi/lib-o/"
    await admin_console.get(package)
    response = await admin_console.post(
        package + "-/origin", {"publish": "BLOCK", "upstream": "ALLOW"}
    )
    assert response.status_code == 303
    shown = text_of((await admin_console.get(package)).text)
    assert "Publish BLOCK" in shown
    assert "Upstream ALLOW" in shown


async def test_set_and_remove_the_external_connection(admin_console: Console, repo: Repo) -> None:
    await admin_console.get(repo.ui)
    form = repo.ui + "-/external-connection"
    assert (await admin_console.post(form, {"connection": "public:pypi"})).status_code == 303
    page = text_of((await admin_console.get(repo.ui)).text)
    assert "main → public:pypi" in page
    bad = await admin_console.post(form, {"connection": "public:nowhere"})
    assert bad.status_code == 400
    assert "Unknown external connection 'public:nowhere'" in text_of(bad.text)
    assert "main → public:pypi" in text_of((await admin_console.get(repo.ui)).text)  # kept
    assert (await admin_console.post(form, {"connection": ""})).status_code == 303
    assert "→ public:pypi" not in text_of((await admin_console.get(repo.ui)).text)


async def test_an_unknown_console_page_is_a_console_404(admin_console: Console) -> None:
    response = await admin_console.get("/ui/no/such/page")
    assert response.status_code == 404
    assert "There is no such page in the console" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]


async def test_links_work_for_versions_with_reserved_characters(
    admin_console: Console, repo: Repo
) -> None:
    await repo.upload("lib-l", "1.0+local.7")
    package = await admin_console.get(f"{repo.ui}pypi/lib-l/")
    [link] = re.findall(r'href="([^"]+/lib-l/[^"]+/)"', package.text)
    assert link == f"{repo.ui}pypi/lib-l/1.0%2Blocal.7/"
    version = await admin_console.get(html.unescape(link))
    assert version.status_code == 200
    assert "lib-l 1.0+local.7 Published" in text_of(version.text)
