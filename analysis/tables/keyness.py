"""Term statistics between groups of reports: keyness, rank shifts, first/last years, distinctive and top terms.

Every function takes the loader's tables (an object with ``documents``, ``sections`` and ``terms``) and a
``Filter``, and returns a new DataFrame. Rates are per 10,000 characters of the selected sections' own text
(``per_10k``); raw counts stay beside them. For every two-group comparison scores are positive where group B
uses a term more than group A.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from analysis.errors import value_invalid_msg
from analysis.query import index
from analysis.query.cache import cached
from analysis.query.filters import Filter
from analysis.query.groups import GroupCounts, group_counts, group_term_counts, top_per_group
from analysis.query.search import phrase_counts
from analysis.schema import Column
from analysis.tables.support import SUPPORT, pair_support_columns, support
from analysis.tables.views import Preview

USERDICT = Path(__file__).resolve().parent.parent / "resources" / "userdict.txt"
BY_VALUES = ("document", "unit", "year", "unit_year", "region", "level", "period")
ALL_ZH = "全部"
UNKNOWN_ZH = "未知"
EVERYTHING = Filter()
"""The empty filter (every report), the default of every `flt=`."""

TERM_SHIFT = {
    "term": Column("str", "the term", "词语"),
    "n_a": Column("int64", "occurrences in group A", "A组频次"),
    "n_b": Column("int64", "occurrences in group B", "B组频次"),
    "per_10k_a": Column("float64", "occurrences per 10,000 characters of group A", "A组每万字"),
    "per_10k_b": Column("float64", "occurrences per 10,000 characters of group B", "B组每万字"),
    "delta": Column("float64", "log-odds ratio B vs A with an informative Dirichlet prior", "对数优势比"),
    "z": Column("float64", "delta / its standard error; positive where B uses the term more", "Z值"),
    "g2": Column("float64", "Dunning's G² log-likelihood, signed + where B uses the term more", "G²"),
    "p": Column("float64", "p-value of G² (chi-square, 1 df)", "P值"),
    "is_new": Column("bool", "absent in A, present in B", "新出现"),
    "is_dropped": Column("bool", "present in A, absent in B", "已消失"),
    **pair_support_columns(),
}

RANK_SHIFT = {
    "term": Column("str", "a term in the top N of either year", "词语"),
    "rank_a": Column("Int64", "rank in year A (1 = most frequent; ties share a rank); null when absent", "A年排名"),
    "rank_b": Column("Int64", "rank in year B; null when absent", "B年排名"),
    "rank_change": Column("Int64", "rank_a - rank_b: positive when the term climbed in B", "名次变化"),
    "count_a": Column("int64", "occurrences in year A", "A年频次"),
    "count_b": Column("int64", "occurrences in year B", "B年频次"),
    "per_10k_a": Column("float64", "occurrences per 10,000 characters in year A", "A年每万字"),
    "per_10k_b": Column("float64", "occurrences per 10,000 characters in year B", "B年每万字"),
    "is_new": Column("bool", "absent in year A, present in year B", "新出现"),
    "is_dropped": Column("bool", "present in year A, absent in year B", "已消失"),
    **pair_support_columns("year A", "year B", zh_a="A年", zh_b="B年"),
}

TERM_TIMELINE = {
    "term": Column("str", "an official phrase of the user dictionary", "词语"),
    "first_year": Column("Int64", "first year a report uses it", "首次出现年份"),
    "last_year": Column("Int64", "last year a report uses it", "最近出现年份"),
    "n_years": Column("int64", "years with at least one report using it", "出现年数"),
    "n_docs": Column("int64", "reports using it", "出现报告数"),
    "count": Column("int64", "occurrences in the cleaned text (substring matches)", "出现次数"),
    "years": Column("str", "the years, comma-separated", "出现年份"),
}

DISTINCTIVE = {
    "group": Column("str", "the group (doc_id, unit, year …, as chosen by `by`)", "分组"),
    "group_label": Column("str", "the group for people (the file for a document)", "分组名称"),
    "rank": Column("int64", "rank within the group by the chosen measure", "排名"),
    "term": Column("str", "the term", "词语"),
    "count": Column("int64", "occurrences in the group", "频次"),
    "per_10k": Column("float64", "occurrences per 10,000 characters of the group", "每万字"),
    "tfidf": Column("float64", "term share in the group × smoothed idf over the groups", "TF-IDF"),
    "z": Column("float64", "log-odds z of the group against the rest of the corpus", "对数优势Z值"),
}

TOP_TERMS = {
    "group": Column("str", "the group ('全部' without `by`)", "分组"),
    "rank": Column("int64", "rank within the group", "排名"),
    "term": Column("str", "the term", "词语"),
    "count": Column("int64", "occurrences in the group", "频次"),
    "per_10k": Column("float64", "occurrences per 10,000 characters of the group", "每万字"),
    "n_docs": Column("int64", "reports of the group using the term", "报告数"),
}


# ------------------------------------------------------------------------------------------------- selection


def select_sections(tables, flt: Filter) -> pd.DataFrame:
    """The SECTIONS rows ``flt`` selects (section themes are taken from ``tables.theme_hits`` when present).

    Args:
        tables: the loader's tables.
        flt: the filter.
    Returns:
        a SECTIONS table.
    """
    themes = getattr(tables, "theme_hits", None)
    if themes is None:
        themes = getattr(tables, "section_themes", None)
    return flt.apply_sections(tables.sections, tables.documents, section_themes=themes)


def select_terms(tables, flt: Filter) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The TERMS rows of the sections ``flt`` selects, and those sections."""
    secs = select_sections(tables, flt)
    terms = tables.terms.loc[tables.terms["section_id"].isin(set(secs["section_id"]))]
    return terms, secs


