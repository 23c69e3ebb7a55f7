"""Package groups: CRUD, the hierarchy, associated packages and group origin configuration.

The grammar, matching and inheritance rules live in :mod:`coffer.domain.package_groups`; this
package loads a domain's groups into a :class:`~coffer.domain.package_groups.GroupTree` and asks
it. Every domain has the root group ``/*``: it is described from the domain until it is first
changed, then stored like any other group (it can be changed but never deleted).

One module a topic: :mod:`.loading` (stored groups → tree), :mod:`.restrictions`
(:func:`effective_restrictions`, for publishing and resolution), :mod:`.authorization`,
:mod:`.base` (what the operations share), and the operations: :mod:`.crud`, :mod:`.listing`,
:mod:`.associations` and :mod:`.origins`, joined in :class:`PackageGroups`.
"""

from coffer.services.package_groups.associations import AssociatedPackage, GroupAssociations
from coffer.services.package_groups.authorization import authorized_group_arn
from coffer.services.package_groups.crud import GroupCrud
from coffer.services.package_groups.listing import GroupListing
from coffer.services.package_groups.loading import load_tree
from coffer.services.package_groups.origins import AllowedRepositoryUpdates, GroupOrigins
from coffer.services.package_groups.restrictions import GroupRestrictions, effective_restrictions

__all__ = [
    "AllowedRepositoryUpdates",
    "AssociatedPackage",
    "GroupRestrictions",
    "PackageGroups",
    "authorized_group_arn",
    "effective_restrictions",
    "load_tree",
]


class PackageGroups(GroupCrud, GroupListing, GroupAssociations, GroupOrigins):
    """The package group operations (see the modules above for each topic's)."""
