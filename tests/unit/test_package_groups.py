"""coffer.domain.package_groups: the pattern grammar, normalization, matching, specificity,
STRONG/WEAK association, the hierarchy and the inheritance of restriction modes."""

from __future__ import annotations

import re

import pytest

from coffer.domain.package_groups import (
    ROOT_PATTERN,
    AssociationType,
    GroupSettings,
    GroupTree,
    PackageGroupPattern,
    RestrictionMode,
    RestrictionType,
    Scope,
    decode_pattern,
    encode_pattern,
    normalize_key,
    parse_pattern,
    weak_form,
)
from coffer.domain.packages import PackageFormat, PackageKey
from coffer.errors import ValidationError

F = PackageFormat
STRONG, WEAK = AssociationType.STRONG, AssociationType.WEAK
ALLOW = RestrictionMode.ALLOW
BLOCK = RestrictionMode.BLOCK
SPECIFIC = RestrictionMode.ALLOW_SPECIFIC_REPOSITORIES
INHERIT = RestrictionMode.INHERIT
PUBLISH = RestrictionType.PUBLISH
EXTERNAL = RestrictionType.EXTERNAL_UPSTREAM
INTERNAL = RestrictionType.INTERNAL_UPSTREAM


def key(path: str) -> PackageKey:
    """``"npm/space/name"`` → PackageKey (blank namespace: ``"pypi//requests"``)."""
    fmt, namespace, name = path.split("/")
    return PackageKey(PackageFormat(fmt), namespace, name)


# Grammar ------------------------------------------------------------------------------------

VALID = [
    # pattern, scope, format, namespace, name, word
    ("/*", Scope.ALL, None, None, None, False),
    ("/npm/*", Scope.FORMAT, F.NPM, None, None, False),
    ("/pypi/*", Scope.FORMAT, F.PYPI, None, None, False),
    ("/maven/com.anycompany~", Scope.NAMESPACE, F.MAVEN, "com.anycompany", None, True),
    ("/maven/com.any*", Scope.NAMESPACE, F.MAVEN, "com.any", None, False),
    ("/maven/com.anycompany.*", Scope.NAMESPACE, F.MAVEN, "com.anycompany.", None, False),
    ("/npm/space/*", Scope.NAME, F.NPM, "space", "", False),
    ("/npm//*", Scope.NAME, F.NPM, "", "", False),
    ("/pypi//*", Scope.NAME, F.PYPI, "", "", False),
    ("/npm/space/anycompany-ui~", Scope.NAME, F.NPM, "space", "anycompany-ui", True),
    ("/npm/space/ui-*", Scope.NAME, F.NPM, "space", "ui-", False),
    ("/npm/space/ui*", Scope.NAME, F.NPM, "space", "ui", False),
    (
        "/maven/org.apache.logging.log4j/log4j-core$",
        Scope.EXACT,
        F.MAVEN,
        "org.apache.logging.log4j",
        "log4j-core",
        False,
    ),
    ("/pypi//requests$", Scope.EXACT, F.PYPI, "", "requests", False),
    ("/nuget//newtonsoft.json$", Scope.EXACT, F.NUGET, "", "newtonsoft.json", False),
    ("/npm//AsyncStorage$", Scope.EXACT, F.NPM, "", "AsyncStorage", False),  # case-sensitive
    ("/generic/ns/tool$", Scope.EXACT, F.GENERIC, "ns", "tool", False),
    ("/swift/apple/swift-nio~", Scope.NAME, F.SWIFT, "apple", "swift-nio", True),
    ("/npm/space/bücher~", Scope.NAME, F.NPM, "space", "bücher", True),  # letters, any script
    ("/npm/space/v2~", Scope.NAME, F.NPM, "space", "v2", True),  # digits are word characters
    ("/cargo//serde~", Scope.NAME, F.CARGO, "", "serde", True),
]


@pytest.mark.parametrize(
    ("text", "scope", "fmt", "namespace", "name", "word"), VALID, ids=[v[0] for v in VALID]
)
def test_valid_patterns(text, scope, fmt, namespace, name, word) -> None:
    parsed = parse_pattern(text)

    assert parsed == PackageGroupPattern(text, scope, fmt, namespace, name, word)


