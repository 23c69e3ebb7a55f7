"""coffer.toml: validation with line numbers, and the plan computed from two states."""

from __future__ import annotations

from pathlib import Path

import pytest

from coffer.client.declarative.diff import Key, compare, desired
from coffer.client.declarative.locate import locate
from coffer.client.declarative.spec import ConfigInvalid, parse

GOOD = """\
[domain.acme]
policy = '''
{"Version": "2012-10-17", "Statement": []}
'''

[domain.acme.repository.store]
external-connection = "public:pypi"

[domain.acme.repository.main]
description = "Main"
upstreams = ["store"]

[[domain.acme.package-origin]]
repository = "main"
format = "pypi"
package = "lib"
publish = "ALLOW"
upstream = "BLOCK"

[domain.acme.package-group."/pypi//lib*"]
publish = "ALLOW_SPECIFIC_REPOSITORIES"
publish-repositories = ["main"]
"""


def _problems(text: str, tmp_path: Path) -> list[str]:
    with pytest.raises(ConfigInvalid) as raised:
        parse(text, "coffer.toml", tmp_path)
    return raised.value.message.splitlines()


def test_a_good_file_becomes_resources(tmp_path: Path) -> None:
    wanted = desired(parse(GOOD, "coffer.toml", tmp_path))
    assert wanted[Key("repository", "acme", ("main",))] == {
        "description": "Main",
        "upstreams": ("store",),
        "external-connection": None,
    }
    assert wanted[Key("domain policy", "acme")]["policy"]["Statement"] == []
    assert wanted[Key("package origin", "acme", ("main", "pypi", "", "lib"))] == {
        "publish": "ALLOW",
        "upstream": "BLOCK",
    }
    assert wanted[Key("package group", "acme", ("/pypi//lib*",))] == {
        "description": "",
        "contact-info": "",
        "PUBLISH": "ALLOW_SPECIFIC_REPOSITORIES",
        "PUBLISH repositories": ("main",),
    }
    assert Key("repository policy", "acme", ("main",)) not in wanted  # not managed


def test_every_problem_is_reported_at_its_line(tmp_path: Path) -> None:
    text = GOOD.replace('upstreams = ["store"]', 'upstreams = ["stor", "main"]')
    text = text.replace('package = "lib"', 'package = "lib"\nversion = "1"')
    text = text.replace('publish = "ALLOW"\n', 'publish = "yes"\n')
    text += '\n[domain.acme.repository.extra]\ndescription = 3\npolicy-file = "missing.json"\n'
    text += "\n[domain.Bad_Name]\n"
    assert _problems(text, tmp_path) == [
        "coffer.toml:11: repository 'main' upstream 'stor' is not declared",
        "coffer.toml:11: repository 'main' lists itself as an upstream",
        "coffer.toml:17: unknown key 'version' in package-origin (known: format, namespace, "
        "package, publish, repository, upstream)",
        "coffer.toml:18: publish must be one of ALLOW, BLOCK",
        "coffer.toml:26: description must be a string",
        "coffer.toml:27: cannot read policy file missing.json: No such file or directory",
        "coffer.toml:29: 'Bad_Name' is not a valid domain name",
    ]


def test_policy_must_be_json_and_allowed_lists_need_the_mode(tmp_path: Path) -> None:
    text = GOOD.replace('"Statement": []}', '"Statement": [}')
    text = text.replace('publish = "ALLOW_SPECIFIC_REPOSITORIES"', 'publish = "BLOCK"')
    problems = _problems(text, tmp_path)
    assert problems[0].startswith("coffer.toml:2: the policy is not valid JSON")
    assert problems[1] == (
        'coffer.toml:22: publish-repositories needs publish = "ALLOW_SPECIFIC_REPOSITORIES"'
    )


def test_toml_syntax_errors_carry_the_line(tmp_path: Path) -> None:
    assert _problems("[domain.a]\nx = \n", tmp_path) == ["coffer.toml:2: Invalid value"]


def test_locations_skip_multiline_strings() -> None:
    located = locate("[a]\np = '''\nb = 1\n'''\nc = 2\n[[t]]\nk = 1\n[[t]]\nk = 2\n")
    assert located.line(("a", "b")) == 1  # inside the string: not a key
    assert located.line(("a", "c")) == 5
    assert located.line(("t", 1, "k")) == 9
    assert located.line(("nowhere",)) is None


def test_compare_creates_updates_and_prunes_only_when_asked() -> None:
    repo = Key("repository", "d", ("r",))
    other = Key("repository", "d", ("old",))
    domain = Key("domain", "d")
    wanted = {domain: {}, repo: {"description": "new", "upstreams": ()}}
    current = {domain: {}, repo: {"description": "old", "upstreams": ()}, other: {}}
    plan = compare(wanted, current)
    assert [(c.action, c.key) for c in plan.changes] == [("update", repo)]
    assert plan.changes[0].fields() == [("description", "old", "new")]
    assert plan.unmanaged == [other]
    pruned = compare(wanted, current, prune=True)
    assert [(c.action, c.key) for c in pruned.changes] == [("update", repo), ("delete", other)]
    assert compare(wanted, {domain: {}, repo: dict(wanted[repo])}).changes == []
    fresh = compare(wanted, {domain: None, repo: None})
    assert [(c.action, c.key.kind) for c in fresh.changes] == [
        ("create", "domain"),
        ("create", "repository"),
    ]
