"""``coffer plan|apply -f coffer.toml`` against a real server, checked through boto3 and the
aws CLI: a first apply creates everything, a second changes nothing, an edited file applies
only its difference, a change made by hand shows up in ``plan`` as drift, and nothing the
file does not declare is deleted unless ``--prune`` says so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support.aws import AwsCli
from support.coffer_client import coffer
from support.pypi_clients import PythonClients, Run
from support.server import CofferServer

pytestmark = pytest.mark.e2e

ORG_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["codeartifact:ReadFromRepository", "codeartifact:GetAuthorizationToken"],
            "Resource": "*",
        }
    ],
}

CONFIG = """\
# The team's registry.
[domain.{domain}]
policy-file = "org-read.json"

[domain.{domain}.repository.pypi-store]
description = "Cache of public PyPI"
external-connection = "public:pypi"

[domain.{domain}.repository.example]
description = "Internal Python packages"
upstreams = ["pypi-store"]

[[domain.{domain}.package-origin]]
repository = "example"
format = "pypi"
package = "sample-lib"
publish = "ALLOW"
upstream = "BLOCK"

[domain.{domain}.package-group."/pypi//internal-*"]
description = "Internal packages"
contact-info = "platform@example.com"
publish = "ALLOW_SPECIFIC_REPOSITORIES"
publish-repositories = ["example"]
external-upstream = "BLOCK"
"""


class Project:
    """A directory with a coffer.toml, and coffer plan/apply run in it as the administrator."""

    def __init__(self, root: Path, server: CofferServer, domain: str) -> None:
        self.clients = PythonClients(root / "clients")
        self.server = server
        self.domain = domain
        self.dir = root / "project"
        self.dir.mkdir()
        (self.dir / "org-read.json").write_text(json.dumps(ORG_READ))
        self.write(CONFIG)

    def write(self, template: str) -> None:
        (self.dir / "coffer.toml").write_text(template.replace("{domain}", self.domain))

    def run(self, *args: str, check: bool = True) -> Run:
        return coffer(self.clients, self.server, *args, cwd=self.dir, check=check)

    def plan(self) -> Run:
        """``coffer plan --detailed-exitcode`` (exit 0: no changes, 2: changes)."""
        result = self.run("plan", "--detailed-exitcode", check=False)
        assert result.returncode in (0, 2), result.describe()
        return result


@pytest.fixture
def project(tmp_path: Path, coffer_server: CofferServer, unique_name: str) -> Project:
    return Project(tmp_path, coffer_server, unique_name)


def _requests_naming(server: CofferServer, since: int, domain: str) -> list[str]:
    """Requests in the access log after byte ``since`` whose path or query names ``domain``."""
    with server.stderr_path.open("rb") as log:
        log.seek(since)
        records = [json.loads(line) for line in log.read().decode().splitlines() if line]
    return [
        f"{r['method']} {r['path']}?{r.get('query', '')}"
        for r in records
        if r.get("logger") == "coffer.access" and domain in f"{r['path']}?{r.get('query', '')}"
    ]


def _writes(server: CofferServer, since: int) -> list[tuple[str, str]]:
    """Control-plane calls that change something, from the access log after byte ``since``."""
    with server.stderr_path.open("rb") as log:
        log.seek(since)
        records = [json.loads(line) for line in log.read().decode().splitlines() if line]
    reads = {"/v1/domain", "/v1/repository", "/v1/package", "/v1/package-group"}
    return [
        (r["method"], r["path"])
        for r in records
        if r.get("logger") == "coffer.access"
        and r["path"].startswith("/v1/")
        and r["method"] in ("POST", "PUT", "DELETE", "PATCH")
        and not r["path"].endswith(("/repositories", "/allowed-repositories"))
        and not (r["method"] == "GET" and r["path"] in reads)
    ]


def test_apply_creates_everything_and_a_second_apply_is_a_no_op(
    project: Project, ca: Any, coffer_server: CofferServer
) -> None:
    domain = project.domain
    planned = project.plan()
    assert planned.returncode == 2
    assert "Plan: 6 to create, 0 to update, 0 to delete." in planned.stdout
    assert f"  + repository {domain}/example" in planned.stdout

    applied = project.run("apply")
    assert "Apply complete." in applied.stdout

    example = ca.describe_repository(domain=domain, repository="example")["repository"]
    assert example["description"] == "Internal Python packages"
    assert [u["repositoryName"] for u in example["upstreams"]] == ["pypi-store"]
    store = ca.describe_repository(domain=domain, repository="pypi-store")["repository"]
    assert [c["externalConnectionName"] for c in store["externalConnections"]] == ["public:pypi"]
    policy = ca.get_domain_permissions_policy(domain=domain)["policy"]["document"]
    assert json.loads(policy) == ORG_READ
    package = ca.describe_package(
        domain=domain, repository="example", format="pypi", package="sample-lib"
    )["package"]
    assert package["originConfiguration"]["restrictions"] == {
        "publish": "ALLOW",
        "upstream": "BLOCK",
    }
    group = ca.describe_package_group(domain=domain, packageGroup="/pypi//internal-*")
    restrictions = group["packageGroup"]["originConfiguration"]["restrictions"]
    assert restrictions["PUBLISH"]["mode"] == "ALLOW_SPECIFIC_REPOSITORIES"
    assert restrictions["EXTERNAL_UPSTREAM"]["mode"] == "BLOCK"
    assert group["packageGroup"]["contactInfo"] == "platform@example.com"
    allowed = ca.list_allowed_repositories_for_group(
        domain=domain, packageGroup="/pypi//internal-*", originRestrictionType="PUBLISH"
    )
    assert allowed["allowedRepositories"] == ["example"]

    since = coffer_server.log_size()
    again = project.run("apply")
    assert again.stdout == "No changes. The server matches the file.\n"
    assert _writes(coffer_server, since) == []
    assert project.plan().returncode == 0


def test_an_edited_file_applies_only_the_difference(
    project: Project, ca: Any, coffer_server: CofferServer
) -> None:
    project.run("apply")
    edited = CONFIG.replace('"Internal Python packages"', '"Internal packages, v2"')
    edited += '\n[domain.{domain}.repository.staging]\nupstreams = ["example"]\n'
    project.write(edited)

    planned = project.plan()
    assert planned.returncode == 2
    assert planned.stdout.splitlines() == [
        "Changes to make the server match the file:",
        f"  ~ repository {project.domain}/example",
        '      description: "Internal Python packages" -> "Internal packages, v2"',
        f"  + repository {project.domain}/staging",
        '      description: ""',
        '      upstreams: ["example"]',
        "      external-connection: (none)",
        "Plan: 1 to create, 1 to update, 0 to delete.",
    ]
    since = coffer_server.log_size()
    project.run("apply")
    assert _writes(coffer_server, since) == [
        ("POST", "/v1/repository"),  # CreateRepository staging
        ("PUT", "/v1/repository"),  # UpdateRepository example (description)
        ("PUT", "/v1/repository"),  # UpdateRepository staging (its upstream)
    ]
    staging = ca.describe_repository(domain=project.domain, repository="staging")["repository"]
    assert [u["repositoryName"] for u in staging["upstreams"]] == ["example"]
    assert project.plan().returncode == 0


def test_plan_shows_drift_made_with_the_aws_cli(project: Project, aws: AwsCli) -> None:
    project.run("apply")
    domain = project.domain
    aws.ok("update-repository", "--domain", domain, "--repository", "example",
           "--description", "edited in the console")  # fmt: skip
    widened = {**ORG_READ, "Statement": [{**ORG_READ["Statement"][0], "Action": "*"}]}
    aws.ok("put-domain-permissions-policy", "--domain", domain,
           "--policy-document", json.dumps(widened))  # fmt: skip
    aws.ok("disassociate-external-connection", "--domain", domain, "--repository",
           "pypi-store", "--external-connection", "public:pypi")  # fmt: skip

    planned = project.plan()
    assert planned.returncode == 2
    out = planned.stdout
    assert f"  ~ repository {domain}/example\n" in out
    assert '      description: "edited in the console" -> "Internal Python packages"' in out
    assert f"  ~ repository {domain}/pypi-store\n" in out
    assert '      external-connection: (none) -> "public:pypi"' in out
    assert f"  ~ domain policy {domain}\n" in out
    compact = [line.replace(" ", "") for line in out.splitlines()]  # the policy's JSON diff
    assert '-"Action":"*",' in compact
    assert '+"codeartifact:ReadFromRepository",' in compact
    assert "Plan: 0 to create, 3 to update, 0 to delete." in out

    project.run("apply")
    assert project.plan().returncode == 0


def test_undeclared_repositories_are_kept_unless_pruned(
    project: Project, aws: AwsCli, ca: Any
) -> None:
    project.run("apply")
    aws.ok("create-repository", "--domain", project.domain, "--repository", "scratch")
    planned = project.plan()
    assert planned.returncode == 0  # nothing to do: the file does not manage "scratch"
    assert f"Not in the file (kept; --prune deletes them): repository {project.domain}/scratch" in (
        planned.stdout
    )
    project.run("apply")
    ca.describe_repository(domain=project.domain, repository="scratch")

    pruned = project.run("apply", "--prune")
    assert f"  - repository {project.domain}/scratch" in pruned.stdout
    names = [
        r["name"] for r in ca.list_repositories_in_domain(domain=project.domain)["repositories"]
    ]
    assert sorted(names) == ["example", "pypi-store"]


def test_validation_errors_point_at_the_line(project: Project, coffer_server: CofferServer) -> None:
    broken = CONFIG.replace('upstreams = ["pypi-store"]', 'upstreams = ["pypi-stor"]')
    broken = broken.replace('external-upstream = "BLOCK"', 'external-upstream = "NEVER"')
    broken += '\n[domain.{domain}.repository.extra]\ndescriptoin = "typo"\n'
    project.write(broken)
    lines = (project.dir / "coffer.toml").read_text().splitlines()

    typo = '"pypi-stor"'

    def line_of(text: str) -> int:
        return next(number for number, line in enumerate(lines, 1) if text in line)

    since = coffer_server.log_size()
    for command in ("plan", "apply"):
        result = project.run(command, check=False)
        assert result.returncode == 1, result.describe()
        assert result.stderr.splitlines() == [
            f"coffer.toml:{line_of(typo)}: repository 'example' upstream 'pypi-stor' "
            "is not declared",
            f"coffer.toml:{line_of('NEVER')}: external-upstream must be one of ALLOW, "
            "ALLOW_SPECIFIC_REPOSITORIES, BLOCK, INHERIT",
            f"coffer.toml:{line_of('descriptoin')}: unknown key 'descriptoin' in repository "
            "'extra' (known: description, external-connection, policy, policy-file, upstreams)",
        ]
    # Nothing was sent for this domain (the server is shared with tests on other workers).
    assert _requests_naming(coffer_server, since, project.domain) == []

    project.write(CONFIG + "\n[domain.{domain}.repository.x\n")
    syntax = project.run("plan", check=False)
    assert syntax.returncode == 1
    assert syntax.stderr.startswith(f"coffer.toml:{CONFIG.count(chr(10)) + 2}: ")
