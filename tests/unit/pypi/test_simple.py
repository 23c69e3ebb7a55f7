"""Simple API pages: PEP 503 HTML and PEP 691 JSON (with 592, 658/714 and 700), escaped."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from coffer.formats.pypi import (
    IndexFile,
    ProjectIndex,
    render_project_html,
    render_project_json,
    render_root_html,
    render_root_json,
)

HOSTILE = "\"'><script>alert(1)</script>&amp;"
SHA = "a" * 64
META_SHA = "b" * 64
EXAMPLE_TIME = "2026-11-27T10:30:19.532108Z"
EXAMPLE_EPOCH = datetime(2026, 11, 27, 10, 30, 19, 532108, tzinfo=UTC).timestamp()

FILES = (
    IndexFile(
        filename="demo_pkg-1.0-py3-none-any.whl",
        url="../../demo-pkg/1.0/demo_pkg-1.0-py3-none-any.whl",
        sha256=SHA,
        size=1234,
        upload_time=EXAMPLE_EPOCH,
        requires_python=">=3.9,<4",
        core_metadata_sha256=META_SHA,
    ),
    IndexFile(
        filename="demo_pkg-1.0.tar.gz",
        url="https://files.example.com/demo_pkg-1.0.tar.gz?a=1&b=2",
        sha256=SHA,
        size=99,
        upload_time=0.0,
        yanked=HOSTILE,
    ),
    IndexFile(
        filename="demo_pkg-0.9.tar.gz",
        url="demo_pkg-0.9.tar.gz",
        sha256=SHA,
        size=1,
        upload_time=1.5,
        requires_python=HOSTILE,
        yanked=True,
    ),
    IndexFile(
        filename="demo_pkg-0.8.tar.gz",
        url="demo_pkg-0.8.tar.gz",
        sha256=SHA,
        size=1,
        upload_time=2.0,
        yanked="",
    ),
)
PROJECT = ProjectIndex(
    name="Demo.Pkg", normalized_name="demo-pkg", versions=("0.8", "0.9", "1.0"), files=FILES
)


class Page(HTMLParser):
    """The parts of a simple page that clients read."""

    def __init__(self, body: bytes) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[dict[str, str | None], str]] = []
        self.meta: dict[str, str | None] = {}
        self.title = ""
        self._tag: str | None = None
        self._attrs: dict[str, str | None] = {}
        self.feed(body.decode("utf-8"))
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag, self._attrs = tag, dict(attrs)
        if tag == "meta":
            self.meta[str(self._attrs["name"])] = self._attrs["content"]

    def handle_data(self, data: str) -> None:
        if self._tag == "a":
            self.links.append((self._attrs, data))
        elif self._tag == "title":
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._tag = None


# --- HTML --------------------------------------------------------------------------------------


def test_project_html() -> None:
    body = render_project_html(PROJECT)
    page = Page(body)
    assert body.startswith(b"<!DOCTYPE html>\n")
    assert page.meta == {"pypi:repository-version": "1.1"}
    assert page.title == "Links for Demo.Pkg"
    assert page.links == [
        (
            {
                "href": f"../../demo-pkg/1.0/demo_pkg-1.0-py3-none-any.whl#sha256={SHA}",
                "data-requires-python": ">=3.9,<4",
                "data-dist-info-metadata": f"sha256={META_SHA}",
                "data-core-metadata": f"sha256={META_SHA}",
            },
            "demo_pkg-1.0-py3-none-any.whl",
        ),
        (
            {
                "href": f"https://files.example.com/demo_pkg-1.0.tar.gz?a=1&b=2#sha256={SHA}",
                "data-yanked": HOSTILE,
            },
            "demo_pkg-1.0.tar.gz",
        ),
        (
            {
                "href": f"demo_pkg-0.9.tar.gz#sha256={SHA}",
                "data-requires-python": HOSTILE,
                "data-yanked": "",
            },
            "demo_pkg-0.9.tar.gz",
        ),
        ({"href": f"demo_pkg-0.8.tar.gz#sha256={SHA}", "data-yanked": ""}, "demo_pkg-0.8.tar.gz"),
    ]


def test_html_escapes_everything() -> None:
    hostile = ProjectIndex(
        name=HOSTILE,
        normalized_name=HOSTILE,
        versions=(),
        files=(IndexFile(HOSTILE, HOSTILE, HOSTILE, 1, 0.0, HOSTILE, HOSTILE, HOSTILE),),
    )
    body = render_project_html(hostile)
    assert b"<script>" not in body
    assert b"\"'" not in body
    page = Page(body)
    assert page.title == f"Links for {HOSTILE}"
    [(attributes, text)] = page.links
    assert text == HOSTILE
    assert attributes["href"] == f"{HOSTILE}#sha256={HOSTILE}"
    assert attributes["data-yanked"] == HOSTILE
    assert attributes["data-core-metadata"] == f"sha256={HOSTILE}"


def test_html_serial() -> None:
    body = render_project_html(ProjectIndex("a", "a", (), (), last_serial=42))
    assert body.endswith(b"</html>\n<!--SERIAL 42-->\n")
    assert b"SERIAL" not in render_project_html(ProjectIndex("a", "a", (), ()))


def test_root_html() -> None:
    body = render_root_html(["Demo.Pkg", "zope.interface", "a&b"], last_serial=7)
    page = Page(body)
    assert page.meta == {"pypi:repository-version": "1.1"}
    assert page.title == "Simple index"
    assert page.links == [
        ({"href": "demo-pkg/"}, "Demo.Pkg"),
        ({"href": "zope-interface/"}, "zope.interface"),
        ({"href": "a&b/"}, "a&b"),
    ]
    assert b"a&amp;b" in body
    assert body.endswith(b"<!--SERIAL 7-->\n")


# --- JSON --------------------------------------------------------------------------------------

FILE_KEYS = {
    "filename",
    "url",
    "hashes",
    "requires-python",
    "size",
    "upload-time",
    "yanked",
    "core-metadata",
    "dist-info-metadata",
}


def test_project_json() -> None:
    body = render_project_json(PROJECT)
    document = json.loads(body)
    assert set(document) == {"meta", "name", "versions", "files"}
    assert document["meta"] == {"api-version": "1.1"}
    assert document["name"] == "demo-pkg"
    assert document["versions"] == ["0.8", "0.9", "1.0"]
    assert all(set(file) == FILE_KEYS for file in document["files"])
    first, second, third, fourth = document["files"]
    assert first == {
        "filename": "demo_pkg-1.0-py3-none-any.whl",
        "url": "../../demo-pkg/1.0/demo_pkg-1.0-py3-none-any.whl",
        "hashes": {"sha256": SHA},
        "requires-python": ">=3.9,<4",
        "size": 1234,
        "upload-time": EXAMPLE_TIME,
        "yanked": False,
        "core-metadata": {"sha256": META_SHA},
        "dist-info-metadata": {"sha256": META_SHA},
    }
    assert second["url"] == "https://files.example.com/demo_pkg-1.0.tar.gz?a=1&b=2"
    assert (second["yanked"], second["core-metadata"], second["dist-info-metadata"]) == (
        HOSTILE,
        False,
        False,
    )
    assert (second["requires-python"], second["upload-time"]) == (
        None,
        "1970-01-01T00:00:00.000000Z",
    )
    assert (third["yanked"], third["requires-python"]) == (True, HOSTILE)
    assert third["upload-time"] == "1970-01-01T00:00:01.500000Z"
    assert fourth["yanked"] is True


def test_json_is_compact_sorted_and_deterministic() -> None:
    body = render_project_json(PROJECT)
    canonical = json.dumps(
        json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert body == canonical.encode("utf-8")
    assert body == render_project_json(PROJECT)


def test_json_serial() -> None:
    meta = {"api-version": "1.1", "_last-serial": 9}
    assert json.loads(render_root_json(["a"], last_serial=9))["meta"] == meta
    served = render_project_json(ProjectIndex("a", "a", (), (), last_serial=9))
    assert json.loads(served)["meta"] == meta


def test_root_json() -> None:
    document = json.loads(render_root_json(["Demo.Pkg", "zope.interface"]))
    assert document == {
        "meta": {"api-version": "1.1"},
        "projects": [{"name": "Demo.Pkg"}, {"name": "zope.interface"}],
    }


def test_empty_project() -> None:
    empty = ProjectIndex("a", "a", (), ())
    assert json.loads(render_project_json(empty))["files"] == []
    assert Page(render_project_html(empty)).links == []


def test_upload_time_format() -> None:
    document = json.loads(render_project_json(PROJECT))
    for file in document["files"]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", file["upload-time"])
