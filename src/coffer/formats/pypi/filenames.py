"""Distribution filenames: which files a PyPI repository accepts, and what their names say.

Accepted (anything else is refused with the reason):

* **Wheels** ``{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`` (PEP 427/491, the binary
  distribution format spec), checked by ``packaging``. Tag sets may be compressed (``py2.py3``,
  ``manylinux_2_17_x86_64.manylinux2014_x86_64``). The name may use ``.`` and upper case, which the
  spec tells consumers to accept.
* **Source distributions** ``{name}-{version}.tar.gz`` (PEP 625). Rule for the name part: everything
  before the *last* ``-`` must be a valid project name and everything after it a PEP 440 version.
  The name part need not be normalised: ``Rich-Pkg-1.0.tar.gz`` from older setuptools still
  installs everywhere, so it is accepted (the project is ``rich-pkg`` either way).
* **Legacy zip sdists** ``{name}-{version}.zip``, by the same rule. PEP 625 dropped them, but pip
  and uv still install them and private indexes still hold them.

Local versions (``1.0+cpu``) are accepted: unlike PyPI, a private index is where they belong.
Refused: ``.egg``, installers (``.exe``, ``.msi``, ``.rpm`` …), other sdist archives (``.tar.bz2``,
``.tgz``, ``.tar.xz`` …), upper-case extensions, names over 255 characters, path separators,
control characters, and any character outside ``A-Za-z0-9._+!-``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from coffer.formats.pypi.errors import InvalidDistribution
from coffer.formats.pypi.names import is_valid_project_name, normalize

__all__ = [
    "BDIST_WHEEL",
    "MAX_FILENAME_LENGTH",
    "SDIST",
    "DistributionFile",
    "Kind",
    "filetype_for",
    "parse_distribution_filename",
]

Kind = Literal["bdist_wheel", "sdist"]
BDIST_WHEEL: Final = "bdist_wheel"
SDIST: Final = "sdist"
MAX_FILENAME_LENGTH: Final = 255

_ACCEPTED: Final[tuple[tuple[str, Kind], ...]] = (
    (".whl", BDIST_WHEEL),
    (".tar.gz", SDIST),
    (".zip", SDIST),
)
_EGG = "eggs are not supported; upload a wheel (.whl)"
_INSTALLER = "installers and system packages are not supported; upload a wheel (.whl)"
_SDIST_FORMAT = "source distributions must be .tar.gz (PEP 625)"
# Checked in order, on the lower-cased filename: longer suffixes first.
_REFUSED: Final[tuple[tuple[str, str], ...]] = (
    (".egg", _EGG),
    (".exe", _INSTALLER),
    (".msi", _INSTALLER),
    (".rpm", _INSTALLER),
    (".deb", _INSTALLER),
    (".dmg", _INSTALLER),
    (".tar.bz2", _SDIST_FORMAT),
    (".tar.xz", _SDIST_FORMAT),
    (".tar.zst", _SDIST_FORMAT),
    (".tar.z", _SDIST_FORMAT),
    (".tar.lz", _SDIST_FORMAT),
    (".tbz2", _SDIST_FORMAT),
    (".tbz", _SDIST_FORMAT),
    (".txz", _SDIST_FORMAT),
    (".tgz", _SDIST_FORMAT),
    (".tar", _SDIST_FORMAT),
    (".bz2", _SDIST_FORMAT),
)
_FILENAME_CHARS = re.compile(r"[A-Za-z0-9._+!-]")
_WHEEL_SHAPE = "expected '{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl'"


@dataclass(frozen=True, slots=True)
class DistributionFile:
    """What a valid distribution filename says.

    ``name`` and ``version_string`` are spelled as in the filename; ``normalized_name`` is the
    PEP 503 form and ``version`` the parsed PEP 440 version. ``pyversion`` is what the legacy
    upload API and the database call the Python version: the wheel's python tag exactly as in the
    filename (``py3``, ``py2.py3``, ``cp311``), or ``source`` for an sdist. ``build`` and ``tags``
    (expanded, sorted ``python-abi-platform`` strings) are only set for wheels.
    """

    filename: str
    kind: Kind
    name: str
    normalized_name: str
    version: Version
    version_string: str
    pyversion: str
    build: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def is_wheel(self) -> bool:
        return self.kind == BDIST_WHEEL

    @property
    def is_zip(self) -> bool:
        """Whether the archive is a zip file (wheels and legacy sdists) rather than a tar.gz."""
        return self.filename.endswith((".whl", ".zip"))


def parse_distribution_filename(filename: str) -> DistributionFile:
    """Parse and validate ``filename``; raise :class:`InvalidDistribution` saying what is wrong."""
    suffix, kind = _classify(filename)
    if kind == BDIST_WHEEL:
        return _parse_wheel(filename)
    return _parse_sdist(filename, suffix)


def filetype_for(filename: str) -> Kind:
    """``bdist_wheel`` or ``sdist``, from the filename's shape alone."""
    return _classify(filename)[1]