INVALID = [
    ("npm/*", "starts with '/'"),
    ("/npm", "ends with '*', '~' or '$'"),
    ("/npm/space/", "ends with '*', '~' or '$'"),
    ("/np*", "the format cannot be matched by prefix"),
    ("/npm~", "the format cannot be matched by prefix"),
    ("/$", "the format cannot be matched by prefix"),
    ("/Npm/*", "unknown package format 'Npm'"),
    ("/python//requests$", "unknown package format 'python'"),
    ("//*", "unknown package format ''"),
    ("/npm/a/b/c$", "at most a format, a namespace and a name"),
    ("/npm/~", "'~' must follow a namespace prefix"),
    ("/npm/space/~", "'~' must follow a name prefix"),
    ("/npm/space/foo-~", "'~' must follow a letter or digit (a word); after '-' use '*'"),
    ("/maven/com.~", "after '.' use '*'"),
    ("/npm/$", "'$' must follow a package name"),
    ("/npm/space/$", "'$' must follow a package name"),
    ("/npm/space$", "'$' matches a whole package"),
    ("/pypi/ns~", "pypi packages have no namespace"),
    ("/pypi/ns/requests$", "pypi packages have no namespace; leave it blank"),
    ("/nuget/ns/*", "nuget packages have no namespace"),
    ("/ruby/ns/rails$", "ruby packages have no namespace"),
    ("/cargo/ns/serde$", "cargo packages have no namespace"),
    ("/maven//junit$", "maven packages need a namespace when a name is given"),
    ("/generic//*", "generic packages need a namespace"),
    ("/swift//nio~", "swift packages need a namespace"),
    ("/npm/sp*ce/*", "contains '#', or '*', '~' or '$' before the end"),
    ("/npm/space/a~b$", "contains '#', or '*', '~' or '$' before the end"),
    ("/npm/sp#ce/x$", "contains '#'"),
    ("/pypi//Requests$", "write 'requests$' instead of 'Requests$'"),
    ("/pypi//foo_bar~", "write 'foo-bar~' instead of 'foo_bar~'"),
    ("/pypi//Foo.*", "write 'foo-*' instead of 'Foo.*'"),
    ("/nuget//Newtonsoft.Json$", "write 'newtonsoft.json$'"),
    ("/swift/Apple/nio$", "write 'apple/' instead of 'Apple/'"),
    ("/npm/space/a b$", "whitespace and control characters are not allowed"),
    ("/npm/space/a\u0000$", "whitespace and control characters are not allowed"),
    ("/", "2 to 520 characters"),
    ("/npm/space/" + "x" * 600 + "$", "2 to 520 characters"),
    ("/npm/" + "n" * 256 + "/x$", "longer than 255 characters"),
]


