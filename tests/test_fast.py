"""Cached indexes of analysis.query (cache, index, groups, search): answers equal to the plain computation over the
section and TERMS tables."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.query import cache, index, search
from analysis.query import groups as group_sums
from analysis.query.filters import Filter
from analysis.schema import KINDS
from analysis.tables import keyness
from tests.analysis_fixtures import tables as fixture_tables

FILTERS = [
    Filter(),
    Filter(years=(2021,)),
    Filter(year_from=2020, year_to=2021),
    Filter(levels=("city",)),
    Filter(kinds=("plans",)),
    Filter(kinds=("achievements", "preamble"), units=("甲市委宣传部",)),
    Filter(years=(1999,)),
]


def plain(tables):
    """The same tables without the fast path (the section-level computation)."""
    return SimpleNamespace(documents=tables.documents, sections=tables.sections, terms=tables.terms,
                           theme_hits=getattr(tables, "theme_hits", None), fast=False)


@pytest.fixture
def no_fast(monkeypatch):
    """Call ``fn(tables)`` the plain way: ``index.usable`` says no for the duration of the call."""
    real = index.usable

    def call(fn, *args, **kwargs):
        monkeypatch.setattr(index, "usable", lambda *a, **k: False)
        try:
            return fn(*args, **kwargs)
        finally:
            monkeypatch.setattr(index, "usable", real)
    return call


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Equal tables up to dtypes (the plain path keeps the store's categoricals) and float rounding."""
    def norm(df):
        return df.astype({c: object for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})
    pd.testing.assert_frame_equal(norm(got), norm(want), check_dtype=False, check_exact=False, rtol=1e-12)


def categorical(tables):
    """The tables with TERMS' strings as categoricals in a shuffled category order (as an older store loads)."""
    terms = tables.terms.copy()
    for col in ("doc_id", "section_id", "term"):
        cats = sorted(set(terms[col]), reverse=True)
        terms[col] = pd.Categorical(terms[col], categories=cats)
    return SimpleNamespace(documents=tables.documents, sections=tables.sections, terms=terms)


# ------------------------------------------------------------------------------------------------ value_codes


@pytest.mark.parametrize("values", [["b", "a", "b", None], ["乙", "甲"], []])
def test_value_codes_plain_and_categorical_agree(values):
    s = pd.Series(values, dtype=object)
    codes, uniques = cache.value_codes(s)
    assert list(uniques) == sorted(v for v in set(values) if v is not None)
    assert [uniques[c] if c >= 0 else None for c in codes] == values
    cat = pd.Series(pd.Categorical(values, categories=sorted({v for v in values if v}, reverse=True)))
    c_codes, c_uniques = cache.value_codes(cat)
    assert list(c_uniques) == list(uniques) and list(c_codes) == list(codes)


# ------------------------------------------------------------------------------------------------ term index


def test_term_index_rows_sum_to_the_terms_table():
    t = fixture_tables()
    idx = index.term_index(t)
    assert int(idx.count.sum()) == int(t.terms["count"].sum())
    got = pd.Series(idx.count, index=idx.vocab[idx.term]).groupby(level=0).sum()
    want = t.terms.groupby("term")["count"].sum()
    assert got.sort_index().to_dict() == want.sort_index().to_dict()
    # rows sorted by document, term, kind; doc_start brackets each document's rows
    key = (idx.doc.astype(np.int64) * len(idx.vocab) + idx.term) * 8 + idx.kind
    assert (np.diff(key) > 0).all()
    for d in range(len(idx.doc_ids)):
        assert (idx.doc[idx.doc_start[d]:idx.doc_start[d + 1]] == d).all()


