"""Command line: ``python -m analysis build|inspect …``, a thin formatter over the library.

Each subcommand is one ``_add_<name>(subparsers)`` that sets ``func``: a function ``(args) -> exit code``.
Subcommands that live in their own module (``analysis.export``) register themselves: the module defines
``register(subparsers) -> None`` and is listed in ``EXTENSIONS``; it is skipped while the module does not exist.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis.errors import ReportLensError

EXTENSIONS = ("analysis.export", "analysis.briefing")
"""Modules that add subcommands with ``register(subparsers)`` (the ``export`` subcommand lives in analysis.export)."""

HIDDEN_COMMANDS = ("schema-doc",)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the process exit code.

    Example:
        >>> main(["build", "seeds", "--out", "data"])
        0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    return args.func(args)


class _HelpFormatter(argparse.HelpFormatter):
    """Wraps descriptions as usual but keeps an ``Example:`` epilog on one line, so it can be copied."""

    def _format_text(self, text: str) -> str:
        if text.startswith("Example:"):
            return text + "\n"
        return super()._format_text(text)


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose subcommand parsers (same class) all use ``_HelpFormatter``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand (extensions included)."""
    parser = _Parser(
        prog="python -m analysis",
        description="ReportLens: load work reports into tables and inspect how one report is read. "
                    "报告解析与比较工具。")
    sub = parser.add_subparsers(title="commands")
    _add_build(sub)
    _add_inspect(sub)
    _add_codebook(sub)
    _add_schema_doc(sub)
    for name in EXTENSIONS:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(sub)
    sub.metavar = "{" + ",".join(c for c in sub.choices if c not in HIDDEN_COMMANDS) + "}"
    return parser


# ---------------------------------------------------------------------------------------------------- build


def _add_build(sub) -> None:
    p = sub.add_parser(
        "build", help="load a folder of reports into the data store (incremental)",
        description="Read every report in SOURCE_DIR (and its manifest.csv), and write the tables to DATA_DIR as "
                    "Parquet. Only new or changed reports are processed again.",
        epilog="Example: python -m analysis build seeds --out data")
    p.add_argument("source", nargs="?", default="seeds", metavar="SOURCE_DIR",
                   help="folder of .txt/.docx/.pdf reports (default: seeds)")
    p.add_argument("--out", default="data", metavar="DATA_DIR", help="store folder (default: data)")
    p.add_argument("--strict", action="store_true", help="any problem fails the build and nothing is written")
    p.add_argument("--codebook", default=None, help="codebook YAML for the theme_hits table (default: the shipped one)")
    p.add_argument("--userdict", default=None, help="jieba user dictionary for the terms (default: the shipped one)")
    p.add_argument("--stopwords", default=None, help="stopword list for the terms (default: the shipped one)")
    p.add_argument("--jobs", type=_positive_int, default=1, metavar="N", help="parallel processes (default: 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar, even on a terminal")
    p.add_argument("--force", action="store_true",
                   help="process every report again, whatever the store holds (a rebuild from scratch)")
    p.set_defaults(func=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    from analysis import store

    try:
        result = store.build(args.source, args.out, strict=args.strict, jobs=args.jobs, codebook=args.codebook,
                             userdict=args.userdict, stopwords=args.stopwords,
                             progress=False if args.no_progress else None, from_scratch=args.force,
                             on_wait=lambda: print(f"{args.out}: 另一个构建正在写入这个数据仓库，等它结束后继续…",
                                                   file=sys.stderr, flush=True))
    except ReportLensError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # the store folder cannot be written (a file in the way, no permission, disk full)
        print(f"error: {args.out}: cannot write the store ({err.strerror or err})", file=sys.stderr)
        return 1
    for row in result.problems.itertuples():
        print(f"{row.path}: {row.reason}", file=sys.stderr)
    if args.strict and len(result.problems):
        print(f"--strict: {len(result.problems)} problem(s); the store was not written", file=sys.stderr)
    print(f"loaded {result.loaded}, unchanged {result.unchanged}, failed {result.failed}, "
          f"removed {result.removed} in {result.seconds:.2f} s")
    if result.loaded + result.unchanged == 0 or (args.strict and len(result.problems)):
        return 1
    return 0


# ---------------------------------------------------------------------------------------------------- inspect


def _add_inspect(sub) -> None:
    p = sub.add_parser(
        "inspect", help="show how one report is read: metadata with evidence, and its outline",
        description="Read one report and print its metadata (value, source, evidence) and its outline tree.",
        epilog="Example: python -m analysis inspect seeds/002_f8c08a2de05a6de6.txt --json")
    p.add_argument("file", metavar="FILE", help="a .txt/.docx/.pdf report")
    p.add_argument("--json", action="store_true", help="print one JSON object (stable keys)")
    p.set_defaults(func=_run_inspect)


def _run_inspect(args: argparse.Namespace) -> int:
    from analysis.store.pipeline import inspect_report

    if not Path(args.file).is_file():
        print(f"{args.file}: no such file", file=sys.stderr)
        return 2
    result = inspect_report(args.file)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(format_inspect(result))
    for err in result.get("errors") or []:
        print(f"error: {err}", file=sys.stderr)
    return 0


def format_inspect(result: dict) -> str:
    """The text form of ``inspect``: one metadata line per field, then the outline indented by level."""
    fields = ("title", "year", "period", "unit", "unit_level", "region")
    lines = [f"file: {result.get('file')}"]
    for f in fields:
        value = result.get(f)
        source = (result.get("sources") or {}).get(f)
        evidence = (result.get("evidence") or {}).get(f)
        confidence = (result.get("confidence") or {}).get(f)
        why = f"  [{source or '-'}" + (f": {evidence}" if evidence else "") + "]" if source or evidence else ""
        sure = f"  ({confidence})" if confidence else ""
        lines.append(f"{f}: {'-' if value is None else value}{why}{sure}")
    lines.append("places: " + " / ".join(result.get(k) or "-" for k in ("province", "city", "county")))
    lines.append("outline:")
    for s in result.get("sections") or []:
        marker = f" {s['marker']}" if s.get("marker") else ""
        heading = f" {s['heading']}" if s.get("heading") else ""
        lines.append(f"{'  ' * int(s['level'])}{s['path']}{marker}{heading} [{s['kind']}]")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------- codebook


def _add_codebook(sub) -> None:
    p = sub.add_parser("codebook", help="check the theme codebook against a store (codebook audit)",
                       description="Codebook tools.", epilog="Example: python -m analysis codebook audit --data data")
    verbs = p.add_subparsers(title="verbs")
    a = verbs.add_parser(
        "audit", help="per theme and keyword: hits, share of the theme's hits, sample passages",
        description="Match every section of the store with the codebook and list, per theme, the entries that "
                    "drive its hits (most first), their share of the theme's hits, the reports they appear in and "
                    "sample passages. A keyword with a large share and passages off the theme is the one to fix.",
        epilog="Example: python -m analysis codebook audit --data data --theme market --top 10")
    a.add_argument("--data", default="data", metavar="DIR", help="store folder (default: data)")
    a.add_argument("--codebook", default=None, metavar="FILE", help="codebook YAML (default: the shipped one)")
    a.add_argument("--theme", action="append", default=None, metavar="ID", help="only this theme (repeatable)")
    a.add_argument("--top", type=_positive_int, default=5, metavar="N", help="entries shown per theme (default: 5)")
    a.add_argument("--all", action="store_true", help="list entries that never matched too (in --csv)")
    a.add_argument("--csv", default=None, metavar="FILE", help="also write the whole audit table as CSV (Excel)")
    a.set_defaults(func=_run_codebook_audit)
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), 2)[1])