@pytest.mark.parametrize(("text", "message"), INVALID, ids=[v[0][:40] for v in INVALID])
def test_invalid_patterns(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_pattern(text)

    assert message in raised.value.message
    assert raised.value.message.startswith("Invalid package group pattern")


# ARN encoding -------------------------------------------------------------------------------

ENCODED = [
    ("/*", "/%2a"),
    ("/npm/*", "/npm/%2a"),  # as CodeArtifact's CloudFormation handler sees it
    ("/nuget//alpha$", "/nuget//alpha%24"),
    ("/nuget//alpha%beta%gamma~", "/nuget//alpha%25beta%25gamma~"),
    ("/npm/space/anycompany-ui~", "/npm/space/anycompany-ui~"),
    ("/maven/com.acme/a_b.c-d$", "/maven/com.acme/a_b.c-d%24"),
    ("/npm/space/bücher~", "/npm/space/b%c3%bccher~"),
]


@pytest.mark.parametrize(("pattern", "encoded"), ENCODED)
def test_arn_encoding(pattern: str, encoded: str) -> None:
    assert encode_pattern(pattern) == encoded
    assert decode_pattern(encoded) == pattern
    upper_hex = re.sub(r"%[0-9a-f]{2}", lambda match: match.group(0).upper(), encoded)
    assert decode_pattern(upper_hex) == pattern


# Normalization and weak forms -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("pypi//Foo_Bar.baz", "pypi//foo-bar-baz"),
        ("nuget//Newtonsoft.Json", "nuget//newtonsoft.json"),
        ("swift/Apple/Swift-NIO", "swift/apple/swift-nio"),
        ("npm/Space/AsyncStorage", "npm/Space/AsyncStorage"),  # npm: case matters
        ("maven/Com.Acme/Core", "maven/Com.Acme/Core"),
    ],
)
def test_keys_are_normalized_per_format(given: str, normalized: str) -> None:
    assert normalize_key(key(given)) == key(normalized)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("foo-bar", "foo.bar", True),
        ("foo-bar", "foo_bar", True),
        ("foo-bar", "foo..bar", True),
        ("foo-bar", "Foo-Bar", True),
        ("foo-bar", "foo-_.bar", True),
        ("foo-bar", "foobar", False),  # separators are equivalent, not ignored
        ("paypal", "p\u0430yp\u0430l", True),  # Cyrillic a (U+0430)
        ("ocean", "\u03bfcean", True),  # Greek omicron
        ("strasse", "STRASSE", True),
        ("strasse", "straße", True),  # case folding
        ("\uff46\uff4f\uff4f", "foo", True),  # full-width forms (NFKC)
        ("foo1", "fool", False),  # digits are not folded to letters
    ],
)
def test_weak_forms(a: str, b: str, same: bool) -> None:
    assert (weak_form(a) == weak_form(b)) is same


# Matching -----------------------------------------------------------------------------------

MATCHES = [
    # pattern, package, expected
    ("/*", "npm/space/anything", STRONG),
    ("/*", "pypi//requests", STRONG),
    ("/npm/*", "npm//react", STRONG),
    ("/npm/*", "npm/space/react", STRONG),
    ("/npm/*", "pypi//react", None),
    ("/maven/com.anycompany~", "maven/com.anycompany/core", STRONG),
    ("/maven/com.anycompany~", "maven/com.anycompany.tools/core", STRONG),
    ("/maven/com.anycompany~", "maven/com.anycompanyx/core", None),  # no word boundary
    ("/maven/com.anycompany~", "maven/com.any/core", None),
    ("/maven/com.anycompany~", "maven/Com.AnyCompany.tools/core", WEAK),
    ("/maven/com.anycompany~", "maven/com_anycompany/core", WEAK),
    ("/maven/com.any*", "maven/com.anything/core", STRONG),
    ("/npm/space/*", "npm/space/aui.components", STRONG),
    ("/npm/space/*", "npm/space/amplify-ui-core", STRONG),
    ("/npm/space/*", "npm//react", None),
    ("/npm/space/*", "npm/spaces/react", None),
    ("/npm/space/*", "npm/Space/react", WEAK),
    ("/npm//*", "npm//react", STRONG),
    ("/npm//*", "npm/space/react", None),
    ("/npm/space/foo~", "npm/space/foo", STRONG),
    ("/npm/space/foo~", "npm/space/foo-bar", STRONG),
    ("/npm/space/foo~", "npm/space/foo.bar", STRONG),
    ("/npm/space/foo~", "npm/space/food", None),
    ("/npm/space/foo~", "npm/space/foot", None),
    ("/npm/space/foo~", "npm/space/Foo-bar", WEAK),
    ("/npm/space/foo~", "npm/space/FOO", WEAK),
    ("/npm/space/foo~", "npm/space/fo", None),
    ("/npm/space/foo~", "npm/space/foo\u0301", None),  # a mark continues the word
    ("/npm/space/ui-*", "npm/space/ui-kit", STRONG),
    ("/npm/space/ui-*", "npm/space/ui_kit", WEAK),
    ("/npm/space/ui-*", "npm/space/uikit", None),
    ("/npm/space/ui*", "npm/space/uikit", STRONG),
    ("/npm//AsyncStorage$", "npm//AsyncStorage", STRONG),
    ("/npm//AsyncStorage$", "npm//asyncStorage", WEAK),
    ("/npm//AsyncStorage$", "npm//asyncstorage", WEAK),
    ("/npm//AsyncStorage$", "npm//async-storage", None),
    ("/npm//my-package$", "npm//my.package", WEAK),
    ("/npm//my-package$", "npm//my_package", WEAK),
    ("/npm//my-package$", "npm//mypackage", None),
    ("/npm//paypal$", "npm//p\u0430yp\u0430l", WEAK),  # homoglyphs
    ("/maven/org.apache.logging/log4j-core$", "maven/org.apache.logging/log4j-core", STRONG),
    ("/maven/org.apache.logging/log4j-core$", "maven/org.apache.logging/log4j-api", None),
    ("/maven/com.act-on/x$", "maven/com.act.on/x", WEAK),
    ("/pypi//requests$", "pypi//Requests", STRONG),  # the key is normalized first
    ("/pypi//foo-bar$", "pypi//foo_bar", STRONG),
    ("/pypi//foo-bar~", "pypi//Foo.Bar.Baz", STRONG),
    ("/swift/apple/nio$", "swift/Apple/NIO", STRONG),
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "package", "expected"), MATCHES)
def test_matching(pattern: str, package: str, expected: AssociationType | None) -> None:
    assert parse_pattern(pattern).match(normalize_key(key(package))) is expected