def _chars(secs: pd.DataFrame) -> int:
    return int(secs["text"].fillna("").str.len().sum()) if len(secs) else 0


def _counts(tables, flt: Filter) -> tuple[pd.Series, int]:
    if index.usable(tables, flt):
        return index.term_counts(tables, flt)
    terms, secs = select_terms(tables, flt)
    return terms.groupby("term")["count"].sum().astype("int64"), _chars(secs)


def _per_10k(count, chars: int):
    return count * 10_000.0 / chars if chars else count * np.nan


def group_keys(documents: pd.DataFrame, by: str) -> pd.DataFrame:
    """doc_id → group and group_label for a ``by=`` grouping (null values become '未知')."""
    if by not in BY_VALUES:
        raise ValueError(value_invalid_msg("by", by, BY_VALUES))
    docs = documents
    year = docs["year"].astype("Int64").astype("string").fillna(UNKNOWN_ZH)
    unit = docs["unit"].astype("string").fillna(UNKNOWN_ZH)
    key = {"document": docs["doc_id"].astype("string"), "unit": unit, "year": year,
           "unit_year": unit + " " + year, "region": docs["region"].astype("string").fillna(UNKNOWN_ZH),
           "level": docs["unit_level"].astype("string").fillna(UNKNOWN_ZH),
           "period": docs["period"].astype("string").fillna(UNKNOWN_ZH)}[by]
    label = docs["file"].astype("string").fillna(docs["doc_id"]) if by == "document" else key
    return pd.DataFrame({"doc_id": docs["doc_id"], "group": key.astype(object), "group_label": label.astype(object)})


# ------------------------------------------------------------------------------------------------ term_shift


def term_shift(tables, a: Filter, b: Filter, *, prior: Literal["corpus", "pooled", "uniform"] = "corpus",
               alpha0: float = 100.0, min_count: int = 1, top: int | None = None) -> pd.DataFrame:
    """Score every term by how much more group B uses it than group A (log-odds with a Dirichlet prior, and G²).

    Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"). For a
    term w with counts y_a, y_b, group totals n_a, n_b (all term occurrences of the group) and prior
    α_w = α0 · c_w / Σc (c = background counts: the whole corpus, A+B pooled, or uniform), α0 = Σ_w α_w::

        δ_w = log((y_b + α_w) / (n_b + α0 − y_b − α_w)) − log((y_a + α_w) / (n_a + α0 − y_a − α_w))
        var(δ_w) ≈ 1/(y_b + α_w) + 1/(y_a + α_w)          z_w = δ_w / √var(δ_w)

    G² keyness (Dunning 1993) over the 2×2 table O = [[y_b, y_a], [n_b − y_b, n_a − y_a]] with expected
    E_ij = row_i · col_j / N: G² = 2 Σ O_ij ln(O_ij / E_ij) (0 ln 0 = 0), signed + where y_b/n_b > y_a/n_a;
    p = P(χ²₁ > G²) = erfc(√(G²/2)).

    Args:
        tables: the loader's tables.
        a: filter of group A (the "before"/reference side).
        b: filter of group B; scores are positive where B uses a term more.
        prior: background of the prior: "corpus" (every report), "pooled" (A+B) or "uniform".
        alpha0: the prior's total weight α0 (pseudo-occurrences spread over the vocabulary).
        min_count: keep terms with y_a + y_b at least this.
        top: keep the ``top`` highest and ``top`` lowest z (rising and falling terms); all when None.
    Returns:
        a TERM_SHIFT table sorted by z, descending.

    Example:
        >>> df = term_shift(tables, Filter(years=(2020,)), Filter(years=(2023,)), top=10)
        >>> df.loc[df["z"] > 0, "term"].tolist()[:3]
        ['二十大', ...]
    """
    if prior not in ("corpus", "pooled", "uniform"):
        raise ValueError(value_invalid_msg("prior", prior, ("corpus", "pooled", "uniform")))
    if alpha0 <= 0:
        raise ValueError(f"alpha0={alpha0!r} must be positive")
    ca, chars_a = _counts(tables, a)
    cb, chars_b = _counts(tables, b)
    for name, counts, flt in (("A", ca, a), ("B", cb, b)):
        if counts.sum() == 0:
            raise ValueError(f"group {name} ({flt.describe_zh()}) has no terms: no report matches it")
    vocab = ca.index.union(cb.index)
    y_a = ca.reindex(vocab, fill_value=0).to_numpy(dtype=float)
    y_b = cb.reindex(vocab, fill_value=0).to_numpy(dtype=float)
    n_a, n_b = float(ca.sum()), float(cb.sum())
    if prior == "corpus":
        background = _background(tables)
        weights = background.reindex(vocab, fill_value=0).to_numpy(dtype=float) / float(background.sum())
    elif prior == "pooled":
        weights = (y_a + y_b) / (n_a + n_b)
    else:
        weights = np.full(len(vocab), 1.0 / max(len(vocab), 1))
    alpha = alpha0 * weights
    with np.errstate(divide="ignore", invalid="ignore"):   # NaN only for a one-term vocabulary
        delta, z = _logodds(y_b, y_a, n_b, n_a, alpha, alpha0)
    g2 = g2_keyness(y_a, y_b, n_a, n_b)
    out = pd.DataFrame({
        "term": vocab.astype(object), "n_a": y_a.astype("int64"), "n_b": y_b.astype("int64"),
        "per_10k_a": _per_10k(y_a, chars_a), "per_10k_b": _per_10k(y_b, chars_b), "delta": delta, "z": z,
        "g2": g2, "p": [chi2_sf_1df(abs(g)) for g in g2], "is_new": (y_a == 0) & (y_b > 0),
        "is_dropped": (y_a > 0) & (y_b == 0)})
    out = out.loc[out["n_a"] + out["n_b"] >= min_count]
    out = out.sort_values(["z", "term"], ascending=[False, True], kind="mergesort")
    if top is not None and len(out) > 2 * top:
        out = pd.concat([out.head(top), out.tail(top)])
    return _with_pair_support(out.reset_index(drop=True), tables, a, b, chars_a, chars_b)


