"""The legacy upload form, as each client in notes/clients.md §4 sends it."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import pytest

from coffer.errors import ValidationError
from coffer.formats.pypi import (
    DigestMismatch,
    InvalidDistribution,
    InvalidUpload,
    UploadAction,
    UploadForm,
    parse_core_metadata,
    parse_distribution_filename,
    read_action,
)
from support.dists import build_sdist, build_wheel, metadata_text

Fields = dict[str, list[str]]

WHEEL = "rich_pkg-1.0-py3-none-any.whl"
FLIT_WHEEL = "rich_pkg-1.0-py2.py3-none-any.whl"
SDIST = "rich_pkg-1.0.tar.gz"


def digests(content: bytes) -> dict[str, str]:
    return {
        "sha256": hashlib.sha256(content).hexdigest(),
        "md5": hashlib.md5(content, usedforsecurity=False).hexdigest(),
        "blake2_256": hashlib.blake2b(content, digest_size=32).hexdigest(),
    }


CONTENT = {
    WHEEL: build_wheel("Rich-Pkg", "1.0"),
    FLIT_WHEEL: build_wheel("Rich-Pkg", "1.0", tag="py2.py3-none-any"),
    SDIST: build_sdist("Rich-Pkg", "1.0"),
}
METADATA = parse_core_metadata(metadata_text("Rich-Pkg", "1.0").encode())


def _metadata_fields(name: str) -> Fields:
    return {
        "metadata_version": ["2.4"],
        "name": [name],
        "version": ["1.0"],
        "summary": ["A package built by the test suite"],
        "description": ["# Rich\n"],
        "description_content_type": ["text/markdown"],
        "requires_python": [">=3.9"],
        "requires_dist": ["requests>=2", "rich; extra == 'cli'"],
        "classifiers": ["Programming Language :: Python :: 3", "Typing :: Typed"],
        "project_urls": ["Homepage, https://example.com"],
        "keywords": ["probe, registry"],
        "author_email": ["Ann <ann@example.com>"],
        "maintainer_email": ["bob@example.com"],
    }


def twine(filename: str) -> Fields:
    d = digests(CONTENT[filename])
    sdist = filename == SDIST
    return {
        **_metadata_fields("Rich-Pkg"),
        "license_file": ["LICENSE"],
        "license_expression": ["MIT"],
        "provides_extra": ["cli"],
        "pyversion": ["source" if sdist else "py3"],
        "filetype": ["sdist" if sdist else "bdist_wheel"],
        "sha256_digest": [d["sha256"]],
        "blake2_256_digest": [d["blake2_256"]],
        ":action": ["file_upload"],
        "protocol_version": ["1"],
    }


def uv(filename: str) -> Fields:
    fields = twine(filename)
    fields["name"] = ["Rich_Pkg"]  # not normalised
    fields["keywords"] = ["probe,registry"]
    return fields


def poetry(filename: str) -> Fields:
    fields = twine(filename)
    fields["md5_digest"] = [digests(CONTENT[filename])["md5"]]
    fields["platform"] = [""]
    return fields


def pdm(filename: str) -> Fields:
    fields = poetry(filename)
    del fields["provides_extra"], fields["license_expression"], fields["license_file"]
    for absent in ("home_page", "author", "maintainer", "license", "download_url", "comment"):
        fields[absent] = [""]
    fields["provides_extras"] = ["cli"]  # plural
    fields["requires_python"] = [""]
    return fields


def hatch(filename: str) -> Fields:
    return poetry(filename)


def flit(filename: str) -> Fields:
    d = digests(CONTENT[filename])
    fields: Fields = {
        ":action": ["file_upload"],
        "name": ["Rich-Pkg"],
        "version": ["1.0"],
        "metadata_version": ["2.3"],
        "summary": ["A package"],
        "author_email": ["Ann <ann@example.com>"],
        "provides": [""],
        "protocol_version": ["1"],
        "filetype": ["sdist" if filename == SDIST else "bdist_wheel"],
        "md5_digest": [d["md5"]],
        "sha256_digest": [d["sha256"]],
    }
    if filename != SDIST:
        fields["pyversion"] = ["py2.py3"]  # and none at all for the sdist
    return fields


CLIENTS = [
    ("twine", twine, WHEEL, "py3"),
    ("twine", twine, SDIST, "source"),
    ("uv", uv, WHEEL, "py3"),
    ("uv", uv, SDIST, "source"),
    ("poetry", poetry, WHEEL, "py3"),
    ("poetry", poetry, SDIST, "source"),
    ("pdm", pdm, WHEEL, "py3"),
    ("pdm", pdm, SDIST, "source"),
    ("hatch", hatch, WHEEL, "py3"),
    ("hatch", hatch, SDIST, "source"),
    ("flit", flit, FLIT_WHEEL, "py2.py3"),
    ("flit", flit, SDIST, "source"),
]


@pytest.mark.parametrize(("client", "make", "filename", "pyversion"), CLIENTS)
def test_each_clients_form(client: str, make: object, filename: str, pyversion: str) -> None:
    assert callable(make)
    fields: Fields = make(filename)
    form = UploadForm.from_fields(fields, filename)
    computed = digests(CONTENT[filename])

    assert read_action(fields) is UploadAction.FILE_UPLOAD
    assert (form.filename, form.version, form.pyversion) == (filename, "1.0", pyversion)
    assert form.name == fields["name"][0]
    assert form.filetype == ("sdist" if filename == SDIST else "bdist_wheel")
    assert form.sha256_digest == computed["sha256"]
    assert form.md5_digest == (computed["md5"] if "md5_digest" in fields else None)
    assert form.blake2_256_digest == (
        computed["blake2_256"] if "blake2_256_digest" in fields else None
    )
    form.check_against(parse_distribution_filename(filename), METADATA)
    form.check_digests(**computed)


def minimal(**changes: Sequence[str] | str) -> Mapping[str, Sequence[str]]:
    fields: dict[str, Sequence[str]] = {
        ":action": ["file_upload"],
        "name": ["rich-pkg"],
        "version": ["1.0"],
        "filetype": ["bdist_wheel"],
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value != "DROP"}


def test_minimal_form_derives_pyversion_from_the_filename() -> None:
    form = UploadForm.from_fields(minimal(), "rich_pkg-1.0-cp311-cp311-linux_x86_64.whl")
    assert form.pyversion == "cp311"
    assert (form.sha256_digest, form.md5_digest, form.blake2_256_digest) == (None, None, None)


def test_single_strings_are_accepted_as_values() -> None:
    form = UploadForm.from_fields({**minimal(), "name": "Rich-Pkg"}, WHEEL)
    assert form.name == "Rich-Pkg"


def test_a_field_repeated_with_the_same_value_is_fine() -> None:
    assert UploadForm.from_fields(minimal(name=["a", "a"]), "a-1.0-py3-none-any.whl").name == "a"


def test_digests_are_lower_cased() -> None:
    upper = "AB" * 32
    form = UploadForm.from_fields(minimal(sha256_digest=[upper]), WHEEL)
    assert form.sha256_digest == upper.lower()


INVALID = [
    (minimal(**{":action": "DROP"}), "Missing ':action' field; expected ':action=file_upload'"),
    (
        minimal(**{":action": ["doc_upload"]}),
        "Unsupported ':action' 'doc_upload'; this server accepts 'file_upload'",
    ),
    (
        minimal(**{":action": ["submit"]}),
        "':action' must be 'file_upload' to upload a file, not 'submit'",
    ),
    (minimal(protocol_version=["2"]), "Unsupported protocol_version '2'; expected '1'"),
    (minimal(name="DROP"), "Missing required field 'name'"),
    (minimal(name=[""]), "Missing required field 'name'"),
    (minimal(name=["a", "b"]), "Field 'name' was sent more than once with different values"),
    (minimal(name=["rich pkg"]), "Invalid project name 'rich pkg': use ASCII letters"),
    (minimal(version="DROP"), "Missing required field 'version'"),
    (minimal(version=["1.0-x-y"]), "Invalid version '1.0-x-y': not a PEP 440 version"),
    (minimal(filetype="DROP"), "Missing required field 'filetype'"),
    (
        minimal(filetype=["bdist_egg"]),
        "Unsupported filetype 'bdist_egg'; upload wheels (bdist_wheel) or sdists (sdist)",
    ),
    (
        minimal(filetype=["sdist"], pyversion=["py3"]),
        "pyversion 'py3' is not valid for an sdist; use 'source'",
    ),
    (
        minimal(sha256_digest=["abc"]),
        "sha256_digest is not a hex digest of the expected length: 'abc'",
    ),
    (minimal(md5_digest=["z" * 32]), "md5_digest is not a hex digest of the expected length"),
    (
        minimal(blake2_256_digest=["a" * 32]),
        "blake2_256_digest is not a hex digest of the expected length",
    ),
]


@pytest.mark.parametrize(("fields", "message"), INVALID)
def test_invalid_forms(fields: Mapping[str, Sequence[str]], message: str) -> None:
    with pytest.raises(InvalidUpload) as caught:
        UploadForm.from_fields(fields, WHEEL)
    assert isinstance(caught.value, ValidationError)
    assert caught.value.message.startswith(message)


def test_submit_is_recognised_for_the_route() -> None:
    assert read_action({":action": ["submit"], "name": ["x"]}) is UploadAction.SUBMIT


def test_a_bad_filename_is_a_distribution_error() -> None:
    with pytest.raises(InvalidDistribution, match="eggs are not supported"):
        UploadForm.from_fields(minimal(), "rich_pkg-1.0.egg")


@pytest.mark.parametrize(
    ("fields", "filename", "metadata", "message"),
    [
        (minimal(name=["other"]), WHEEL, METADATA,
         "Name in the upload form ('other') does not match the filename ('rich_pkg')"),
        (minimal(version=["2.0"]), WHEEL, METADATA,
         "Version in the upload form ('2.0') does not match the filename ('1.0')"),
        (minimal(), WHEEL, parse_core_metadata(metadata_text("rich-pkg-x", "1.0").encode()),
         "Name in the upload form ('rich-pkg') does not match the file's metadata ('rich-pkg-x')"),
        (minimal(), WHEEL, parse_core_metadata(metadata_text("rich-pkg", "1.1").encode()),
         "Version in the upload form ('1.0') does not match the file's metadata ('1.1')"),
        (minimal(filetype=["sdist"]), WHEEL, METADATA,
         "filetype 'sdist' in the upload form does not match the filename "
         "'rich_pkg-1.0-py3-none-any.whl', which is a bdist_wheel"),
    ],
)  # fmt: skip
def test_check_against(
    fields: Mapping[str, Sequence[str]], filename: str, metadata: object, message: str
) -> None:
    form = UploadForm.from_fields(fields, filename)
    with pytest.raises(InvalidUpload) as caught:
        form.check_against(parse_distribution_filename(filename), metadata)  # type: ignore[arg-type]
    assert caught.value.message == message


def test_versions_are_compared_as_versions() -> None:
    form = UploadForm.from_fields(minimal(version=["1.0.0"], name=["Rich.Pkg"]), WHEEL)
    form.check_against(parse_distribution_filename(WHEEL), METADATA)


@pytest.mark.parametrize("field", ["sha256", "md5", "blake2_256"])
def test_check_digests(field: str) -> None:
    computed = digests(CONTENT[WHEEL])
    sent = {f"{key}_digest": [value] for key, value in computed.items()}
    sent[f"{field}_digest"] = ["0" * len(computed[field])]
    form = UploadForm.from_fields({**minimal(), **sent}, WHEEL)
    with pytest.raises(DigestMismatch) as caught:
        form.check_digests(**computed)
    assert isinstance(caught.value, InvalidUpload)
    assert caught.value.message == f"{field}_digest does not match the uploaded file"


def test_absent_digests_are_not_checked() -> None:
    UploadForm.from_fields(minimal(), WHEEL).check_digests(**digests(b"anything"))