# Specificity: the most specific matching group wins, weak matches included ----------------------


def tree(*patterns: str, **modes: dict[RestrictionType, RestrictionMode]) -> GroupTree:
    return GroupTree(
        GroupSettings(parse_pattern(p), modes.get(p, {})) for p in patterns if p != ROOT_PATTERN
    )


GROUPS = [
    "/npm/*",
    "/npm/space/*",
    "/npm/space/anycompany~",
    "/npm/space/anycompany-ui~",
    "/npm/space/anycompany-ui-core$",
    "/npm/sp*",
    "/npm/space~",
    "/npm//AsyncStorage$",
    "/npm//asyncstorage$",
    "/npm//anycompany-spicy-client$",
    "/maven/com.anycompany~",
    "/maven/com.anycompany.tools~",
    "/maven/com.anycompany.tools/*",
    "/maven/com.any*",
    "/maven/com.anycompany*",
    "/pypi//acme~",
]

ASSOCIATIONS = [
    # package, group, association
    ("npm//react", "/npm/*", STRONG),
    ("npm/space/aui.components", "/npm/space/*", STRONG),
    ("npm/space/anycompany", "/npm/space/anycompany~", STRONG),
    ("npm/space/anycompany-db", "/npm/space/anycompany~", STRONG),
    ("npm/space/anycompany-ui-button", "/npm/space/anycompany-ui~", STRONG),
    ("npm/space/anycompany-ui-core", "/npm/space/anycompany-ui-core$", STRONG),
    ("npm/space/anycompany_ui_core", "/npm/space/anycompany-ui-core$", WEAK),  # no roll-up
    ("npm/space/AnyCompany-UI-Button", "/npm/space/anycompany-ui~", WEAK),
    ("npm/spaceship/x", "/npm/sp*", STRONG),
    ("npm/space.x/y", "/npm/space~", STRONG),
    ("npm//AsyncStorage", "/npm//AsyncStorage$", STRONG),
    ("npm//asyncstorage", "/npm//asyncstorage$", STRONG),  # strong beats weak on a tie
    ("npm//asyncStorage", "/npm//asyncstorage$", WEAK),  # two weak matches: a stable choice
    ("npm//AnyCompany-spicy-client", "/npm//anycompany-spicy-client$", WEAK),
    ("npm//anycompany.spicy.client", "/npm//anycompany-spicy-client$", WEAK),
    ("maven/com.anycompany/core", "/maven/com.anycompany~", STRONG),
    ("maven/com.anycompany.tools/cli", "/maven/com.anycompany.tools/*", STRONG),
    ("maven/com.anycompany.tools.x/cli", "/maven/com.anycompany.tools~", STRONG),
    ("maven/com.anycompanyx/cli", "/maven/com.anycompany*", STRONG),
    ("maven/com.anything/cli", "/maven/com.any*", STRONG),
    ("maven/org.other/cli", "/*", STRONG),
    ("pypi//acme-tools", "/pypi//acme~", STRONG),
    ("pypi//Acme_Tools", "/pypi//acme~", STRONG),
    ("pypi//requests", "/*", STRONG),
    ("cargo//serde", "/*", STRONG),
]


