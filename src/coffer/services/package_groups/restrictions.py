"""What a package's group lets into a repository: the question publishing and resolution ask."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.package_groups import Decision
from coffer.domain.packages import PackageKey
from coffer.services.package_groups.loading import load_tree

__all__ = ["GroupRestrictions", "effective_restrictions"]

GroupRestrictions = Decision
"""What :func:`effective_restrictions` answers: :class:`coffer.domain.package_groups.Decision`."""


async def effective_restrictions(
    session: AsyncSession, domain_id: int, repository_name: str, key: PackageKey
) -> GroupRestrictions:
    """Whether versions of ``key`` may enter repository ``repository_name`` of the domain, by
    publishing, from an external connection, or from an upstream repository, as the package's
    package group says. It only reads; call it inside the caller's transaction.

    The answer is for the package's *group*: the most specific group matching ``key`` (after the
    format's name normalization), strong or weak, with ``INHERIT`` resolved up the hierarchy. An
    ``ALLOW_SPECIFIC_REPOSITORIES`` mode allows ``repository_name`` only if it is on the
    allowed-repository list of the group the mode is set on (the one ``INHERIT`` led to). A
    package that only *weakly* matches its group (a case/separator/confusable variation of the
    pattern) is blocked for every origin (``association`` is ``WEAK`` and all three are False).

    Which repository to ask about, per origin (the user guide's ``repoA → repoB → npmjs``
    example puts ``repoB`` on the EXTERNAL_UPSTREAM list and ``repoA`` on INTERNAL_UPSTREAM):

    * ``publish``: the repository a version is published to.
    * ``external_upstream``: the repository that owns the external connection the version is
      ingested through.
    * ``internal_upstream``: each repository that would retain a version found in one of its
      upstream repositories (in Coffer: the most downstream repository of the request).

    How this combines with package-level origin controls (PutPackageOriginConfiguration, the
    ``publish``/``upstream`` ALLOW|BLOCK pair stored per package per repository): a version may
    enter a repository only if **both** allow it; neither overrides the other, a BLOCK on either
    level wins.

    * publishing: package-level ``publish`` AND ``publish`` here;
    * ingesting from an external connection: package-level ``upstream`` AND
      ``external_upstream`` here;
    * retaining from an upstream repository: package-level ``upstream`` AND
      ``internal_upstream`` here (the package-level ``upstream`` covers both kinds of upstream);
    * a package with no record in the repository yet has no package-level controls: only the
      group decides (the record created by its first version then gets the usual defaults:
      published first → publish ALLOW / upstream BLOCK; ingested first → BLOCK / ALLOW).

    The user guide's section "How package origin controls interact with package group origin
    controls" could not be read here; the AND rule is what the rest of the guide implies (a
    group BLOCK stops every associated package, a package BLOCK stops that package) and is
    unverified against the service. Blocked entries fail the way package-level blocks do today.
    """
    tree = await load_tree(session, domain_id, key.format)
    return tree.decide(key, repository_name)
