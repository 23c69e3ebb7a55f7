"""Package groups: the pattern grammar, matching, the group hierarchy and origin restrictions.

Everything here is pure; the services load a domain's groups and ask these functions. One
module a topic, every public name re-exported here:

* :mod:`.normalize`: the forms names are compared in (the format's normalization, the weak form);
* :mod:`.matching`: a parsed pattern, its specificity and what it matches (packages, patterns);
* :mod:`.patterns`: the pattern grammar (parsing, validation) and the ARN encoding;
* :mod:`.restrictions`: restriction types and modes, a group's settings, a group's decision;
* :mod:`.hierarchy`: a domain's groups: association, parents, ``INHERIT`` resolved;
* :mod:`.info`: how a group is described to callers.
"""

from coffer.domain.package_groups.hierarchy import GroupTree
from coffer.domain.package_groups.info import GroupRef, PackageGroupInfo, RestrictionInfo
from coffer.domain.package_groups.matching import (
    ROOT_PATTERN,
    AssociationType,
    PackageGroupPattern,
    Scope,
)
from coffer.domain.package_groups.normalize import (
    normalize_key,
    normalize_name,
    normalize_namespace,
    weak_form,
)
from coffer.domain.package_groups.patterns import (
    NAMESPACE_REQUIRED,
    NO_NAMESPACE,
    decode_pattern,
    encode_pattern,
    parse_pattern,
)
from coffer.domain.package_groups.restrictions import (
    DEFAULT_GROUP_MODE,
    ROOT_MODE,
    Decision,
    GroupSettings,
    RestrictionMode,
    RestrictionType,
)

__all__ = [
    "DEFAULT_GROUP_MODE",
    "NAMESPACE_REQUIRED",
    "NO_NAMESPACE",
    "ROOT_MODE",
    "ROOT_PATTERN",
    "AssociationType",
    "Decision",
    "GroupRef",
    "GroupSettings",
    "GroupTree",
    "PackageGroupInfo",
    "PackageGroupPattern",
    "RestrictionInfo",
    "RestrictionMode",
    "RestrictionType",
    "Scope",
    "decode_pattern",
    "encode_pattern",
    "normalize_key",
    "normalize_name",
    "normalize_namespace",
    "parse_pattern",
    "weak_form",
]