@pytest.mark.parametrize(("package", "group", "association"), ASSOCIATIONS)
def test_most_specific_group(package: str, group: str, association: AssociationType) -> None:
    found, how = tree(*GROUPS).associate(key(package))

    assert (found.pattern.text, how) == (group, association)


def test_the_root_alone_holds_everything() -> None:
    found, how = GroupTree([]).associate(key("npm/space/x"))

    assert (found.pattern.text, how) == ("/*", STRONG)


@pytest.mark.parametrize(
    ("general", "specific"),
    [
        ("/*", "/npm/*"),
        ("/npm/*", "/npm/sp*"),
        ("/npm/sp*", "/npm/space~"),
        ("/npm/space~", "/npm/space.x~"),
        ("/npm/space~", "/npm/space/*"),
        ("/npm/space/*", "/npm/space/ui*"),
        ("/npm/space/ui*", "/npm/space/ui~"),
        ("/npm/space/ui~", "/npm/space/ui-kit~"),
        ("/npm/space/ui-*", "/npm/space/ui-kit$"),
    ],
)
def test_specificity_orders_nested_patterns(general: str, specific: str) -> None:
    outer, inner = parse_pattern(general), parse_pattern(specific)

    assert outer.specificity < inner.specificity
    assert outer.contains(inner)
    assert not inner.contains(outer)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("/npm/space/foo~", "/npm/space/fo*"),  # fo* ⊇ foo~, but not the other way
        ("/npm/space/foo*", "/npm/space/foo~"),  # food ∈ foo*, foo ∈ both
        ("/npm/sp~", "/npm/space/*"),  # "space" has no word boundary after "sp"
        ("/npm/space/*", "/npm//*"),
        ("/npm/*", "/pypi/*"),
        ("/npm/space/x$", "/npm/space/y$"),
    ],
)
def test_containment(a: str, b: str) -> None:
    first, second = parse_pattern(a), parse_pattern(b)

    expected = {
        ("/npm/space/foo~", "/npm/space/fo*"): (False, True),
        ("/npm/space/foo*", "/npm/space/foo~"): (True, False),
    }.get((a, b), (False, False))
    assert (first.contains(second), second.contains(first)) == expected


# Hierarchy ----------------------------------------------------------------------------------


def test_parents_and_children() -> None:
    groups = tree(*GROUPS)

    parents = {pattern: groups.parent(pattern) for pattern in sorted(groups.groups)}

    assert parents == {
        "/*": None,
        "/maven/com.any*": "/*",
        "/maven/com.anycompany*": "/maven/com.any*",
        "/maven/com.anycompany.tools/*": "/maven/com.anycompany.tools~",
        "/maven/com.anycompany.tools~": "/maven/com.anycompany~",
        "/maven/com.anycompany~": "/maven/com.anycompany*",
        "/npm/*": "/*",
        "/npm//AsyncStorage$": "/npm/*",
        "/npm//anycompany-spicy-client$": "/npm/*",
        "/npm//asyncstorage$": "/npm/*",
        "/npm/sp*": "/npm/*",
        "/npm/space/*": "/npm/space~",
        "/npm/space/anycompany-ui-core$": "/npm/space/anycompany-ui~",
        "/npm/space/anycompany-ui~": "/npm/space/anycompany~",
        "/npm/space/anycompany~": "/npm/space/*",
        "/npm/space~": "/npm/sp*",
        "/pypi//acme~": "/*",
    }
    assert groups.children("/*") == ["/maven/com.any*", "/npm/*", "/pypi//acme~"]
    assert groups.children("/npm/space/*") == ["/npm/space/anycompany~"]


