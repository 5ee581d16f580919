"""Maps of the selection: the co-occurrence network of its top terms and a correspondence analysis of groups.

- ``cooccurrence(tables, flt, top=…, measure=…, threshold=…)``: the ``top`` most frequent terms of the selection as
  nodes (count, sections and reports using them, a community, a position), and as edges the pairs that appear in
  the same sections, weighed by Jaccard (sections with both / sections with either) or Dice; edges under the
  threshold are left out. Communities are networkx's Louvain partition, positions its spring layout (both seeded,
  so a view is the same every time).
- ``correspondence(tables, flt, rows=…, columns=…)``: correspondence analysis (prince's ``CA``) of a contingency
  table of groups (units, years, levels) × themes (theme hits) or × top terms (occurrences): where each group and
  each column sits on the first two axes, with its mass and the counts behind it, and the inertia each axis
  explains. Groups that lean to the same work sit together and near those columns.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.query import index
from analysis.query.cache import cached, filled_codes, rows_in
from analysis.query.filters import Filter
from analysis.query.groups import group_counts
from analysis.schema import Column
from analysis.tables.coverage import theme_frequency
from analysis.tables.explore import _layout, _selected_rows
from analysis.tables.keyness import EVERYTHING, group_keys

NODES = {
    "term": Column("str", "the term", "词语"),
    "count": Column("int64", "occurrences in the selected sections", "频次"),
    "n_sections": Column("int64", "selected sections using it", "段落数"),
    "n_docs": Column("int64", "selected reports using it", "报告数"),
    "community": Column("int64", "its community (1 = the largest)", "社群"),
    "degree": Column("int64", "edges drawn to it", "连线数"),
    "x": Column("float64", "layout position", "横坐标"),
    "y": Column("float64", "layout position", "纵坐标"),
}
EDGES = {
    "source": Column("str", "one term", "词语A"),
    "target": Column("str", "the other term", "词语B"),
    "n_both": Column("int64", "selected sections using both", "共现段落数"),
    "weight": Column("float64", "the measure (Jaccard or Dice, 0–1)", "关联度"),
}
CA_POINTS = {
    "side": Column("str", "row (a group) or column (a theme or term)", "类别"),
    "label": Column("str", "the group, theme or term", "名称"),
    "x": Column("float64", "principal coordinate on axis 1", "维度1"),
    "y": Column("float64", "principal coordinate on axis 2", "维度2"),
    "mass": Column("float64", "share of the table's total", "质量"),
    "total": Column("int64", "hits or occurrences behind the point", "次数"),
    "n_docs": Column("Int64", "reports behind a group's point (blank for a column)", "报告数"),
}
MEASURES = ("jaccard", "dice")
CA_ROWS = {"unit": "unit", "year": "year", "level": "level", "region": "region"}


class Network(NamedTuple):
    nodes: pd.DataFrame
    edges: pd.DataFrame


class CAResult(NamedTuple):
    points: pd.DataFrame
    inertia: tuple[float, ...]   # share of the total inertia on each axis drawn
    table: pd.DataFrame          # the contingency table analysed (groups × columns)
    dropped_rows: int            # groups left out (too few counts, or beyond max_rows)


# ------------------------------------------------------------------------------------------------ co-occurrence


def section_terms(tables: Any) -> tuple[sparse.csr_matrix, np.ndarray]:
    """SECTIONS rows × terms: each term's count in each section (float32), and the terms (cached per terms table).

    Read from the store's terms file a batch at a time (as dictionary codes), or from a TERMS DataFrame.
    """
    def build() -> tuple[sparse.csr_matrix, np.ndarray]:
        secs = tables.sections["section_id"]
        source = index.terms_file(tables)
        rows, cols, vals = [], [], []
        vocab: np.ndarray | None = None
        if source is not None:
            for batch in source.batches(["section_id", "term", "count"]):
                sec, term, count = batch.columns
                if vocab is None:
                    vocab = np.asarray(term.dictionary.to_pylist(), dtype=object)
                    sec_map = rows_in(sec.dictionary, secs)
                rows.append(sec_map[filled_codes(sec)])
                cols.append(filled_codes(term))
                vals.append(count.to_numpy(zero_copy_only=False))
        else:
            terms = tables.terms
            words = pd.Categorical(terms["term"].astype(str))
            vocab = np.asarray(words.categories, dtype=object)
            rows.append(rows_in(terms["section_id"].astype(str), secs))
            cols.append(words.codes.astype(np.int64))
            vals.append(terms["count"].to_numpy())
        vocab = vocab if vocab is not None else np.zeros(0, dtype=object)
        r, c, v = (np.concatenate(a) if a else np.zeros(0) for a in (rows, cols, vals))
        ok = (r >= 0) & (c >= 0)
        m = sparse.csr_matrix((v[ok].astype(np.float32), (r[ok].astype(np.int64), c[ok].astype(np.int64))),
                              shape=(len(secs), max(len(vocab), 1)))
        m.sum_duplicates()
        return m, vocab

    return cached("section_terms", tables, index.terms_key(tables), build)


def cooccurrence(tables: Any, flt: Filter = EVERYTHING, *, top: int = 40,
                 measure: Literal["jaccard", "dice"] = "jaccard", threshold: float = 0.1,
                 min_sections: int = 2) -> Network:
    """The co-occurrence network of the selection's ``top`` most frequent terms (terms in the same section).

    Args:
        tables: the tables.
        flt: reports and section kinds (a theme filter is not applied).
        top: nodes: the most frequent terms (ties by term).
        measure: "jaccard" (both / either) or "dice" (2·both / (a + b)).
        threshold: edges whose measure is below it are left out.
        min_sections: and edges with fewer sections holding both.
    Returns:
        Network(nodes: a NODES table by count, edges: an EDGES table by weight).
    """
    if measure not in MEASURES:
        raise ValueError(f"measure={measure!r} is not valid; options are: 'jaccard', 'dice'")
    if top < 2:
        raise ValueError("top must be at least 2")
    matrix, vocab = section_terms(tables)
    rows = np.flatnonzero(_selected_rows(tables, flt, None))
    sel = matrix[rows]
    counts = np.asarray(sel.sum(axis=0)).ravel()
    used = np.flatnonzero(counts)
    order = used[np.lexsort((vocab[used].astype(str), -counts[used]))][:top]
    if len(order) == 0:
        return Network(_empty(NODES), _empty(EDGES))
    present = sel[:, order]
    present.data[:] = 1.0
    present.eliminate_zeros()
    both = (present.T @ present).toarray().astype(np.int64)
    n_sec = np.diag(both).copy()
    sec_doc = _layout(tables)[0][rows]
    doc_terms = sparse.csr_matrix((np.ones(len(rows)), (sec_doc, np.arange(len(rows)))),
                                  shape=(len(tables.documents), len(rows))) @ present
    n_docs = np.asarray((doc_terms > 0).sum(axis=0)).ravel()
    either = n_sec[:, None] + n_sec[None, :]
    weight = both / np.maximum(either - both, 1) if measure == "jaccard" else 2 * both / np.maximum(either, 1)
    i, j = np.triu_indices(len(order), k=1)
    keep = (weight[i, j] >= threshold) & (both[i, j] >= max(min_sections, 1))
    i, j = i[keep], j[keep]
    terms = vocab[order].astype(object)
    edges = pd.DataFrame({"source": terms[i], "target": terms[j], "n_both": both[i, j],
                          "weight": weight[i, j].astype("float64")})
    edges = edges.sort_values(["weight", "n_both", "source", "target"], ascending=[False, False, True, True],
                              kind="stable").reset_index(drop=True)
    community, pos = _communities(list(terms), edges)
    degree = pd.concat([edges["source"], edges["target"]]).value_counts()
    nodes = pd.DataFrame({"term": terms, "count": counts[order].astype(np.int64), "n_sections": n_sec,
                          "n_docs": n_docs.astype(np.int64), "community": [community[t] for t in terms],
                          "degree": [int(degree.get(t, 0)) for t in terms],
                          "x": [pos[t][0] for t in terms], "y": [pos[t][1] for t in terms]})
    return Network(nodes.astype({"community": "int64"}), edges.astype({"n_both": "int64"}))


def _communities(terms: list[str], edges: pd.DataFrame) -> tuple[dict[str, int], dict[str, tuple[float, float]]]:
    """Louvain communities (numbered 1… by size, then first term) and a spring layout, both seeded."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(terms)
    g.add_weighted_edges_from(edges[["source", "target", "weight"]].itertuples(index=False, name=None))
    parts = nx.community.louvain_communities(g, weight="weight", seed=7) if len(edges) else [{t} for t in terms]
    rank = {t: i for i, t in enumerate(terms)}
    parts = sorted(parts, key=lambda p: (-len(p), min(rank[t] for t in p)))
    community = {t: n for n, part in enumerate(parts, start=1) for t in part}
    pos = nx.spring_layout(g, weight="weight", seed=7) if len(terms) > 1 else {terms[0]: (0.0, 0.0)}
    return community, {t: (float(p[0]), float(p[1])) for t, p in pos.items()}


