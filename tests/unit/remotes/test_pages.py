"""Reading project pages, sans-IO: Coffer's own pages round-trip, PyPI-style pages parse."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from coffer.formats.pypi import IndexFile, ProjectIndex, render_project_html, render_project_json
from coffer.remotes._simple import PageError, parse_html_page, parse_json_page
from coffer.services.external import RemoteFile

SHA = "a" * 64
META = "b" * 64
OTHER = "c" * 64
EPOCH = datetime(2026, 11, 27, 10, 30, 19, 532108, tzinfo=UTC).timestamp()
PAGE = "http://coffer.test/acme-111/pypi/store/simple/demo-pkg/"
PROJECT_PATH = "/acme-111/pypi/store/simple/demo-pkg"

COFFER_FILES = (
    IndexFile(
        filename="demo_pkg-1.0-py3-none-any.whl",
        url=f"{PROJECT_PATH}/1.0/demo_pkg-1.0-py3-none-any.whl",
        sha256=SHA,
        size=1234,
        upload_time=EPOCH,
        requires_python=">=3.9,<4",
        core_metadata_sha256=META,
    ),
    IndexFile(
        filename="demo_pkg-1.0.tar.gz",
        url=f"{PROJECT_PATH}/1.0/demo_pkg-1.0.tar.gz",
        sha256=SHA,
        size=99,
        upload_time=0.0,
        yanked="Unlisted",
    ),
    IndexFile(
        filename="Demo.Pkg-2.0rc1.zip",
        url="https://files.example.com/Demo.Pkg-2.0rc1.zip?a=1&b=2",
        sha256=OTHER,
        size=7,
        upload_time=EPOCH,
        requires_python='<3 & >1 "quoted"',
        yanked=True,
    ),
)
COFFER_PROJECT = ProjectIndex(
    name="Demo_Pkg", normalized_name="demo-pkg", versions=("1.0", "2.0rc1"), files=COFFER_FILES
)


def _expected(file: IndexFile, version: str, *, json_page: bool) -> RemoteFile:
    url = file.url if file.url.startswith("https:") else f"http://coffer.test{file.url}"
    return RemoteFile(
        filename=file.filename,
        version=version,
        url=url,
        sha256=file.sha256,
        size=file.size if json_page else None,
        upload_time=file.upload_time if json_page else None,
        requires_python=file.requires_python,
        yanked=file.yanked,
        core_metadata_sha256=file.core_metadata_sha256,
    )


def test_coffer_json_page_round_trips() -> None:
    page = parse_json_page(render_project_json(COFFER_PROJECT), PAGE, "Demo_Pkg")
    assert page.name == "demo-pkg"
    versions = ("1.0", "1.0", "2.0rc1")
    assert page.files == tuple(
        _expected(file, version, json_page=True)
        for file, version in zip(COFFER_FILES, versions, strict=True)
    )


def test_coffer_html_page_round_trips() -> None:
    page = parse_html_page(render_project_html(COFFER_PROJECT).decode(), PAGE, "demo-pkg")
    assert page.name is None
    versions = ("1.0", "1.0", "2.0rc1")
    assert page.files == tuple(
        _expected(file, version, json_page=False)
        for file, version in zip(COFFER_FILES, versions, strict=True)
    )


# --- PyPI-style JSON -----------------------------------------------------------------------------

PYPI_JSON = {
    "meta": {"_last-serial": 42, "api-version": "1.3"},
    "name": "demo-pkg",
    "versions": ["0.9", "1.0"],
    "files": [
        {
            "filename": "demo_pkg-1.0-py3-none-any.whl",
            "url": "https://files.pythonhosted.org/packages/ab/cd/demo_pkg-1.0-py3-none-any.whl",
            "hashes": {"sha256": SHA.upper(), "blake2b_256": "00"},
            "requires-python": ">=3.8",
            "size": 10,
            "upload-time": "2024-11-08T17:25:46.184Z",
            "yanked": False,
            "core-metadata": {"sha256": META},
            "dist-info-metadata": {"sha256": OTHER},
        },
        {
            "filename": "demo-pkg-0.9.tar.gz",
            "url": "../../packages/demo-pkg-0.9.tar.gz",
            "hashes": {"md5": "0" * 32},
            "requires-python": "",
            "upload-time": "2020-01-01T00:00:00",
            "yanked": "broken build",
            "dist-info-metadata": True,
        },
        {
            "filename": "demo_pkg-0.8-py3-none-any.whl",
            "url": "/packages/demo_pkg-0.8-py3-none-any.whl",
            "hashes": {"sha256": "not-hex"},
            "size": True,
            "upload-time": "yesterday",
            "yanked": "",
            "dist-info-metadata": {"sha256": OTHER},
        },
        {"filename": "demo_pkg-0.9-py2.7.egg", "url": "demo_pkg-0.9-py2.7.egg", "hashes": {}},
        {"filename": "demo-pkg-0.9.win32.exe", "url": "demo-pkg-0.9.win32.exe", "hashes": {}},
        {"filename": "demo-pkg-0.9.tar.bz2", "url": "demo-pkg-0.9.tar.bz2", "hashes": {}},
        {"filename": "other_pkg-1.0-py3-none-any.whl", "url": "o.whl", "hashes": {}},
        {"filename": "demo_pkg-1.0-py3-none-any.whl", "url": "again.whl", "hashes": {}},
        {"filename": 5, "url": "x.whl"},
        {"filename": "demo_pkg-0.7.tar.gz"},
        "not a file",
    ],
}
PYPI_JSON_FILES = (
    RemoteFile(
        filename="demo_pkg-1.0-py3-none-any.whl",
        version="1.0",
        url="https://files.pythonhosted.org/packages/ab/cd/demo_pkg-1.0-py3-none-any.whl",
        sha256=SHA,
        size=10,
        upload_time=datetime(2024, 11, 8, 17, 25, 46, 184000, tzinfo=UTC).timestamp(),
        requires_python=">=3.8",
        core_metadata_sha256=META,
    ),
    RemoteFile(
        filename="demo-pkg-0.9.tar.gz",
        version="0.9",
        url="https://pypi.test/packages/demo-pkg-0.9.tar.gz",
        upload_time=datetime(2020, 1, 1, tzinfo=UTC).timestamp(),
        yanked="broken build",
    ),
    RemoteFile(
        filename="demo_pkg-0.8-py3-none-any.whl",
        version="0.8",
        url="https://pypi.test/packages/demo_pkg-0.8-py3-none-any.whl",
        yanked=True,
        core_metadata_sha256=OTHER,
    ),
)


def test_pypi_style_json_page() -> None:
    body = json.dumps(PYPI_JSON).encode()
    page = parse_json_page(body, "https://pypi.test/simple/demo-pkg/", "Demo.Pkg")
    assert page.name == "demo-pkg"
    assert page.files == PYPI_JSON_FILES


def test_json_page_without_name_or_meta() -> None:
    body = json.dumps({"files": [], "name": 3}).encode()
    assert parse_json_page(body, PAGE, "demo-pkg").name is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>", "does not parse"),
        (b"\xff\xfe", "does not parse"),
        (b"[]", "no 'files' list"),
        (b'{"files": {}}', "no 'files' list"),
        (b'{"meta": {"api-version": "2.0"}, "files": []}', "version '2.0'"),
    ],
)
def test_unusable_json_pages(body: bytes, message: str) -> None:
    with pytest.raises(PageError, match=message):
        parse_json_page(body, PAGE, "demo-pkg")


# --- PyPI-style HTML -----------------------------------------------------------------------------

PYPI_HTML = f"""<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="1.1">
    <title>Links for demo-pkg</title>
  </head>
  <body>
    <h1>Links for demo-pkg</h1>
    <a href="https://files.pythonhosted.org/packages/ab/demo_pkg-1.0-py3-none-any.whl#sha256={SHA}"
       data-requires-python="&gt;=3.8,&lt;4" data-dist-info-metadata="true"
       >demo_pkg-1.0-py3-none-any.whl</a><br/>
    <a href="../../packages/demo-pkg-0.9.tar.gz#md5=abc" data-yanked="broken &amp; &#34;bad&#34;"
       >demo-pkg-0.9.tar.gz</a><br/>
    <a href="/packages/demo_pkg-0.8-py3-none-any.whl#sha256={SHA.upper()}" data-yanked
       data-core-metadata="sha256={META}" data-dist-info-metadata="sha256={OTHER}">x</a>
    <a href="demo_pkg-0.7-py3-none-any.whl" data-dist-info-metadata="sha256={OTHER}"
       data-requires-python="  ">demo_pkg-0.7-py3-none-any.whl</a>
    <a href="demo_pkg-1.0%2Blocal-py3-none-any.whl#sha256=short" data-core-metadata="md5=1">y</a>
    <a href="https://user:secret@files.example/demo_pkg-0.6.tar.gz">demo_pkg-0.6.tar.gz</a>
    <a href="demo_pkg-0.1-py2.7.egg">demo_pkg-0.1-py2.7.egg</a>
    <a href="demo-pkg-0.1.win32.exe">demo-pkg-0.1.win32.exe</a>
    <a href="other-1.0.tar.gz">other-1.0.tar.gz</a>
    <a href="../">up</a>
    <a name="anchor-without-href">nothing</a>
  </body>
