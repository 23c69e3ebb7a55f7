"""twine: a repository section in ``~/.pypirc`` (``twine upload -r NAME``).

The section gets ``repository`` (the endpoint: uploads go to it), ``username`` and, unless the
keyring supplies it, ``password``; NAME joins ``[distutils] index-servers``. Other sections
and servers stay.
"""

from __future__ import annotations

from pathlib import Path

from coffer.client.tools import ini
from coffer.client.tools.base import USERNAME, FileChange, LoginTarget, read_text

__all__ = ["config_path", "plan"]


def config_path(target: LoginTarget) -> Path:
    return target.home / ".pypirc"


def plan(target: LoginTarget) -> list[FileChange]:
    path = config_path(target)
    before = read_text(path)
    parser = ini.parse(before, str(path))
    listed = parser.get("distutils", "index-servers", fallback="")
    servers = listed.split()
    settings = []
    if target.name not in servers:
        separator = "\n" if "\n" in listed.strip("\n") or not servers else " "
        joined = separator.join([*servers, target.name])
        settings += ini.set_options(parser, "distutils", {"index-servers": joined})
    settings += ini.set_options(
        parser,
        target.name,
        {"repository": target.endpoint, "username": USERNAME, "password": target.token},
    )
    return [FileChange(path, before, ini.render(parser), tuple(settings))]
