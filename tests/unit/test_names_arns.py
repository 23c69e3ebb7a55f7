"""coffer.domain.names (the model's name rules) and coffer.domain.arns (building and parsing)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coffer.domain import arns, names
from coffer.errors import ValidationError

# Names --------------------------------------------------------------------------------------

VALID: list[tuple[Callable[[str], str], str]] = [
    (names.check_account_id, "111122223333"),
    (names.check_account_id, "000000000000"),
    (names.check_organization_id, "o-abcdef1234"),
    (names.check_organization_id, "o-" + "a1" * 16),
    (names.check_user_name, "admin"),
    (names.check_user_name, "ci+deploy=prod,eu.west@example-1_x"),
    (names.check_user_name, "u" * 64),
    (names.check_domain_name, "ab"),
    (names.check_domain_name, "my-domain-2"),
    (names.check_domain_name, "a" + "b" * 48 + "c"),
    (names.check_repository_name, "ab"),
    (names.check_repository_name, "1repo"),
    (names.check_repository_name, "Py.Libs_v2-prod"),
    (names.check_repository_name, "r" * 100),
]

INVALID: list[tuple[Callable[[str], str], str]] = [
    (names.check_account_id, ""),
    (names.check_account_id, "11112222333"),
    (names.check_account_id, "1111222233334"),
    (names.check_account_id, "11112222333a"),
    (names.check_account_id, "١١١١٢٢٢٢٣٣٣٣"),  # Arabic-Indic digits are not 0-9
    (names.check_account_id, "111122223333\n"),
    (names.check_organization_id, "o-abc"),
    (names.check_organization_id, "o-ABCDEFGHIJ"),
    (names.check_organization_id, "abcdefghijkl"),
    (names.check_organization_id, "o-" + "a" * 33),
    (names.check_user_name, ""),
    (names.check_user_name, "u" * 65),
    (names.check_user_name, "with space"),
    (names.check_user_name, "slash/name"),
    (names.check_user_name, "colon:name"),
    (names.check_user_name, "ünïcode"),  # IAM user names are ASCII ([\w+=,.@-] in Java)
    (names.check_domain_name, ""),
    (names.check_domain_name, "a"),
    (names.check_domain_name, "Upper"),
    (names.check_domain_name, "1starts-with-digit"),
    (names.check_domain_name, "-starts-with-hyphen"),
    (names.check_domain_name, "ends-with-hyphen-"),
    (names.check_domain_name, "under_score"),
    (names.check_domain_name, "dot.ted"),
    (names.check_domain_name, "a" * 51),
    (names.check_domain_name, "acme\n"),
    (names.check_repository_name, ""),
    (names.check_repository_name, "r"),
    (names.check_repository_name, ".hidden"),
    (names.check_repository_name, "-dash"),
    (names.check_repository_name, "_under"),
    (names.check_repository_name, "has space"),
    (names.check_repository_name, "has/slash"),
    (names.check_repository_name, "has:colon"),
    (names.check_repository_name, "r" * 101),
    (names.check_repository_name, "repo\n"),
]


def _id(case: tuple[Callable[[str], str], str]) -> str:
    check, value = case
    return f"{check.__name__.removeprefix('check_')}:{value[:20]!r}"


@pytest.mark.parametrize("case", VALID, ids=[_id(c) for c in VALID])
def test_valid_names(case: tuple[Callable[[str], str], str]) -> None:
    check, value = case

    assert check(value) == value


@pytest.mark.parametrize("case", INVALID, ids=[_id(c) for c in INVALID])
def test_invalid_names(case: tuple[Callable[[str], str], str]) -> None:
    check, value = case

    with pytest.raises(ValidationError):
        check(value)


@pytest.mark.parametrize(
    ("check", "value", "words"),
    [
        (names.check_domain_name, "Bad_Domain", ["domain name", "'Bad_Domain'", "lower-case"]),
        (names.check_repository_name, "-x", ["repository name", "'-x'"]),
        (names.check_account_id, "123", ["account id", "12 digits"]),
    ],
)
def test_messages_name_the_value_and_the_rule(check, value: str, words: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        check(value)

    for word in words:
        assert word in caught.value.message


# Building ARNs ------------------------------------------------------------------------------


def test_principal_arns() -> None:
    assert arns.user_arn("111122223333", "alice") == "arn:aws:iam::111122223333:user/alice"
    assert arns.account_root_arn("111122223333") == "arn:aws:iam::111122223333:root"


def test_resource_arns() -> None:
    assert arns.domain_arn("us-east-1", "111122223333", "acme") == (
        "arn:aws:codeartifact:us-east-1:111122223333:domain/acme"
    )
    assert arns.repository_arn("eu-west-1", "111122223333", "acme", "libs") == (
        "arn:aws:codeartifact:eu-west-1:111122223333:repository/acme/libs"
    )
    assert (
        arns.package_arn("us-east-1", "111122223333", "acme", "libs", "npm", "types", "node")
        == "arn:aws:codeartifact:us-east-1:111122223333:package/acme/libs/npm/types/node"
    )


def test_package_without_namespace_has_an_empty_segment() -> None:
    assert arns.package_arn(
        "us-east-1", "111122223333", "acme", "libs", "pypi", "", "requests"
    ) == ("arn:aws:codeartifact:us-east-1:111122223333:package/acme/libs/pypi//requests")


def test_package_group_arn() -> None:
    assert arns.package_group_arn("us-east-1", "111122223333", "acme", "/npm/space/*") == (
        "arn:aws:codeartifact:us-east-1:111122223333:package-group/acme/npm/space/*"
    )


# Parsing ARNs -------------------------------------------------------------------------------

ACCOUNT = "111122223333"
PREFIX = f"arn:aws:codeartifact:us-east-1:{ACCOUNT}"


@pytest.mark.parametrize(
    ("arn", "kind", "domain", "repository"),
    [
        (f"{PREFIX}:domain/acme", "domain", "acme", None),
        (f"{PREFIX}:repository/acme/libs", "repository", "acme", "libs"),
        (f"{PREFIX}:package/acme/libs/pypi//requests", "package", "acme", "libs"),
        (f"{PREFIX}:package/acme/libs/npm/types/node", "package", "acme", "libs"),
        (f"{PREFIX}:package-group/acme/npm/*", "package-group", "acme", None),
    ],
)
def test_parse(arn: str, kind: str, domain: str, repository: str | None) -> None:
    parsed = arns.parse_resource_arn(arn)

    assert (parsed.region, parsed.account, parsed.kind) == ("us-east-1", ACCOUNT, kind)
    assert (parsed.domain, parsed.repository) == (domain, repository)
    assert parsed.domain_arn == f"{PREFIX}:domain/{domain}"


def test_parse_round_trips_the_builders() -> None:
    built = arns.repository_arn("ap-south-1", ACCOUNT, "acme", "libs")

    parsed = arns.parse_resource_arn(built)

    assert arns.repository_arn(parsed.region, parsed.account, parsed.domain, "libs") == built


@pytest.mark.parametrize(
    "arn",
    [
        "",
        "acme",
        "arn:aws:s3:::bucket",
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:codeartifact:us-east-1:11112222333:domain/acme",  # 11-digit account
        "arn:aws:codeartifact:us-east-1:111122223333:domain/",
        "arn:aws:codeartifact:us-east-1:111122223333:widget/acme",
        "arn:aws:codeartifact:us-east-1:111122223333:repository/acme",
        "arn:aws:codeartifact:us-east-1:111122223333:repository/acme/",
        "arn:aws:codeartifact:us-east-1:111122223333:repository/acme/libs/extra",
        "arn:aws:codeartifact:us-east-1:111122223333:domain/acme/extra",
        " arn:aws:codeartifact:us-east-1:111122223333:domain/acme",
    ],
)
def test_parse_rejects(arn: str) -> None:
    with pytest.raises(ValidationError):
        arns.parse_resource_arn(arn)


def test_revisions_are_safe_to_pass_on_a_command_line() -> None:
    """A revision starting with "-" makes `aws codeartifact … --policy-revision -x` fail."""
    from coffer.services.policies import _new_revision
    from coffer.services.records import new_revision

    for make in (_new_revision, new_revision):
        revisions = {make() for _ in range(500)}
        assert len(revisions) == 500
        assert all(r[0].isalnum() and r.isalnum() for r in revisions)
