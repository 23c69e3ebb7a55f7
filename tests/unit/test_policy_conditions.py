"""Condition operators: coffer.iam.policy.conditions, decided against request keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from coffer.iam.policy.conditions import Family, Operator, SetOperator, parse_conditions
from coffer.iam.policy.matching import ConditionValue, KeyLookup, UnresolvedVariable


def holds(
    condition: dict[str, Any], keys: dict[str, ConditionValue], *, variables: bool = True
) -> bool:
    parsed = parse_conditions(condition, variables=variables)
    lookup = KeyLookup(keys)
    return all(c.holds(lookup) for c in parsed)


NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
NOW_EPOCH = int(NOW.timestamp())  # 1717243200
Case = tuple[dict[str, Any], dict[str, ConditionValue], bool]


def cases(**table: Case) -> list[Any]:
    return [pytest.param(*case, id=name.replace("_", "-")) for name, case in table.items()]


STRING = cases(
    equals_match=({"StringEquals": {"aws:username": "alice"}}, {"aws:username": "alice"}, True),
    equals_other=({"StringEquals": {"aws:username": "alice"}}, {"aws:username": "bob"}, False),
    equals_case_sensitive=(
        {"StringEquals": {"aws:username": "alice"}},
        {"aws:username": "Alice"},
        False,
    ),
    equals_missing=({"StringEquals": {"aws:username": "alice"}}, {}, False),
    equals_values_ored=(
        {"StringEquals": {"aws:username": ["bob", "alice"]}},
        {"aws:username": "alice"},
        True,
    ),
    equals_key_case_insensitive=(
        {"StringEquals": {"AWS:UserName": "alice"}},
        {"aws:username": "alice"},
        True,
    ),
    equals_star_is_literal=({"StringEquals": {"k": "*"}}, {"k": "anything"}, False),
    equals_star_itself=({"StringEquals": {"k": "*"}}, {"k": "*"}, True),
    equals_bool_context_as_text=({"StringEquals": {"k": "true"}}, {"k": True}, True),
    equals_int_context_as_text=({"StringEquals": {"k": 42}}, {"k": 42}, True),
    not_equals_other=({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "c"}, True),
    not_equals_one_of=({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "b"}, False),
    not_equals_missing_is_true=({"StringNotEquals": {"k": "a"}}, {}, True),
    ignore_case_match=({"StringEqualsIgnoreCase": {"k": "ALICE"}}, {"k": "alice"}, True),
    ignore_case_other=({"StringEqualsIgnoreCase": {"k": "ALICE"}}, {"k": "bob"}, False),
    not_equals_ignore_case_same=(
        {"StringNotEqualsIgnoreCase": {"k": "ALICE"}},
        {"k": "Alice"},
        False,
    ),
    not_equals_ignore_case_other=(
        {"StringNotEqualsIgnoreCase": {"k": "ALICE"}},
        {"k": "bob"},
        True,
    ),
    like_star=({"StringLike": {"k": "home/*/docs"}}, {"k": "home/alice/x/docs"}, True),
    like_star_empty=({"StringLike": {"k": "home/*"}}, {"k": "home/"}, True),
    like_question=({"StringLike": {"k": "v?"}}, {"k": "v1"}, True),
    like_question_one_char=({"StringLike": {"k": "v?"}}, {"k": "v10"}, False),
    like_whole_string=({"StringLike": {"k": "abc"}}, {"k": "xabcx"}, False),
    like_case_sensitive=({"StringLike": {"k": "A*"}}, {"k": "abc"}, False),
    like_brackets_literal=({"StringLike": {"k": "[ab]*"}}, {"k": "a1"}, False),
    like_brackets_match=({"StringLike": {"k": "[ab]*"}}, {"k": "[ab]1"}, True),
    like_regex_chars_literal=({"StringLike": {"k": "a.c+"}}, {"k": "abcc"}, False),
    like_spans_newline=({"StringLike": {"k": "a*b"}}, {"k": "a\nb"}, True),
    not_like_match=({"StringNotLike": {"k": ["x*", "y*"]}}, {"k": "yes"}, False),
    not_like_no_match=({"StringNotLike": {"k": ["x*", "y*"]}}, {"k": "no"}, True),
    not_like_missing=({"StringNotLike": {"k": "x*"}}, {}, True),
)

NUMERIC = cases(
    equals=({"NumericEquals": {"n": "10"}}, {"n": 10}, True),
    equals_float=({"NumericEquals": {"n": 10}}, {"n": 10.0}, True),
    equals_string_context=({"NumericEquals": {"n": "1.5"}}, {"n": "1.50"}, True),
    equals_other=({"NumericEquals": {"n": "10"}}, {"n": 11}, False),
    not_equals=({"NumericNotEquals": {"n": ["1", "2"]}}, {"n": 3}, True),
    not_equals_listed=({"NumericNotEquals": {"n": ["1", "2"]}}, {"n": 2}, False),
    not_equals_missing=({"NumericNotEquals": {"n": "1"}}, {}, True),
    less_than=({"NumericLessThan": {"n": "10"}}, {"n": 9}, True),
    less_than_boundary=({"NumericLessThan": {"n": "10"}}, {"n": 10}, False),
    less_than_equals_boundary=({"NumericLessThanEquals": {"n": "10"}}, {"n": 10}, True),
    less_than_equals_above=({"NumericLessThanEquals": {"n": "10"}}, {"n": 10.5}, False),
    greater_than=({"NumericGreaterThan": {"n": "-1"}}, {"n": 0}, True),
    greater_than_boundary=({"NumericGreaterThan": {"n": "0"}}, {"n": 0}, False),
    greater_than_equals=({"NumericGreaterThanEquals": {"n": 0}}, {"n": 0}, True),
    greater_than_equals_below=({"NumericGreaterThanEquals": {"n": 0}}, {"n": -0.1}, False),
    missing=({"NumericLessThan": {"n": "10"}}, {}, False),
    non_numeric_context=({"NumericLessThan": {"n": "10"}}, {"n": "abc"}, False),
    non_numeric_context_negated=({"NumericNotEquals": {"n": "10"}}, {"n": "abc"}, False),
    bool_context_is_not_a_number=({"NumericEquals": {"n": "1"}}, {"n": True}, False),
)

DATE = cases(
    equals_iso_vs_datetime=(
        {"DateEquals": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}},
        {"aws:CurrentTime": NOW},
        True,
    ),
    equals_offset=(
        {"DateEquals": {"aws:CurrentTime": "2024-06-01T14:00:00+02:00"}},
        {"aws:CurrentTime": NOW},
        True,
    ),
    equals_naive_is_utc=(
        {"DateEquals": {"aws:CurrentTime": "2024-06-01T12:00:00"}},
        {"aws:CurrentTime": datetime(2024, 6, 1, 12, 0)},
        True,
    ),
    equals_epoch_policy=(
        {"DateEquals": {"aws:CurrentTime": str(NOW_EPOCH)}},
        {"aws:CurrentTime": NOW},
        True,
    ),
    equals_epoch_json_number=(
        {"DateEquals": {"aws:EpochTime": NOW_EPOCH}},
        {"aws:EpochTime": NOW_EPOCH},
        True,
    ),
    equals_iso_context_string=(
        {"DateEquals": {"aws:CurrentTime": str(NOW_EPOCH)}},
        {"aws:CurrentTime": "2024-06-01T12:00:00Z"},
        True,
    ),
    equals_epoch_context_string=(
        {"DateEquals": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}},
        {"aws:CurrentTime": str(NOW_EPOCH)},
        True,
    ),
    not_equals=(
        {"DateNotEquals": {"aws:CurrentTime": "2024-01-01"}},
        {"aws:CurrentTime": NOW},
        True,
    ),
    not_equals_same=(
        {"DateNotEquals": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}},
        {"aws:CurrentTime": NOW},
        False,
    ),
    less_than=(
        {"DateLessThan": {"aws:CurrentTime": "2024-12-31T23:59:59Z"}},
        {"aws:CurrentTime": NOW},
        True,
    ),
    less_than_past=(
        {"DateLessThan": {"aws:CurrentTime": "2024-01-01"}},
        {"aws:CurrentTime": NOW},
        False,
    ),
    less_than_equals_boundary=(
        {"DateLessThanEquals": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}},
        {"aws:CurrentTime": NOW},
        True,
    ),
    greater_than=(
        {"DateGreaterThan": {"aws:CurrentTime": "2024-06-01T11:59:59Z"}},
        {"aws:CurrentTime": NOW},
        True,
    ),
    greater_than_boundary=(
        {"DateGreaterThan": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}},
        {"aws:CurrentTime": NOW},
        False,
    ),
    greater_than_equals_epoch=(
        {"DateGreaterThanEquals": {"aws:EpochTime": str(NOW_EPOCH)}},
        {"aws:EpochTime": NOW_EPOCH},
        True,
    ),
    other_timezone_context=(
        {"DateLessThan": {"aws:CurrentTime": "2024-06-01T12:30:00Z"}},
        {"aws:CurrentTime": NOW.astimezone(timezone(timedelta(hours=-5)))},
        True,
    ),
    missing=({"DateLessThan": {"aws:CurrentTime": "2030-01-01"}}, {}, False),
    garbage_context=(
        {"DateLessThan": {"aws:CurrentTime": "2030-01-01"}},
        {"aws:CurrentTime": "tomorrow"},
        False,
    ),
)

BOOL_BINARY = cases(
    bool_true_string_vs_true=(
        {"Bool": {"aws:SecureTransport": "true"}},
        {"aws:SecureTransport": True},
        True,
    ),
    bool_true_vs_false=(
        {"Bool": {"aws:SecureTransport": "true"}},
        {"aws:SecureTransport": False},
        False,
    ),
    bool_false_string_vs_false=(
        {"Bool": {"aws:SecureTransport": "false"}},
        {"aws:SecureTransport": False},
        True,
    ),
    bool_json_true=({"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": True}, True),
    bool_policy_case_insensitive=(
        {"Bool": {"aws:SecureTransport": "TRUE"}},
        {"aws:SecureTransport": True},
        True,
    ),
    bool_context_string=(
        {"Bool": {"aws:SecureTransport": "true"}},
        {"aws:SecureTransport": "True"},
        True,
    ),
    bool_context_not_boolean=(
        {"Bool": {"aws:SecureTransport": "true"}},
        {"aws:SecureTransport": "yes"},
        False,
    ),
    bool_missing=({"Bool": {"aws:SecureTransport": "false"}}, {}, False),
    binary_bytes=({"BinaryEquals": {"k": "QmluYXJ5"}}, {"k": b"Binary"}, True),
    binary_base64_context=({"BinaryEquals": {"k": "QmluYXJ5"}}, {"k": "QmluYXJ5"}, True),
    binary_other=({"BinaryEquals": {"k": "QmluYXJ5"}}, {"k": b"binary"}, False),
    binary_missing=({"BinaryEquals": {"k": "QmluYXJ5"}}, {}, False),
)

IP = cases(
    v4_in_cidr=(
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"aws:SourceIp": "203.0.113.9"},
        True,
    ),
    v4_outside=(
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"aws:SourceIp": "203.0.114.9"},
        False,
    ),
    v4_single_address=(
        {"IpAddress": {"aws:SourceIp": "203.0.113.9"}},
        {"aws:SourceIp": "203.0.113.9"},
        True,
    ),
    v4_single_address_other=(
        {"IpAddress": {"aws:SourceIp": "203.0.113.9"}},
        {"aws:SourceIp": "203.0.113.8"},
        False,
    ),
    v4_host_bits_set=(
        {"IpAddress": {"aws:SourceIp": "10.1.2.3/8"}},
        {"aws:SourceIp": "10.200.0.1"},
        True,
    ),
    v4_any_of=(
        {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
        {"aws:SourceIp": "192.168.1.1"},
        True,
    ),
    v6_in_cidr=(
        {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}},
        {"aws:SourceIp": "2001:db8:1::5"},
        True,
    ),
    v6_outside=(
        {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}},
        {"aws:SourceIp": "2001:db9::5"},
        False,
    ),
    v4_address_v6_network=(
        {"IpAddress": {"aws:SourceIp": "::/0"}},
        {"aws:SourceIp": "10.0.0.1"},
        False,
    ),
    mixed_list=(
        {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}},
        {"aws:SourceIp": "2001:db8::1"},
        True,
    ),
    missing=({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, {}, False),
    garbage_context=(
        {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
        {"aws:SourceIp": "localhost"},
        False,
    ),
    not_ip_inside=(
        {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"aws:SourceIp": "10.1.1.1"},
        False,
    ),
    not_ip_outside=(
        {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"aws:SourceIp": "11.1.1.1"},
        True,
    ),
    not_ip_none_of=(
        {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "11.0.0.0/8"]}},
        {"aws:SourceIp": "11.1.1.1"},
        False,
    ),
    not_ip_v6_outside=(
        {"NotIpAddress": {"aws:SourceIp": "2001:db8::/32"}},
        {"aws:SourceIp": "fe80::1"},
        True,
    ),
    not_ip_missing=({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {}, True),
)

USER_ALICE = "arn:aws:iam::111122223333:user/alice"
ARN = cases(
    equals_exact=(
        {"ArnEquals": {"aws:PrincipalArn": USER_ALICE}},
        {"aws:PrincipalArn": USER_ALICE},
        True,
    ),
    equals_other=(
        {"ArnEquals": {"aws:PrincipalArn": USER_ALICE}},
        {"aws:PrincipalArn": USER_ALICE + "x"},
        False,
    ),
    equals_takes_wildcards_like_arn_like=(
        {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}},
        {"aws:PrincipalArn": USER_ALICE},
        True,
    ),
    like_resource_part_spans_slash=(
        {"ArnLike": {"aws:SourceArn": "arn:aws:codeartifact:*:111122223333:repository/d/*"}},
        {"aws:SourceArn": "arn:aws:codeartifact:us-east-1:111122223333:repository/d/r/x"},
        True,
    ),
    like_component_wildcard_stops_at_colon=(
        {"ArnLike": {"aws:SourceArn": "arn:aws:iam:*:111122223333:user/alice"}},
        {"aws:SourceArn": "arn:aws:iam:x:y:111122223333:user/alice"},
        False,
    ),
    string_like_would_span_colon=(
        {"StringLike": {"aws:SourceArn": "arn:aws:iam:*:111122223333:user/alice"}},
        {"aws:SourceArn": "arn:aws:iam:x:y:111122223333:user/alice"},
        True,
    ),
    like_resource_part_spans_colon=(
        {"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:*:log-group:*"}},
        {"aws:SourceArn": "arn:aws:logs:us-east-1:111122223333:log-group:g:stream"},
        True,
    ),
    like_question=(
        {"ArnLike": {"aws:SourceArn": "arn:aws:iam::11112222333?:root"}},
        {"aws:SourceArn": "arn:aws:iam::111122223333:root"},
        True,
    ),
    like_case_sensitive=(
        {"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:user/Alice"}},
        {"aws:SourceArn": USER_ALICE},
        False,
    ),
    like_not_an_arn_context=(
        {"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:user/*"}},
        {"aws:SourceArn": "alice"},
        False,
    ),
    like_missing=({"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:user/*"}}, {}, False),
    not_equals_same=(
        {"ArnNotEquals": {"aws:PrincipalArn": USER_ALICE}},
        {"aws:PrincipalArn": USER_ALICE},
        False,
    ),
    not_equals_other=(
        {"ArnNotEquals": {"aws:PrincipalArn": USER_ALICE}},
        {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/bob"},
        True,
    ),
    not_like_match=(
        {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/a*"}},
        {"aws:PrincipalArn": USER_ALICE},
        False,
    ),
    not_like_no_match=(
        {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}},
        {"aws:PrincipalArn": USER_ALICE},
        True,
    ),
    not_like_missing=({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}, {}, True),
)

NULL_IF_EXISTS = cases(
    null_true_missing=({"Null": {"aws:TagKeys": "true"}}, {}, True),
    null_true_present=({"Null": {"aws:TagKeys": "true"}}, {"aws:TagKeys": ["a"]}, False),
    null_false_present=({"Null": {"aws:TagKeys": "false"}}, {"aws:TagKeys": ["a"]}, True),
    null_false_missing=({"Null": {"aws:TagKeys": False}}, {}, False),
    null_empty_list_is_absent=({"Null": {"aws:TagKeys": "true"}}, {"aws:TagKeys": []}, True),
    null_key_case_insensitive=({"Null": {"aws:tagkeys": "false"}}, {"AWS:TagKeys": ["a"]}, True),
    if_exists_missing=({"StringEqualsIfExists": {"k": "a"}}, {}, True),
    if_exists_present_match=({"StringEqualsIfExists": {"k": "a"}}, {"k": "a"}, True),
    if_exists_present_other=({"StringEqualsIfExists": {"k": "a"}}, {"k": "b"}, False),
    not_ip_if_exists_missing=({"NotIpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}, {}, True),
    not_ip_if_exists_inside=(
        {"NotIpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}},
        {"aws:SourceIp": "10.0.0.1"},
        False,
    ),
    numeric_if_exists_missing=({"NumericLessThanIfExists": {"n": "3"}}, {}, True),
    numeric_if_exists_present=({"NumericLessThanIfExists": {"n": "3"}}, {"n": 5}, False),
    date_if_exists_missing=({"DateLessThanIfExists": {"aws:CurrentTime": "2020-01-01"}}, {}, True),
    bool_if_exists_present=(
        {"BoolIfExists": {"aws:SecureTransport": "true"}},
        {"aws:SecureTransport": False},
        False,
    ),
    arn_if_exists_missing=({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:s3:::b"}}, {}, True),
    binary_if_exists_missing=({"BinaryEqualsIfExists": {"k": "QmluYXJ5"}}, {}, True),
)

SETS = cases(
    any_value_overlap=(
        {"ForAnyValue:StringEquals": {"aws:TagKeys": ["b", "c"]}},
        {"aws:TagKeys": ["a", "b"]},
        True,
    ),
    any_value_disjoint=(
        {"ForAnyValue:StringEquals": {"aws:TagKeys": ["b", "c"]}},
        {"aws:TagKeys": ["a"]},
        False,
    ),
    any_value_missing=({"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}}, {}, False),
    any_value_empty=(
        {"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}},
        {"aws:TagKeys": []},
        False,
    ),
    any_value_if_exists_missing=(
        {"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "a"}},
        {},
        True,
    ),
    any_value_like=(
        {"ForAnyValue:StringLike": {"aws:TagKeys": "team*"}},
        {"aws:TagKeys": ["env", "team-a"]},
        True,
    ),
    any_value_not_equals_one_differs=(
        {"ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}},
        {"aws:TagKeys": ["a", "b"]},
        True,
    ),
    any_value_not_equals_all_same=(
        {"ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}},
        {"aws:TagKeys": ["a"]},
        False,
    ),
    any_value_not_equals_missing=({"ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}}, {}, False),
    all_values_subset=(
        {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b", "c"]}},
        {"aws:TagKeys": ["a", "b"]},
        True,
    ),
    all_values_not_subset=(
        {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b", "c"]}},
        {"aws:TagKeys": ["a", "d"]},
        False,
    ),
    all_values_missing=({"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}, {}, True),
    all_values_empty=(
        {"ForAllValues:StringEquals": {"aws:TagKeys": "a"}},
        {"aws:TagKeys": []},
        True,
    ),
    all_values_single_string_context=(
        {"ForAllValues:StringEquals": {"aws:TagKeys": "a"}},
        {"aws:TagKeys": "a"},
        True,
    ),
    all_values_ignore_case=(
        {"ForAllValues:StringEqualsIgnoreCase": {"aws:TagKeys": ["A", "B"]}},
        {"aws:TagKeys": ["a", "b"]},
        True,
    ),
    # AWS docs, "Multivalued context keys examples": Deny if any tag key lacks the key1 prefix.
    all_values_not_like_other_prefix=(
        {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}},
        {"aws:TagKeys": ["key2:audit"]},
        True,
    ),
    all_values_not_like_prefixed=(
        {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}},
        {"aws:TagKeys": ["key1:hr", "key1:personnel"]},
        False,
    ),
    all_values_not_like_missing=(
        {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}},
        {},
        True,
    ),
    all_values_not_like_mixed=(
        {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}},
        {"aws:TagKeys": ["key1:hr", "key2:x"]},
        False,
    ),
    plain_op_on_multivalued_any=(
        {"StringEquals": {"aws:TagKeys": "a"}},
        {"aws:TagKeys": ["a", "b"]},
        True,
    ),
    plain_negated_on_multivalued_none=(
        {"StringNotEquals": {"aws:TagKeys": "a"}},
        {"aws:TagKeys": ["a", "b"]},
        False,
    ),
    plain_negated_on_multivalued_disjoint=(
        {"StringNotEquals": {"aws:TagKeys": "a"}},
        {"aws:TagKeys": ["b", "c"]},
        True,
    ),
)

COMBINED = cases(
    keys_in_block_anded_both=({"StringEquals": {"a": "1", "b": "2"}}, {"a": "1", "b": "2"}, True),
    keys_in_block_anded_one=({"StringEquals": {"a": "1", "b": "2"}}, {"a": "1", "b": "3"}, False),
    blocks_anded_both=(
        {"StringEquals": {"a": "1"}, "Bool": {"aws:SecureTransport": "true"}},
        {"a": "1", "aws:SecureTransport": True},
        True,
    ),
    blocks_anded_one=(
        {"StringEquals": {"a": "1"}, "Bool": {"aws:SecureTransport": "true"}},
        {"a": "1", "aws:SecureTransport": False},
        False,
    ),
    empty_condition_holds=({}, {}, True),
)

VARIABLES = cases(
    like_with_variable=(
        {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
        {"s3:prefix": "home/alice/docs", "aws:username": "alice"},
        True,
    ),
    like_with_variable_other_user=(
        {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
        {"s3:prefix": "home/bob/docs", "aws:username": "alice"},
        False,
    ),
    equals_variable_key_case_insensitive=(
        {"StringEquals": {"aws:PrincipalTag/team": "${AWS:USERNAME}"}},
        {"aws:PrincipalTag/team": "alice", "aws:username": "alice"},
        True,
    ),
    default_value_used=(
        {"StringEquals": {"team": "${aws:PrincipalTag/team, 'none'}"}},
        {"team": "none"},
        True,
    ),
    default_value_ignored_when_present=(
        {"StringEquals": {"team": "${aws:PrincipalTag/team, 'none'}"}},
        {"team": "none", "aws:PrincipalTag/team": "red"},
        False,
    ),
    substituted_value_is_literal=(
        {"StringLike": {"k": "${v}"}},
        {"k": "abc", "v": "a*"},
        False,
    ),
    escape_star_is_literal=({"StringLike": {"k": "a${*}"}}, {"k": "a*"}, True),
    escape_star_not_wildcard=({"StringLike": {"k": "a${*}"}}, {"k": "abc"}, False),
    escape_question_and_dollar=({"StringEquals": {"k": "${?}${$}"}}, {"k": "?$"}, True),
    not_variable_syntax_is_literal=(
        {"StringEquals": {"k": "${not a var}"}},
        {"k": "${not a var}"},
        True,
    ),
    arn_with_variable=(
        {"ArnEquals": {"aws:SourceArn": "arn:aws:iam::${aws:PrincipalAccount}:user/*"}},
        {"aws:SourceArn": USER_ALICE, "aws:PrincipalAccount": "111122223333"},
        True,
    ),
    datetime_variable_text=(
        {"StringEquals": {"k": "${aws:CurrentTime}"}},
        {"k": "2024-06-01T12:00:00Z", "aws:CurrentTime": NOW},
        True,
    ),
)


@pytest.mark.parametrize(("condition", "keys", "expected"), STRING)
def test_string_operators(
    condition: dict[str, Any], keys: dict[str, ConditionValue], expected: bool
) -> None:
    assert holds(condition, keys) is expected


@pytest.mark.parametrize(("condition", "keys", "expected"), NUMERIC)
def test_numeric_operators(
    condition: dict[str, Any], keys: dict[str, ConditionValue], expected: bool
) -> None:
    assert holds(condition, keys) is expected


@pytest.mark.parametrize(("condition", "keys", "expected"), DATE)
def test_date_operators(
    condition: dict[str, Any], keys: dict[str, ConditionValue], expected: bool
) -> None:
    assert holds(condition, keys) is expected


@pytest.mark.parametrize(("condition", "keys", "expected"), BOOL_BINARY)
def test_bool_and_binary_operators(
    condition: dict[str, Any], keys: dict[str, ConditionValue], expected: bool
) -> None:
    assert holds(condition, keys) is expected


@pytest.mark.parametrize(("condition", "keys", "expected"), IP)
def test_ip_address_operators(
    condition: dict[str, Any], keys: dict[str, ConditionValue], expected: bool
) -> None:
    assert holds(condition, keys) is expected


@pytest.mark.parametrize(("condition", "keys", "expected"), ARN)
def test_arn_operators(
    condition: dict[str, Any], keys: dict[str, ConditionValue], expected: bool
) -> None:
    assert holds(condition, keys) is expected


@pytest.mark.parametrize(("condition", "keys", "expected"), NULL_IF_EXISTS)
def test_null_and_if_exists(
    condition: dict[str, Any], keys: dict[str, ConditionValue], expected: bool
) -> None:
    assert holds(condition, keys) is expected


@pytest.mark.parametrize(("condition", "keys", "expected"), SETS)
def test_set_operators(
    condition: dict[str, Any], keys: dict[str, ConditionValue], expected: bool
) -> None:
    assert holds(condition, keys) is expected


@pytest.mark.parametrize(("condition", "keys", "expected"), COMBINED)
def test_conditions_are_anded(
    condition: dict[str, Any], keys: dict[str, ConditionValue], expected: bool
) -> None:
    assert holds(condition, keys) is expected


@pytest.mark.parametrize(("condition", "keys", "expected"), VARIABLES)
def test_policy_variables(
    condition: dict[str, Any], keys: dict[str, ConditionValue], expected: bool
) -> None:
    assert holds(condition, keys) is expected


@pytest.mark.parametrize(
    "condition",
    [
        pytest.param({"StringEquals": {"k": "${aws:username}"}}, id="missing-key"),
        pytest.param({"StringNotEquals": {"k": "${aws:username}"}}, id="missing-key-negated"),
        pytest.param({"StringLike": {"k": "${aws:TagKeys}"}}, id="multi-valued-key"),
    ],
)
def test_unresolvable_variable_is_reported(condition: dict[str, Any]) -> None:
    (parsed,) = parse_conditions(condition, variables=True)
    with pytest.raises(UnresolvedVariable):
        parsed.holds(KeyLookup({"k": "v", "aws:TagKeys": ["a", "b"]}))


def test_variables_are_literal_when_disabled() -> None:
    condition = {"StringEquals": {"k": "${aws:username}"}}
    keys: dict[str, ConditionValue] = {"k": "${aws:username}", "aws:username": "alice"}
    assert holds(condition, keys, variables=False) is True
    assert holds(condition, keys, variables=True) is False


def test_variables_apply_to_string_and_arn_operators_only() -> None:
    (numeric,) = parse_conditions({"NumericEquals": {"n": "5"}}, variables=True)
    assert numeric.holds(KeyLookup({"n": 5}))
    with pytest.raises(ValueError, match=r'"\$\{n\}" is not a number'):
        parse_conditions({"NumericEquals": {"n": "${n}"}}, variables=True)


BASE_OPERATORS = {
    "StringEquals": (Family.STRING, False),
    "StringNotEquals": (Family.STRING, True),
    "StringEqualsIgnoreCase": (Family.STRING, False),
    "StringNotEqualsIgnoreCase": (Family.STRING, True),
    "StringLike": (Family.STRING, False),
    "StringNotLike": (Family.STRING, True),
    "NumericEquals": (Family.NUMERIC, False),
    "NumericNotEquals": (Family.NUMERIC, True),
    "NumericLessThan": (Family.NUMERIC, False),
    "NumericLessThanEquals": (Family.NUMERIC, False),
    "NumericGreaterThan": (Family.NUMERIC, False),
    "NumericGreaterThanEquals": (Family.NUMERIC, False),
    "DateEquals": (Family.DATE, False),
    "DateNotEquals": (Family.DATE, True),
    "DateLessThan": (Family.DATE, False),
    "DateLessThanEquals": (Family.DATE, False),
    "DateGreaterThan": (Family.DATE, False),
    "DateGreaterThanEquals": (Family.DATE, False),
    "Bool": (Family.BOOL, False),
    "BinaryEquals": (Family.BINARY, False),
    "IpAddress": (Family.IP, False),
    "NotIpAddress": (Family.IP, True),
    "ArnEquals": (Family.ARN, False),
    "ArnLike": (Family.ARN, False),
    "ArnNotEquals": (Family.ARN, True),
    "ArnNotLike": (Family.ARN, True),
}


@pytest.mark.parametrize(
    ("name", "family", "negated", "if_exists", "set_operator"),
    [
        pytest.param(
            f"{prefix}{base}{suffix}",
            family,
            negated,
            bool(suffix),
            SetOperator(prefix.rstrip(":")),
            id=f"{prefix}{base}{suffix}",
        )
        for base, (family, negated) in BASE_OPERATORS.items()
        for prefix in ("", "ForAnyValue:", "ForAllValues:")
        for suffix in ("", "IfExists")
    ]
    + [pytest.param("Null", Family.NULL, False, False, SetOperator.NONE, id="Null")],
)
def test_every_operator_parses(
    name: str, family: Family, negated: bool, if_exists: bool, set_operator: SetOperator
) -> None:
    operator = Operator.parse(name)
    assert (operator.name, operator.family, operator.negated) == (name, family, negated)
    assert (operator.if_exists, operator.set_operator) == (if_exists, set_operator)
