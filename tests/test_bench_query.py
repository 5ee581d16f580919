"""The query benchmark at a small N: it prints every figure, and a wrong answer makes it exit 1 (never a time)."""

from __future__ import annotations

from dataclasses import replace as dataclasses_replace

import pandas as pd
import pytest

from analysis.query.filters import Filter
from analysis.tables import coverage, keyness
from bench import query

N = 40


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("bench")


def _run(work, capsys, *extra: str) -> tuple[int, dict[str, str], str]:
    code = query.main(["--reports", str(N), "--runs", "3", "--work", str(work), "--budget-s", "5", *extra])
    captured = capsys.readouterr()
    lines = dict(line.split("=", 1) for line in captured.out.splitlines() if "=" in line)
    return code, lines, captured.err


def test_main_prints_every_query_and_the_summary(work, capsys):
    code, lines, err = _run(work, capsys)
    assert code == 0, err
    for name in query.queries():
        assert float(lines[f"q_{name}_p50_ms"]) <= float(lines[f"q_{name}_p95_ms"])
    for name in query.clicks():     # timed on their own: a download click, not a filter change
        assert float(lines[f"click_{name}_p50_ms"]) <= float(lines[f"click_{name}_p95_ms"])
        assert f"q_{name}_p95_ms" not in lines
    for name in ("worst_p95_ms", "cold_load_s", "cold_load_rss_mb", "rss_mb"):
        assert float(lines[name]) > 0
    assert lines["worst_query"] in query.queries()
    assert float(lines["worst_p95_ms"]) == max(float(lines[f"q_{n}_p95_ms"]) for n in query.queries())
    # the progress lines name each query's slowest case, so a slow figure can be traced to its filter
    progress = [line for line in err.splitlines() if " export_preview: " in line]
    assert len(progress) == 1 and "(export=" in progress[0]


def test_describe_names_the_filter_and_the_choice():
    case = query.Case(flt=Filter(year_from=2014, kinds=("plans",)), a=Filter(), b=Filter(), year_a=2014, year_b=2015,
                      year_base=Filter(), query="宣传", docs=(), theme="t", by_freq="unit", by_dist="document",
                      weighting="count", top=10, export="terms")
    assert query.describe("export_preview", case) == "export=terms; year_from=2014, kinds=('plans',)"
    assert query.describe("kwic", dataclasses_replace(case, flt=Filter())) == "all reports"


def test_main_exits_1_when_theme_frequency_miscounts(work, capsys, monkeypatch):
    real = coverage.theme_frequency

    def off_by_one(*args, **kwargs):
        out = real(*args, **kwargs)
        return out.assign(hits=out["hits"] + 1)

    monkeypatch.setattr(coverage, "theme_frequency", off_by_one)
    code, lines, err = _run(work, capsys, "--only", "ledger")
    assert code == 1 and "theme_frequency" in err and not lines


def test_main_exits_1_when_a_query_raises(work, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("doc_id")

    monkeypatch.setattr(keyness, "top_terms", broken)
    code, _, err = _run(work, capsys, "--only", "top_terms")
    assert code == 1 and "top_terms raised KeyError" in err


def test_check_invariants_rejects_a_ledger_that_loses_reports():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "year": pd.array([2020, 2021], dtype="Int64"),
                         "unit": ["U", "U"], "unit_level": ["city"] * 2, "region": [None] * 2, "period": ["H1"] * 2})
    case = query.Case(flt=Filter(), a=Filter(), b=Filter(), year_a=2020, year_b=2021, year_base=Filter(), query="x",
                      docs=("a",), theme="t", by_freq="all", by_dist="unit", weighting="count", top=10,
                      export="documents")
    tables = type("T", (), {"documents": docs})()
    with pytest.raises(query.WrongAnswer, match="ledger"):
        query.check_invariants("ledger", tables, case, pd.DataFrame({"n_docs": [1]}))
    query.check_invariants("ledger", tables, case, pd.DataFrame({"n_docs": [1, 1]}))


@pytest.mark.parametrize(("sizes", "expected"), [
    ({200: {"q_x_p95_ms": 2.0}}, ["q_x_p95_ms=2.000"]),
    ({1000: {"q_x_p95_ms": 2.0, "worst_query": "x"}, 10000: {"q_x_p95_ms": 10.0, "worst_query": "x"}},
     ["n1000_q_x_p95_ms=2.000", "n1000_worst_query=x", "n10000_q_x_p95_ms=10.000", "n10000_worst_query=x",
      "growth_10k_over_1k_q_x_p95_ms=5.00"]),
])
def test_format_figures_prefixes_several_sizes_and_prints_growth(sizes, expected):
    assert query.format_figures(sizes) == expected


def test_several_sizes_are_measured_each_in_its_own_interpreter(work, capsys):
    code, lines, err = _run(work, capsys, "--reports", f"20,{N}", "--only", "top_terms,kwic")
    assert code == 0, err
    for n in (20, N):
        assert int(lines[f"n{n}_documents"]) == n
        assert float(lines[f"n{n}_rss_mb"]) > 0 and float(lines[f"n{n}_q_kwic_p95_ms"]) > 0
    assert float(lines[f"growth_{N}_over_20_q_top_terms_p95_ms"]) > 0
    assert "n20_q_ledger_p95_ms" not in lines                    # --only reached the child interpreters