def _classify(filename: str) -> tuple[str, Kind]:
    _check_characters(filename)
    for suffix, kind in _ACCEPTED:
        if filename.endswith(suffix):
            return suffix, kind
    lowered = filename.lower()
    for suffix, _ in _ACCEPTED:
        if lowered.endswith(suffix):
            raise _invalid("distribution", filename, f"the extension must be lower case ({suffix})")
    for suffix, reason in _REFUSED:
        if lowered.endswith(suffix):
            raise _invalid("distribution", filename, reason)
    raise _invalid("distribution", filename, "not a wheel (.whl) or source distribution (.tar.gz)")


def _check_characters(filename: str) -> None:
    if not filename:
        raise InvalidDistribution("Invalid distribution filename: the filename is empty")
    if len(filename) > MAX_FILENAME_LENGTH:
        raise _invalid("distribution", filename, f"longer than {MAX_FILENAME_LENGTH} characters")
    for char in filename:
        if char in "/\\":
            raise _invalid("distribution", filename, "a filename must not contain a path")
        if not char.isprintable():
            raise _invalid("distribution", filename, "contains a control character")
        if not _FILENAME_CHARS.fullmatch(char):
            raise _invalid("distribution", filename, f"the character {char!r} is not allowed")


def _parse_wheel(filename: str) -> DistributionFile:
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6) or not all(parts):
        raise _invalid("wheel", filename, _WHEEL_SHAPE)
    name, version_string = parts[0], parts[1]
    _check_name_part("wheel", filename, name)
    _check_version_part("wheel", filename, version_string)
    try:
        _, version, _, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename as exc:
        raise _invalid("wheel", filename, str(exc)) from None
    return DistributionFile(
        filename=filename,
        kind=BDIST_WHEEL,
        name=name,
        normalized_name=normalize(name),
        version=version,
        version_string=version_string,
        pyversion=parts[-3],
        build=parts[2] if len(parts) == 6 else None,
        tags=tuple(sorted(str(tag) for tag in tags)),
    )


def _parse_sdist(filename: str, suffix: str) -> DistributionFile:
    name, dash, version_string = filename[: -len(suffix)].rpartition("-")
    if not dash or not name or not version_string:
        raise _invalid("sdist", filename, f"expected '{{name}}-{{version}}{suffix}'")
    _check_name_part("sdist", filename, name)
    _check_version_part("sdist", filename, version_string)
    try:
        _, version = parse_sdist_filename(filename)
    except InvalidSdistFilename as exc:  # pragma: no cover - the checks above are stricter
        raise _invalid("sdist", filename, str(exc)) from None
    return DistributionFile(
        filename=filename,
        kind=SDIST,
        name=name,
        normalized_name=normalize(name),
        version=version,
        version_string=version_string,
        pyversion="source",
    )


def _check_name_part(what: str, filename: str, name: str) -> None:
    if not is_valid_project_name(name):
        raise _invalid(what, filename, f"{name!r} is not a valid project name")


def _check_version_part(what: str, filename: str, version: str) -> None:
    try:
        Version(version)
    except InvalidVersion:
        raise _invalid(what, filename, f"{version!r} is not a PEP 440 version") from None


def _invalid(what: str, filename: str, reason: str) -> InvalidDistribution:
    shown = filename if len(filename) <= MAX_FILENAME_LENGTH else f"{filename[:60]}..."
    return InvalidDistribution(f"Invalid {what} filename {shown!r}: {reason}")
