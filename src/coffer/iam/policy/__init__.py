"""The IAM policy language: parse identity- and resource-based policies, decide requests.

Pure logic, stdlib only::

    policy = PolicyDocument.parse(text, PolicyKind.RESOURCE, name="domain policy")
    decision = evaluate(
        RequestContext(action, resource_arn, principal_arn, principal_account, keys={...}),
        identity_policies=[...],
        resource_policies=[policy],
        resource_account=owner,
    )
"""

from coffer.iam.policy.conditions import Condition, Operator
from coffer.iam.policy.document import (
    Effect,
    PolicyDocument,
    PolicyError,
    PolicyKind,
    PrincipalEntry,
    Statement,
)
from coffer.iam.policy.evaluate import Decision, RequestContext, evaluate
from coffer.iam.policy.matching import ConditionValue

__all__ = [
    "Condition",
    "ConditionValue",
    "Decision",
    "Effect",
    "Operator",
    "PolicyDocument",
    "PolicyError",
    "PolicyKind",
    "PrincipalEntry",
    "RequestContext",
    "Statement",
    "evaluate",
]