def _with_pair_support(out: pd.DataFrame, tables, a: Filter, b: Filter, chars_a: int, chars_b: int) -> pd.DataFrame:
    """The two groups' n_reports, n_units and (selected) chars as constant ``_a``/``_b`` columns."""
    for suffix, flt, chars in (("a", a, chars_a), ("b", b, chars_b)):
        sup = {**support(tables.documents, flt), "chars": int(chars)}
        for name in SUPPORT:
            out[f"{name}_{suffix}"] = pd.array([sup[name]] * len(out), dtype="int64")
    return out


def g2_keyness(y_a, y_b, n_a: float, n_b: float) -> np.ndarray:
    """Signed G² (Dunning 1993) of counts ``y_a``/``y_b`` in corpora of ``n_a``/``n_b`` tokens (+ where B over-uses)."""
    y_a, y_b = np.asarray(y_a, dtype=float), np.asarray(y_b, dtype=float)
    total = n_a + n_b
    observed = (y_b, y_a, n_b - y_b, n_a - y_a)
    row_term, row_rest = y_a + y_b, total - y_a - y_b
    expected = (row_term * n_b / total, row_term * n_a / total, row_rest * n_b / total, row_rest * n_a / total)
    g2 = np.zeros_like(y_a)
    for o, e in zip(observed, expected):
        with np.errstate(divide="ignore", invalid="ignore"):
            g2 += np.where(o > 0, o * np.log(np.where(o > 0, o, 1.0) / np.where(e > 0, e, 1.0)), 0.0)
    g2 = 2.0 * np.maximum(g2, 0.0)
    return np.sign(y_b * n_a - y_a * n_b) * g2


def chi2_sf_1df(x: float) -> float:
    """P(χ² with 1 degree of freedom > x) = erfc(√(x/2))."""
    return math.erfc(math.sqrt(max(x, 0.0) / 2.0))


# ------------------------------------------------------------------------------------------------ rank_shift


