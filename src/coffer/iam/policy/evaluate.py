"""Deciding a request against identity-based and resource-based policies, the way AWS does.

1. A Deny statement that applies, in any policy, denies (explicitly). In a resource policy a
   statement applies only to the principals its Principal names (or NotPrincipal does not).
2. Otherwise, within the resource's own account, an Allow in an identity-based policy *or* in a
   resource-based policy is enough.
3. Across accounts, both are needed: an identity-based Allow in the caller's account *and* a
   resource-based Allow naming the caller.
4. Anything else is denied by default (implicitly).

An account id or ``arn:aws:iam::<acct>:root`` in a Principal names every principal of that
account, except in an Allow evaluated within the resource's own account: there, as in IAM, naming
the account delegates the decision to the account's identity policies instead of granting it.
A statement using a policy variable the request cannot supply does not apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from coffer.iam.policy.conditions import conditions_hold
from coffer.iam.policy.document import (
    Effect,
    PolicyDocument,
    PolicyKind,
    PrincipalEntry,
    Statement,
)
from coffer.iam.policy.matching import (
    ConditionValue,
    KeyLookup,
    MatchMode,
    UnresolvedVariable,
    action_matches,
)

__all__ = ["Decision", "RequestContext", "evaluate"]


@dataclass(frozen=True)
class RequestContext:
    """What is being asked, by whom, and the request's condition keys.

    ``keys`` maps condition keys (looked up case-insensitively) to values; a sequence makes a key
    multi-valued (``aws:TagKeys``). ``aws:PrincipalArn`` and ``aws:PrincipalAccount`` default to
    ``principal_arn`` and ``principal_account`` unless ``keys`` supplies them.
    """

    action: str
    resource: str
    principal_arn: str
    principal_account: str
    keys: Mapping[str, ConditionValue] = field(default_factory=dict)

    def lookup(self) -> KeyLookup:
        defaults: dict[str, ConditionValue] = {
            "aws:PrincipalArn": self.principal_arn,
            "aws:PrincipalAccount": self.principal_account,
        }
        return KeyLookup({**defaults, **self.keys})


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    explicit_deny: bool = False


@dataclass(frozen=True)
class _Match:
    policy: str  # how the reason names the policy
    statement: Statement

    def describe(self) -> str:
        return f"statement {self.statement.label} of the {self.policy}"


_ACCOUNT_ROOT = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):root")
_ROLE_ARN = re.compile(r"arn:(aws[a-z-]*):iam::(\d{12}):role/(?:.*/)?([^/]+)")
_SESSION_ARN = re.compile(r"arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/.+")


def _principal_named(
    entry: PrincipalEntry, principal_arn: str, principal_account: str, *, accounts: bool = True
) -> bool:
    """Whether a Principal entry names the caller. Only ``AWS`` entries ever do.

    ``*`` names everyone; an account id or ``arn:aws:iam::<acct>:root`` names every principal of
    that account; an IAM role ARN also names that role's assumed-role sessions; any other ARN
    names exactly that principal. With ``accounts`` false, account entries name nobody.
    """
    if entry.type != "AWS":
        return False
    if entry.value in ("*", principal_arn):
        return True
    root = _ACCOUNT_ROOT.fullmatch(entry.value)
    if root is not None or entry.value.isdigit():
        return accounts and (root.group(1) if root else entry.value) == principal_account
    role, session = _ROLE_ARN.fullmatch(entry.value), _SESSION_ARN.fullmatch(principal_arn)
    return role is not None and session is not None and role.groups() == session.groups()


class _Request:
    def __init__(self, ctx: RequestContext, resource_account: str) -> None:
        self.ctx = ctx
        self.lookup = ctx.lookup()
        self.same_account = ctx.principal_account == resource_account

    def _principal(self, statement: Statement) -> bool:
        if statement.principals is None:
            return True  # identity policy: it is attached to the caller
        ctx = self.ctx
        delegating = self.same_account and statement.effect is Effect.ALLOW
        named = any(
            _principal_named(
                entry, ctx.principal_arn, ctx.principal_account, accounts=not delegating
            )
            for entry in statement.principals
        )
        return named != statement.not_principal

    def _action(self, statement: Statement) -> bool:
        matched = any(action_matches(pattern, self.ctx.action) for pattern in statement.actions)
        return matched != statement.not_action

    def _resource(self, statement: Statement) -> bool:
        matched = any(
            template.matches(self.ctx.resource, self.lookup, MatchMode.GLOB)
            for template in statement.resources
        )
        return matched != statement.not_resource

    def applies(self, statement: Statement) -> bool:
        try:
            return (
                self._principal(statement)
                and self._action(statement)
                and self._resource(statement)
                and conditions_hold(statement.conditions, self.lookup)
            )
        except UnresolvedVariable:
            return False

    def scan(
        self, policies: Iterable[tuple[str, PolicyDocument]]
    ) -> tuple[_Match | None, _Match | None]:
        """The first applying Deny and the first applying Allow among ``policies``."""
        allow: _Match | None = None
        for label, policy in policies:
            for statement in policy.statements:
                if (statement.effect is Effect.ALLOW and allow) or not self.applies(statement):
                    continue
                if statement.effect is Effect.DENY:
                    return _Match(label, statement), allow
                allow = _Match(label, statement)
        return None, allow


def _labelled(
    policies: Sequence[PolicyDocument], kind: PolicyKind
) -> list[tuple[str, PolicyDocument]]:
    labelled: list[tuple[str, PolicyDocument]] = []
    for number, policy in enumerate(policies, 1):
        if policy.kind is not kind:
            raise ValueError(f"{policy.kind} policy passed among the {kind} policies")
        labelled.append((policy.name or f"{kind}-based policy #{number}", policy))
    return labelled


def _cross_account_reason(
    ctx: RequestContext, identity: _Match | None, resource: _Match | None
) -> str:
    missing = (
        "neither allows it"
        if identity is None and resource is None
        else "no identity-based policy allows it"
        if identity is None
        else f"no resource-based policy allows it for {ctx.principal_arn}"
    )
    return (
        "cross-account access requires both an identity-based policy and a resource-based "
        f"policy to allow {ctx.action} on {ctx.resource}; {missing}"
    )


def evaluate(
    ctx: RequestContext,
    *,
    identity_policies: Sequence[PolicyDocument],
    resource_policies: Sequence[PolicyDocument],
    resource_account: str,
) -> Decision:
    """Decide ``ctx`` under the caller's identity policies and the resource's policies."""
    request = _Request(ctx, resource_account)
    identity_deny, identity = request.scan(_labelled(identity_policies, PolicyKind.IDENTITY))
    resource_deny, resource = request.scan(_labelled(resource_policies, PolicyKind.RESOURCE))
    deny = identity_deny or resource_deny
    if deny is not None:
        return Decision(False, f"explicitly denied by {deny.describe()}", explicit_deny=True)
    if ctx.principal_account != resource_account:
        if identity is not None and resource is not None:
            reason = f"allowed by {identity.describe()} and {resource.describe()}"
            return Decision(True, reason)
        return Decision(False, _cross_account_reason(ctx, identity, resource))
    allow = identity or resource
    if allow is not None:
        return Decision(True, f"allowed by {allow.describe()}")
    return Decision(
        False,
        f"no identity-based or resource-based policy allows {ctx.action} on {ctx.resource}",
    )