def test_term_index_same_from_categorical_terms():
    t = fixture_tables()
    a, b = index.term_index(t), index.term_index(categorical(t))
    assert list(a.vocab) == list(b.vocab)
    for field in ("doc", "kind", "term", "count", "chars", "corpus", "doc_start", "first"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field


@pytest.mark.parametrize("chunk", [1, 7, 50])
@pytest.mark.parametrize("shuffle", [False, True])
def test_term_index_built_in_chunks_equals_one_pass(monkeypatch, chunk, shuffle):
    """Summing TERMS a few rows at a time (cut at document changes) gives the index of one pass, also when a
    document's rows are not together (the chunks' sums are then summed again)."""
    t = categorical(fixture_tables())
    whole = index._build_term_index(t)
    if shuffle:
        t = SimpleNamespace(documents=t.documents, sections=t.sections,
                            terms=t.terms.sample(frac=1, random_state=3).reset_index(drop=True))
    monkeypatch.setattr(index, "TERM_INDEX_CHUNK", chunk)
    parts = index._build_term_index(t)
    for field in ("doc", "kind", "term", "count", "chars", "corpus", "doc_start", "first", "corpus_docs",
                  "kind_corpus"):
        assert np.array_equal(getattr(whole, field), getattr(parts, field)), field


def test_whole_documents_moves_each_blocks_last_document_into_the_next():
    owner = np.array([0, 1, 2, 3, -1])             # section code -> document (the last entry: code -1)
    secs = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 3])
    blocks = [(secs[lo:lo + 2], np.arange(10)[lo:lo + 2]) for lo in range(0, 10, 2)]
    got = [tuple(a.tolist() for a in b) for b in index._whole_documents(blocks, owner)]
    assert got == [([0, 0, 0], [0, 1, 2]), ([1, 1], [3, 4]), ([2, 2, 2, 2], [5, 6, 7, 8]), ([3], [9])]
    assert list(index._whole_documents([], owner)) == []


def _index_fields(idx):
    return {f: getattr(idx, f) for f in ("doc", "kind", "term", "count", "chars", "corpus", "doc_start", "first",
                                         "corpus_docs", "kind_corpus", "occurrences", "doc_pairs")}


@pytest.mark.parametrize("chunk", [1 << 21, 97])
def test_term_index_read_from_the_store_file_equals_the_one_from_the_dataframe(seed_store, monkeypatch, chunk):
    """A loaded store's index is summed from its terms file a batch at a time (batches of 97 rows cut documents
    anywhere), the TERMS table never read whole; it is the index of the TERMS DataFrame."""
    from analysis import store

    t = store.load(seed_store)
    monkeypatch.setattr(index, "TERM_INDEX_CHUNK", chunk)
    from_file = index._build_term_index(t)
    assert not t.terms_file.loaded
    frame = SimpleNamespace(documents=t.documents, sections=t.sections, terms=t.terms)
    from_frame = index._build_term_index(frame)
    assert list(from_file.vocab) == list(from_frame.vocab)
    for name, value in _index_fields(from_file).items():
        assert np.array_equal(value, getattr(from_frame, name)), name


def test_term_index_of_a_file_whose_batches_have_other_dictionaries_reads_it_whole(seed_store, monkeypatch):
    from analysis import store
    from analysis.errors import MixedDictionaries

    t = store.load(seed_store)
    want = _index_fields(index._build_term_index(SimpleNamespace(documents=t.documents, sections=t.sections,
                                                                terms=store.load(seed_store).terms)))
    real = store.TermsFile.batches

    def mixed(self, columns, batch_size=1 << 21):
        for i, batch in enumerate(real(self, columns, batch_size=50)):
            if i == 2:
                raise MixedDictionaries(str(self.path))
            yield batch
    monkeypatch.setattr(store.TermsFile, "batches", mixed)
    got = _index_fields(index._build_term_index(t))
    assert t.terms_file.loaded
    assert all(np.array_equal(got[k], want[k]) for k in want)


@pytest.mark.parametrize("flt", FILTERS)
def test_term_counts_equal_the_terms_rows(flt):
    t = fixture_tables()
    counts, chars = index.term_counts(t, flt)
    secs = keyness.select_sections(t, flt)
    want = t.terms[t.terms["section_id"].isin(set(secs["section_id"]))].groupby("term")["count"].sum()
    assert counts.to_dict() == want.to_dict()
    assert chars == int(secs["text"].str.len().sum())


