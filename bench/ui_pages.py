"""How long the console's package list takes for a repository of 10 and of 10,000 packages.

    .venv/bin/python bench/ui_pages.py

In-process (the ASGI app over SQLite in a temporary data dir, no network), signed in as the
administrator; prints the median of 30 requests for the first page, and for a page deep in the
list (reached through the *Next page* links).
"""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
from html import unescape
from pathlib import Path

import httpx
from sqlalchemy import select

from coffer.app import create_app
from coffer.config import Settings
from coffer.iam.principal import Caller, Principal
from coffer.services import open_services
from coffer.services.bootstrap import bootstrap
from coffer.storage.db import Package, Repository

PASSWORD = "bench password"  # noqa: S105 - a throw-away store
RUNS = 30


async def timed(http: httpx.AsyncClient, path: str) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = await http.get(path)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return statistics.median(samples) * 1000


async def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(data_dir=Path(scratch) / "data")
        services = open_services(settings)
        made = await bootstrap(services.iam, settings.credentials_path)
        assert made is not None
        user = await services.iam.get_user(made.account_id, "admin")
        caller = Caller(Principal(made.account_id, user.user_id, "admin"))
        await services.domains.create(caller, "bench")
        sizes = {"ten": 10, "hundred": 100, "big": 10_000}
        for name, count in sizes.items():
            await services.repositories.create(caller, "bench", None, name)
            async with services.db.session() as session:
                repo_id = (
                    await session.execute(select(Repository.id).where(Repository.name == name))
                ).scalar_one()
                session.add_all(
                    Package(
                        repository_id=repo_id,
                        format="pypi",
                        namespace="",
                        name=f"package-{index:05d}",
                        display_name=f"package-{index:05d}",
                        created_at=0.0,
                    )
                    for index in range(count)
                )
        await services.console.set_password(made.account_id, "admin", PASSWORD)
        app = create_app(settings, services)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            page = await http.get("/ui/sign-in")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf
            await http.post(
                "/ui/sign-in",
                data={"csrf": csrf.group(1), "account": made.account_id, "user_name": "admin",
                      "password": PASSWORD},
            )  # fmt: skip
            for name, count in sizes.items():
                base = f"/ui/domains/{made.account_id}/bench/{name}/"
                first = await timed(http, base)
                path = base
                for _ in range(min(count // 50 - 1, 100)):  # up to page 101
                    found = re.search(r'rel="next" href="([^"]+)"', (await http.get(path)).text)
                    if not found:
                        break
                    path = unescape(found.group(1))
                deep = await timed(http, path)
                print(f"{count:>6} packages: first page {first:.1f} ms, deep page {deep:.1f} ms")
        await services.close()


if __name__ == "__main__":
    asyncio.run(main())
