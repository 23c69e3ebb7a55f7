"""Every action Coffer authorizes, named as IAM names them. Keep alphabetised."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Action"]


class Action(StrEnum):
    ASSOCIATE_EXTERNAL_CONNECTION = "codeartifact:AssociateExternalConnection"
    ASSOCIATE_WITH_DOWNSTREAM_REPOSITORY = "codeartifact:AssociateWithDownstreamRepository"
    COPY_PACKAGE_VERSIONS = "codeartifact:CopyPackageVersions"
    CREATE_DOMAIN = "codeartifact:CreateDomain"
    CREATE_PACKAGE_GROUP = "codeartifact:CreatePackageGroup"
    CREATE_REPOSITORY = "codeartifact:CreateRepository"
    DELETE_DOMAIN = "codeartifact:DeleteDomain"
    DELETE_DOMAIN_PERMISSIONS_POLICY = "codeartifact:DeleteDomainPermissionsPolicy"
    DELETE_PACKAGE = "codeartifact:DeletePackage"
    DELETE_PACKAGE_GROUP = "codeartifact:DeletePackageGroup"
    DELETE_PACKAGE_VERSIONS = "codeartifact:DeletePackageVersions"
    DELETE_REPOSITORY = "codeartifact:DeleteRepository"
    DELETE_REPOSITORY_PERMISSIONS_POLICY = "codeartifact:DeleteRepositoryPermissionsPolicy"
    DESCRIBE_DOMAIN = "codeartifact:DescribeDomain"
    DESCRIBE_PACKAGE = "codeartifact:DescribePackage"
    DESCRIBE_PACKAGE_GROUP = "codeartifact:DescribePackageGroup"
    DESCRIBE_PACKAGE_VERSION = "codeartifact:DescribePackageVersion"
    DESCRIBE_REPOSITORY = "codeartifact:DescribeRepository"
    DISASSOCIATE_EXTERNAL_CONNECTION = "codeartifact:DisassociateExternalConnection"
    DISPOSE_PACKAGE_VERSIONS = "codeartifact:DisposePackageVersions"
    GET_AUTHORIZATION_TOKEN = "codeartifact:GetAuthorizationToken"  # noqa: S105 - a name
    GET_DOMAIN_PERMISSIONS_POLICY = "codeartifact:GetDomainPermissionsPolicy"
    GET_PACKAGE_VERSION_ASSET = "codeartifact:GetPackageVersionAsset"
    GET_PACKAGE_VERSION_README = "codeartifact:GetPackageVersionReadme"
    GET_REPOSITORY_ENDPOINT = "codeartifact:GetRepositoryEndpoint"
    GET_REPOSITORY_PERMISSIONS_POLICY = "codeartifact:GetRepositoryPermissionsPolicy"
    LIST_DOMAINS = "codeartifact:ListDomains"
    LIST_PACKAGES = "codeartifact:ListPackages"
    LIST_PACKAGE_VERSION_ASSETS = "codeartifact:ListPackageVersionAssets"
    LIST_PACKAGE_VERSION_DEPENDENCIES = "codeartifact:ListPackageVersionDependencies"
    LIST_PACKAGE_VERSIONS = "codeartifact:ListPackageVersions"
    LIST_REPOSITORIES = "codeartifact:ListRepositories"
    LIST_REPOSITORIES_IN_DOMAIN = "codeartifact:ListRepositoriesInDomain"
    LIST_TAGS_FOR_RESOURCE = "codeartifact:ListTagsForResource"
    PUBLISH_PACKAGE_VERSION = "codeartifact:PublishPackageVersion"
    PUT_DOMAIN_PERMISSIONS_POLICY = "codeartifact:PutDomainPermissionsPolicy"
    PUT_PACKAGE_ORIGIN_CONFIGURATION = "codeartifact:PutPackageOriginConfiguration"
    PUT_REPOSITORY_PERMISSIONS_POLICY = "codeartifact:PutRepositoryPermissionsPolicy"
    READ_FROM_REPOSITORY = "codeartifact:ReadFromRepository"
    TAG_RESOURCE = "codeartifact:TagResource"
    UNTAG_RESOURCE = "codeartifact:UntagResource"
    UPDATE_PACKAGE_VERSIONS_STATUS = "codeartifact:UpdatePackageVersionsStatus"
    UPDATE_REPOSITORY = "codeartifact:UpdateRepository"
    STS_GET_SERVICE_BEARER_TOKEN = "sts:GetServiceBearerToken"  # noqa: S105 - a name
