"""GetRepositoryEndpoint builds data-plane URLs from COFFER_PUBLIC_URL when it is set, whatever
host the control-plane request came in on (a proxy in front of Coffer, for instance)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coffer.api.protocol import load_model
from coffer.config import Settings

pytestmark = pytest.mark.anyio

FORMATS = sorted(load_model().model.shape_for("PackageFormat").enum)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", public_url="https://packages.example.com/coffer/")


@pytest.mark.parametrize("fmt", FORMATS)
async def test_endpoint_uses_the_public_url(ca, admin, fmt: str) -> None:
    await ca.create_domain(admin, "acme")
    await ca.create_repository(admin, "acme", "libs")

    reply = await ca.ok(
        "GET",
        "/v1/repository/endpoint",
        query={"domain": "acme", "repository": "libs", "format": fmt},
        creds=admin,
    )

    assert reply == {
        "repositoryEndpoint": (
            f"https://packages.example.com/coffer/acme-{admin.account_id}/{fmt}/libs/"
        )
    }