@pytest.mark.parametrize("flt", FILTERS)
def test_term_sums_documents_equal_the_terms_rows(flt):
    t = fixture_tables()
    counts, n_docs, _ = index.term_sums(t, flt, n_docs=True)
    vocab = index.term_index(t).vocab
    terms, _ = keyness.select_terms(t, flt)
    want = terms.groupby("term")["doc_id"].nunique()
    got = {vocab[i]: int(n) for i, n in enumerate(n_docs) if n}
    assert got == want.to_dict()
    assert {vocab[i] for i in np.flatnonzero(counts)} == set(want.index)


@pytest.mark.parametrize("chunk", [1 << 20, 7])      # 7: the kind sets are summed over slices cut inside documents
@pytest.mark.parametrize("years", [(), (2022, 2023)])
def test_term_sums_documents_for_every_kind_selection_on_the_seeds(seed_store, years, chunk, monkeypatch):
    # most reports selected: a kind selection's documents are the index's corpus figure less the other reports'
    from analysis import store

    monkeypatch.setattr(index, "TERM_INDEX_CHUNK", chunk)
    seed_tables = store.load(seed_store)
    for r in range(1, len(KINDS) + 1):
        for kinds in itertools.combinations(KINDS, r):
            flt = Filter(kinds=kinds, years=years)
            _, n_docs, _ = index.term_sums(seed_tables, flt, n_docs=True)
            vocab = index.term_index(seed_tables).vocab
            terms, _ = keyness.select_terms(seed_tables, flt)
            assert {vocab[i]: int(n) for i, n in enumerate(n_docs) if n} == \
                terms.groupby("term", observed=True)["doc_id"].nunique().to_dict(), kinds


@pytest.mark.parametrize("flt", FILTERS[:6])
@pytest.mark.parametrize("top", [1, 3, 200])
def test_wordcloud_fast_equals_plain(flt, top, no_fast):
    t = fixture_tables()
    got = keyness.wordcloud_frequencies(t, flt, top=top)
    want = no_fast(keyness.wordcloud_frequencies, t, flt, top=top)
    assert list(got.items()) == list(want.items())


# ------------------------------------------------------------------------------------------------ group counts


@pytest.mark.parametrize("by", ["document", "unit", "year", "level"])
@pytest.mark.parametrize("flt", FILTERS)
def test_group_counts_equal_a_groupby(by, flt):
    t = fixture_tables()
    keys = keyness.group_keys(t.documents, by)
    got, chars = group_sums.group_term_counts(t, flt, keys["group"])
    terms, secs = keyness.select_terms(t, flt)
    m = terms.merge(keys, on="doc_id")
    want = m.groupby(["group", "term"]).agg(count=("count", "sum"), n_docs=("doc_id", "nunique")).reset_index()
    assert got.to_dict("list") == want.to_dict("list")
    want_chars = secs.assign(n=secs["text"].str.len()).merge(keys, on="doc_id").groupby("group")["n"].sum()
    assert chars[want_chars.index].to_dict() == want_chars.to_dict()
    assert (chars.drop(want_chars.index) == 0).all()     # selected groups without a section of the kinds


@pytest.mark.parametrize("share", [0.0, 1.0])      # 1.0: large selections are the whole corpus's sums less the rest
@pytest.mark.parametrize("by", ["unit", "year", "level"])
@pytest.mark.parametrize("flt", FILTERS)
def test_group_counts_unordered_hold_the_same_pairs_in_group_runs(by, flt, share, monkeypatch):
    # distinctive asks for the pairs without the per-group sort by term and without document counts
    monkeypatch.setattr(group_sums, "WHOLE_MAX_SHARE", share)
    t = fixture_tables()
    groups = keyness.group_keys(t.documents, by)["group"]
    ordered = group_sums.group_counts(t, flt, groups)
    loose = group_sums.group_counts(t, flt, groups, n_docs=False, ordered=False)
    runs = 1 + np.count_nonzero(np.diff(loose.group)) if len(loose.group) else 0
    assert len(loose.n_docs) == 0 and runs == len(set(loose.group.tolist()))       # one run per group
    got = sorted(zip(loose.group.tolist(), loose.term.tolist(), loose.count.tolist(), strict=True))
    assert got == sorted(zip(ordered.group.tolist(), ordered.term.tolist(), ordered.count.tolist(), strict=True))
    with pytest.raises(ValueError, match="ordered"):
        group_sums.group_counts(t, flt, groups, ordered=False)


