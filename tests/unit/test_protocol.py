"""coffer.api.protocol: rest-json input parsing and output serialization driven by botocore's
``codeartifact`` model, so what the aws CLI sends is what handlers get, and what handlers
return is what botocore (and the Go SDK behind Terraform) can read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import botocore.model
import pytest

from coffer.api.protocol import Operation, load_model, parse_input, serialize_output
from coffer.errors import ValidationError, ValidationReason

DOMAIN_PATTERN = r"[a-z][a-z0-9\-]{0,48}[a-z0-9]"
SHA = "a" * 64


def op(name: str) -> Operation:
    found = [o for o in load_model().routes.values() if o.name == name]
    assert len(found) == 1, name
    return found[0]


def parse(
    name: str,
    query: dict[str, Any] | None = None,
    body: bytes | dict[str, Any] = b"",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    wire_query = {k: v if isinstance(v, list) else [v] for k, v in (query or {}).items()}
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    return parse_input(op(name), wire_query, headers or {}, raw)


def invalid(name: str, *args: Any, **kwargs: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse(name, *args, **kwargs)
    return caught.value


def serialize(name: str, result: dict[str, Any]) -> tuple[dict[str, str], Any]:
    headers, body = serialize_output(op(name), result)
    return headers, json.loads(body)


# Routing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("POST", "/v1/domain", "CreateDomain"),
        ("GET", "/v1/domain", "DescribeDomain"),
        ("DELETE", "/v1/domain", "DeleteDomain"),
        ("POST", "/v1/domains", "ListDomains"),
        ("GET", "/v1/package", "DescribePackage"),
        ("POST", "/v1/package", "PutPackageOriginConfiguration"),
        ("DELETE", "/v1/package", "DeletePackage"),
        ("DELETE", "/v1/repository/permissions/policies", "DeleteRepositoryPermissionsPolicy"),
        ("PUT", "/v1/domain/permissions/policy", "PutDomainPermissionsPolicy"),
        ("POST", "/v1/authorization-token", "GetAuthorizationToken"),
    ],
)
def test_route(method: str, path: str, name: str) -> None:
    operation = load_model().route(method, path)

    assert operation is not None
    assert operation.name == name


def test_no_route() -> None:
    assert load_model().route("GET", "/v1/domains") is None
    assert load_model().route("GET", "/v1/nothing") is None


def test_all_48_operations_are_routed() -> None:
    assert len({o.name for o in load_model().routes.values()}) == 48


# Input: locations ---------------------------------------------------------------------------


def test_query_members_by_wire_name() -> None:
    params = parse("DescribeDomain", {"domain": "acme", "domain-owner": "111122223333"})

    assert params == {"domain": "acme", "domainOwner": "111122223333"}


def test_absent_optional_members_are_left_out() -> None:
    assert parse("DescribeDomain", {"domain": "acme"}) == {"domain": "acme"}


def test_json_body_members() -> None:
    params = parse(
        "CreateRepository",
        {"domain": "acme", "repository": "libs"},
        {
            "description": "Libraries",
            "upstreams": [{"repositoryName": "store"}],
            "tags": [{"key": "team", "value": "a"}],
        },
    )

    assert params == {
        "domain": "acme",
        "repository": "libs",
        "description": "Libraries",
        "upstreams": [{"repositoryName": "store"}],
        "tags": [{"key": "team", "value": "a"}],
    }


def test_body_only_operation_ignores_the_query() -> None:
    """PutDomainPermissionsPolicy takes domain from the body: a query ``domain`` is not it."""
    params = parse(
        "PutDomainPermissionsPolicy",
        {"domain": "from-query"},
        {"domain": "from-body", "policyDocument": "{}"},
    )

    assert params["domain"] == "from-body"


def test_unknown_body_members_are_ignored() -> None:
    params = parse("ListDomains", body={"maxResults": 5, "somethingNew": True})

    assert params == {"maxResults": 5}


def test_empty_and_whitespace_bodies_are_no_members() -> None:
    assert parse("ListDomains", body=b"") == {}
    assert parse("ListDomains", body=b"  \n") == {}
    assert parse("ListDomains", body={}) == {}


def test_header_member_and_raw_payload() -> None:
    params = parse(
        "PublishPackageVersion",
        {
            "domain": "acme",
            "repository": "libs",
            "format": "generic",
            "namespace": "team",
            "package": "tool",
            "version": "1.0",
            "asset": "tool.tar.gz",
            "unfinished": "true",
        },
        body=b"\x00raw bytes, not JSON\xff",
        headers={"x-amz-content-sha256": SHA},
    )

    assert params["assetContent"] == b"\x00raw bytes, not JSON\xff"
    assert params["assetSHA256"] == SHA
    assert params["unfinished"] is True
    assert params["packageVersion"] == "1.0"
    assert params["assetName"] == "tool.tar.gz"


# Input: scalar conversion from strings ------------------------------------------------------


@pytest.mark.parametrize(("raw", "value"), [("1", 1), ("1000", 1000), ("042", 42)])
def test_integer_from_query(raw: str, value: int) -> None:
    params = parse("ListRepositoriesInDomain", {"domain": "acme", "max-results": raw})

    assert params["maxResults"] == value


@pytest.mark.parametrize("raw", ["ten", "1.5", "", "0x10"])
def test_integer_from_query_not_a_number(raw: str) -> None:
    error = invalid("ListRepositoriesInDomain", {"domain": "acme", "max-results": raw})

    if raw:  # an empty value may also count as absent
        assert error.reason is ValidationReason.CANNOT_PARSE


def test_integer_from_query_names_the_member() -> None:
    error = invalid("ListRepositoriesInDomain", {"domain": "acme", "max-results": "ten"})

    assert "maxResults" in error.message or "max-results" in error.message, error.message


def test_duration_seconds_from_query() -> None:
    params = parse("GetAuthorizationToken", {"domain": "acme", "duration": "900"})

    assert params["durationSeconds"] == 900


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("false", False), ("TRUE", True), ("False", False)]
)
def test_boolean_from_query(raw: str, value: bool) -> None:
    params = parse(
        "ListAssociatedPackages", {"domain": "acme", "package-group": "/*", "preview": raw}
    )

    assert params["preview"] is value


@pytest.mark.parametrize("raw", ["yes", "1", "on", "truthy"])
def test_boolean_from_query_rejects_other_words(raw: str) -> None:
    error = invalid(
        "ListAssociatedPackages", {"domain": "acme", "package-group": "/*", "preview": raw}
    )

    assert error.reason is ValidationReason.CANNOT_PARSE


def test_repeated_scalar_query_parameter_uses_the_first_value() -> None:
    params = parse("DescribeDomain", {"domain": ["first", "second"]})

    assert params["domain"] == "first"


def _synthetic_list_operation() -> Operation:
    """The codeartifact model has no list in a query string; this one does (same parser)."""
    service = botocore.model.ServiceModel(
        {
            "metadata": {"protocol": "rest-json", "apiVersion": "2020-01-01"},
            "operations": {
                "Search": {
                    "name": "Search",
                    "http": {"method": "GET", "requestUri": "/v1/search"},
                    "input": {"shape": "SearchRequest"},
                }
            },
            "shapes": {
                "SearchRequest": {
                    "type": "structure",
                    "members": {
                        "labels": {
                            "shape": "Labels",
                            "location": "querystring",
                            "locationName": "label",
                        }
                    },
                },
                "Labels": {"type": "list", "member": {"shape": "Label"}, "max": 3},
                "Label": {"type": "string", "pattern": "[a-z]+"},
            },
        },
        "search",
    )
    return Operation("Search", service.operation_model("Search"))


def test_repeated_query_parameter_into_a_list() -> None:
    params = parse_input(_synthetic_list_operation(), {"label": ["red", "blue"]}, {}, b"")

    assert params == {"labels": ["red", "blue"]}


def test_list_from_query_is_validated_item_by_item() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_input(_synthetic_list_operation(), {"label": ["red", "BLUE"]}, {}, b"")

    assert "Value 'BLUE' at 'labels.2.member'" in caught.value.message


# Input: JSON types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [{"maxResults": "5"}, {"maxResults": True}, {"maxResults": 1.5}, {"nextToken": 7}],
    ids=["string-for-int", "bool-for-int", "float-for-int", "int-for-string"],
)
def test_json_member_of_the_wrong_type(body: dict[str, Any]) -> None:
    error = invalid("ListDomains", body=body)

    assert error.reason is ValidationReason.CANNOT_PARSE


def test_wrong_json_type_message_names_the_member() -> None:
    """The caller sent ``maxResults``; the model's shape name ListDomainsMaxResults means
    nothing to them."""
    error = invalid("ListDomains", body={"maxResults": "5"})

    assert "'maxResults'" in error.message, error.message


@pytest.mark.parametrize(
    "body", [b"{", b"[1, 2]", b'"x"', b"null", b"\xff", b"{'single': 'quotes'}"]
)
def test_body_that_is_not_a_json_object(body: bytes) -> None:
    error = invalid("ListDomains", body=body)

    assert error.reason is ValidationReason.CANNOT_PARSE


def test_list_of_the_wrong_type() -> None:
    error = invalid(
        "CreateRepository", {"domain": "acme", "repository": "libs"}, {"upstreams": "store"}
    )

    assert error.reason is ValidationReason.CANNOT_PARSE


# Input: constraints -------------------------------------------------------------------------


def test_pattern_message() -> None:
    error = invalid("DescribeDomain", {"domain": "Not_Valid"})

    assert error.message == (
        "1 validation error detected: Value 'Not_Valid' at 'domain' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {DOMAIN_PATTERN}"
    )
    assert error.reason is ValidationReason.FIELD_VALIDATION_FAILED


def test_required_member_message() -> None:
    error = invalid("DescribeDomain", {})

    assert error.message == (
        "1 validation error detected: Value null at 'domain' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_several_errors_are_counted_and_joined() -> None:
    error = invalid("DescribeRepository", {"domain-owner": "12"})

    assert error.message.startswith("4 validation errors detected: ")
    parts = error.message.removeprefix("4 validation errors detected: ").split("; ")
    assert sorted(parts) == sorted(
        [
            "Value null at 'domain' failed to satisfy constraint: Member must not be null",
            "Value null at 'repository' failed to satisfy constraint: Member must not be null",
            "Value '12' at 'domainOwner' failed to satisfy constraint: Member must have length "
            "greater than or equal to 12",
            "Value '12' at 'domainOwner' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [0-9]{12}",
        ]
    )


@pytest.mark.parametrize(
    ("domain", "constraint"),
    [
        ("a", "Member must have length greater than or equal to 2"),
        ("a" * 51, "Member must have length less than or equal to 50"),
    ],
)
def test_length_messages(domain: str, constraint: str) -> None:
    error = invalid("DescribeDomain", {"domain": domain})

    assert f"Value '{domain}' at 'domain' failed to satisfy constraint: {constraint}" in (
        error.message
    )


@pytest.mark.parametrize(
    ("raw", "constraint"),
    [
        ("0", "Member must have value greater than or equal to 1"),
        ("1001", "Member must have value less than or equal to 1000"),
    ],
)
def test_range_messages(raw: str, constraint: str) -> None:
    error = invalid("ListRepositoriesInDomain", {"domain": "acme", "max-results": raw})

    assert error.message == (
        f"1 validation error detected: Value '{raw}' at 'maxResults' failed to satisfy "
        f"constraint: {constraint}"
    )


def test_duration_above_the_model_maximum() -> None:
    error = invalid("GetAuthorizationToken", {"domain": "acme", "duration": "43201"})

    assert "Value '43201' at 'durationSeconds'" in error.message
    assert "less than or equal to 43200" in error.message


def test_enum_message() -> None:
    error = invalid(
        "GetRepositoryEndpoint", {"domain": "acme", "repository": "libs", "format": "rpm"}
    )

    assert error.message == (
        "1 validation error detected: Value 'rpm' at 'format' failed to satisfy constraint: "
        "Member must satisfy enum value set: [npm, pypi, maven, nuget, generic, ruby, swift, "
        "cargo]"
    )


@pytest.mark.parametrize(
    "fmt", ["npm", "pypi", "maven", "nuget", "generic", "ruby", "swift", "cargo"]
)
def test_every_format_is_accepted(fmt: str) -> None:
    params = parse("GetRepositoryEndpoint", {"domain": "acme", "repository": "libs", "format": fmt})

    assert params["format"] == fmt


def test_nested_structure_in_a_list() -> None:
    error = invalid(
        "CreateRepository",
        {"domain": "acme", "repository": "libs"},
        {"upstreams": [{"repositoryName": "ok-one"}, {"repositoryName": "-bad"}, {}]},
    )

    assert "Value '-bad' at 'upstreams.2.member.repositoryName'" in error.message
    assert "Value null at 'upstreams.3.member.repositoryName'" in error.message
    assert error.message.startswith("2 validation errors detected")


def test_nested_structure_members_and_enums() -> None:
    good = parse(
        "PutPackageOriginConfiguration",
        {"domain": "acme", "repository": "libs", "format": "pypi", "package": "requests"},
        {"restrictions": {"publish": "BLOCK", "upstream": "ALLOW"}},
    )
    assert good["restrictions"] == {"publish": "BLOCK", "upstream": "ALLOW"}

    error = invalid(
        "PutPackageOriginConfiguration",
        {"domain": "acme", "repository": "libs", "format": "pypi", "package": "requests"},
        {"restrictions": {"publish": "MAYBE"}},
    )
    assert "Value 'MAYBE' at 'restrictions.publish'" in error.message
    assert "enum value set: [ALLOW, BLOCK]" in error.message
    assert "Value null at 'restrictions.upstream'" in error.message


def test_list_length_limit() -> None:
    tags = [{"key": f"k{i}", "value": "v"} for i in range(201)]

    error = invalid("TagResource", {"resourceArn": "arn:x"}, {"tags": tags})

    assert (
        "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 200"
    ) in error.message


def test_tag_key_and_value_limits() -> None:
    error = invalid(
        "TagResource",
        {"resourceArn": "arn:x"},
        {"tags": [{"key": "k" * 129, "value": "v" * 257}]},
    )

    assert "at 'tags.1.member.key'" in error.message
    assert "at 'tags.1.member.value'" in error.message
    assert error.message.startswith("2 validation errors detected")


def test_unicode_pattern_classes() -> None:
    """\\P{C} (no control characters) comes from Java; the regex module must honour it."""
    parse("CreateRepository", {"domain": "acme", "repository": "libs"}, {"description": "Ünï ✓"})

    error = invalid(
        "CreateRepository", {"domain": "acme", "repository": "libs"}, {"description": "bell\x07"}
    )
    assert "at 'description'" in error.message


def test_pattern_must_match_the_whole_value() -> None:
    error = invalid("DescribeDomain", {"domain": "acme\n"})

    assert "at 'domain'" in error.message


# Output -------------------------------------------------------------------------------------


DOMAIN = {
    "name": "acme",
    "owner": "111122223333",
    "arn": "arn:aws:codeartifact:us-east-1:111122223333:domain/acme",
    "status": "Active",
    "repositoryCount": 2,
    "assetSizeBytes": 0,
}


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        (1_700_000_000.25, 1_700_000_000.25),
        (1_700_000_000, 1_700_000_000),
        (datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC), 1_700_000_000),
    ],
    ids=["float", "int", "datetime"],
)
def test_timestamps_are_epoch_second_numbers(created: Any, expected: float) -> None:
    _, body = serialize("DescribeDomain", {"domain": {**DOMAIN, "createdTime": created}})

    value = body["domain"]["createdTime"]
    assert isinstance(value, int | float)
    assert not isinstance(value, bool)
    assert value == expected


def test_timestamps_are_numbers_on_the_wire() -> None:
    _, raw = serialize_output(
        op("GetAuthorizationToken"), {"authorizationToken": "t", "expiration": 1_700_000_000.5}
    )

    assert b'"expiration":1700000000.5' in raw


def test_nested_output_structures() -> None:
    repository = {
        "name": "libs",
        "administratorAccount": "111122223333",
        "domainName": "acme",
        "domainOwner": "111122223333",
        "arn": "arn:aws:codeartifact:us-east-1:111122223333:repository/acme/libs",
        "upstreams": [{"repositoryName": "store"}, {"repositoryName": "cache"}],
        "externalConnections": [],
        "createdTime": datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC),
    }

    _, body = serialize("DescribeRepository", {"repository": repository})

    assert body == {
        "repository": {
            **repository,
            "createdTime": 1_700_000_000,
        }
    }


def test_none_members_are_left_out() -> None:
    _, body = serialize(
        "ListDomains",
        {"domains": [{**DOMAIN, "createdTime": 1.0, "encryptionKey": None}], "nextToken": None},
    )

    assert "nextToken" not in body
    assert "encryptionKey" not in body["domains"][0]


def test_only_modelled_members_are_sent() -> None:
    """Whatever else a handler's dict holds (ids, secrets) never reaches the wire."""
    _, body = serialize(
        "DescribeDomain",
        {"domain": {**DOMAIN, "createdTime": 1.0, "internalId": 7}, "debug": "x"},
    )

    assert set(body) == {"domain"}
    assert "internalId" not in body["domain"]
    assert "repositoryCount" in body["domain"]


def test_summary_shapes_drop_description_only_members() -> None:
    _, body = serialize("ListDomains", {"domains": [{**DOMAIN, "createdTime": 1.0}]})

    assert "repositoryCount" not in body["domains"][0]  # DomainSummary has no such member


def test_header_outputs() -> None:
    headers, body = serialize(
        "GetPackageVersionAsset",
        {"assetName": "tool.tar.gz", "packageVersion": "1.0", "packageVersionRevision": "r1"},
    )

    assert headers == {
        "X-AssetName": "tool.tar.gz",
        "X-PackageVersion": "1.0",
        "X-PackageVersionRevision": "r1",
    }
    assert body == {}


def test_empty_output() -> None:
    assert serialize("TagResource", {}) == ({}, {})
    assert serialize_output(op("TagResource"), {})[1] == b"{}"