def rank_shift(tables, year_a: int, year_b: int, *, top: int = 20, flt: Filter = EVERYTHING) -> pd.DataFrame:
    """Rank of each top-N term in two years and its change (the 政府工作报告 高频词 view).

    Args:
        tables: the loader's tables.
        year_a: the earlier (reference) year.
        year_b: the later year; ``rank_change`` is positive where a term climbed in it.
        top: terms in the top ``top`` of either year are listed.
        flt: further filter (unit, level, kind …); its years are replaced by each year in turn.
    Returns:
        a RANK_SHIFT table sorted by rank in year B, then in year A.

    Example:
        >>> df = rank_shift(tables, 2020, 2023, top=10)
        >>> df[["term", "rank_a", "rank_b"]].head(3)
    """
    valid = sorted({int(y) for y in tables.documents["year"].dropna()})
    ranked = []
    for year in (year_a, year_b):
        if int(year) not in valid:
            raise ValueError(value_invalid_msg("year", year, valid))
        counts, chars = _counts(tables, dataclasses.replace(flt, years=(int(year),), year_from=None, year_to=None))
        ranks = counts.rank(method="min", ascending=False).astype("int64")
        ranked.append((counts, chars, ranks))
    (ca, chars_a, ra), (cb, chars_b, rb) = ranked
    chosen = set(ra[ra <= top].index) | set(rb[rb <= top].index)
    terms = sorted(chosen)
    out = pd.DataFrame({"term": pd.Series(terms, dtype=object),
                        "rank_a": pd.array(ra.reindex(terms).tolist(), dtype="Int64"),
                        "rank_b": pd.array(rb.reindex(terms).tolist(), dtype="Int64")})
    out["rank_change"] = (out["rank_a"] - out["rank_b"]).astype("Int64")
    out["count_a"] = ca.reindex(terms, fill_value=0).to_numpy().astype("int64")
    out["count_b"] = cb.reindex(terms, fill_value=0).to_numpy().astype("int64")
    out["per_10k_a"] = _per_10k(out["count_a"].astype(float), chars_a)
    out["per_10k_b"] = _per_10k(out["count_b"].astype(float), chars_b)
    out["is_new"] = (out["count_a"] == 0) & (out["count_b"] > 0)
    out["is_dropped"] = (out["count_a"] > 0) & (out["count_b"] == 0)
    out = out.sort_values(["rank_b", "rank_a", "term"], na_position="last", kind="mergesort")
    year_filters = [dataclasses.replace(flt, years=(int(y),), year_from=None, year_to=None) for y in (year_a, year_b)]
    return _with_pair_support(out.reset_index(drop=True), tables, *year_filters, chars_a, chars_b)


# --------------------------------------------------------------------------------------------- term_timeline


def read_userdict(path: str | Path = USERDICT) -> list[str]:
    """The words of a jieba user dictionary (``word [freq] [tag]`` a line), via ``analysis.parse.segment.load_userdict``."""
    from analysis.parse.segment import load_userdict

    return [entry.word for entry in load_userdict(path)]


def term_timeline(tables, *, flt: Filter = EVERYTHING, dictionary: str | Path | Iterable[str] | None = None,
                  include_absent: bool = False) -> pd.DataFrame:
    """First and last year each official phrase of the user dictionary appears in the reports.

    A phrase "appears" where its characters occur in the section text (a substring match, so it is found
    even where jieba splits it); masks never match a phrase.

    Args:
        tables: the loader's tables.
        flt: the filter.
        dictionary: a jieba-format user dictionary file, or the words themselves; the project's
            ``analysis/resources/userdict.txt`` when None.
        include_absent: also list phrases no selected report uses (with null years).
    Returns:
        a TERM_TIMELINE table sorted by first year, then term.

    Example:
        >>> df = term_timeline(tables)
        >>> df.loc[df["term"] == "二十大", ["first_year", "last_year"]]
    """
    if dictionary is None or isinstance(dictionary, (str, Path)):
        words = read_userdict(dictionary or USERDICT)
    else:
        words = list(dict.fromkeys(w.strip() for w in dictionary if w and w.strip()))
    year_of = tables.documents.set_index("doc_id")["year"]
    if index.usable(tables, flt):
        cube = phrase_counts(tables, tuple(words))
        chosen = np.flatnonzero(index.doc_mask(tables.documents, flt))
        kinds = index.kind_mask(flt)
        per_doc = cube[chosen].sum(axis=1, dtype=np.int64) if kinds.all() else cube[chosen][:, kinds, :].sum(
            axis=1, dtype=np.int64)                                                  # [documents, words]
        used = per_doc > 0
        year_arr = pd.to_numeric(tables.documents["year"], errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan)[chosen]
        known = ~np.isnan(year_arr)
        distinct, year_code = np.unique(year_arr[known], return_inverse=True)
        used_known = used[known]
        in_year = np.array([used_known[year_code == y].any(axis=0) for y in range(len(distinct))],
                           dtype=bool).reshape(len(distinct), len(words))                  # [years, words]
        found = [(int(n), int(c), distinct[in_year[:, w]])
                 for w, (n, c) in enumerate(zip(used.sum(axis=0), per_doc.sum(axis=0), strict=True))]
    else:
        secs = select_sections(tables, flt)
        texts = secs.groupby("doc_id", sort=False)["text"].agg(lambda s: "\n".join(s.fillna("")))
        found = []
        for word in words:
            hits = {d: t.count(word) for d, t in texts.items()}
            docs = [d for d, n in hits.items() if n]
            found.append((len(docs), sum(hits.values()), [year_of[d] for d in docs if pd.notna(year_of.get(d))]))
    rows = []
    for word, (n_docs, count, doc_years) in zip(words, found, strict=True):
        if not n_docs and not include_absent:
            continue
        years = sorted({int(y) for y in doc_years})
        rows.append({"term": word, "first_year": years[0] if years else None,
                     "last_year": years[-1] if years else None, "n_years": len(years), "n_docs": n_docs,
                     "count": count, "years": ",".join(map(str, years))})
    out = pd.DataFrame(rows, columns=list(TERM_TIMELINE))
    for col in ("first_year", "last_year"):
        out[col] = out[col].astype("Int64")
    for col in ("n_years", "n_docs", "count"):
        out[col] = out[col].astype("int64")
    out = out.sort_values(["first_year", "term"], na_position="last", kind="mergesort")
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------------- distinctive, top terms


