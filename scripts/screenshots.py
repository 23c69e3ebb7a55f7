"""Take the console screenshots in docs/ui/ (run through scripts/screenshots).

Reuses the test suite's helpers (``tests/support``): a real ``coffer serve`` on a free loopback
port, boto3 for the set-up, in-memory wheels published by legacy upload, and ``coffer admin
set-password`` for the console password.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from support.aws import codeartifact_client  # noqa: E402
from support.dists import build_wheel, metadata_text, wheel_filename  # noqa: E402
from support.pypi_clients import PypiRepo, create_pypi_repo  # noqa: E402
from support.server import CofferServer  # noqa: E402

OUT = ROOT / "docs" / "ui"
PASSWORD = "screenshots only"  # noqa: S105 - a throw-away server's console password
VIEWPORT = {"width": 1200, "height": 760}
README = """# sample-lib

Helpers for the **example** team: numbers, dates and a tiny HTTP client.

```python
import sample_lib
print(sample_lib.PI)
```

| Feature | Since |
|---|---|
| `PI` | 0.1 |
| `today()` | 0.2 |
"""
PACKAGES = [
    ("sample-lib", "0.1.0", "Helpers for the example team"),
    ("sample-lib", "0.2.0", "Helpers for the example team"),
    ("acme-billing", "3.4.1", "Invoices and payment runs"),
    ("acme-auth", "1.0.0", "Single sign-on for internal services"),
    ("data-pipeline", "2.2.0", "Nightly ETL jobs"),
    ("report-kit", "0.9.3", "PDF and CSV reports"),
]


def publish(repo: PypiRepo, name: str, version: str, summary: str) -> None:
    extra = "Requires-Python: >=3.10\nLicense: Apache-2.0\nRequires-Dist: httpx>=0.27\n"
    metadata = metadata_text(name, version, summary=summary, extra=extra, description=README)
    content = build_wheel(name, version, metadata=metadata.encode())
    response = repo.upload(wheel_filename(name, version), content)
    response.raise_for_status()


def shoot(page: Page, url: str, name: str) -> None:
    page.goto(url)
    page.screenshot(path=str(OUT / f"{name}.png"))
    print(f"docs/ui/{name}.png")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        server = CofferServer.start(Path(scratch) / "data")
        try:
            ca = codeartifact_client(server.url, server.credentials)
            ca.create_domain(domain="example")
            ca.create_repository(domain="example", repository="store")
            ca.associate_external_connection(
                domain="example", repository="store", externalConnection="public:pypi"
            )
            ca.create_repository(
                domain="example",
                repository="shared",
                description="Libraries shared by every team",
                upstreams=[{"repositoryName": "store"}],
            )
            repo = create_pypi_repo(ca, server, "example", "example", create_domain=False)
            ca.update_repository(
                domain="example",
                repository="example",
                description="The example team's packages",
                upstreams=[{"repositoryName": "shared"}],
            )
            for name, version, summary in PACKAGES:
                publish(repo, name, version, summary)
            account = server.account_id
            server.admin(
                "set-password", "--account", account, "admin", "--password-stdin",
                stdin=PASSWORD + "\n",
            )  # fmt: skip
            take(server, account)
        finally:
            server.stop()


def take(server: CofferServer, account: str) -> None:
    base = f"{server.url}/ui/domains/{account}/example"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{server.url}/ui/sign-in")
        page.get_by_label("Account ID").fill(account)
        page.get_by_label("User name").fill("admin")
        page.screenshot(path=str(OUT / "sign-in.png"))
        print("docs/ui/sign-in.png")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{server.url}/ui/")
        shoot(page, f"{base}/", "repositories")
        shoot(page, f"{base}/example/", "packages")
        shoot(page, f"{base}/example/pypi/sample-lib/0.2.0/", "version")
        browser.close()


if __name__ == "__main__":
    main()
