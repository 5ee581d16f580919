"""Shared fixtures: where the project and ``../shared`` are, and a scratch copy of the seeds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root (where README.md and seeds/ are)."""
    return ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repository; the test is skipped when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (tests that read shared/ need the repo cloned beside it)")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The project's own seeds folder (read only: copy it before changing anything)."""
    return ROOT / "seeds"


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A fresh copy of ``seeds/`` (the five reports and manifest.csv) that a test may change."""
    dst = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", dst)
    return dst


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory, seeds_dir) -> Path:
    """The seeds built once into a scratch store (read only: build your own store to change it)."""
    from analysis.store import build

    dst = tmp_path_factory.mktemp("seed_store")
    build(seeds_dir, dst, progress=False)
    return dst


@pytest.fixture(scope="session")
def seed_tables(seed_store):
    """The seed store loaded (shared by the tests: never change its tables in place)."""
    from analysis.store import load

    return load(seed_store)