def _background(tables) -> pd.Series:
    """Term → count over the whole corpus (the prior of the log-odds measures)."""
    if index.usable(tables):
        return index.corpus_counts(tables)
    return tables.terms.groupby("term")["count"].sum()


def _group_counts(tables, flt: Filter, by: str | None) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """(group, term, count, n_docs) rows, characters per group and the group labels (one group when by=None)."""
    keys, labels = _keys(tables, by)
    if index.usable(tables, flt):
        counts, chars = group_term_counts(tables, flt, keys["group"])
        return counts, chars, labels
    terms, secs = select_terms(tables, flt)
    t = terms.merge(keys, on="doc_id")
    counts = t.groupby(["group", "term"]).agg(count=("count", "sum"), n_docs=("doc_id", "nunique")).reset_index()
    s = secs.assign(n=secs["text"].fillna("").str.len()).merge(keys, on="doc_id")
    chars = s.groupby("group")["n"].sum()
    return counts, chars, labels


def _keys(tables, by: str | None) -> tuple[pd.DataFrame, pd.Series]:
    """``group_keys`` (one group '全部' when by=None), and group → label."""
    if by is None:
        keys = pd.DataFrame({"doc_id": tables.documents["doc_id"], "group": ALL_ZH, "group_label": ALL_ZH})
    else:
        keys = group_keys(tables.documents, by)
    return keys, keys.drop_duplicates("group").set_index("group")["group_label"]


def _fast_counts(tables, flt: Filter, by: str | None) -> tuple[GroupCounts, pd.Series]:
    """The (group, term) counts from the term index, and group → label."""
    keys, labels = _keys(tables, by)
    return group_counts(tables, flt, keys["group"]), labels


def _pair_per_10k(gc: GroupCounts) -> np.ndarray:
    """Occurrences per 10,000 characters of each (group, term) pair (NaN for a group without characters)."""
    chars = gc.chars.astype(float)
    chars[chars == 0] = np.nan
    return gc.count * 10_000.0 / chars[gc.group]


def _logodds(y_b, y_a, n_b, n_a, alpha, alpha0: float):
    """The log-odds ratio with an informative Dirichlet prior (Monroe et al.) of B against A, and its z, elementwise:
    y counts, n totals, alpha the prior's counts (summing to alpha0)."""
    delta = (np.log((y_b + alpha) / (n_b + alpha0 - y_b - alpha))
             - np.log((y_a + alpha) / (n_a + alpha0 - y_a - alpha)))
    return delta, delta / np.sqrt(1.0 / (y_b + alpha) + 1.0 / (y_a + alpha))


def _logodds_z(y_b, y_a, n_b, n_a, alpha, alpha0: float) -> np.ndarray:
    """The log-odds z of ``term_shift`` (group B against the rest A), elementwise."""
    return _logodds(y_b, y_a, n_b, n_a, alpha, alpha0)[1]


