"""The workspace: one folder that holds the reports (with manifest.csv), the store built from them and the word
lists, so that nothing a user adds or edits lands in the project's own files.

``REPORTLENS_HOME`` (default ``./workspace``) is laid out as ``reports/`` (the reports and manifest.csv),
``store/`` (the Parquet tables and manifest.json) and ``resources/`` (codebook.yaml, userdict.txt, stopwords.txt, synonyms.txt, acronyms.txt);
``REPORTLENS_SOURCE``, ``REPORTLENS_DATA`` and ``REPORTLENS_RESOURCES`` still point any one of them elsewhere.
On first start the reports folder is filled with a copy of the sample reports and the resources folder with the
shipped word lists; a folder that exists is never touched (an emptied reports folder stays empty).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPORTS, STORE, RESOURCES = "reports", "store", "resources"
WORD_LISTS = ("codebook.yaml", "userdict.txt", "stopwords.txt", "synonyms.txt", "acronyms.txt")
"""The word lists a workspace keeps its own copy of (the data page edits them)."""
ENV = {"home": "REPORTLENS_HOME", "reports": "REPORTLENS_SOURCE", "store": "REPORTLENS_DATA",
       "resources": "REPORTLENS_RESOURCES"}


@dataclass(frozen=True)
class Workspace:
    """The folders the dashboard works in, and which of them are the workspace's own (not set by a variable)."""

    home: Path
    reports: Path
    store: Path
    resources: Path
    own: frozenset[str] = frozenset()


def locate(environ: Mapping[str, str], default_home: str | Path) -> Workspace:
    """The workspace the environment describes: ``REPORTLENS_HOME`` (else ``default_home``) and its three
    folders, each replaced by its own variable when that is set.

    Example:
        >>> locate({}, "workspace").reports
        PosixPath('workspace/reports')
    """
    home = Path(environ.get(ENV["home"]) or default_home)
    folders = {}
    own = set()
    for name in (REPORTS, STORE, RESOURCES):
        given = environ.get(ENV[name])
        folders[name] = Path(given) if given else home / name
        if not given:
            own.add(name)
    return Workspace(home=home, own=frozenset(own), **folders)


def prepare(ws: Workspace, *, samples: str | Path, shipped: str | Path) -> list[Path]:
    """Fill the workspace's own folders that do not exist yet: reports from ``samples`` (the project's sample
    reports and their manifest.csv), resources from ``shipped`` (``WORD_LISTS``). Each folder is filled under a
    temporary name and then renamed, so a killed first start leaves no half-filled folder.

    Returns:
        the folders filled now (none when the workspace was there already).
    """
    filled = []
    for name, origin, names in ((REPORTS, Path(samples), None), (RESOURCES, Path(shipped), WORD_LISTS)):
        folder = getattr(ws, name)
        if name not in ws.own or folder.exists():
            continue
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=folder.parent))
        try:
            for path in sorted(origin.iterdir()):
                if path.is_file() and not path.name.startswith(".") and (names is None or path.name in names):
                    shutil.copy2(path, tmp / path.name)
            os.replace(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        filled.append(folder)
    return filled