# ------------------------------------------------------------------------------------------------ top per group


def reference_top(group, score, top):
    frame = pd.DataFrame({"group": group, "score": score, "pos": np.arange(len(group))})
    frame = frame.sort_values(["group", "score"], ascending=[True, False], kind="mergesort")
    frame["rank"] = frame.groupby("group").cumcount() + 1
    if top is not None:
        frame = frame[frame["rank"] <= top]
    return frame["pos"].tolist(), frame["rank"].tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from([0.0, 1.0, 1.5, 2.0, -3.0, 7.25])), max_size=80),
       st.one_of(st.none(), st.integers(1, 6)))
def test_top_per_group_is_a_stable_sort_by_score(rows, top):
    rows = sorted(rows, key=lambda r: r[0])
    group = np.array([r[0] for r in rows], dtype=np.int64)
    score = np.array([r[1] for r in rows], dtype=float)
    pos, rank = group_sums.top_per_group(group, score, top)
    assert (pos.tolist(), rank.tolist()) == reference_top(group, score, top)


def test_group_counts_of_most_reports_subtract_the_rest_from_cached_sums(monkeypatch):
    # 2020-2021 leaves out one of 甲's three reports: 甲's sums are its whole sums less that report's
    monkeypatch.setattr(group_sums, "WHOLE_MAX_SHARE", 1.0)
    t = fixture_tables()
    groups = keyness.group_keys(t.documents, "unit")["group"]
    flt = Filter(year_from=2020, year_to=2021)
    used = []
    monkeypatch.setattr(group_sums, "_whole_groups", lambda *a, real=group_sums._whole_groups: used.append(real(*a)) or used[-1])
    loose = group_sums.group_counts(t, flt, groups, n_docs=False, ordered=True)
    assert len(used) == 1 and used[0] is not None
    ordered = group_sums.group_counts(t, flt, groups)      # with document counts: the direct product
    assert len(used) == 1
    assert loose.group.tolist() == ordered.group.tolist() and loose.term.tolist() == ordered.term.tolist()
    assert loose.count.tolist() == ordered.count.tolist() and (ordered.n_docs >= 1).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from([0.0, 1.0, 2.0, 7.25])), max_size=80),
       st.one_of(st.none(), st.integers(1, 6)), st.randoms(use_true_random=False))
def test_top_per_group_with_a_tie_key_ranks_shuffled_rows_as_sorted_ones(rows, top, rnd):
    # rows sorted by (group, term) and the same rows shuffled within their groups give the same ranking by term
    rows = sorted((g, score, term) for term, (g, score) in enumerate(rows))
    shuffled = sorted(rows, key=lambda r: (r[0], rnd.random()))
    want_pos, want_rank = group_sums.top_per_group(np.array([r[0] for r in rows]), np.array([r[1] for r in rows]), top)
    pos, rank = group_sums.top_per_group(np.array([r[0] for r in shuffled]), np.array([r[1] for r in shuffled]), top,
                                   tie=np.array([r[2] for r in shuffled]))
    assert [shuffled[p] for p in pos] == [rows[p] for p in want_pos] and rank.tolist() == want_rank.tolist()


@pytest.mark.parametrize("cut", ["partition", "histogram"])
@pytest.mark.parametrize("special", [None, np.nan, np.inf])
@pytest.mark.parametrize("top", [1, 10, 50])
def test_top_per_group_large_input_cut_before_sorting(top, special, cut, monkeypatch):
    if cut == "histogram":
        monkeypatch.setattr(group_sums, "RUN_LOOP_MAX", 0)
    rng = np.random.default_rng(7)
    group = np.sort(np.concatenate([rng.integers(0, 300, 120_000), [300, 301, 301]]))   # and two short groups
    score = np.round(rng.exponential(2.0, len(group)), 1) - 1.0   # many ties, some negative
    if special is not None:
        score[[5, 70_000]] = special
        score[(group == 3) & (np.arange(len(group)) % 7 > 0)] = special   # mostly special
    pos, rank = group_sums.top_per_group(group, score, top)
    assert (pos.tolist(), rank.tolist()) == reference_top(group, score, top)


