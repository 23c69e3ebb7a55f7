"""The benchmark corpus: real wheels and sdists with METADATA and dependency chains.

``benchpkg-000`` depends on 001 and 002, 001 on 002 and 003 … up to ``chain - 1``, so installing
000 resolves exactly ``chain`` projects. Other projects depend on up to three later ones outside
the chain. ``benchpkg-manyversions`` has ``many_versions`` versions, ``benchpkg-large`` one big
wheel of incompressible bytes. Everything is generated (deterministic, never committed).
"""

from __future__ import annotations

import json
import random
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from support.dists import (
    build_sdist,
    build_wheel,
    make_zip,
    sdist_filename,
    wheel_filename,
    wheel_members,
)

__all__ = ["Corpus", "CorpusSpec", "build_corpus"]

PREFIX = "benchpkg"
MANY = f"{PREFIX}-manyversions"
LARGE = f"{PREFIX}-large"


@dataclass(frozen=True)
class CorpusSpec:
    projects: int = 300
    versions: int = 5
    chain: int = 30
    many_versions: int = 2000
    large_mb: int = 50

    @classmethod
    def smoke(cls) -> CorpusSpec:
        return cls(projects=8, versions=2, chain=4, many_versions=20, large_mb=1)


@dataclass
class Corpus:
    root: Path
    spec: CorpusSpec
    files: list[Path] = field(default_factory=list)
    """Every file, wheels first (the order twine sends them in)."""

    @property
    def projects(self) -> list[str]:
        return [project_name(i) for i in range(self.spec.projects)]

    @property
    def top(self) -> str:
        """The project whose install resolves ``chain`` projects."""
        return project_name(0)

    @property
    def many(self) -> str:
        return MANY

    @property
    def large(self) -> Path:
        return next(path for path in self.files if path.name.startswith("benchpkg_large-"))

    def of(self, project: str) -> list[Path]:
        stem = project.replace("-", "_") + "-"
        return [path for path in self.files if path.name.startswith(stem)]

    def bytes_total(self) -> int:
        return sum(path.stat().st_size for path in self.files)


def project_name(index: int) -> str:
    return f"{PREFIX}-{index:03d}"


def _version(index: int) -> str:
    return f"1.{index}.0"


def _requires(index: int, spec: CorpusSpec, rng: random.Random) -> list[str]:
    if index < spec.chain:
        later = [i for i in (index + 1, index + 2) if i < spec.chain]
    else:
        pool = range(index + 1, spec.projects)
        later = sorted(rng.sample(list(pool), min(len(pool), rng.randint(0, 3))))
    return [f"{project_name(i)}>=1.0" for i in later]


def _metadata(requires: list[str]) -> str:
    lines = ["Requires-Python: >=3.8", "License: MIT"]
    lines += [f"Requires-Dist: {req}" for req in requires]
    lines.append('Requires-Dist: pytest>=7; extra == "test"')
    lines.append("Provides-Extra: test")
    return "\n".join(lines) + "\n"


def build_corpus(root: Path, spec: CorpusSpec) -> Corpus:
    """Write the corpus under ``root`` (reused when ``manifest.json`` matches ``spec``)."""
    manifest = root / "manifest.json"
    corpus = Corpus(root, spec)
    if manifest.exists() and json.loads(manifest.read_text()).get("spec") == asdict(spec):
        corpus.files = [root / name for name in json.loads(manifest.read_text())["files"]]
        return corpus
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(42)  # noqa: S311 - deterministic corpus, not security
    wheels: list[tuple[str, bytes]] = []
    sdists: list[tuple[str, bytes]] = []
    for index in range(spec.projects):
        name = project_name(index)
        extra = _metadata(_requires(index, spec, rng))
        for v in range(spec.versions):
            version = _version(v)
            wheels.append(
                (wheel_filename(name, version), build_wheel(name, version, metadata_extra=extra))
            )
            sdists.append(
                (sdist_filename(name, version), build_sdist(name, version, metadata_extra=extra))
            )
    for v in range(spec.many_versions):
        version = f"0.{v // 100}.{v % 100}"
        wheels.append((wheel_filename(MANY, version), build_wheel(MANY, version)))
        sdists.append((sdist_filename(MANY, version), build_sdist(MANY, version)))
    payload = random.Random(7).randbytes(spec.large_mb * 1024 * 1024)  # noqa: S311
    members = wheel_members(LARGE, "1.0.0", files={"benchpkg_large/data.bin": payload})
    wheels.append(
        (wheel_filename(LARGE, "1.0.0"), make_zip(members, compression=zipfile.ZIP_STORED))
    )
    for filename, content in [*wheels, *sdists]:
        (root / filename).write_bytes(content)
        corpus.files.append(root / filename)
    manifest.write_text(
        json.dumps({"spec": asdict(spec), "files": [path.name for path in corpus.files]})
    )
    return corpus