def _empty(contract: dict[str, Column]) -> pd.DataFrame:
    types = {"str": "object", "int64": "int64", "float64": "float64", "Int64": "Int64"}
    return pd.DataFrame({c: pd.Series([], dtype=types[col.dtype]) for c, col in contract.items()})


# ------------------------------------------------------------------------------------------------ correspondence


def contingency(tables: Any, flt: Filter = EVERYTHING, *, rows: str = "unit",
                columns: Literal["themes", "terms"] = "themes", top_terms: int = 30) -> tuple[pd.DataFrame, pd.Series]:
    """The groups × columns table a correspondence map analyses, and each group's reports.

    Args:
        rows: "unit", "year", "level" or "region" (reports without the value form the group '未知').
        columns: "themes" (theme hits, all section kinds the filter keeps) or "terms" (occurrences of the
            selection's ``top_terms`` most frequent terms).
    Returns:
        (counts: groups × columns, int64; n_docs: reports per group)
    """
    if rows not in CA_ROWS:
        raise ValueError(f"rows={rows!r} is not valid; options are: {', '.join(map(repr, CA_ROWS))}")
    keys = group_keys(tables.documents, CA_ROWS[rows])
    if rows == "level":
        from analysis.schema import LEVEL_ZH

        keys["group"] = keys["group"].map(lambda v: LEVEL_ZH.get(v, v))
    chosen = index.doc_mask(tables.documents, flt)
    n_docs = keys.loc[chosen, "group"].value_counts()
    if columns == "themes":
        tf = theme_frequency(tables, flt, by="document")
        tf = tf.merge(keys[["doc_id", "group"]], on="doc_id", how="left")
        table = tf.pivot_table(index="group", columns="theme_name", values="hits", aggfunc="sum", fill_value=0)
        names = tables.codebook.names() if hasattr(tables, "codebook") else {}
        order = [n for n in names.values() if n in table.columns] or list(table.columns)
        table = table[order]
    elif columns == "terms":
        gc = group_counts(tables, flt, keys["group"], n_docs=False)
        total = np.bincount(gc.term, weights=gc.count, minlength=len(gc.vocab))
        used = np.flatnonzero(total)
        best = used[np.lexsort((gc.vocab[used].astype(str), -total[used]))][:top_terms]
        pick = np.isin(gc.term, best)
        table = (pd.DataFrame({"group": gc.names[gc.group[pick]], "term": gc.vocab[gc.term[pick]],
                               "count": gc.count[pick]})
                 .pivot_table(index="group", columns="term", values="count", aggfunc="sum", fill_value=0))
        table = table[[t for t in gc.vocab[best] if t in table.columns]]
    else:
        raise ValueError(f"columns={columns!r} is not valid; options are: 'themes', 'terms'")
    table = table.astype("int64")
    table.columns = table.columns.astype(str)
    table.index = table.index.astype(str)
    return table.loc[sorted(n_docs.index.intersection(table.index))], n_docs


