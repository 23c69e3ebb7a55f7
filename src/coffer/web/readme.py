"""A package's README as safe HTML: Markdown (markdown-it-py), reStructuredText (docutils) or
plain text, then sanitised by nh3 (ammonia) to an allow-list of tags, attributes and URL schemes.

Nothing the uploader wrote can run in the console: no ``<script>``, ``<style>``, ``<iframe>``,
event-handler attributes, ``style`` attributes or ``javascript:``/``data:`` URLs survive, and
every link gets ``rel="noopener noreferrer nofollow"``. The page's Content-Security-Policy
(``default-src 'self'``) is a second wall behind this one.
"""

from __future__ import annotations

import html

import nh3
from docutils.core import publish_parts
from markdown_it import MarkdownIt
from markupsafe import Markup

__all__ = ["render_readme"]

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "tt", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(
    ["table", "strikethrough"]
)
_RST_SETTINGS = {
    "raw_enabled": False,  # no raw HTML directive
    "file_insertion_enabled": False,  # no include / csv-table :file:
    "report_level": 5,  # no system messages in the output
    "halt_level": 5,
    "_disable_config": True,  # ignore docutils.conf files on the server
    "syntax_highlight": "none",
    "output_encoding": "unicode",
}


def sanitise(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _render_rst(text: str) -> str:
    try:
        parts = publish_parts(text, writer="html5", settings_overrides=_RST_SETTINGS)
    except Exception:  # docutils raises many kinds on broken markup: show it as text instead
        return _render_text(text)
    return str(parts["html_body"])


def _render_text(text: str) -> str:
    return f"<pre>{html.escape(text)}</pre>"


def render_readme(text: str | None, content_type: str | None) -> Markup | None:
    """``text`` as sanitised HTML, by its ``Description-Content-Type``: Markdown for
    ``text/markdown``, reStructuredText for ``text/x-rst`` or none (the core-metadata default),
    escaped plain text otherwise."""
    if not text or not text.strip():
        return None
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "text/markdown":
        rendered = _markdown.render(text)
    elif kind in ("text/x-rst", ""):
        rendered = _render_rst(text)
    else:
        rendered = _render_text(text)
    return Markup(sanitise(rendered))  # noqa: S704 - sanitised by nh3 just above
