"""ARNs of Coffer's principals and CodeArtifact resources (DESIGN.md section 4)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coffer.errors import ValidationError

__all__ = [
    "ResourceArn",
    "account_root_arn",
    "domain_arn",
    "package_arn",
    "package_group_arn",
    "parse_resource_arn",
    "repository_arn",
    "user_arn",
]

_RESOURCE_ARN = re.compile(
    r"arn:aws:codeartifact:(?P<region>[a-z0-9-]*):(?P<account>[0-9]{12}):"
    r"(?P<kind>domain|repository|package-group|package)/(?P<rest>.+)"
)


def user_arn(account_id: str, user_name: str) -> str:
    return f"arn:aws:iam::{account_id}:user/{user_name}"


def account_root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def domain_arn(region: str, owner: str, domain: str) -> str:
    return f"arn:aws:codeartifact:{region}:{owner}:domain/{domain}"


def repository_arn(region: str, owner: str, domain: str, repository: str) -> str:
    return f"arn:aws:codeartifact:{region}:{owner}:repository/{domain}/{repository}"


def package_arn(
    region: str, owner: str, domain: str, repository: str, fmt: str, namespace: str, name: str
) -> str:
    return (
        f"arn:aws:codeartifact:{region}:{owner}:package/"
        f"{domain}/{repository}/{fmt}/{namespace}/{name}"
    )


def package_group_arn(region: str, owner: str, domain: str, encoded_pattern: str) -> str:
    return f"arn:aws:codeartifact:{region}:{owner}:package-group/{domain}{encoded_pattern}"


@dataclass(frozen=True)
class ResourceArn:
    """A parsed CodeArtifact ARN: ``kind`` is domain, repository, package-group or package."""

    region: str
    account: str
    kind: str
    domain: str
    repository: str | None

    @property
    def domain_arn(self) -> str:
        return domain_arn(self.region, self.account, self.domain)


def parse_resource_arn(arn: str) -> ResourceArn:
    match = _RESOURCE_ARN.fullmatch(arn)
    if match is None:
        raise ValidationError(f"Invalid resource ARN {arn!r}")
    parts = match["rest"].split("/")
    repository = parts[1] if match["kind"] in ("repository", "package") and len(parts) > 1 else None
    if match["kind"] == "repository" and (len(parts) != 2 or not parts[1]):
        raise ValidationError(f"Invalid repository ARN {arn!r}")
    if match["kind"] == "domain" and len(parts) != 1:
        raise ValidationError(f"Invalid domain ARN {arn!r}")
    return ResourceArn(match["region"], match["account"], match["kind"], parts[0], repository)
