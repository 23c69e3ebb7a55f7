"""The web console in a real browser: headless Debian ``chromium`` driven by playwright.

No browser is downloaded: playwright launches the system's ``chromium`` (``scripts/ensure-chromium``
installs it; ``.ci/run`` calls that script). A missing chromium fails these tests, it never
skips them.

The story: an administrator publishes a package with twine, signs in to the console, browses
domain → repository → package → version, copies the pip snippet with the page's Copy button and
runs it with real pip (the token goes where the snippet says, in ``$CODEARTIFACT_TOKEN``), then
archives the version in the console and sees it leave ``simple/``. A user whose policies cover
another domain sees neither the repository nor its packages.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from support.iam import create_user, identity_policy
from support.pypi_clients import (
    SIMPLE_JSON,
    PypiRepo,
    PythonClients,
    create_pypi_repo,
    tool,
    uv_build,
    write_uv_project,
)
from support.server import CofferServer

pytestmark = pytest.mark.e2e

PASSWORD = "console password for the e2e suite"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
README = "# Web Lib\n\nA library published by **twine** and shown by the console.\n"


def chromium_executable() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail(
            "chromium is not installed; run scripts/ensure-chromium "
            "(apt-get install -y chromium) — playwright uses the system browser here"
        )
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    home = tmp_path_factory.mktemp("chromium-home")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_executable(),
            args=LAUNCH_ARGS,
            env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        )
        try:
            yield launched
        finally:
            launched.close()


def set_password(server: CofferServer, account_id: str, user: str) -> None:
    out = server.admin(
        "set-password", "--account", account_id, user, "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert "Console password set" in out


def sign_in(page: Page, server: CofferServer, account_id: str, user: str) -> None:
    page.goto(f"{server.url}/ui/")
    expect(page).to_have_url(f"{server.url}/ui/sign-in")
    page.get_by_label("Account ID").fill(account_id)
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Domains")).to_be_visible()


def publish(clients: PythonClients, repo: PypiRepo, tmp_path: Path, version: str) -> None:
    project = write_uv_project(tmp_path / f"web-lib-{version}", "web-lib", version, readme=README)
    dists = uv_build(clients, project)
    clients.tool(
        "twine", "upload", "--non-interactive", "--disable-progress-bar",
        "--repository-url", repo.endpoint, "-u", "aws", "-p", repo.token,
        *[str(project / "dist" / name) for name in dists],
    )  # fmt: skip


def simple_versions(repo: PypiRepo, project: str) -> list[str]:
    response = repo.get(f"simple/{project}/", headers={"Accept": SIMPLE_JSON})
    assert response.status_code == 200, response.text
    return list(response.json()["versions"])


def test_browse_install_and_archive_in_the_browser(
    browser: Browser,
    coffer_server: CofferServer,
    ca: Any,
    unique_name: str,
    tmp_path: Path,
) -> None:
    repo = create_pypi_repo(ca, coffer_server, unique_name, "team")
    clients = PythonClients(tmp_path / "clients")
    publish(clients, repo, tmp_path, "1.0.0")
    publish(clients, repo, tmp_path, "1.1.0")
    assert simple_versions(repo, "web-lib") == ["1.0.0", "1.1.0"]
    account = coffer_server.account_id
    set_password(coffer_server, account, "admin")

    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=coffer_server.url)
    page = context.new_page()
    sign_in(page, coffer_server, account, "admin")
    # The worker's server holds every test's domains (50 to a page): open this one by name.
    page.get_by_label("Domain name").fill(unique_name)
    page.get_by_role("button", name="Open").click()
    page.get_by_role("link", name="team", exact=True).click()
    expect(page.get_by_role("heading", name="team")).to_be_visible()
    page.get_by_role("link", name="web-lib", exact=True).click()
    page.get_by_role("link", name="1.1.0", exact=True).click()

    expect(page.locator(".readme strong")).to_have_text("twine")
    expect(page.locator("#files")).to_contain_text("web_lib-1.1.0-py3-none-any.whl")
    page.locator("#snippet-pip button.copy").click()
    expect(page.locator("#snippet-pip button.copy")).to_have_text("Copied")
    snippet = page.evaluate("navigator.clipboard.readText()")
    assert snippet == page.locator("#snippet-pip code").inner_text()
    assert snippet.startswith('pip install --index-url "http://aws:${CODEARTIFACT_TOKEN}@127.0.0.1')
    assert snippet.endswith(" web-lib==1.1.0")

    # Run it as a user would, with pip in place of "pip" and the token in the variable.
    target = clients.new_venv()
    pip = f"{tool('pip')} --python {target}"
    command = snippet.replace("pip ", f"{pip} ", 1)
    clients.run(["bash", "-c", command], env={"CODEARTIFACT_TOKEN": repo.token})
    assert clients.python(target, "import web_lib; print(web_lib.VALUE)") == "1"

    page.locator("#status-form select").select_option("Archived")
    page.get_by_role("button", name="Save status").click()
    expect(page.locator("h1 .status")).to_have_text("Archived")
    assert simple_versions(repo, "web-lib") == ["1.0.0"]
    context.close()


def test_a_user_without_permission_sees_neither_repository_nor_packages(
    browser: Browser,
    coffer_server: CofferServer,
    ca: Any,
    unique_name: str,
    tmp_path: Path,
) -> None:
    repo = create_pypi_repo(ca, coffer_server, unique_name, "private")
    publish(PythonClients(tmp_path / "clients"), repo, tmp_path, "1.0.0")
    account = coffer_server.account_id
    other_domain = unique_name + "x"
    ca.create_domain(domain=other_domain)
    policy = identity_policy(
        "codeartifact:*",
        resource=f"arn:aws:codeartifact:us-east-1:{account}:*/{other_domain}*",
    )
    user = create_user(coffer_server, account, tmp_path / "users", policy=policy)
    set_password(coffer_server, account, user.name)

    context = browser.new_context()
    page = context.new_page()
    sign_in(page, coffer_server, account, user.name)
    expect(page.get_by_role("link", name=unique_name)).to_have_count(0)
    base = f"{coffer_server.url}/ui/domains/{account}/{unique_name}"
    for path in ("/", "/private/", "/private/pypi/web-lib/", "/private/pypi/web-lib/1.0.0/"):
        response = page.goto(base + path)
        assert response is not None
        assert response.status == 403, path
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("web_lib-1.0.0")
    page.goto(f"{base}/-/search?q=web")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    context.close()
    assert httpx.get(f"{coffer_server.url}/ui/", follow_redirects=False).status_code == 303


def test_set_password_asks_twice_and_refuses_bad_input(
    coffer_server: CofferServer, tmp_path: Path
) -> None:
    account = coffer_server.account_id
    user = create_user(coffer_server, account, tmp_path / "users")
    prompted = coffer_server.admin_run(
        "set-password", "--account", account, user.name, stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert prompted.returncode == 0, prompted.stderr
    assert "Console password set" in prompted.stdout
    mismatch = coffer_server.admin_run(
        "set-password", "--account", account, user.name, stdin="first one!\nsecond one\n"
    )
    assert mismatch.returncode == 1
    assert "The two entered values do not match" in mismatch.stdout + mismatch.stderr
    short = coffer_server.admin_run(
        "set-password", "--account", account, user.name, "--password-stdin", stdin="short\n"
    )
    assert short.returncode == 1
    assert "A console password must have 8 to 1024 characters" in short.stderr
    unknown = coffer_server.admin_run(
        "set-password", "--account", account, "nobody-here", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert unknown.returncode == 1
    assert f"User nobody-here does not exist in account {account}" in unknown.stderr