# ------------------------------------------------------------------------------------------------ keyness, two ways


@pytest.mark.parametrize("share", [0.0, 1.0])
@pytest.mark.parametrize("flt", FILTERS[:6])
@pytest.mark.parametrize("by, measure, top", [("document", "tfidf", 3), ("unit", "logodds", 2),
                                              ("year", "tfidf", None), ("level", "logodds", None)])
def test_distinctive_fast_equals_plain(flt, by, measure, top, share, no_fast, monkeypatch):
    monkeypatch.setattr(group_sums, "WHOLE_MAX_SHARE", share)
    t = fixture_tables()
    got = keyness.distinctive(t, by=by, top=top, measure=measure, flt=flt)
    want = no_fast(keyness.distinctive, t, by=by, top=top, measure=measure, flt=flt)
    assert_same(got, want)


@pytest.mark.parametrize("flt", FILTERS)
@pytest.mark.parametrize("measure, top", [("tfidf", 3), ("logodds", 2), ("tfidf", None)])
def test_distinctive_per_report_in_small_chunks_equals_plain(flt, measure, top, no_fast, monkeypatch):
    # one report per group is scored a chunk of reports at a time: chunks of a few rows cut between most reports
    monkeypatch.setattr(index, "PAIR_CHUNK_ROWS", 5)
    t = fixture_tables()
    got = keyness.distinctive(t, by="document", top=top, measure=measure, flt=flt)
    want = no_fast(keyness.distinctive, t, by="document", top=top, measure=measure, flt=flt)
    assert_same(got, want)
    assert list(got["group"]) == sorted(got["group"])


@pytest.mark.parametrize("flt", FILTERS)
@pytest.mark.parametrize("by, measure, top", [("document", "tfidf", 3), ("document", "logodds", None),
                                              ("unit", "tfidf", 2)])
@pytest.mark.parametrize("rows", [0, 1, 4, 7, 1000])
def test_distinctive_preview_is_the_head_of_the_whole_table(flt, by, measure, top, rows, no_fast, monkeypatch):
    """The terms page shows the first rows of the table by report without scoring every report: the rows are the
    whole table's first ones, and its length is the whole table's, also when the scoring stopped early (chunks of
    a few rows) and under a section-kind filter."""
    monkeypatch.setattr(index, "PAIR_CHUNK_ROWS", 5)
    t = fixture_tables()
    want = no_fast(keyness.distinctive, t, by=by, top=top, measure=measure, flt=flt)
    got = keyness.distinctive_preview(t, rows=rows, by=by, top=top, measure=measure, flt=flt)
    assert_same(got.frame, want.head(rows))
    assert got.total == len(want)
    assert got.full is None or len(got.full) == len(want)


@pytest.mark.parametrize("flt", [Filter(year_from=2020, year_to=2021), Filter()])   # Filter(): the page first opened
def test_distinctive_preview_stops_scoring_after_the_rows_asked_for(monkeypatch, flt):
    monkeypatch.setattr(index, "PAIR_CHUNK_ROWS", 5)
    t = fixture_tables()
    chunks: list[int] = []
    real = index.document_pairs

    def counted(*args):
        for chunk in real(*args):
            chunks.append(len(chunk[0]))
            yield chunk

    monkeypatch.setattr(index, "document_pairs", counted)
    whole = keyness.distinctive_preview(t, rows=10_000, by="document", top=2, flt=flt)
    scored_whole, chunks[:] = len(chunks), []
    head = keyness.distinctive_preview(t, rows=1, by="document", top=2, flt=flt)
    assert len(head.frame) == 1 and head.full is None and head.total == len(whole.full) > 2
    assert len(chunks) == 1 < scored_whole
    if flt == Filter():          # once the download made the whole table, the preview is cut from it
        keyness.distinctive(t, by="document", top=2)
        chunks[:] = []
        head = keyness.distinctive_preview(t, rows=1, by="document", top=2)
        assert not chunks and len(head.full) == head.total and head.frame.equals(head.full.head(1))


