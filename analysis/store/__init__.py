"""Store: takes a source folder (reports and ``manifest.csv``);
gives the Parquet store built from it, incrementally, and the loaded tables (``build``, ``load``, ``is_stale``)."""

from analysis.store.core import (
    CATEGORIES,
    CONTRACTS,
    HEAD_KEYS,
    MANIFEST_JSON,
    NARROW,
    PIPELINE_VERSION,
    PLAIN_BATCH_ROWS,
    PLAIN_TAKE_ROWS,
    REPORT_TABLES,
    TABLE_NAMES,
    TABLE_ORDER,
    BuildResult,
    Tables,
    TermsFile,
    build,
    is_stale,
    load,
    version,
)

__all__ = [
    "CATEGORIES",
    "CONTRACTS",
    "HEAD_KEYS",
    "MANIFEST_JSON",
    "NARROW",
    "PIPELINE_VERSION",
    "PLAIN_BATCH_ROWS",
    "PLAIN_TAKE_ROWS",
    "REPORT_TABLES",
    "TABLE_NAMES",
    "TABLE_ORDER",
    "BuildResult",
    "Tables",
    "TermsFile",
    "build",
    "is_stale",
    "load",
    "version",
]
