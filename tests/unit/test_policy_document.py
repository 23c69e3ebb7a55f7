"""Parsing and validating IAM policy documents: coffer.iam.policy.document."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from coffer.errors import ValidationError, ValidationReason
from coffer.iam.policy import Effect, PolicyDocument, PolicyError, PolicyKind, PrincipalEntry

IDENTITY, RESOURCE = PolicyKind.IDENTITY, PolicyKind.RESOURCE
ALLOW_ALL: dict[str, Any] = {"Effect": "Allow", "Action": "*", "Resource": "*"}
PUBLIC: dict[str, Any] = {**ALLOW_ALL, "Principal": "*"}


def doc(*statements: dict[str, Any], **top: Any) -> str:
    return json.dumps({"Version": "2012-10-17", **top, "Statement": list(statements)})


def parse(text: str, kind: PolicyKind = IDENTITY) -> PolicyDocument:
    return PolicyDocument.parse(text, kind)


# --- Valid documents --------------------------------------------------------------------------


def test_parse_keeps_text_verbatim_and_reads_every_element() -> None:
    text = (
        '{"Version": "2012-10-17", "Id": "p1", "Statement": [\n'
        '  {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": ["111122223333",'
        ' "arn:aws:iam::444455556666:user/bob"]},'
        ' "Action": ["codeartifact:Get*", "sts:GetServiceBearerToken"],'
        ' "Resource": "arn:aws:codeartifact:us-east-1:111122223333:domain/example",'
        ' "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]}'
    )
    policy = PolicyDocument.parse(text, RESOURCE, name="domain policy")
    assert policy.text == text
    assert (policy.kind, policy.version, policy.id, policy.name) == (
        RESOURCE,
        "2012-10-17",
        "p1",
        "domain policy",
    )
    (statement,) = policy.statements
    assert statement.sid == "Read"
    assert statement.effect is Effect.ALLOW
    assert statement.actions == ("codeartifact:Get*", "sts:GetServiceBearerToken")
    assert [r.source for r in statement.resources] == [
        "arn:aws:codeartifact:us-east-1:111122223333:domain/example"
    ]
    assert statement.principals == (
        PrincipalEntry("AWS", "111122223333"),
        PrincipalEntry("AWS", "arn:aws:iam::444455556666:user/bob"),
    )
    assert (statement.not_action, statement.not_resource, statement.not_principal) == (
        False,
        False,
        False,
    )
    (condition,) = statement.conditions
    assert (condition.operator.name, condition.key, condition.values) == (
        "StringEquals",
        "aws:PrincipalOrgID",
        ("o-abc",),
    )
    assert statement.label == "'Read'"


@pytest.mark.parametrize(
    ("text", "kind", "check"),
    [
        pytest.param(
            json.dumps({"Statement": ALLOW_ALL}),
            IDENTITY,
            lambda p: len(p.statements) == 1 and p.version is None,
            id="single-statement-object-and-no-version",
        ),
        pytest.param(
            doc(ALLOW_ALL, ALLOW_ALL),
            IDENTITY,
            lambda p: [s.number for s in p.statements] == [1, 2],
            id="statement-list-numbered-from-1",
        ),
        pytest.param(
            json.dumps({"Version": "2008-10-17", "Statement": [ALLOW_ALL]}),
            IDENTITY,
            lambda p: p.version == "2008-10-17",
            id="version-2008",
        ),
        pytest.param(
            doc({"Effect": "Deny", "NotAction": ["s3:*", "iam:*"], "NotResource": "*"}),
            IDENTITY,
            lambda p: (
                p.statements[0].not_action
                and p.statements[0].not_resource
                and p.statements[0].effect is Effect.DENY
                and p.statements[0].principals is None
            ),
            id="not-action-not-resource",
        ),
        pytest.param(
            doc({"Effect": "Allow", "Principal": "*", "Action": "codeartifact:*"}),
            RESOURCE,
            lambda p: [r.source for r in p.statements[0].resources] == ["*"],
            id="resource-policy-without-resource-means-star",
        ),
        pytest.param(
            doc(PUBLIC),
            RESOURCE,
            lambda p: p.statements[0].principals == (PrincipalEntry("AWS", "*"),),
            id="principal-star-is-aws-star",
        ),
        pytest.param(
            doc({**ALLOW_ALL, "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}),
            RESOURCE,
            lambda p: p.statements[0].not_principal,
            id="not-principal",
        ),
        pytest.param(
            doc({**ALLOW_ALL, "Principal": {"Service": "codeartifact.amazonaws.com"}}),
            RESOURCE,
            lambda p: (
                p.statements[0].principals
                == (PrincipalEntry("Service", "codeartifact.amazonaws.com"),)
            ),
            id="service-principal-parses",
        ),
        pytest.param(
            doc(
                {
                    **ALLOW_ALL,
                    "Principal": {
                        "AWS": [
                            "arn:aws:iam::111122223333:role/path/deployer",
                            "arn:aws:sts::111122223333:assumed-role/deployer/ci",
                            "arn:aws:iam::111122223333:root",
                        ]
                    },
                }
            ),
            RESOURCE,
            lambda p: len(p.statements[0].principals or ()) == 3,
            id="role-session-and-root-principals",
        ),
        pytest.param(
            doc({**ALLOW_ALL, "Action": ["*", "codeartifact:*", "code*:Get?ackage*"]}),
            IDENTITY,
            lambda p: len(p.statements[0].actions) == 3,
            id="action-wildcards",
        ),
        pytest.param(
            doc({**ALLOW_ALL, "Resource": "arn:aws:s3:::bucket/${aws:username}/*"}),
            IDENTITY,
            lambda p: p.statements[0].resources[0].source.endswith("${aws:username}/*"),
            id="resource-with-variable",
        ),
        pytest.param(
            doc({**ALLOW_ALL, "Condition": {"Bool": {"aws:SecureTransport": True}}}),
            IDENTITY,
            lambda p: p.statements[0].conditions[0].values == ("true",),
            id="json-boolean-condition-value",
        ),
        pytest.param(
            doc({**ALLOW_ALL, "Condition": {"NumericLessThan": {"aws:EpochTime": 1700000000}}}),
            IDENTITY,
            lambda p: p.statements[0].conditions[0].values == ("1700000000",),
            id="json-number-condition-value",
        ),
        pytest.param(
            doc({**ALLOW_ALL, "Sid": "A"}, {**ALLOW_ALL, "Sid": ""}, {**ALLOW_ALL}),
            IDENTITY,
            lambda p: [s.label for s in p.statements] == ["'A'", "#2", "#3"],
            id="labels-use-sid-else-position",
        ),
    ],
)
def test_valid_documents(text: str, kind: PolicyKind, check: Any) -> None:
    assert check(PolicyDocument.parse(text, kind))


# --- Invalid documents ------------------------------------------------------------------------


def _condition(block: dict[str, Any]) -> str:
    return doc({**ALLOW_ALL, "Condition": block})


INVALID = [
    pytest.param("{", IDENTITY, "Policy document is not valid JSON: ", id="truncated-json"),
    pytest.param(
        '{"Statement": [], }', IDENTITY, "Policy document is not valid JSON: ", id="trailing-comma"
    ),
    pytest.param(
        '{"Version": NaN, "Statement": []}',
        IDENTITY,
        "Policy document is not valid JSON: ",
        id="nan-constant",
    ),
    pytest.param("[]", IDENTITY, "Policy document must be a JSON object", id="array-document"),
    pytest.param(
        '"policy"', IDENTITY, "Policy document must be a JSON object", id="string-document"
    ),
    pytest.param(
        json.dumps({"Statements": [ALLOW_ALL]}),
        IDENTITY,
        'Policy document: unknown element "Statements"',
        id="unknown-top-level",
    ),
    pytest.param(
        json.dumps({"Version": "2012-10-18", "Statement": [ALLOW_ALL]}),
        IDENTITY,
        'Policy document: Version must be "2012-10-17" or "2008-10-17"',
        id="bad-version",
    ),
    pytest.param(
        json.dumps({"Id": 7, "Statement": [ALLOW_ALL]}),
        IDENTITY,
        "Policy document: Id must be a string",
        id="id-not-string",
    ),
    pytest.param(
        json.dumps({"Version": "2012-10-17"}),
        IDENTITY,
        "Policy document must contain a Statement",
        id="missing-statement",
    ),
    pytest.param(
        doc(),
        IDENTITY,
        "Policy document must contain at least one statement",
        id="empty-statement-list",
    ),
    pytest.param(
        json.dumps({"Statement": [ALLOW_ALL, "Allow"]}),
        IDENTITY,
        "Policy statement 2 must be a JSON object",
        id="statement-not-object",
    ),
    pytest.param(
        doc(ALLOW_ALL, {"Effect": "Allow", "Actions": "*", "Resource": "*"}),
        IDENTITY,
        'Policy statement 2: unknown element "Actions"',
        id="unknown-statement-element",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Sid": "Sid1", "Effect": "allow"}),
        IDENTITY,
        'Statement "Sid1": Effect must be "Allow" or "Deny"',
        id="bad-effect-named-by-sid",
    ),
    pytest.param(
        doc({"Action": "*", "Resource": "*"}),
        IDENTITY,
        'Policy statement 1: Effect must be "Allow" or "Deny"',
        id="missing-effect",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Sid": 3}),
        IDENTITY,
        "Policy statement 1: Sid must be a string",
        id="sid-not-string",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Sid": "A"}, {**ALLOW_ALL, "Sid": "A"}),
        IDENTITY,
        'Policy document: duplicate Sid "A"',
        id="duplicate-sid",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "NotAction": "s3:*"}),
        IDENTITY,
        "Policy statement 1: must contain exactly one of Action or NotAction",
        id="action-and-not-action",
    ),
    pytest.param(
        doc({"Effect": "Allow", "Resource": "*"}),
        IDENTITY,
        "Policy statement 1: must contain exactly one of Action or NotAction",
        id="no-action",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Action": []}),
        IDENTITY,
        "Policy statement 1: Action must be a string or a non-empty list of strings",
        id="empty-action-list",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Action": ["s3:Get", 4]}),
        IDENTITY,
        "Policy statement 1: Action must be a string or a non-empty list of strings",
        id="non-string-action",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Action": "codeartifact"}),
        IDENTITY,
        'Policy statement 1: invalid Action "codeartifact"',
        id="action-without-service",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Action": "code artifact:Get"}),
        IDENTITY,
        'Policy statement 1: invalid Action "code artifact:Get"',
        id="action-with-space",
    ),
    pytest.param(
        doc({"Effect": "Deny", "NotAction": ":Get"}),
        IDENTITY,
        'Policy statement 1: invalid NotAction ":Get"',
        id="not-action-without-service",
    ),
    pytest.param(
        doc({"Effect": "Allow", "Action": "*"}),
        IDENTITY,
        "Policy statement 1: must contain exactly one of Resource or NotResource",
        id="identity-without-resource",
    ),
    pytest.param(
        doc({**PUBLIC, "NotResource": "*"}),
        RESOURCE,
        "Policy statement 1: must contain exactly one of Resource or NotResource",
        id="resource-and-not-resource",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Resource": "my-bucket"}),
        IDENTITY,
        'Policy statement 1: invalid Resource "my-bucket"',
        id="resource-not-arn",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Resource": "arn:aws:s3"}),
        IDENTITY,
        'Policy statement 1: invalid Resource "arn:aws:s3"',
        id="resource-short-arn",
    ),
    pytest.param(
        doc(ALLOW_ALL),
        RESOURCE,
        "Policy statement 1: Resource policies require a Principal",
        id="resource-policy-without-principal",
    ),
    pytest.param(
        doc({**PUBLIC, "Sid": "S"}),
        IDENTITY,
        'Statement "S": Identity policies must not contain a Principal',
        id="identity-with-principal",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "NotPrincipal": {"AWS": "111122223333"}}),
        IDENTITY,
        "Policy statement 1: Identity policies must not contain a Principal",
        id="identity-with-not-principal",
    ),
    pytest.param(
        doc({**PUBLIC, "NotPrincipal": {"AWS": "111122223333"}}),
        RESOURCE,
        "Policy statement 1: must contain exactly one of Principal or NotPrincipal",
        id="principal-and-not-principal",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Principal": "111122223333"}),
        RESOURCE,
        'Policy statement 1: Principal must be "*" or an object',
        id="principal-bare-account",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Principal": {}}),
        RESOURCE,
        'Policy statement 1: Principal must be "*" or an object',
        id="principal-empty-object",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Principal": {"Aws": "*"}}),
        RESOURCE,
        'Policy statement 1: unknown principal type "Aws" in Principal',
        id="principal-type-case",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Principal": {"AWS": "alice"}}),
        RESOURCE,
        'Policy statement 1: invalid AWS principal "alice" in Principal',
        id="principal-name-only",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Principal": {"AWS": "1111"}}),
        RESOURCE,
        'Policy statement 1: invalid AWS principal "1111" in Principal',
        id="principal-short-account",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "NotPrincipal": {"AWS": ["arn:aws:iam::1:user/x"]}}),
        RESOURCE,
        'Policy statement 1: invalid AWS principal "arn:aws:iam::1:user/x" in NotPrincipal',
        id="principal-arn-bad-account",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Principal": {"AWS": []}}),
        RESOURCE,
        "Principal AWS must be a string or a non-empty list of strings",
        id="principal-empty-list",
    ),
    pytest.param(
        doc({**ALLOW_ALL, "Condition": ["StringEquals"]}),
        IDENTITY,
        "Policy statement 1: Condition must be a JSON object",
        id="condition-not-object",
    ),
    pytest.param(
        _condition({"StringEqualz": {"k": "v"}}),
        IDENTITY,
        'Policy statement 1: unsupported condition operator "StringEqualz"',
        id="unknown-operator",
    ),
    pytest.param(
        _condition({"NullIfExists": {"k": "true"}}),
        IDENTITY,
        'unsupported condition operator "NullIfExists"',
        id="null-if-exists",
    ),
    pytest.param(
        _condition({"ForAnyValue:Null": {"k": "true"}}),
        IDENTITY,
        'unsupported condition operator "ForAnyValue:Null"',
        id="set-operator-on-null",
    ),
    pytest.param(
        _condition({"ForSomeValues:StringEquals": {"k": "v"}}),
        IDENTITY,
        'unsupported condition operator "ForSomeValues:StringEquals"',
        id="unknown-set-operator",
    ),
    pytest.param(
        _condition({":StringEquals": {"k": "v"}}),
        IDENTITY,
        'unsupported condition operator ":StringEquals"',
        id="empty-set-prefix",
    ),
    pytest.param(
        _condition({"stringequals": {"k": "v"}}),
        IDENTITY,
        'unsupported condition operator "stringequals"',
        id="operator-case",
    ),
    pytest.param(
        _condition({"StringEqualsIfExistsIfExists": {"k": "v"}}),
        IDENTITY,
        'unsupported condition operator "StringEqualsIfExistsIfExists"',
        id="double-if-exists",
    ),
    pytest.param(
        _condition({"StringEquals": "aws:username"}),
        IDENTITY,
        'condition "StringEquals" must map condition keys to values',
        id="block-not-object",
    ),
    pytest.param(
        _condition({"StringEquals": {}}),
        IDENTITY,
        'condition "StringEquals" must map condition keys to values',
        id="empty-block",
    ),
    pytest.param(
        _condition({"StringEquals": {"": "v"}}),
        IDENTITY,
        'condition "StringEquals" has an empty condition key',
        id="empty-condition-key",
    ),
    pytest.param(
        _condition({"StringEquals": {"k": []}}),
        IDENTITY,
        'condition "StringEquals" on key "k" has an empty list of values',
        id="empty-value-list",
    ),
    pytest.param(
        _condition({"StringEquals": {"k": {"v": 1}}}),
        IDENTITY,
        'condition "StringEquals" on key "k": values must be strings, numbers or booleans',
        id="object-value",
    ),
    pytest.param(
        _condition({"StringEquals": {"k": [None]}}),
        IDENTITY,
        'condition "StringEquals" on key "k": values must be strings, numbers or booleans',
        id="null-value",
    ),
    pytest.param(
        _condition({"NumericLessThan": {"aws:EpochTime": "soon"}}),
        IDENTITY,
        'condition "NumericLessThan" on key "aws:EpochTime": "soon" is not a number',
        id="numeric-not-number",
    ),
    pytest.param(
        _condition({"NumericEquals": {"k": "NaN"}}),
        IDENTITY,
        '"NaN" is not a number',
        id="numeric-nan",
    ),
    pytest.param(
        _condition({"NumericEquals": {"k": "1_000"}}),
        IDENTITY,
        '"1_000" is not a number',
        id="numeric-underscores",
    ),
    pytest.param(
        _condition({"NumericEquals": {"k": "1e999"}}),
        IDENTITY,
        '"1e999" is not a number',
        id="numeric-overflow",
    ),
    pytest.param(
        _condition({"DateGreaterThan": {"aws:CurrentTime": "yesterday"}}),
        IDENTITY,
        '"yesterday" is not an ISO 8601 date or epoch seconds',
        id="date-not-date",
    ),
    pytest.param(
        _condition({"Bool": {"aws:SecureTransport": "yes"}}),
        IDENTITY,
        'condition "Bool" on key "aws:SecureTransport": "yes" is not "true" or "false"',
        id="bool-not-bool",
    ),
    pytest.param(
        _condition({"Null": {"aws:TagKeys": "maybe"}}),
        IDENTITY,
        '"maybe" is not "true" or "false"',
        id="null-not-bool",
    ),
    pytest.param(
        _condition({"IpAddress": {"aws:SourceIp": "300.1.2.3/8"}}),
        IDENTITY,
        '"300.1.2.3/8" is not an IP address or CIDR block',
        id="ip-bad-octet",
    ),
    pytest.param(
        _condition({"NotIpAddressIfExists": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/zz"]}}),
        IDENTITY,
        '"2001:db8::/zz" is not an IP address or CIDR block',
        id="ip-bad-v6-prefix",
    ),
    pytest.param(
        _condition({"BinaryEquals": {"k": "not base64!"}}),
        IDENTITY,
        '"not base64!" is not base64',
        id="binary-not-base64",
    ),
]


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    INVALID,
)
def test_invalid_documents_name_the_problem(text: str, kind: PolicyKind, message: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(message)) as raised:
        PolicyDocument.parse(text, kind)
    error = raised.value
    assert isinstance(error, ValidationError)
    assert error.reason is ValidationReason.FIELD_VALIDATION_FAILED
    assert error.message == str(error)
    if message.startswith(("Policy", "Statement")):
        assert error.message.startswith(message)


def test_invalid_json_message_carries_the_decoder_position() -> None:
    with pytest.raises(PolicyError) as raised:
        parse('{"Statement": [}')
    assert re.fullmatch(
        r"Policy document is not valid JSON: .+: line 1 column \d+ \(char \d+\)",
        raised.value.message,
    )


def test_documents_compare_by_content_not_name() -> None:
    text = doc(PUBLIC)
    assert PolicyDocument.parse(text, RESOURCE, name="a") == PolicyDocument.parse(
        text, RESOURCE, name="b"
    )