def correspondence(tables: Any, flt: Filter = EVERYTHING, *, rows: str = "unit",
                   columns: Literal["themes", "terms"] = "themes", top_terms: int = 30, max_rows: int = 60,
                   min_total: int = 5) -> CAResult:
    """Correspondence analysis of groups × themes (or × top terms): the map of who leans to which work.

    Groups with fewer than ``min_total`` hits, and beyond the ``max_rows`` largest, are left out (counted in
    ``dropped_rows``); columns that are all zero are dropped. Needs at least 3 groups and 3 columns.

    Returns:
        CAResult(points: a CA_POINTS table (rows first), inertia: shares of axes 1 and 2, the table, dropped_rows)
    """
    table, n_docs = contingency(tables, flt, rows=rows, columns=columns, top_terms=top_terms)
    totals = table.sum(axis=1)
    keep = totals[totals >= min_total].sort_values(ascending=False, kind="stable").index[:max_rows]
    dropped = len(table) - len(keep)
    table = table.loc[sorted(keep)]
    table = table.loc[:, table.sum(axis=0) > 0]
    if table.shape[0] < 3 or table.shape[1] < 3:
        raise ValueError(f"对应分析至少需要 3 个分组和 3 列有数据（当前 {table.shape[0]} 个分组、{table.shape[1]} 列），"
                         "请放宽筛选或换一种分组")
    result = ca_coordinates(table)
    row_docs = n_docs.reindex(table.index).fillna(0).astype("int64").to_numpy()
    col_docs = np.full(table.shape[1], -1, dtype=np.int64)
    points = pd.DataFrame({
        "side": ["row"] * table.shape[0] + ["column"] * table.shape[1],
        "label": [*table.index, *table.columns],
        "x": np.concatenate([result[0][:, 0], result[1][:, 0]]),
        "y": np.concatenate([result[0][:, 1], result[1][:, 1]]),
        "mass": np.concatenate([table.sum(axis=1) / table.to_numpy().sum(), table.sum(axis=0) / table.to_numpy().sum()]),
        "total": np.concatenate([table.sum(axis=1).to_numpy(), table.sum(axis=0).to_numpy()]).astype(np.int64),
        "n_docs": np.concatenate([row_docs, col_docs])})
    points["n_docs"] = points["n_docs"].where(points["n_docs"] >= 0, pd.NA).astype("Int64")
    return CAResult(points, result[2], table, dropped)


def ca_coordinates(table: pd.DataFrame, n_components: int = 2) -> tuple[np.ndarray, np.ndarray, tuple[float, ...]]:
    """Principal coordinates of rows and columns of a contingency table, and each axis' share of the inertia.

    prince's CA (an SVD of the standardised residuals); each axis is oriented so that its largest row coordinate
    is positive, so a map does not flip between runs.
    """
    import prince

    ca = prince.CA(n_components=n_components, random_state=0, engine="scipy").fit(table)
    r = np.array(ca.row_coordinates(table).to_numpy()[:, :n_components], dtype=float)
    c = np.array(ca.column_coordinates(table).to_numpy()[:, :n_components], dtype=float)
    for k in range(r.shape[1]):
        if r[np.argmax(np.abs(r[:, k])), k] < 0:
            r[:, k], c[:, k] = -r[:, k], -c[:, k]
    shares = tuple(float(p) / 100 for p in np.asarray(ca.percentage_of_variance_)[:n_components])
    return r, c, shares


__all__ = ["CA_POINTS", "EDGES", "NODES", "CAResult", "Network", "ca_coordinates", "contingency", "cooccurrence",
           "correspondence", "section_terms"]