@pytest.mark.parametrize("flt", FILTERS[:6])
@pytest.mark.parametrize("by, weighting, top", [(None, "count", 3), (None, "per_10k", None), ("year", "count", 2),
                                                ("document", "per_10k", 1), ("unit", "count", None)])
def test_top_terms_fast_equals_plain(flt, by, weighting, top, no_fast):
    t = fixture_tables()
    got = keyness.top_terms(t, flt, by=by, top=top, weighting=weighting)
    want = no_fast(keyness.top_terms, t, flt, by=by, top=top, weighting=weighting)
    assert_same(got, want)


def test_keyness_fast_without_a_selected_report_is_empty():
    t = fixture_tables()
    assert keyness.top_terms(t, Filter(years=(1999,))).empty
    assert keyness.distinctive(t, flt=Filter(years=(1999,))).empty
    assert keyness.wordcloud_frequencies(t, Filter(years=(1999,))) == {}


@pytest.mark.parametrize("flt", [Filter(), Filter(years=(2022, 2023)), Filter(kinds=("plans", "problems"))])
def test_seeds_fast_equals_plain(seed_tables, flt, no_fast):
    for by, measure in (("document", "tfidf"), ("year", "logodds"), ("level", "tfidf"), ("level", "logodds")):
        got = keyness.distinctive(seed_tables, by=by, top=15, measure=measure, flt=flt)
        want = no_fast(keyness.distinctive, seed_tables, by=by, top=15, measure=measure, flt=flt)
        assert_same(got, want)
    assert keyness.wordcloud_frequencies(seed_tables, flt, top=60) == no_fast(keyness.wordcloud_frequencies,
                                                                             seed_tables, flt, top=60)
    for by in (None, "year"):
        got = keyness.top_terms(seed_tables, flt, by=by, top=40)
        want = no_fast(keyness.top_terms, seed_tables, flt, by=by, top=40)
        assert_same(got, want)
    got_c, got_n = index.term_counts(seed_tables, flt)
    want_c, want_n = no_fast(keyness._counts, seed_tables, flt)
    assert got_n == want_n and got_c.to_dict() == {str(k): int(v) for k, v in want_c.items() if v}


# ------------------------------------------------------------------------------------------------ phrases

TEXT_CHARS = st.sampled_from(list("ab宣传文明😀\n"))


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(st.one_of(st.none(), st.text(TEXT_CHARS, max_size=30)), max_size=12),
       words=st.lists(st.text(TEXT_CHARS, max_size=4), min_size=1, max_size=6),
       chunk=st.sampled_from([1, 7, 1 << 24]), split=st.integers(0, 12), large=st.booleans())
def test_substring_rows_equal_str_count(texts, words, chunk, split, large):
    import pyarrow as pa

    kind = pa.large_string() if large else pa.string()
    arrow = pa.chunked_array([pa.array(texts[:split], type=kind), pa.array(texts[split:], type=kind)])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "PHRASE_CHUNK_CHARS", chunk)
        got = search.substring_rows(arrow, words)
    for word, rows in zip(words, got, strict=True):
        want = [r for r, t in enumerate(texts) for _ in range((t or "").count(word) if word else 0)]
        assert rows.tolist() == want, (word, texts)


def test_substring_rows_overlapping_words_counted_as_str_count():
    import pyarrow as pa

    texts = pa.chunked_array([["aaaaa", "ababab", "宣传宣传宣", None, ""]])
    got = search.substring_rows(texts, ["aa", "aba", "宣传宣", "a", "b"])
    assert [np.bincount(r, minlength=5).tolist() for r in got] == [
        [s.count(w) for s in ("aaaaa", "ababab", "宣传宣传宣", "", "")] for w in ["aa", "aba", "宣传宣", "a", "b"]]


