"""Co-occurrence network and correspondence analysis, on small tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.query.filters import Filter
from analysis.tables import maps
from analysis.words.themes import with_themes
from tests.analysis_fixtures import tables as fixture_tables


@pytest.fixture(scope="module")
def t():
    return with_themes(fixture_tables())


# ------------------------------------------------------------------------------------------------ CA


TABLE = pd.DataFrame([[10, 2, 3], [2, 8, 4], [3, 3, 9]], index=["甲", "乙", "丙"], columns=["x", "y", "z"])


def hand_ca(n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Correspondence analysis by the textbook steps (Greenacre): row/column masses, standardised residuals,
    their SVD, principal coordinates; and the total inertia as chi-square / n."""
    total = n.sum()
    p = n / total
    r, c = p.sum(axis=1), p.sum(axis=0)
    s = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, sv, vt = np.linalg.svd(s)
    rows = (u / np.sqrt(r)[:, None]) * sv
    cols = (vt.T / np.sqrt(c)[:, None]) * sv
    expected = np.outer(n.sum(axis=1), n.sum(axis=0)) / total
    chi2 = ((n - expected) ** 2 / expected).sum()
    return rows[:, :2], cols[:, :2], sv[:2] ** 2, chi2 / total


def test_ca_matches_the_hand_computed_3x3_case():
    rows, cols, eig, inertia = hand_ca(TABLE.to_numpy(dtype=float))
    assert eig.sum() == pytest.approx(inertia)          # a 3×3 table has two axes: they hold all the inertia
    r, c, shares = maps.ca_coordinates(TABLE)
    for k in range(2):                                   # an axis' sign is arbitrary
        sign = np.sign(r[0, k]) * np.sign(rows[0, k])
        assert r[:, k] == pytest.approx(sign * rows[:, k], abs=1e-9)
        assert c[:, k] == pytest.approx(sign * cols[:, k], abs=1e-9)
    assert shares == pytest.approx(tuple(eig / inertia))
    assert sum(shares) == pytest.approx(1.0)


def test_ca_puts_each_group_beside_the_column_it_leans_to():
    r, c, _ = maps.ca_coordinates(TABLE)
    for i in range(3):
        nearest = np.argmin(((c - r[i]) ** 2).sum(axis=1))
        assert nearest == i


def test_ca_orientation_is_stable():
    r1, _, _ = maps.ca_coordinates(TABLE)
    r2, _, _ = maps.ca_coordinates(TABLE.iloc[::-1].iloc[::-1])
    assert np.allclose(r1, r2)
    assert all(r1[np.argmax(np.abs(r1[:, k])), k] > 0 for k in range(2))


def test_correspondence_of_units_by_themes(t):
    table, n_docs = maps.contingency(t, rows="year")
    assert list(table.index) == ["2020", "2021", "2023"]
    assert n_docs["2021"] == 2
    assert table.to_numpy().sum() == int(t.theme_hits["hits"].sum())
    result = maps.correspondence(t, rows="year", min_total=1)
    pts = result.points
    assert set(pts["side"]) == {"row", "column"}
    rows = pts[pts["side"] == "row"].set_index("label")
    assert rows.loc["2021", "n_docs"] == 2 and rows["total"].sum() == table.to_numpy().sum()
    assert pts["mass"][pts["side"] == "row"].sum() == pytest.approx(1.0)
    assert 0 < result.inertia[0] <= 1 and result.inertia[0] >= result.inertia[1]


def test_correspondence_needs_three_groups(t):
    with pytest.raises(ValueError, match="至少需要 3 个分组"):
        maps.correspondence(t, rows="level", min_total=1)


def test_correspondence_by_terms_counts_occurrences(t):
    table, _ = maps.contingency(t, rows="year", columns="terms", top_terms=5)
    assert table.shape[1] == 5
    terms = t.terms.merge(t.documents[["doc_id", "year"]], on="doc_id")
    for term in table.columns:
        for year in table.index:
            assert table.loc[year, term] == terms[(terms["term"] == term) & (terms["year"] == int(year))]["count"].sum()


# ------------------------------------------------------------------------------------------------ network


def test_cooccurrence_jaccard_of_sections(t):
    net = maps.cooccurrence(t, top=20, threshold=0.0, min_sections=1)
    nodes = net.nodes.set_index("term")
    assert nodes.loc["文明城市", "n_sections"] == 2 and nodes.loc["文明城市", "n_docs"] == 2
    edge = net.edges[(net.edges["source"].isin(["文明城市", "志愿服务"]))
                     & (net.edges["target"].isin(["文明城市", "志愿服务"]))]
    assert edge["n_both"].item() == 2 and edge["weight"].item() == pytest.approx(1.0)
    news = net.edges[((net.edges["source"] == "文明城市") & (net.edges["target"] == "新闻"))
                     | ((net.edges["source"] == "新闻") & (net.edges["target"] == "文明城市"))]
    assert news["weight"].item() == pytest.approx(1 / 3)   # one section with both of three with either
    # terms always seen together fall in one community; unconnected ones in their own
    assert nodes.loc["文明城市", "community"] == nodes.loc["志愿服务", "community"]
    assert nodes.loc["疫情", "community"] == nodes.loc["复工复产", "community"] != nodes.loc["文明城市", "community"]


def test_cooccurrence_controls(t):
    dice = maps.cooccurrence(t, top=20, measure="dice", threshold=0.0, min_sections=1).edges
    news = dice[(dice["source"] == "文明城市") & (dice["target"] == "新闻")]
    assert news["weight"].item() == pytest.approx(2 * 1 / (2 + 2))
    strict = maps.cooccurrence(t, top=20, threshold=0.5, min_sections=2).edges
    assert (strict["weight"] >= 0.5).all() and (strict["n_both"] >= 2).all()
    small = maps.cooccurrence(t, top=3, threshold=0.0, min_sections=1)
    assert len(small.nodes) == 3 and set(small.edges["source"]) | set(small.edges["target"]) <= set(small.nodes["term"])
    plans = maps.cooccurrence(t, Filter(kinds=("plans",)), top=50, threshold=0.0, min_sections=1).nodes
    assert set(plans["term"]) == {"文明城市", "志愿服务", "文艺"}
    with pytest.raises(ValueError):
        maps.cooccurrence(t, measure="cosine")


def test_cooccurrence_reads_a_store_like_a_frame(seed_tables):
    frame_tables = type("T", (), {"documents": seed_tables.documents, "sections": seed_tables.sections,
                                  "terms": seed_tables.terms})()
    a = maps.cooccurrence(seed_tables, top=25)
    b = maps.cooccurrence(frame_tables, top=25)
    pd.testing.assert_frame_equal(a.nodes, b.nodes)
    pd.testing.assert_frame_equal(a.edges, b.edges)