def test_deleting_a_group_makes_its_children_its_parents() -> None:
    before = tree("/npm/*", "/npm/space/*", "/npm/space/ui~", "/npm/space/db~")
    after = tree("/npm/*", "/npm/space/ui~", "/npm/space/db~")

    assert before.children("/npm/*") == ["/npm/space/*"]
    assert after.children("/npm/*") == ["/npm/space/db~", "/npm/space/ui~"]
    assert after.parent("/npm/space/ui~") == "/npm/*"


# Inheritance and decisions --------------------------------------------------------------------


def test_inherit_walks_up_to_the_first_set_mode() -> None:
    groups = tree(
        "/npm/*",
        "/npm/space/*",
        "/npm/space/ui~",
        **{
            "/npm/*": {PUBLISH: BLOCK},
            "/npm/space/*": {PUBLISH: INHERIT, EXTERNAL: SPECIFIC},
            "/npm/space/ui~": {},
        },
    )

    assert groups.effective("/npm/space/ui~", PUBLISH)[0] is BLOCK
    assert groups.effective("/npm/space/ui~", PUBLISH)[1].pattern.text == "/npm/*"
    assert groups.effective("/npm/space/ui~", EXTERNAL)[0] is SPECIFIC
    assert groups.effective("/npm/space/ui~", EXTERNAL)[1].pattern.text == "/npm/space/*"
    assert groups.effective("/npm/space/ui~", INTERNAL)[0] is ALLOW  # from the root
    assert groups.effective("/npm/space/ui~", INTERNAL)[1].pattern.text == "/*"


def test_a_configured_root_is_inherited() -> None:
    root = GroupSettings(parse_pattern("/*"), {PUBLISH: BLOCK, EXTERNAL: ALLOW, INTERNAL: ALLOW})
    groups = GroupTree([root, GroupSettings(parse_pattern("/npm/*"), {})])

    assert groups.effective("/npm/*", PUBLISH)[0] is BLOCK


DECISIONS = [
    # package, repository, (publish, external, internal)
    ("npm/space/ui-kit", "repoA", (False, False, True)),
    ("npm/space/ui-kit", "repoB", (False, True, False)),
    ("npm/space/ui-kit", "other", (False, False, False)),
    ("npm/space/db", "repoA", (True, False, True)),  # /npm/space/* inherits /npm/*'s modes
    ("npm/space/UI-kit", "repoB", (False, False, False)),  # weak: everything blocked
    ("npm//react", "any", (True, False, True)),
    ("pypi//requests", "any", (True, True, True)),  # the root: ALLOW by default
]


@pytest.mark.parametrize(("package", "repository", "expected"), DECISIONS)
def test_decisions(package: str, repository: str, expected: tuple[bool, bool, bool]) -> None:
    groups = GroupTree(
        [
            GroupSettings(
                parse_pattern("/npm/*"),
                {PUBLISH: ALLOW, EXTERNAL: BLOCK, INTERNAL: ALLOW},
            ),
            GroupSettings(parse_pattern("/npm/space/*"), {}),
            GroupSettings(
                parse_pattern("/npm/space/ui~"),
                {PUBLISH: BLOCK, EXTERNAL: SPECIFIC, INTERNAL: SPECIFIC},
                allowed={EXTERNAL: frozenset({"repoB"}), INTERNAL: frozenset({"repoA"})},
            ),
        ]
    )

    decision = groups.decide(key(package), repository)

    assert (decision.publish, decision.external_upstream, decision.internal_upstream) == expected
    assert decision.allows(PUBLISH) is expected[0]


def test_allow_specific_repositories_uses_the_list_of_the_group_it_is_inherited_from() -> None:
    groups = GroupTree(
        [
            GroupSettings(
                parse_pattern("/npm/*"),
                {PUBLISH: SPECIFIC},
                allowed={PUBLISH: frozenset({"libs"})},
            ),
            # its own list does not count while it inherits
            GroupSettings(parse_pattern("/npm//*"), {}, allowed={PUBLISH: frozenset({"other"})}),
        ]
    )

    assert groups.decide(key("npm//x"), "libs").publish
    assert not groups.decide(key("npm//x"), "other").publish
    assert groups.decide(key("npm//x"), "libs").modes[PUBLISH] is SPECIFIC
    assert groups.decide(key("npm//x"), "libs").group == "/npm//*"