def plain_phrase_counts(tables, words):
    """[documents, kinds, words] counts by str.count over every section's own text."""
    from analysis.schema import KINDS

    docs = list(tables.documents["doc_id"])
    out = np.zeros((len(docs), len(KINDS), len(words)), dtype=np.int64)
    for doc, kind, text in zip(tables.sections["doc_id"], tables.sections["kind"], tables.sections["text"],
                               strict=True):
        if doc not in docs:
            continue
        k = KINDS.index(kind) if kind in KINDS else KINDS.index("other")
        for w, word in enumerate(words):
            out[docs.index(doc), k, w] += (text if isinstance(text, str) else "").count(word) if word else 0
    return out


def test_phrase_counts_equal_str_count_per_section():
    t = fixture_tables()
    words = ("二十大", "志愿服务", "宣传", "从未出现", "工作")
    assert np.array_equal(search.phrase_counts(t, words), plain_phrase_counts(t, words))


def test_phrase_counts_seeds_equal_str_count(seed_tables):
    words = tuple(keyness.read_userdict())
    assert np.array_equal(search.phrase_counts(seed_tables, words), plain_phrase_counts(seed_tables, words))


@pytest.mark.parametrize("flt", [Filter(), Filter(years=(2022, 2023)), Filter(kinds=("plans", "problems"))])
def test_term_timeline_seeds_fast_equals_plain(seed_tables, flt, no_fast):
    got = keyness.term_timeline(seed_tables, flt=flt, include_absent=True)
    want = no_fast(keyness.term_timeline, seed_tables, flt=flt, include_absent=True)
    assert_same(got, want)


@pytest.mark.parametrize("by", ["document", "unit"])
def test_distinctive_whole_corpus_kept_and_equal_to_plain(by, no_fast):
    t = fixture_tables()
    first = keyness.distinctive(t, by=by, top=3)
    first.loc[:, "term"] = "changed by the caller"
    again = keyness.distinctive(t, by=by, top=3)
    assert_same(again, no_fast(keyness.distinctive, t, by=by, top=3))
    assert_same(keyness.distinctive(t, by=by, top=3, measure="logodds"),
                no_fast(keyness.distinctive, t, by=by, top=3, measure="logodds"))


def test_spans_lists_each_range_in_the_order_given():
    assert cache.spans(np.array([5, 0, 9]), np.array([2, 3, 0])).tolist() == [5, 6, 0, 1, 2]
    assert cache.spans(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)).tolist() == []


def test_arrow_texts_are_the_chunks_pandas_holds(seed_tables):
    """A loaded store's texts may sit in several Arrow chunks (one per row group); the text searches read those
    very buffers (a national corpus has gigabytes of text: no joined copy), with the answers of a plain copy."""
    from analysis.tables import kwic

    t = seed_tables
    whole = pa.chunked_array([pa.array(t.sections["text"].astype(object).tolist(), type=pa.large_string())])
    cuts = [0, 50, 51, 120, len(t.sections)]
    chunked = pa.chunked_array([whole.slice(a, b - a).combine_chunks() for a, b in itertools.pairwise(cuts)])
    column = pd.Series(pd.arrays.ArrowStringArray(chunked), index=t.sections.index)
    texts = search.arrow_texts(column)
    assert texts.num_chunks == 4
    assert [c.buffers()[2].address for c in texts.chunks] == [c.buffers()[2].address for c in chunked.chunks]
    split = SimpleNamespace(documents=t.documents, sections=t.sections.assign(text=column), terms=None)
    plain = SimpleNamespace(documents=t.documents, sections=t.sections.astype({"text": object}), terms=None)
    pd.testing.assert_frame_equal(kwic.kwic(split, "宣传|文明", window=8), kwic.kwic(plain, "宣传|文明", window=8))


def test_rows_in_looks_strings_up_whatever_their_arrow_or_pandas_form():
    column = pd.Series(["s/1", "s/2", "s/3"])
    want = [2, -1, 0]
    for values in (pa.array(["s/3", "x", "s/1"]), pa.array(["s/3", "x", "s/1"], type=pa.large_string()),
                   np.array(["s/3", "x", "s/1"], dtype=object), pd.Series(["s/3", "x", "s/1"], dtype="category")):
        assert cache.rows_in(values, column).tolist() == want