def _run_codebook_audit(args: argparse.Namespace) -> int:
    from analysis import store
    from analysis.tables.audit import AUDIT, codebook_audit, format_audit
    from analysis.words.themes import load_codebook

    try:
        codebook = load_codebook(args.codebook)
        tables = store.load(args.data)
    except ReportLensError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    unknown = sorted(set(args.theme or ()) - set(codebook.ids))
    if unknown:
        print(f"error: unknown theme {', '.join(unknown)} (themes: {', '.join(codebook.ids)})", file=sys.stderr)
        return 2
    audit = codebook_audit(tables.sections, codebook, everything=args.all)
    if args.theme:
        audit = audit[audit["theme"].isin(args.theme)].reset_index(drop=True)
    print(format_audit(audit, top=args.top))
    if args.csv:
        from analysis import schema
        from analysis.export import export_csv

        target = Path(args.csv)
        part = target.with_name(target.name + ".part")
        part.write_bytes(export_csv(audit, labels=schema.labels_zh(AUDIT)))
        part.replace(target)  # a killed run leaves the previous file whole
        print(f"wrote {len(audit)} rows to {args.csv}")
    return 0


# ---------------------------------------------------------------------------------------------------- schema-doc


def _add_schema_doc(sub) -> None:
    # Hidden: not in the command list; it regenerates the README's "Tables" section.
    p = sub.add_parser("schema-doc", description="Print the tables' columns as Markdown (pasted into README.md).",
                       epilog="Example: python -m analysis schema-doc")
    p.set_defaults(func=_run_schema_doc)


def _run_schema_doc(args: argparse.Namespace) -> int:
    print(schema_markdown(), end="")
    return 0


def schema_markdown() -> str:
    """Every table ``export`` writes (the loader's and the analyses') as Markdown: column, type, meaning, 中文."""
    from analysis.export import EXPORTS
    from analysis.schema import PROBLEMS

    tables = {name: (spec.title_zh, spec.columns) for name, spec in EXPORTS.items()}
    tables["problems"] = ("问题文件", PROBLEMS)
    out = []
    for name, (title_zh, table) in tables.items():
        out += [f"### {name} ({title_zh})", "", "| column | type | meaning | 中文 |", "| --- | --- | --- | --- |"]
        out += [f"| {c} | {col.dtype} | {_md(col.meaning)} | {_md(col.label_zh)} |" for c, col in table.items()]
        out.append("")
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return value
