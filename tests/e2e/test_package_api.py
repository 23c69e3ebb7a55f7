"""Every control-plane package operation, through boto3, on packages published over the data
plane; and what each does to the PyPI index pages and files clients see.

Packages are uploaded with hand-made legacy upload forms (``support.dists`` wheels), so each
test controls every byte; pip installs where the client-visible behaviour matters (yanked =
Unlisted versions).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.dists import build_sdist, build_wheel, sdist_filename, wheel_filename
from support.pypi_clients import (
    PypiRepo,
    PythonClients,
    create_pypi_repo,
    project_page,
    publish_files,
)
from support.server import CofferServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def repo(ca: Any, coffer_server: CofferServer, unique_name: str) -> PypiRepo:
    return create_pypi_repo(ca, coffer_server, unique_name)


def _where(repo: PypiRepo, package: str, fmt: str = "pypi") -> dict[str, str]:
    return {
        "domain": repo.domain,
        "repository": repo.repository,
        "format": fmt,
        "package": package,
    }


def _error(call: Callable[[], object]) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value


def _code(error: ClientError) -> str:
    code: str = error.response["Error"]["Code"]
    return code


def _publish_versions(repo: PypiRepo, package: str, *versions: str) -> dict[str, bytes]:
    """A wheel per version; returns them by filename."""
    files = {
        wheel_filename(package, version): build_wheel(
            package,
            version,
            files={f"{package.replace('-', '_')}/__init__.py": f"V = {version!r}\n".encode()},
        )
        for version in versions
    }
    publish_files(repo, files)
    return files


def _file_path(package: str, version: str) -> str:
    return f"simple/{package}/{version}/{wheel_filename(package, version)}"


def _statuses(
    ca: Any, repo: PypiRepo, package: str, fmt: str = "pypi", **kwargs: Any
) -> dict[str, str]:
    listed = ca.list_package_versions(**_where(repo, package, fmt), **kwargs)
    return {v["version"]: v["status"] for v in listed["versions"]}


# ------------------------------------------------------------------------------ packages


def test_list_packages_filters_and_pagination(ca: Any, repo: PypiRepo) -> None:
    for name in ("alpha-one", "Alpha_Two", "beta"):
        _publish_versions(repo, name, "1.0")
    ca.publish_package_version(
        **_where(repo, "alpha-tool", "generic"),
        namespace="tools",
        packageVersion="1.0",
        assetContent=b"generic bytes",
        assetName="alpha-tool.bin",
        assetSHA256=hashlib.sha256(b"generic bytes").hexdigest(),
        unfinished=True,
    )
    where = {"domain": repo.domain, "repository": repo.repository}

    def names(**kwargs: Any) -> list[tuple[str, str | None, str]]:
        packages = ca.list_packages(**where, **kwargs)["packages"]
        return [(p["format"], p.get("namespace"), p["package"]) for p in packages]

    everything = [
        ("generic", "tools", "alpha-tool"),
        ("pypi", None, "alpha-one"),
        ("pypi", None, "alpha-two"),
        ("pypi", None, "beta"),
    ]
    assert names() == everything
    assert names(format="pypi") == everything[1:]
    assert names(format="generic") == everything[:1]
    assert names(namespace="too") == everything[:1]
    assert names(packagePrefix="alpha") == everything[:3]
    # With a format, the prefix is normalised like the names (PEP 503 for pypi).
    assert names(format="pypi", packagePrefix="Alpha_") == everything[1:3]
    # Directly published packages: publish ALLOW, upstream BLOCK.
    assert names(publish="ALLOW") == everything
    assert names(publish="BLOCK") == []
    assert names(upstream="BLOCK") == everything
    assert names(upstream="ALLOW") == []
    for package in ca.list_packages(**where)["packages"]:
        assert package["originConfiguration"] == {
            "restrictions": {"publish": "ALLOW", "upstream": "BLOCK"}
        }

    pages = []
    token: dict[str, str] = {}
    while True:
        page = ca.list_packages(**where, maxResults=1, **token)
        pages.append([p["package"] for p in page["packages"]])
        if "nextToken" not in page:
            break
        token = {"nextToken": page["nextToken"]}
    assert pages == [["alpha-tool"], ["alpha-one"], ["alpha-two"], ["beta"]]
    paginated = ca.get_paginator("list_packages").paginate(
        **where, format="pypi", PaginationConfig={"PageSize": 2}
    )
    assert [p["package"] for page in paginated for p in page["packages"]] == [
        "alpha-one",
        "alpha-two",
        "beta",
    ]


def test_describe_and_delete_package(ca: Any, repo: PypiRepo) -> None:
    files = _publish_versions(repo, "Doomed.Pkg", "1.0", "2.0")
    described = ca.describe_package(**_where(repo, "doomed_pkg"))["package"]
    assert described == {
        "format": "pypi",
        "name": "doomed-pkg",
        "originConfiguration": {"restrictions": {"publish": "ALLOW", "upstream": "BLOCK"}},
    }
    missing = _error(lambda: ca.describe_package(**_where(repo, "never-published")))
    assert _code(missing) == "ResourceNotFoundException"

    deleted = ca.delete_package(**_where(repo, "DOOMED-pkg"))["deletedPackage"]
    assert (deleted["format"], deleted["package"]) == ("pypi", "doomed-pkg")
    assert _code(_error(lambda: ca.describe_package(**_where(repo, "doomed-pkg")))) == (
        "ResourceNotFoundException"
    )
    assert ca.list_packages(domain=repo.domain, repository=repo.repository)["packages"] == []
    assert repo.get("simple/doomed-pkg/").status_code == 404
    assert repo.get(_file_path("doomed-pkg", "1.0")).status_code == 404
    assert "doomed" not in repo.get("simple/").text.lower()

    # The name is free again; other bytes under the same filename are accepted.
    name = wheel_filename("Doomed.Pkg", "1.0")
    other = build_wheel("Doomed.Pkg", "1.0", files={"doomed_pkg/__init__.py": b"NEW = 1\n"})
    assert other != files[name]
    assert repo.upload(name, other).status_code == 200
    assert repo.get(_file_path("doomed-pkg", "1.0")).content == other


# ------------------------------------------------------------------------------ versions

RICH_METADATA = (
    "Home-page: https://home.example/rich\n"
    "License-Expression: Apache-2.0\n"
    "Project-URL: Documentation, https://docs.example/rich\n"
    "Project-URL: Source, https://git.example/rich\n"
    "Requires-Python: >=3.9\n"
    "Requires-Dist: requests<3,>=2.31\n"
    'Requires-Dist: Rich_Text[jupyter]>=13; extra == "pretty"\n'
    'Requires-Dist: tomli; python_version < "3.11"\n'
    "Provides-Extra: pretty\n"
)
README = "# Rich package\n\nIt has *everything*.\n"


def test_version_metadata_assets_readme_and_dependencies(ca: Any, repo: PypiRepo) -> None:
    wheel = build_wheel("rich-pkg", "1.2.0", metadata_extra=RICH_METADATA, description=README)
    sdist = build_sdist("rich-pkg", "1.2.0", metadata_extra=RICH_METADATA, description=README)
    files = {wheel_filename("rich-pkg", "1.2.0"): wheel, sdist_filename("rich-pkg", "1.2.0"): sdist}
    publish_files(repo, files)
    where = {**_where(repo, "Rich_Pkg"), "packageVersion": "1.2.0"}

    version = ca.describe_package_version(**where)["packageVersion"]
    assert version["packageName"] == "rich-pkg"
    assert version["displayName"] == "rich-pkg"
    assert version["version"] == "1.2.0"
    assert version["summary"] == "A package built by the test suite"
    assert version["homePage"] == "https://home.example/rich"
    assert version["sourceCodeRepository"] == "https://git.example/rich"
    assert version["licenses"] == [{"name": "Apache-2.0"}]
    assert version["status"] == "Published"
    assert version["origin"] == {
        "domainEntryPoint": {"repositoryName": repo.repository},
        "originType": "INTERNAL",
    }
    assert "namespace" not in version
    revision = version["revision"]

    listed = ca.list_package_version_assets(**where)
    assert listed["versionRevision"] == revision
    assets = {a["name"]: a for a in listed["assets"]}
    assert sorted(assets) == sorted(files)
    for name, data in files.items():
        assert assets[name]["size"] == len(data)
        assert assets[name]["hashes"] == {
            "MD5": hashlib.md5(data).hexdigest(),  # noqa: S324 - what CodeArtifact reports
            "SHA-1": hashlib.sha1(data).hexdigest(),  # noqa: S324
            "SHA-256": hashlib.sha256(data).hexdigest(),
            "SHA-512": hashlib.sha512(data).hexdigest(),
        }
        got = ca.get_package_version_asset(**where, asset=name)
        assert got["asset"].read() == data
        assert got["assetName"] == name
        assert got["packageVersion"] == "1.2.0"
        assert got["packageVersionRevision"] == revision
    with_revision = ca.get_package_version_asset(
        **where, asset=wheel_filename("rich-pkg", "1.2.0"), packageVersionRevision=revision
    )
    assert with_revision["asset"].read() == wheel
    missing = _error(lambda: ca.get_package_version_asset(**where, asset="nope.whl"))
    assert _code(missing) == "ResourceNotFoundException"

    readme = ca.get_package_version_readme(**where)
    assert readme["readme"] == README
    assert (readme["format"], readme["package"], readme["version"]) == (
        "pypi",
        "rich-pkg",
        "1.2.0",
    )
    assert readme["versionRevision"] == revision

    dependencies = ca.list_package_version_dependencies(**where)
    assert dependencies["versionRevision"] == revision
    assert [
        (d["package"], d["dependencyType"], d.get("versionRequirement"))
        for d in dependencies["dependencies"]
    ] == [
        ("requests", "Requires-Dist", "<3,>=2.31"),
        ("rich-text", "Requires-Dist", ">=13"),
        ("tomli", "Requires-Dist", None),
    ]

    unknown = _error(lambda: ca.describe_package_version(**{**where, "packageVersion": "9.9"}))
    assert _code(unknown) == "ResourceNotFoundException"


def test_list_package_versions(ca: Any, repo: PypiRepo) -> None:
    _publish_versions(repo, "many-versions", "1.0", "1.10", "1.9", "2.0.post1")
    listed = ca.list_package_versions(**_where(repo, "many-versions"))
    assert (listed["format"], listed["package"]) == ("pypi", "many-versions")
    # PEP 440 order (1.9 < 1.10), and the newest Published version is the default.
    assert [v["version"] for v in listed["versions"]] == ["1.0", "1.9", "1.10", "2.0.post1"]
    assert listed["defaultDisplayVersion"] == "2.0.post1"
    for summary in listed["versions"]:
        assert summary["status"] == "Published"
        assert summary["origin"]["originType"] == "INTERNAL"
    by_time = ca.list_package_versions(**_where(repo, "many-versions"), sortBy="PUBLISHED_TIME")
    assert [v["version"] for v in by_time["versions"]] == ["1.0", "1.10", "1.9", "2.0.post1"]
    pages = ca.get_paginator("list_package_versions").paginate(
        **_where(repo, "many-versions"), PaginationConfig={"PageSize": 3}
    )
    assert [[v["version"] for v in page["versions"]] for page in pages] == [
        ["1.0", "1.9", "1.10"],
        ["2.0.post1"],
    ]


def test_version_status_lifecycle(ca: Any, repo: PypiRepo, tmp_path: Path) -> None:
    files = _publish_versions(repo, "lifecycle", "1.0", "1.1", "2.0")
    where = _where(repo, "lifecycle")

    def update(*versions: str, target: str, **kwargs: Any) -> dict[str, Any]:
        result: dict[str, Any] = ca.update_package_versions_status(
            **where, versions=list(versions), targetStatus=target, **kwargs
        )
        return result

    def page_versions() -> dict[str, Any]:
        page = project_page(repo, "lifecycle")
        return {entry["filename"]: entry["yanked"] for entry in page["files"]}

    # Published -> Unlisted: still listed, as yanked (PEP 592), still downloadable.
    unlisted = update("2.0", target="Unlisted", expectedStatus="Published")
    assert unlisted["successfulVersions"]["2.0"]["status"] == "Unlisted"
    assert unlisted["failedVersions"] == {}
    assert _statuses(ca, repo, "lifecycle") == {
        "1.0": "Published",
        "1.1": "Published",
        "2.0": "Unlisted",
    }
    assert _statuses(ca, repo, "lifecycle", status="Unlisted") == {"2.0": "Unlisted"}
    assert ca.list_package_versions(**where)["defaultDisplayVersion"] == "1.1"
    yanked = page_versions()
    assert yanked[wheel_filename("lifecycle", "2.0")] == "Unlisted"
    assert yanked[wheel_filename("lifecycle", "1.1")] is False
    html = repo.get("simple/lifecycle/").text
    assert 'data-yanked="Unlisted"' in html
    assert (
        repo.get(_file_path("lifecycle", "2.0")).content
        == files[wheel_filename("lifecycle", "2.0")]
    )

    # pip skips the yanked version unless pinned to it.
    clients = PythonClients(tmp_path / "clients")
    index = repo.with_credentials(repo.simple)
    latest = clients.new_venv("latest")
    clients.tool("pip", "--python", str(latest), "install", "--index-url", index, "lifecycle")
    assert clients.python(latest, "import lifecycle; print(lifecycle.V)") == "1.1"
    pinned = clients.new_venv("pinned")
    installed = clients.tool(
        "pip", "--python", str(pinned), "install", "--index-url", index, "lifecycle==2.0"
    )
    assert "yanked" in installed.output.lower()
    assert clients.python(pinned, "import lifecycle; print(lifecycle.V)") == "2.0"

    # A status the version does not have: MISMATCHED_STATUS, and the rest of the batch is
    # SKIPPED (all or nothing).
    mismatched = update("1.0", "2.0", target="Archived", expectedStatus="Unlisted")
    assert mismatched["successfulVersions"] == {}
    assert mismatched["failedVersions"]["1.0"]["errorCode"] == "MISMATCHED_STATUS"
    assert mismatched["failedVersions"]["2.0"]["errorCode"] == "SKIPPED"
    assert _statuses(ca, repo, "lifecycle")["2.0"] == "Unlisted"
    not_found = update("7.7", target="Archived")
    assert not_found["failedVersions"]["7.7"]["errorCode"] == "NOT_FOUND"

    # Unlisted -> Archived: gone from the index, files and metadata 404.
    archived = update("2.0", target="Archived", expectedStatus="Unlisted")
    assert archived["successfulVersions"]["2.0"]["status"] == "Archived"
    assert wheel_filename("lifecycle", "2.0") not in page_versions()
    assert project_page(repo, "lifecycle")["versions"] == ["1.0", "1.1"]
    assert repo.get(_file_path("lifecycle", "2.0")).status_code == 404
    assert repo.get(_file_path("lifecycle", "2.0") + ".metadata").status_code == 404
    archived_asset = _error(
        lambda: ca.get_package_version_asset(
            **where, packageVersion="2.0", asset=wheel_filename("lifecycle", "2.0")
        )
    )
    assert _code(archived_asset) == "ConflictException"
    # An Archived version takes no new files.
    sdist = build_sdist("lifecycle", "2.0")
    refused = repo.upload(sdist_filename("lifecycle", "2.0"), sdist)
    assert refused.status_code == 409, refused.text
    assert "Archived" in refused.text

    # Archived -> Published: back in the index and downloadable, bytes unchanged.
    restored = update("2.0", target="Published", expectedStatus="Archived")
    assert restored["successfulVersions"]["2.0"]["status"] == "Published"
    assert page_versions()[wheel_filename("lifecycle", "2.0")] is False
    assert (
        repo.get(_file_path("lifecycle", "2.0")).content
        == files[wheel_filename("lifecycle", "2.0")]
    )
    assert ca.list_package_versions(**where)["defaultDisplayVersion"] == "2.0"

    bad_target = _error(lambda: update("1.0", target="Disposed"))
    assert _code(bad_target) == "ValidationException"


def test_dispose_package_versions(ca: Any, repo: PypiRepo) -> None:
    files = _publish_versions(repo, "disposable", "1.0", "2.0")
    where = _where(repo, "disposable")
    disposed = ca.dispose_package_versions(**where, versions=["1.0"], expectedStatus="Published")
    assert disposed["successfulVersions"]["1.0"]["status"] == "Disposed"
    assert disposed["failedVersions"] == {}
    assert _statuses(ca, repo, "disposable") == {"1.0": "Disposed", "2.0": "Published"}
    assert (
        ca.describe_package_version(**where, packageVersion="1.0")["packageVersion"]["status"]
        == "Disposed"
    )
    assert ca.list_package_version_assets(**where, packageVersion="1.0")["assets"] == []
    assert repo.get(_file_path("disposable", "1.0")).status_code == 404
    assert project_page(repo, "disposable")["versions"] == ["2.0"]
    assert (
        repo.get(_file_path("disposable", "2.0")).content
        == files[wheel_filename("disposable", "2.0")]
    )

    # A Disposed version's status cannot change; it can only be deleted.
    stuck = ca.update_package_versions_status(**where, versions=["1.0"], targetStatus="Published")
    assert stuck["failedVersions"]["1.0"]["errorCode"] == "NOT_ALLOWED"
    mismatch = ca.dispose_package_versions(**where, versions=["2.0"], expectedStatus="Unlisted")
    assert mismatch["failedVersions"]["2.0"]["errorCode"] == "MISMATCHED_STATUS"
    assert _statuses(ca, repo, "disposable")["2.0"] == "Published"
    deleted = ca.delete_package_versions(**where, versions=["1.0"])
    assert deleted["successfulVersions"]["1.0"]["status"] == "Deleted"
    assert _statuses(ca, repo, "disposable") == {"2.0": "Published"}


def test_delete_package_versions_then_publish_again(ca: Any, repo: PypiRepo) -> None:
    files = _publish_versions(repo, "phoenix", "1.0", "1.1")
    where = _where(repo, "phoenix")
    name = wheel_filename("phoenix", "1.0")

    mismatch = ca.delete_package_versions(**where, versions=["1.0"], expectedStatus="Unlisted")
    assert mismatch["failedVersions"]["1.0"]["errorCode"] == "MISMATCHED_STATUS"
    deleted = ca.delete_package_versions(**where, versions=["1.0", "3.0"])
    assert deleted["successfulVersions"]["1.0"]["status"] == "Deleted"
    assert deleted["failedVersions"]["3.0"]["errorCode"] == "NOT_FOUND"
    assert _statuses(ca, repo, "phoenix") == {"1.1": "Published"}
    assert repo.get(_file_path("phoenix", "1.0")).status_code == 404
    gone = _error(lambda: ca.describe_package_version(**where, packageVersion="1.0"))
    assert _code(gone) == "ResourceNotFoundException"

    reborn = build_wheel("phoenix", "1.0", files={"phoenix/__init__.py": b"REBORN = True\n"})
    assert reborn != files[name]
    response = repo.upload(name, reborn)
    assert response.status_code == 200, response.text
    assert repo.get(_file_path("phoenix", "1.0")).content == reborn
    assert _statuses(ca, repo, "phoenix") == {"1.0": "Published", "1.1": "Published"}


def test_copy_package_versions(ca: Any, repo: PypiRepo) -> None:
    files = _publish_versions(repo, "copied", "1.0", "1.1", "2.0")
    ca.create_repository(domain=repo.domain, repository="staging")
    copy = {
        "domain": repo.domain,
        "sourceRepository": repo.repository,
        "destinationRepository": "staging",
        "format": "pypi",
        "package": "copied",
    }
    staging = PypiRepo(
        repo.server,
        repo.domain,
        repo.owner,
        "staging",
        repo.endpoint.replace(f"/pypi/{repo.repository}/", "/pypi/staging/"),
        repo.token,
    )

    copied = ca.copy_package_versions(**copy, versions=["1.0", "1.1"])
    assert sorted(copied["successfulVersions"]) == ["1.0", "1.1"]
    assert copied["failedVersions"] == {}
    assert project_page(staging, "copied")["versions"] == ["1.0", "1.1"]
    for version in ("1.0", "1.1"):
        served = staging.get(_file_path("copied", version))
        assert served.content == files[wheel_filename("copied", version)]
    assert staging.get(_file_path("copied", "2.0")).status_code == 404
    assert _statuses(ca, staging, "copied") == {"1.0": "Published", "1.1": "Published"}

    again = ca.copy_package_versions(**copy, versions=["1.1", "2.0"])
    assert again["failedVersions"]["1.1"]["errorCode"] == "ALREADY_EXISTS"
    assert list(again["successfulVersions"]) == ["2.0"]
    overwritten = ca.copy_package_versions(**copy, versions=["1.1"], allowOverwrite=True)
    assert list(overwritten["successfulVersions"]) == ["1.1"]

    source_revisions = {
        v["version"]: v["revision"]
        for v in ca.list_package_versions(**_where(repo, "copied"))["versions"]
    }
    ca.create_repository(domain=repo.domain, repository="release")
    by_revision = ca.copy_package_versions(
        **{**copy, "destinationRepository": "release"},
        versionRevisions={"1.0": source_revisions["1.0"], "1.1": "not-the-revision"},
    )
    assert list(by_revision["successfulVersions"]) == ["1.0"]
    assert by_revision["failedVersions"]["1.1"]["errorCode"] == "MISMATCHED_REVISION"

    both = _error(
        lambda: ca.copy_package_versions(
            **copy, versions=["1.0"], versionRevisions={"1.0": source_revisions["1.0"]}
        )
    )
    assert _code(both) == "ValidationException"


# ------------------------------------------------------------------------------ generic


def test_publish_generic_package_version(ca: Any, repo: PypiRepo) -> None:
    where = {**_where(repo, "cli-tool", "generic"), "namespace": "tools"}
    first, second = b"#!/bin/sh\necho first\n", b"second asset bytes\n" * 100

    def publish(name: str, data: bytes, **kwargs: Any) -> dict[str, Any]:
        result: dict[str, Any] = ca.publish_package_version(
            **where,
            packageVersion="1.0.0",
            assetContent=data,
            assetName=name,
            assetSHA256=hashlib.sha256(data).hexdigest(),
            **kwargs,
        )
        return result

    unfinished = publish("install.sh", first, unfinished=True)
    assert unfinished["status"] == "Unfinished"
    assert (unfinished["format"], unfinished["namespace"], unfinished["package"]) == (
        "generic",
        "tools",
        "cli-tool",
    )
    assert unfinished["asset"]["hashes"]["SHA-256"] == hashlib.sha256(first).hexdigest()
    assert _statuses(ca, repo, "cli-tool", "generic", namespace="tools") == {"1.0.0": "Unfinished"}

    wrong = _error(
        lambda: ca.publish_package_version(
            **where,
            packageVersion="1.0.0",
            assetContent=b"these bytes",
            assetName="wrong.bin",
            assetSHA256=hashlib.sha256(b"other bytes").hexdigest(),
        )
    )
    assert _code(wrong) == "ValidationException"

    final = publish("tool.bin", second)
    assert final["status"] == "Published"
    assert final["versionRevision"]
    assets = ca.list_package_version_assets(**where, packageVersion="1.0.0")["assets"]
    assert sorted(a["name"] for a in assets) == ["install.sh", "tool.bin"]
    for name, data in (("install.sh", first), ("tool.bin", second)):
        got = ca.get_package_version_asset(**where, packageVersion="1.0.0", asset=name)
        assert got["asset"].read() == data
        assert got["packageVersionRevision"] == final["versionRevision"]
    assert _statuses(ca, repo, "cli-tool", "generic", namespace="tools") == {"1.0.0": "Published"}

    sealed = _error(lambda: publish("late.bin", b"too late"))
    assert _code(sealed) == "ConflictException"
    # The same asset again with the same bytes is idempotent; other bytes conflict.
    assert publish("tool.bin", second)["status"] == "Published"
    assert _code(_error(lambda: publish("tool.bin", b"changed"))) == "ConflictException"

    no_namespace = _error(
        lambda: ca.publish_package_version(
            **_where(repo, "cli-tool", "generic"),
            packageVersion="2.0.0",
            assetContent=first,
            assetName="install.sh",
            assetSHA256=hashlib.sha256(first).hexdigest(),
        )
    )
    assert _code(no_namespace) == "ValidationException"
    pypi = _error(
        lambda: ca.publish_package_version(
            **_where(repo, "some-pkg"),
            packageVersion="1.0",
            assetContent=first,
            assetName="some_pkg-1.0-py3-none-any.whl",
            assetSHA256=hashlib.sha256(first).hexdigest(),
        )
    )
    assert _code(pypi) == "ValidationException"


def test_publish_generic_version_in_one_call(ca: Any, repo: PypiRepo) -> None:
    """The usual case: one asset, not ``unfinished``, into a version that does not exist yet."""
    data = b"single asset\n"
    published = ca.publish_package_version(
        **_where(repo, "one-shot", "generic"),
        namespace="tools",
        packageVersion="1.0.0",
        assetContent=data,
        assetName="one-shot.txt",
        assetSHA256=hashlib.sha256(data).hexdigest(),
    )
    assert published["status"] == "Published"
    assert published["asset"]["size"] == len(data)
    got = ca.get_package_version_asset(
        **_where(repo, "one-shot", "generic"),
        namespace="tools",
        packageVersion="1.0.0",
        asset="one-shot.txt",
    )
    assert got["asset"].read() == data