def _top_scored(group: np.ndarray, tfidf: np.ndarray, z_of, measure: str, top: int | None,
                tie: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions and ranks of each group's ``top`` pairs by the measure (equal scores in ``tie`` order when given),
    and their z (``z_of(positions)``); z is computed for every pair only when it is the ranking."""
    if measure == "tfidf":
        pos, rank = top_per_group(group, tfidf, top, tie)
        return pos, rank, z_of(pos)
    z_all = z_of(slice(None))
    pos, rank = top_per_group(group, z_all, top, tie)
    return pos, rank, z_all[pos]


def _distinctive_frame(names, vocab, labels, group, term, count, per_10k, tfidf, z, rank) -> pd.DataFrame:
    out = pd.DataFrame({"group": names[group], "term": vocab[term], "count": count.astype(np.int64),
                        "per_10k": per_10k, "tfidf": tfidf, "z": z, "rank": rank})
    out["group_label"] = out["group"].map(labels)
    return out[list(DISTINCTIVE)].reset_index(drop=True)


def _distinctive_per_document(tables, *, codes: np.ndarray, names: np.ndarray, labels: pd.Series, top: int | None,
                              measure: str, flt: Filter, alpha0: float,
                              rows: int | None = None) -> tuple[pd.DataFrame, int]:
    """``_distinctive_fast`` where each group holds one selected document (by report, or a unit of one report):
    the document and term totals come from the index, and the pairs are scored a chunk of documents at a time, so
    no array spans every (document, term) pair of the selection. With ``rows``, stops after the chunk that makes
    the first ``rows`` rows (groups come in name order). Returns the rows and the whole table's length."""
    idx = index.term_index(tables)
    docs = index.doc_mask(tables.documents, flt)
    kinds = index.kind_mask(flt)
    corpus, df, _ = index.term_sums(tables, flt, n_docs=True)          # over the selection: the groups' sums
    totals = np.where(docs, idx.occurrences[:, kinds].sum(axis=1), 0.0)   # per document = per group
    n_groups = int((totals > 0).sum())
    if not n_groups:
        return _empty_distinctive(), 0
    idf = np.log((1.0 + n_groups) / (1.0 + df)) + 1.0
    total_all = float(totals.sum())
    background = idx.corpus.astype(float)
    alpha_of = alpha0 * background / float(background.sum())
    chars = idx.chars[:, kinds].sum(axis=1).astype(float)
    chars[chars == 0] = np.nan
    chosen = np.flatnonzero(docs)
    chosen = chosen[np.argsort(codes[chosen], kind="stable")]          # groups in name order
    parts, held, cut = [], 0, False
    for doc, term, count in index.document_pairs(tables, flt, chosen):
        tfidf = count / totals[doc] * idf[term]

        def z_of(pos, doc=doc, term=term, count=count):
            return _logodds_z(count[pos], corpus[term[pos]] - count[pos], totals[doc[pos]],
                              total_all - totals[doc[pos]], alpha_of[term[pos]], alpha0)

        pos, rank, z = _top_scored(codes[doc], tfidf, z_of, measure, top)
        parts.append((codes[doc[pos]], term[pos], count[pos], count[pos] * 10_000.0 / chars[doc[pos]], tfidf[pos], z,
                      rank))
        held += len(pos)
        if rows is not None and held >= rows:    # the rows asked for are made: the rest is only counted
            cut = True
            break
    frame = _distinctive_frame(names, idx.vocab, labels, *(np.concatenate(column) for column in zip(*parts)))
    if not cut:
        return frame, len(frame)
    rows_of = index.distinct_terms(tables, flt, chosen[totals[chosen] > 0], top)   # a report's rows: its terms, to top
    return frame, int(rows_of.sum())


def _check_measure(measure: str) -> None:
    if measure not in MEASURES:
        raise ValueError(value_invalid_msg("measure", measure, MEASURES))


MEASURES = ("tfidf", "logodds")


def _empty_distinctive() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=_dtype(col.dtype)) for c, col in DISTINCTIVE.items()})


def _per_document(tables, by: str, flt: Filter) -> tuple[pd.Series, np.ndarray, np.ndarray, pd.Series, bool]:
    """Each document's group, its code, the group names (sorted), group → label, and whether every selected
    document is a group of its own."""
    groups, codes, names, labels = _grouping(tables, by)
    docs = index.doc_mask(tables.documents, flt)
    one_each = bool((codes >= 0).all()) and np.bincount(codes[docs]).max(initial=0) <= 1
    return groups, codes, names, labels, one_each


def _grouping(tables, by: str) -> tuple[pd.Series, np.ndarray, np.ndarray, pd.Series]:
    """Each document's group, its code, the group names (sorted) and group → label: cached per DOCUMENTS table and
    ``by`` (a preview and its table asked for them twice per change; ~15 ms at 10k reports, 10× that at 100k)."""
    per_by = cached("groupings", tables, tables.documents, dict)
    if by not in per_by:
        keys, labels = _keys(tables, by)
        codes, names = pd.factorize(keys["group"].astype(object), sort=True)
        names = np.asarray(names, dtype=object)
        codes.flags.writeable = names.flags.writeable = False
        per_by[by] = keys["group"], codes, names, labels
    return per_by[by]


def _distinctive_fast(tables, *, by: str, top: int | None, measure: str, flt: Filter,
                      alpha0: float) -> pd.DataFrame:
    """``distinctive`` from the term index: scores computed on arrays, strings made for the kept rows only."""
    groups, codes, names, labels, one_each = _per_document(tables, by, flt)
    if one_each:
        return _distinctive_per_document(tables, codes=codes, names=names, labels=labels, top=top, measure=measure,
                                         flt=flt, alpha0=alpha0)[0]
    gc = group_counts(tables, flt, groups, n_docs=False, ordered=False)
    if not len(gc.count):
        return _empty_distinctive()
    n_vocab = len(gc.vocab)
    df = np.bincount(gc.term, minlength=n_vocab)
    totals = np.bincount(gc.group, weights=gc.count, minlength=len(gc.names))
    n_groups = int((totals > 0).sum())          # a pair's count is at least 1
    corpus = np.bincount(gc.term, weights=gc.count, minlength=n_vocab)
    background = index.term_index(tables).corpus.astype(float)
    idf = np.log((1.0 + n_groups) / (1.0 + df)) + 1.0     # per term, then per pair (the same floats)
    tfidf = gc.count / totals[gc.group] * idf[gc.term]
    total_all = float(totals.sum())
    bg_total = float(background.sum())
    alpha_of = alpha0 * background / bg_total

    def z_of(pos: np.ndarray | slice) -> np.ndarray:
        return _logodds_z(gc.count[pos], corpus[gc.term[pos]] - gc.count[pos], totals[gc.group[pos]],
                          total_all - totals[gc.group[pos]], alpha_of[gc.term[pos]], alpha0)

    pos, rank, z = _top_scored(gc.group, tfidf, z_of, measure, top, tie=gc.term)
    per_10k = gc.count[pos] * 10_000.0 / np.where(gc.chars == 0, np.nan, gc.chars.astype(float))[gc.group[pos]]
    return _distinctive_frame(gc.names, gc.vocab, labels, gc.group[pos], gc.term[pos], gc.count[pos], per_10k,
                              tfidf[pos], z, rank)


