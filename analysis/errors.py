"""Errors that name the file and the reason: ``str(err)`` is one line, ``"{path}: {reason}"``."""

from __future__ import annotations

from collections.abc import Iterable


class ReportLensError(Exception):
    """Base class of every error ReportLens raises on purpose."""


class UnreadableReport(ReportLensError):
    """A report file that cannot be turned into clean text (empty, binary, corrupt, scanned …)."""

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class MixedDictionaries(Exception):
    """A store table read in batches whose dictionary columns change from batch to batch (the store writes one
    dictionary per column; a reader that relies on that reads the table whole instead). Internal."""


class BadCodebook(ReportLensError):
    """A theme codebook, user dictionary or stopword list that cannot be used as it is."""

    def __init__(self, path: str, line: int | None, reason: str):
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {reason}")


class StoreCorrupt(ReportLensError):
    """A data store whose manifest or tables are missing, unreadable or of another schema."""

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class OtherSource(ReportLensError):
    """A store built from another report folder than the one it is asked to be built from: it is never rebuilt
    from the new folder (that would drop every report of the old one)."""

    def __init__(self, store: str, built_from: str, source: str):
        self.path = str(store)
        self.built_from = str(built_from)
        self.source = str(source)
        super().__init__(
            f"{self.path}: 这个数据仓库是用 {self.built_from} 中的报告构建的，不能改用 {self.source} 重建"
            f"（那会丢掉原有的报告数据）。请用原来的报告文件夹（REPORTLENS_SOURCE={self.built_from}，或命令行 "
            f"python -m analysis build {self.built_from} --out {self.path}），或为 {self.source} 另选一个数据仓库目录"
            f"（REPORTLENS_DATA 或 --out）。")


class StoreBusy(ReportLensError):
    """Another build holds the store's lock (and the caller chose not to wait)."""

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def value_invalid_msg(name: str, value: object, valid_values: Iterable[object]) -> str:
    """One line naming the parameter, the bad value and the allowed set."""
    valid = ", ".join(repr(v) for v in valid_values)
    return f"{name}={value!r} is not valid; options are: {valid}"
