"""Project names: PEP 508 validity and PEP 503 normalisation.

``normalize`` is the comparison key everywhere (routes, database, ARNs): ``Pigeon_CLI``,
``pigeon.cli`` and ``pigeon--cli`` are all ``pigeon-cli``. It does not validate; call
:func:`check_project_name` on names that come from users.
"""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

from coffer.formats.pypi.errors import InvalidProjectName

__all__ = ["check_project_name", "is_valid_project_name", "normalize"]

# PEP 508 ``identifier``, spelled out in ASCII: with re.IGNORECASE in Unicode mode, ``[A-Z]`` would
# also match the Kelvin sign and the long s.
_PROJECT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


def normalize(name: str) -> str:
    """The PEP 503 normalised form: runs of ``-_.`` become one ``-``, then lower case."""
    return str(canonicalize_name(name))


def is_valid_project_name(name: str) -> bool:
    """Whether ``name`` is a PEP 508 distribution name (ASCII letters, digits, ``._-``)."""
    return _PROJECT_NAME.fullmatch(name) is not None


def check_project_name(name: str) -> str:
    """Return ``name`` unchanged if it is valid, else raise :class:`InvalidProjectName`."""
    if not is_valid_project_name(name):
        raise InvalidProjectName(
            f"Invalid project name {name!r}: use ASCII letters, digits, '.', '_' and '-', "
            "starting and ending with a letter or digit"
        )
    return name