def distinctive(tables, *, by: Literal["document", "unit", "year", "unit_year", "region", "level"] = "document",
                top: int | None = 20, measure: Literal["tfidf", "logodds"] = "tfidf",
                flt: Filter = EVERYTHING, alpha0: float = 100.0) -> pd.DataFrame:
    """The terms that set each group (report, unit …) apart from the rest of the corpus.

    TF-IDF treats each group as one document: tf = count / the group's term occurrences,
    idf = ln((1 + G) / (1 + g_w)) + 1 over G groups, g_w of which use w. Log-odds is ``term_shift`` of the
    rest of the selected corpus (A) against the group (B) with the corpus prior, so z > 0 means over-used.

    Args:
        tables: the loader's tables.
        by: the grouping.
        top: terms kept per group (all when None).
        measure: the ranking, "tfidf" or "logodds" (both columns are always filled).
        flt: the filter.
        alpha0: prior weight for the log-odds.
    Returns:
        a DISTINCTIVE table sorted by group, then rank.

    Example:
        >>> df = distinctive(tables, by="document", top=5, measure="logodds")
        >>> df.groupby("group_label")["term"].apply(list)
    """
    _check_measure(measure)
    if index.usable(tables, flt):
        key = (by, top, measure, float(alpha0))
        answers = _whole_cached(tables, flt)
        if answers is None:
            return _distinctive_fast(tables, by=by, top=top, measure=measure, flt=flt, alpha0=alpha0)
        if key not in answers:      # the whole corpus: computed once per grouping and kept with the term index
            answers[key] = _distinctive_fast(tables, by=by, top=top, measure=measure, flt=flt, alpha0=alpha0)
        return answers[key].copy()
    counts, chars, labels = _group_counts(tables, flt, by)
    if counts.empty:
        return _empty_distinctive()
    n_groups = counts["group"].nunique()
    df = counts.groupby("term")["group"].nunique()
    totals = counts.groupby("group")["count"].sum()
    corpus = counts.groupby("term")["count"].sum()
    background = _background(tables)
    out = counts.copy()
    out["per_10k"] = out["count"] * 10_000.0 / out["group"].map(chars).replace(0, np.nan)
    idf = np.log((1.0 + n_groups) / (1.0 + out["term"].map(df))) + 1.0
    out["tfidf"] = out["count"] / out["group"].map(totals) * idf
    y_b = out["count"].astype(float)
    y_a = out["term"].map(corpus).astype(float) - y_b
    n_b = out["group"].map(totals).astype(float)
    n_a = float(totals.sum()) - n_b
    alpha = alpha0 * out["term"].map(background).fillna(0).astype(float) / float(background.sum())
    out["z"] = _logodds(y_b, y_a, n_b, n_a, alpha, alpha0)[1]
    key = "tfidf" if measure == "tfidf" else "z"
    out = out.sort_values(["group", key, "term"], ascending=[True, False, True], kind="mergesort")
    out["rank"] = out.groupby("group").cumcount().astype("int64") + 1
    if top is not None:
        out = out.loc[out["rank"] <= top]
    out["group_label"] = out["group"].map(labels)
    return out[list(DISTINCTIVE)].reset_index(drop=True)


def _whole_cached(tables, flt: Filter, key: tuple | None = None) -> dict | None:
    """The cache of whole-corpus ``distinctive`` tables when ``flt`` selects the whole corpus (and, with ``key``,
    already holds that table), else None."""
    if not (index.doc_mask(tables.documents, flt).all() and index.kind_mask(flt).all()):
        return None
    answers = cached("distinctive_all", tables, index.terms_key(tables), dict)
    return answers if key is None or key in answers else None


