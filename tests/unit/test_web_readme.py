"""README rendering: Markdown, reStructuredText and plain text, always sanitised."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from coffer.web.readme import render_readme

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body { display: none }</style>",
    '<p style="position:fixed;top:0">x</p>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<form action="https://evil.example"><input name="password"></form>',
    '<div onmouseover="alert(1)">hover</div>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
]


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the markup."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


FORBIDDEN_TAGS = {"script", "iframe", "style", "svg", "form", "input", "object", "embed", "meta",
                  "base", "link"}  # fmt: skip


def _dangerous(rendered: str) -> list[str]:
    found = []
    for tag, attrs in Elements(rendered).found:
        if tag in FORBIDDEN_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                found.append(f"{tag} {name}=")
            url = (value or "").strip().lower()
            if name in ("href", "src") and url.startswith(("javascript:", "data:", "vbscript:")):
                found.append(f"{tag} {name}={value}")
    return found


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("content_type", ["text/markdown", "text/x-rst", None, "text/plain"])
def test_nothing_that_runs_survives(attack: str, content_type: str | None) -> None:
    rendered = render_readme(f"Title\n=====\n\n{attack}\n\nAfter.\n", content_type)
    assert rendered is not None
    assert _dangerous(str(rendered)) == []


def test_markdown_keeps_its_formatting() -> None:
    rendered = str(render_readme(
        "# Lib\n\nSome *emphasis*, `code` and a [link](https://example.com).\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nblock\n```\n", "text/markdown; charset=UTF-8",
    ))  # fmt: skip
    assert "<h1>Lib</h1>" in rendered
    assert "<em>emphasis</em>" in rendered
    assert "<code>code</code>" in rendered
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">link</a>' in rendered
    assert "<td>1</td>" in rendered
    assert "<pre><code>block\n</code></pre>" in rendered


def test_restructuredtext_is_rendered_without_raw_html_or_file_inclusion() -> None:
    rendered = str(render_readme(
        "Lib\n===\n\nSome *emphasis* and `a link <https://example.com>`_.\n\n"
        ".. raw:: html\n\n   <b>raw</b>\n\n.. include:: /etc/passwd\n", "text/x-rst",
    ))  # fmt: skip
    assert "<h1>Lib</h1>" in rendered
    assert "<em>emphasis</em>" in rendered
    assert 'href="https://example.com"' in rendered
    assert "<b>raw</b>" not in rendered
    assert "root:" not in rendered


def test_missing_content_type_means_restructuredtext() -> None:
    assert "<em>x</em>" in str(render_readme("Some *x*.\n", None))


def test_plain_text_is_escaped() -> None:
    rendered = str(render_readme("<b>not bold</b> & more", "text/plain"))
    assert rendered == "<pre>&lt;b&gt;not bold&lt;/b&gt; &amp; more</pre>"


def test_no_readme() -> None:
    assert render_readme(None, "text/markdown") is None
    assert render_readme("  \n", "text/markdown") is None


def test_the_detector_itself_sees_attacks() -> None:
    """Unsanitised markup trips every check above (so a pass means something)."""
    assert _dangerous('<script></script><img src=x onerror="a"><a href=" JavaScript:x">') == [
        "<script>",
        "img onerror=",
        "a href= JavaScript:x",
    ]
