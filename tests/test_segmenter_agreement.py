"""rjieba (the engine the build uses) gives jieba's tokens, user dictionary included, on the seeds and dev set."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.parse.masks import blank_masks
from analysis.parse.segment import Segmenter
from analysis.read.report import read_report

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "dev" / "reports"
pytest.importorskip("rjieba", reason="rjieba is not installed")


def corpus() -> list[Path]:
    files = sorted((ROOT / "seeds").glob("*.txt"))
    return files + (sorted(DEV.glob("*.txt")) if DEV.is_dir() else [])


@pytest.fixture(scope="module")
def engines():
    return Segmenter(engine="jieba"), Segmenter(engine="rjieba")


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.name)
def test_rjieba_tokens_equal_jieba_tokens(engines, path):
    jieba_seg, rust_seg = engines
    text = blank_masks(read_report(path).text)
    assert rust_seg.segment(text) == jieba_seg.segment(text)


def test_user_dictionary_applies_in_both_engines(tmp_path, engines):
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("清风廉韵 2000 nz\n", encoding="utf-8")
    sentence = "我们开展清风廉韵主题活动。"
    plain = engines[0].segment(sentence)
    for engine in ("jieba", "rjieba"):
        tokens = Segmenter(userdict, engine=engine).segment(sentence)
        assert "清风廉韵" in tokens and tokens != plain


def test_engine_choice_changes_the_dictionary_hash(monkeypatch):
    assert Segmenter(engine="jieba").dictionary_hash != Segmenter(engine="rjieba").dictionary_hash
    monkeypatch.setenv("REPORTLENS_SEGMENTER", "jieba")
    assert Segmenter().engine == "jieba"
    with pytest.raises(ValueError, match="unknown segmenter engine"):
        Segmenter(engine="pkuseg")