def distinctive_preview(tables, *, rows: int, by: Literal["document", "unit", "year", "unit_year", "region",
                                                        "level"] = "document",
                        top: int | None = 20, measure: Literal["tfidf", "logodds"] = "tfidf",
                        flt: Filter = EVERYTHING, alpha0: float = 100.0) -> Preview:
    """The first ``rows`` rows of ``distinctive(…)`` and its length, scoring only the first reports' terms when each
    group is one report (at national scale the table by report has ~100,000 rows and takes a second or two).

    Args:
        tables, by, top, measure, flt, alpha0: as ``distinctive``.
        rows: how many rows to give.
    Returns:
        Preview: ``frame`` equals ``distinctive(…).head(rows)``; ``total`` is the whole table's length; ``full`` is
        the whole table when it was computed anyway, else None.

    Example:
        >>> p = distinctive_preview(tables, rows=1000, by="document", top=10)
        >>> len(p.frame), p.total
        (1000, 95500)
    """
    if rows < 0:
        raise ValueError(f"rows={rows!r} must be zero or more")
    _check_measure(measure)
    if index.usable(tables, flt) and _whole_cached(tables, flt, (by, top, measure, float(alpha0))) is None:
        _, codes, names, labels, one_each = _per_document(tables, by, flt)
        if one_each:
            frame, total = _distinctive_per_document(tables, codes=codes, names=names, labels=labels, top=top,
                                                     measure=measure, flt=flt, alpha0=alpha0, rows=rows)
            return Preview(frame.head(rows), total, frame if total == len(frame) else None)
    full = distinctive(tables, by=by, top=top, measure=measure, flt=flt, alpha0=alpha0)
    return Preview(full.head(rows), len(full), full)


def top_terms(tables, flt: Filter = EVERYTHING, *, by: str | None = None, top: int | None = 50,
              weighting: Literal["count", "per_10k"] = "count") -> pd.DataFrame:
    """The most frequent terms, overall or per group.

    Args:
        tables: the loader's tables.
        flt: the filter.
        by: None for one list, or a grouping ("document", "unit", "year", "unit_year", "region", "level").
        top: terms per group (all when None).
        weighting: the ranking value, "count" or "per_10k" (within one group both give the same order).
    Returns:
        a TOP_TERMS table sorted by group, then rank.

    Example:
        >>> top_terms(tables, Filter(years=(2023,)), top=10)["term"].tolist()
        ['宣传', '工作', ...]
    """
    if weighting not in ("count", "per_10k"):
        raise ValueError(value_invalid_msg("weighting", weighting, ("count", "per_10k")))
    if index.usable(tables, flt) and by is None:
        counts, n_docs, chars = index.term_sums(tables, flt, n_docs=True)
        terms = np.flatnonzero(n_docs)
        count = counts[terms]
        per_10k = count * 10_000.0 / (chars if chars else np.nan)
        pos, rank = top_per_group(np.zeros(len(terms), dtype=np.int64), count if weighting == "count" else per_10k,
                                       top)
        out = pd.DataFrame({"group": np.full(len(pos), ALL_ZH, dtype=object), "rank": rank,
                            "term": index.term_index(tables).vocab[terms[pos]], "count": count[pos].astype(np.int64),
                            "per_10k": per_10k[pos], "n_docs": n_docs[terms[pos]]})
        return out[list(TOP_TERMS)].reset_index(drop=True)
    if index.usable(tables, flt):
        gc, _ = _fast_counts(tables, flt, by)
        per_10k = _pair_per_10k(gc)
        pos, rank = top_per_group(gc.group, gc.count if weighting == "count" else per_10k, top)
        out = pd.DataFrame({"group": gc.names[gc.group[pos]], "rank": rank, "term": gc.vocab[gc.term[pos]],
                            "count": gc.count[pos].astype(np.int64), "per_10k": per_10k[pos], "n_docs": gc.n_docs[pos]})
        return out[list(TOP_TERMS)].reset_index(drop=True)
    counts, chars, _ = _group_counts(tables, flt, by)
    out = counts.copy()
    out["per_10k"] = out["count"] * 10_000.0 / out["group"].map(chars).replace(0, np.nan)
    out = out.sort_values(["group", weighting, "term"], ascending=[True, False, True], kind="mergesort")
    out["rank"] = (out.groupby("group").cumcount() + 1).astype("int64")
    if top is not None:
        out = out.loc[out["rank"] <= top]
    out = out.astype({"count": "int64", "n_docs": "int64"})
    return out[list(TOP_TERMS)].reset_index(drop=True)


def wordcloud_frequencies(tables, flt: Filter = EVERYTHING, *, top: int = 200) -> dict[str, int]:
    """Term → count of the ``top`` most frequent terms, for a word cloud (masks and stopwords never appear)."""
    if index.usable(tables, flt):   # the same ranking as top_terms (count, then term), without document counts
        counts, _, _ = index.term_sums(tables, flt)
        terms = np.flatnonzero(counts)
        order = terms[np.argsort(-counts[terms], kind="stable")[:top]]
        vocab = index.term_index(tables).vocab
        return {str(vocab[t]): int(counts[t]) for t in order}
    df = top_terms(tables, flt, top=top)
    return {str(t): int(c) for t, c in zip(df["term"], df["count"])}


def _dtype(dtype: str) -> str:
    return {"str": "object", "int64": "int64", "Int64": "Int64", "float64": "float64", "bool": "bool"}[dtype]