</html>
"""
PYPI_HTML_FILES = (
    RemoteFile(
        filename="demo_pkg-1.0-py3-none-any.whl",
        version="1.0",
        url="https://files.pythonhosted.org/packages/ab/demo_pkg-1.0-py3-none-any.whl",
        sha256=SHA,
        requires_python=">=3.8,<4",
    ),
    RemoteFile(
        filename="demo-pkg-0.9.tar.gz",
        version="0.9",
        url="https://pypi.test/packages/demo-pkg-0.9.tar.gz",
        yanked='broken & "bad"',
    ),
    RemoteFile(
        filename="demo_pkg-0.8-py3-none-any.whl",
        version="0.8",
        url="https://pypi.test/packages/demo_pkg-0.8-py3-none-any.whl",
        sha256=SHA,
        yanked=True,
        core_metadata_sha256=META,
    ),
    RemoteFile(
        filename="demo_pkg-0.7-py3-none-any.whl",
        version="0.7",
        url="https://pypi.test/simple/demo-pkg/demo_pkg-0.7-py3-none-any.whl",
        core_metadata_sha256=OTHER,
    ),
    RemoteFile(
        filename="demo_pkg-1.0+local-py3-none-any.whl",
        version="1.0+local",
        url="https://pypi.test/simple/demo-pkg/demo_pkg-1.0%2Blocal-py3-none-any.whl",
    ),
    RemoteFile(
        filename="demo_pkg-0.6.tar.gz",
        version="0.6",
        url="https://files.example/demo_pkg-0.6.tar.gz",
    ),
)


def test_pypi_style_html_page() -> None:
    page = parse_html_page(PYPI_HTML, "https://pypi.test/simple/demo-pkg/", "demo_pkg")
    assert page.name is None
    assert page.files == PYPI_HTML_FILES


def test_html_base_href() -> None:
    text = (
        '<html><head><base href="/mirror/files/"><base href="/ignored/"></head>'
        '<body><a href="demo_pkg-1.0.tar.gz">demo_pkg-1.0.tar.gz</a></body></html>'
    )
    (file,) = parse_html_page(text, "https://m.test/simple/demo-pkg/", "demo-pkg").files
    assert file.url == "https://m.test/mirror/files/demo_pkg-1.0.tar.gz"


def test_html_page_of_unknown_major_version() -> None:
    text = '<meta name="pypi:repository-version" content="2.0"><a href="x-1.0.tar.gz">x</a>'
    with pytest.raises(PageError, match=r"version '2\.0'"):
        parse_html_page(text, PAGE, "x")


def test_empty_html_page() -> None:
    assert parse_html_page("", PAGE, "demo-pkg").files == ()


def test_file_urls_lose_their_userinfo() -> None:
    file = IndexFile("d-1.tar.gz", "http://u:p@h.test/d-1.tar.gz", SHA, 1, 0.0)
    project = ProjectIndex(name="d", normalized_name="d", versions=("1",), files=(file,))
    json_page = parse_json_page(render_project_json(project), PAGE, "d")
    html_page = parse_html_page(render_project_html(project).decode(), PAGE, "d")
    assert json_page.files[0].url == html_page.files[0].url == "http://h.test/d-1.tar.gz"
