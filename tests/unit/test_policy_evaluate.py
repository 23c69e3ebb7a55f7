"""Policy evaluation: coffer.iam.policy.evaluate (explicit deny, same- and cross-account)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from coffer.iam.policy import (
    Decision,
    PolicyDocument,
    PolicyKind,
    RequestContext,
    evaluate,
)
from coffer.iam.policy.matching import ConditionValue

OWNER = "111122223333"  # owns the domain
OTHER = "444455556666"
ALICE = f"arn:aws:iam::{OWNER}:user/alice"
BOB = f"arn:aws:iam::{OTHER}:user/bob"
CAROL = f"arn:aws:iam::{OTHER}:user/carol"
DOMAIN = f"arn:aws:codeartifact:us-east-1:{OWNER}:domain/example"
REPO = f"arn:aws:codeartifact:us-east-1:{OWNER}:repository/example/pypi-store"
TOKEN = "codeartifact:GetAuthorizationToken"


def policy(*statements: dict[str, Any], version: str = "2012-10-17") -> str:
    return json.dumps({"Version": version, "Statement": list(statements)})


def identity(*statements: dict[str, Any], version: str = "2012-10-17") -> PolicyDocument:
    return PolicyDocument.parse(policy(*statements, version=version), PolicyKind.IDENTITY)


def resource(*statements: dict[str, Any], name: str | None = None) -> PolicyDocument:
    return PolicyDocument.parse(policy(*statements), PolicyKind.RESOURCE, name=name)


def statement(effect: str, action: Any, res: Any, extra: dict[str, Any]) -> dict[str, Any]:
    """A statement; elements given as None are left out (to swap in NotAction and friends)."""
    elements = {"Effect": effect, "Action": action, "Resource": res, **extra}
    return {key: value for key, value in elements.items() if value is not None}


def allow(action: Any = TOKEN, res: Any = "*", **extra: Any) -> dict[str, Any]:
    return statement("Allow", action, res, extra)


def deny(action: Any = TOKEN, res: Any = "*", **extra: Any) -> dict[str, Any]:
    return statement("Deny", action, res, extra)


@dataclass
class Caller:
    arn: str = ALICE
    account: str = OWNER
    action: str = TOKEN
    target: str = DOMAIN
    keys: dict[str, ConditionValue] = field(default_factory=dict)

    def decide(
        self,
        identities: list[PolicyDocument] | None = None,
        resources: list[PolicyDocument] | None = None,
        owner: str = OWNER,
    ) -> Decision:
        ctx = RequestContext(self.action, self.target, self.arn, self.account, self.keys)
        return evaluate(
            ctx,
            identity_policies=identities or [],
            resource_policies=resources or [],
            resource_account=owner,
        )


# --- The allow/deny matrix ----------------------------------------------------------------------

MATRIX = [
    pytest.param(Caller(), [identity(allow())], [], True, False, id="same-account-identity-only"),
    pytest.param(
        Caller(),
        [],
        [resource(allow(Principal={"AWS": ALICE}))],
        True,
        False,
        id="same-account-resource-only",
    ),
    pytest.param(Caller(), [], [], False, False, id="same-account-nothing"),
    pytest.param(
        Caller(),
        [identity(allow("codeartifact:ReadFromRepository"))],
        [],
        False,
        False,
        id="same-account-other-action",
    ),
    pytest.param(
        Caller(BOB, OTHER), [identity(allow())], [], False, False, id="cross-account-identity-only"
    ),
    pytest.param(
        Caller(BOB, OTHER),
        [],
        [resource(allow(Principal={"AWS": BOB}))],
        False,
        False,
        id="cross-account-resource-only",
    ),
    pytest.param(
        Caller(BOB, OTHER),
        [identity(allow())],
        [resource(allow(Principal={"AWS": BOB}))],
        True,
        False,
        id="cross-account-both",
    ),
    pytest.param(
        Caller(BOB, OTHER),
        [identity(allow())],
        [resource(allow(Principal={"AWS": CAROL}))],
        False,
        False,
        id="cross-account-resource-names-someone-else",
    ),
    pytest.param(
        Caller(),
        [identity(allow(), deny())],
        [resource(allow(Principal="*"))],
        False,
        True,
        id="identity-deny-beats-every-allow",
    ),
    pytest.param(
        Caller(),
        [identity(allow())],
        [resource(deny(Principal="*"))],
        False,
        True,
        id="resource-deny-beats-identity-allow",
    ),
    pytest.param(
        Caller(BOB, OTHER),
        [identity(allow())],
        [resource(allow(Principal="*")), resource(deny(Principal={"AWS": OTHER}))],
        False,
        True,
        id="deny-in-second-resource-policy",
    ),
    pytest.param(
        Caller(),
        [identity(allow())],
        [resource(deny(Principal={"AWS": BOB}))],
        True,
        False,
        id="resource-deny-for-other-principal-does-not-apply",
    ),
    pytest.param(
        Caller(),
        [identity(allow(), deny("codeartifact:DeleteDomain"))],
        [],
        True,
        False,
        id="deny-for-other-action-does-not-apply",
    ),
    pytest.param(
        Caller(),
        [identity(allow(), deny(Condition={"Bool": {"aws:SecureTransport": "false"}}))],
        [],
        True,
        False,
        id="deny-whose-condition-fails-does-not-apply",
    ),
    pytest.param(
        Caller(keys={"aws:SecureTransport": False}),
        [identity(allow(), deny(Condition={"Bool": {"aws:SecureTransport": "false"}}))],
        [],
        False,
        True,
        id="deny-whose-condition-holds",
    ),
    pytest.param(
        Caller(),
        [identity(allow(), deny(NotAction="codeartifact:Get*", Action=None))],
        [],
        True,
        False,
        id="deny-not-action-excludes-the-action",
    ),
    pytest.param(
        Caller(action="codeartifact:DeleteDomain"),
        [identity(allow("*"), deny(NotAction="codeartifact:Get*", Action=None))],
        [],
        False,
        True,
        id="deny-not-action-covers-other-actions",
    ),
]


@pytest.mark.parametrize(("caller", "identities", "resources", "allowed", "explicit"), MATRIX)
def test_decision_matrix(
    caller: Caller,
    identities: list[PolicyDocument],
    resources: list[PolicyDocument],
    allowed: bool,
    explicit: bool,
) -> None:
    decision = caller.decide(identities, resources)
    assert (decision.allowed, decision.explicit_deny) == (allowed, explicit)
    assert decision.reason


# --- Principal matching in resource policies (cross-account, so the resource policy decides) ---

ROLE = f"arn:aws:iam::{OTHER}:role/ci/deployer"
SESSION = f"arn:aws:sts::{OTHER}:assumed-role/deployer/build-42"


@pytest.mark.parametrize(
    ("principal", "caller_arn", "expected"),
    [
        pytest.param("*", BOB, True, id="bare-star"),
        pytest.param({"AWS": "*"}, BOB, True, id="aws-star"),
        pytest.param({"AWS": OTHER}, BOB, True, id="account-id"),
        pytest.param({"AWS": OTHER}, CAROL, True, id="account-id-any-user"),
        pytest.param({"AWS": "999988887777"}, BOB, False, id="other-account-id"),
        pytest.param({"AWS": f"arn:aws:iam::{OTHER}:root"}, BOB, True, id="root-arn"),
        pytest.param({"AWS": "arn:aws:iam::999988887777:root"}, BOB, False, id="other-root-arn"),
        pytest.param({"AWS": BOB}, BOB, True, id="user-arn"),
        pytest.param({"AWS": BOB}, CAROL, False, id="user-arn-other-user"),
        pytest.param({"AWS": [CAROL, BOB]}, BOB, True, id="user-arn-in-list"),
        pytest.param({"AWS": ROLE}, SESSION, True, id="role-arn-names-its-sessions"),
        pytest.param(
            {"AWS": f"arn:aws:iam::{OTHER}:role/other"}, SESSION, False, id="other-role-arn"
        ),
        pytest.param({"AWS": SESSION}, SESSION, True, id="session-arn-exact"),
        pytest.param({"Service": "codeartifact.amazonaws.com"}, BOB, False, id="service-never"),
        pytest.param(
            {"Service": "x.amazonaws.com", "AWS": BOB}, BOB, True, id="service-and-aws-entry"
        ),
    ],
)
def test_principal_matching(principal: Any, caller_arn: str, expected: bool) -> None:
    caller = Caller(caller_arn, OTHER)
    decision = caller.decide([identity(allow())], [resource(allow(Principal=principal))])
    assert decision.allowed is expected


@pytest.mark.parametrize(
    ("not_principal", "caller_arn", "caller_account", "denied"),
    [
        pytest.param({"AWS": ALICE}, ALICE, OWNER, False, id="listed-user-exempt"),
        pytest.param({"AWS": ALICE}, f"arn:aws:iam::{OWNER}:user/eve", OWNER, True, id="others"),
        pytest.param({"AWS": OWNER}, f"arn:aws:iam::{OWNER}:user/eve", OWNER, False, id="acct"),
        pytest.param({"AWS": OWNER}, BOB, OTHER, True, id="account-exempt-other-denied"),
        pytest.param({"AWS": [ALICE, BOB]}, BOB, OTHER, False, id="list-exempt"),
    ],
)
def test_not_principal_deny(
    not_principal: Any, caller_arn: str, caller_account: str, denied: bool
) -> None:
    resources = [resource(allow(Principal="*"), deny(NotPrincipal=not_principal))]
    decision = Caller(caller_arn, caller_account).decide([identity(allow())], resources)
    assert decision.explicit_deny is denied
    assert decision.allowed is not denied


@pytest.mark.parametrize(
    "principal",
    [
        pytest.param({"AWS": OWNER}, id="account-id"),
        pytest.param({"AWS": f"arn:aws:iam::{OWNER}:root"}, id="root-arn"),
    ],
)
def test_same_account_account_principal_delegates_to_identity_policies(principal: Any) -> None:
    """As in IAM: naming your own account in a resource policy grants nothing by itself."""
    resources = [resource(allow(Principal=principal))]
    assert not Caller().decide([], resources).allowed
    assert Caller().decide([identity(allow())], resources).allowed
    # A Deny naming the account still applies to every principal in it.
    denied = Caller().decide([identity(allow())], [resource(deny(Principal=principal))])
    assert denied.explicit_deny


def test_same_account_user_principal_grants_without_identity_policy() -> None:
    assert Caller().decide([], [resource(allow(Principal={"AWS": ALICE}))]).allowed


def test_not_principal_allow_grants_everyone_else() -> None:
    resources = [resource(allow(NotPrincipal={"AWS": BOB}))]
    assert Caller(CAROL, OTHER).decide([identity(allow())], resources).allowed
    assert not Caller(BOB, OTHER).decide([identity(allow())], resources).allowed


# --- Action and resource matching ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("action_pattern", "action", "expected"),
    [
        pytest.param("*", TOKEN, True, id="star"),
        pytest.param("codeartifact:*", TOKEN, True, id="service-star"),
        pytest.param("codeartifact:Get*", TOKEN, True, id="prefix"),
        pytest.param("codeartifact:get*", TOKEN, True, id="case-insensitive"),
        pytest.param("CODEARTIFACT:GETAUTHORIZATIONTOKEN", TOKEN, True, id="upper-case"),
        pytest.param("codeartifact:*Token", TOKEN, True, id="suffix"),
        pytest.param("codeartifact:Describe?omain", "codeartifact:DescribeDomain", True, id="q"),
        pytest.param("codeartifact:Describe?", "codeartifact:DescribeDomain", False, id="q-one"),
        pytest.param("codeartifact:Get", TOKEN, False, id="no-implicit-prefix"),
        pytest.param("s3:*", TOKEN, False, id="other-service"),
        pytest.param("code*:Get*", TOKEN, True, id="service-wildcard"),
        pytest.param(
            ["sts:GetServiceBearerToken", "codeartifact:GetAuthorizationToken"],
            TOKEN,
            True,
            id="list",
        ),
    ],
)
def test_action_matching(action_pattern: Any, action: str, expected: bool) -> None:
    decision = Caller(action=action).decide([identity(allow(action_pattern))])
    assert decision.allowed is expected


@pytest.mark.parametrize(
    ("resource_pattern", "target", "expected"),
    [
        pytest.param("*", REPO, True, id="star"),
        pytest.param(REPO, REPO, True, id="exact"),
        pytest.param(DOMAIN, REPO, False, id="other-arn"),
        pytest.param(
            f"arn:aws:codeartifact:*:{OWNER}:repository/example/*", REPO, True, id="wildcards"
        ),
        pytest.param("arn:aws:codeartifact:*", REPO, True, id="star-spans-colons-and-slashes"),
        pytest.param(f"arn:aws:codeartifact:us-east-?:{OWNER}:*", REPO, True, id="question"),
        pytest.param(REPO.replace("pypi", "PyPI"), REPO, False, id="case-sensitive"),
        pytest.param(f"arn:aws:codeartifact:*:{OTHER}:*", REPO, False, id="other-account"),
        pytest.param([DOMAIN, REPO], REPO, True, id="list"),
        pytest.param(
            f"arn:aws:codeartifact:us-east-1:{OWNER}:repository/[a-z]*", REPO, False, id="brackets"
        ),
    ],
)
def test_resource_matching(resource_pattern: Any, target: str, expected: bool) -> None:
    decision = Caller(target=target).decide([identity(allow(res=resource_pattern))])
    assert decision.allowed is expected


def test_not_resource() -> None:
    identities = [identity(allow(Resource=None, NotResource=DOMAIN))]
    assert not Caller(target=DOMAIN).decide(identities).allowed
    assert Caller(target=REPO).decide(identities).allowed


def test_resource_policy_without_resource_covers_everything() -> None:
    resources = [resource({"Effect": "Allow", "Principal": "*", "Action": TOKEN})]
    assert Caller(target=REPO).decide([], resources).allowed


# --- Policy variables in Resource ---------------------------------------------------------------

HOME = f"arn:aws:codeartifact:us-east-1:{OWNER}:repository/example/home-${{aws:username}}"


@pytest.mark.parametrize(
    ("resource_pattern", "target", "keys", "expected"),
    [
        pytest.param(
            HOME,
            REPO[: REPO.rindex("/")] + "/home-alice",
            {"aws:username": "alice"},
            True,
            id="substituted",
        ),
        pytest.param(
            HOME,
            REPO[: REPO.rindex("/")] + "/home-bob",
            {"aws:username": "alice"},
            False,
            id="other-user",
        ),
        pytest.param(
            HOME,
            REPO[: REPO.rindex("/")] + "/home-alice",
            {},
            False,
            id="missing-key-statement-skipped",
        ),
        pytest.param(
            HOME.replace("}", ", 'shared'}"),
            REPO[: REPO.rindex("/")] + "/home-shared",
            {},
            True,
            id="default",
        ),
        pytest.param(
            "arn:aws:codeartifact:*:${aws:PrincipalAccount}:*", REPO, {}, True, id="built-in-key"
        ),
        pytest.param(
            f"arn:aws:codeartifact:*:{OWNER}:repository/${{*}}",
            REPO,
            {},
            False,
            id="escaped-star-literal",
        ),
        pytest.param(
            f"arn:aws:codeartifact:*:{OWNER}:repository/${{*}}",
            REPO[: REPO.index("repository/") + 11] + "*",
            {},
            True,
            id="escaped-star-itself",
        ),
    ],
)
def test_resource_variables(
    resource_pattern: str, target: str, keys: dict[str, ConditionValue], expected: bool
) -> None:
    decision = Caller(target=target, keys=keys).decide([identity(allow(res=resource_pattern))])
    assert decision.allowed is expected


def test_variables_are_literal_under_version_2008() -> None:
    target = REPO[: REPO.rindex("/")] + "/home-${aws:username}"
    old = identity(allow(res=HOME), version="2008-10-17")
    caller = Caller(target=target, keys={"aws:username": "alice"})
    assert caller.decide([old]).allowed
    assert not caller.decide([identity(allow(res=HOME))]).allowed


def test_unresolvable_variable_in_deny_skips_the_deny() -> None:
    policies = [identity(allow(), deny(res=HOME))]
    assert Caller(target=REPO).decide(policies).allowed


# --- The seed's org-wide domain policy ----------------------------------------------------------

ORG_POLICY = {
    "Sid": "OrgWideAccess",
    "Effect": "Allow",
    "Principal": "*",
    "Action": [
        "codeartifact:GetAuthorizationToken",
        "codeartifact:GetRepositoryEndpoint",
        "codeartifact:ReadFromRepository",
        "codeartifact:PublishPackageVersion",
        "sts:GetServiceBearerToken",
    ],
    "Resource": "*",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-xxxxxxxxxx"]}},
}


@pytest.mark.parametrize(
    ("caller", "identities", "allowed"),
    [
        pytest.param(
            Caller(BOB, OTHER, keys={"aws:PrincipalOrgID": "o-xxxxxxxxxx"}),
            [identity(allow("codeartifact:*"))],
            True,
            id="member-other-account",
        ),
        pytest.param(
            Caller(BOB, OTHER, keys={"aws:PrincipalOrgID": "o-yyyyyyyyyy"}),
            [identity(allow("codeartifact:*"))],
            False,
            id="non-member",
        ),
        pytest.param(Caller(BOB, OTHER), [identity(allow("codeartifact:*"))], False, id="no-org"),
        pytest.param(
            Caller(BOB, OTHER, keys={"aws:principalorgid": "o-xxxxxxxxxx"}),
            [],
            False,
            id="member-without-identity-policy",
        ),
        pytest.param(
            Caller(
                BOB,
                OTHER,
                action="sts:GetServiceBearerToken",
                keys={"aws:PrincipalOrgID": "o-xxxxxxxxxx"},
            ),
            [identity(allow("sts:*"))],
            True,
            id="member-bearer-token",
        ),
        pytest.param(
            Caller(
                BOB,
                OTHER,
                action="codeartifact:DeleteDomain",
                keys={"aws:PrincipalOrgID": "o-xxxxxxxxxx"},
            ),
            [identity(allow("codeartifact:*"))],
            False,
            id="member-unlisted-action",
        ),
        pytest.param(
            Caller(keys={"aws:PrincipalOrgID": "o-xxxxxxxxxx"}),
            [],
            True,
            id="member-same-account-resource-policy-suffices",
        ),
    ],
)
def test_seed_org_wide_policy(
    caller: Caller, identities: list[PolicyDocument], allowed: bool
) -> None:
    decision = caller.decide(identities, [resource(ORG_POLICY, name="domain policy")])
    assert decision.allowed is allowed
    assert not decision.explicit_deny


# --- Reasons ------------------------------------------------------------------------------------


def test_reason_names_the_denying_statement_and_policy() -> None:
    domain = resource(
        allow(Principal="*"), deny(Principal="*", Sid="NoTokens"), name="domain policy"
    )
    decision = Caller().decide([identity(allow())], [domain])
    assert decision == Decision(
        False, "explicitly denied by statement 'NoTokens' of the domain policy", True
    )


def test_reason_without_sid_or_name_uses_positions() -> None:
    decision = Caller().decide([identity(allow()), identity(allow(), deny())])
    assert decision.reason == "explicitly denied by statement #2 of the identity-based policy #2"


def test_reason_for_allow() -> None:
    decision = Caller().decide([identity(allow(Sid="Tokens"))])
    assert decision == Decision(
        True, "allowed by statement 'Tokens' of the identity-based policy #1", False
    )


def test_reason_for_cross_account_allow_names_both() -> None:
    decision = Caller(BOB, OTHER).decide(
        [identity(allow())], [resource(allow(Principal="*", Sid="Org"), name="repository policy")]
    )
    assert decision.reason == (
        "allowed by statement #1 of the identity-based policy #1"
        " and statement 'Org' of the repository policy"
    )


@pytest.mark.parametrize(
    ("caller", "identities", "resources", "reason"),
    [
        pytest.param(
            Caller(),
            [],
            [],
            f"no identity-based or resource-based policy allows {TOKEN} on {DOMAIN}",
            id="same-account",
        ),
        pytest.param(
            Caller(BOB, OTHER),
            [identity(allow())],
            [],
            "cross-account access requires both an identity-based policy and a resource-based"
            f" policy to allow {TOKEN} on {DOMAIN}; no resource-based policy allows it for {BOB}",
            id="cross-account-no-resource-allow",
        ),
        pytest.param(
            Caller(BOB, OTHER),
            [],
            [resource(allow(Principal="*"))],
            "cross-account access requires both an identity-based policy and a resource-based"
            f" policy to allow {TOKEN} on {DOMAIN}; no identity-based policy allows it",
            id="cross-account-no-identity-allow",
        ),
        pytest.param(
            Caller(BOB, OTHER),
            [],
            [],
            "cross-account access requires both an identity-based policy and a resource-based"
            f" policy to allow {TOKEN} on {DOMAIN}; neither allows it",
            id="cross-account-neither",
        ),
    ],
)
def test_reason_for_implicit_deny(
    caller: Caller,
    identities: list[PolicyDocument],
    resources: list[PolicyDocument],
    reason: str,
) -> None:
    assert caller.decide(identities, resources) == Decision(False, reason, False)


# --- Request context ------------------------------------------------------------------------------


def test_principal_keys_default_from_the_context() -> None:
    condition = {"StringEquals": {"aws:PrincipalAccount": OWNER, "aws:PrincipalArn": ALICE}}
    assert Caller().decide([identity(allow(Condition=condition))]).allowed
    assert (
        not Caller(keys={"AWS:PRINCIPALARN": BOB})
        .decide([identity(allow(Condition=condition))])
        .allowed
    )


def test_condition_keys_reach_statement_conditions() -> None:
    statement = allow(Condition={"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}})
    assert Caller(keys={"aws:SourceIp": "2001:db8::7"}).decide([identity(statement)]).allowed
    assert not Caller(keys={"aws:SourceIp": "192.0.2.1"}).decide([identity(statement)]).allowed
    assert not Caller().decide([identity(statement)]).allowed


def test_policy_kinds_must_match_their_role() -> None:
    with pytest.raises(ValueError, match="resource policy passed among the identity policies"):
        Caller().decide([resource(allow(Principal="*"))])
    with pytest.raises(ValueError, match="identity policy passed among the resource policies"):
        Caller().decide([], [identity(allow())])
