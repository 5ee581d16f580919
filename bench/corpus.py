"""A deterministic synthetic corpus of work reports, re-assembled at run time from real paragraphs in ``../shared``.

``python -m bench.corpus --reports N --out DIR [--seed S]`` writes N reports (every ~20th as .docx) and a
``manifest.csv`` (file,title,unit,unit_level,region,year,period). No report text is stored in the repository:
paragraphs and sentences are split out of ``../shared/seeds``, ``../shared/dev/reports`` and
``../shared/gwr-corpus/raw`` each time the generator runs.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SOURCES = ("seeds", "dev/reports", "gwr-corpus/raw")

PROVINCES = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
             "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏",
             "陕西", "甘肃", "青海", "宁夏", "新疆")
_NAME_CHARS = "安宁平和兴华东西南北山河江湖阳城清源泉林丰永昌盛德福通远新长乐顺泰宝金川云龙凤海台溪桥"
LEVEL_SHARES = (("province", 0.04), ("city", 0.16), ("county", 0.45), ("district", 0.2), ("township", 0.15))
SUFFIX = {"province": "省委宣传部", "city": "市委宣传部", "county": "县委宣传部", "district": "区委宣传部",
          "township": "镇党委宣传办"}
YEARS = tuple(range(2013, 2026))
PER_UNIT = 16
"""Reports per unit: its half-year and annual reports of eight consecutive years, the first year drawn per unit,
so that together the units cover every year of YEARS (as a province's units do over ten years)."""
CN_NUM = "一二三四五六七八九十"
_MARKER_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、是]|[（(][一二三四五六七八九十]+[)）]|\d+[.、．]|第[一二三四五六七八九十]+[，,]|【[^】]{1,10}】)\s*")
_SENTENCE_RE = re.compile(r"[^。！？；]+[。！？；]")
MANIFEST_COLUMNS = ("file", "title", "unit", "unit_level", "region", "year", "period")


@dataclass(frozen=True)
class Pool:
    """Real text split into paragraphs (body text) and short phrases (headings)."""

    paragraphs: tuple[str, ...]
    headings: tuple[str, ...]


def load_pool(shared: Path = SHARED) -> Pool:
    """Split every text file under the shared source folders into paragraphs and heading phrases.

    Args:
        shared: the ``shared`` folder beside the repository.
    Returns:
        a Pool.
    Raises:
        FileNotFoundError: naming the folder when no source text is found.
    """
    paragraphs: list[str] = []
    headings: list[str] = []
    own_count = 0
    for sub in SOURCES:
        if sub == SOURCES[-1]:
            own_count = len(paragraphs)
        for path in sorted((shared / sub).rglob("*.txt")):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for line in text.splitlines():
                line = _MARKER_RE.sub("", line.strip()).replace("\ufffd", "")
                if 8 <= len(line) <= 30 and not line.endswith(("。", "；", "，")):
                    headings.append(line)
                elif len(line) > 40:
                    sentences = _SENTENCE_RE.findall(line)
                    if len(line) <= 600:
                        paragraphs.append(line)
                    else:
                        for i in range(0, len(sentences), 5):
                            chunk = "".join(sentences[i:i + 5])
                            if len(chunk) > 40:
                                paragraphs.append(chunk)
                    headings += [s[:-1] for s in sentences if 8 <= len(s) <= 26]
    # Propaganda reports are few: repeat their paragraphs so they make about half of the pool.
    own = paragraphs[:own_count]
    if own:
        paragraphs += own * max(0, (len(paragraphs) - 2 * len(own)) // len(own))
    if not paragraphs:
        raise FileNotFoundError(f"{shared}: no source text under {', '.join(SOURCES)}")
    return Pool(tuple(paragraphs), tuple(dict.fromkeys(headings)))


def _name(rng: random.Random, n: int = 2) -> str:
    return "".join(rng.choice(_NAME_CHARS) for _ in range(n))


def make_units(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """``count`` distinct (unit, level, region) triples over the levels in LEVEL_SHARES; region is a province."""
    units: dict[str, tuple[str, str, str]] = {}
    levels = [lv for lv, _ in LEVEL_SHARES]
    weights = [w for _, w in LEVEL_SHARES]
    while len(units) < count:
        level = rng.choices(levels, weights)[0]
        province = rng.choice(PROVINCES)
        place = province if level == "province" else _name(rng, rng.choice((2, 2, 3)))
        unit = f"{place}{SUFFIX[level]}"
        units.setdefault(unit, (unit, level, province))
    return list(units.values())


def _figure(rng: random.Random) -> str:
    return rng.choice((f"发稿{rng.randint(20, 2000)}篇", f"开展宣讲{rng.randint(5, 600)}场次",
                       f"覆盖群众{rng.randint(1, 90)}万人次", f"增长{rng.randint(1, 60)}.{rng.randint(0, 9)}%",
                       f"培训骨干{rng.randint(10, 900)}人"))


def _mask(rng: random.Random) -> str:
    return rng.choice(("**", "XX", "***", "XX同志", "**镇"))


def _decorate(par: str, rng: random.Random) -> str:
    """A paragraph with, now and then, a figure sentence and a redaction mask."""
    if rng.random() < 0.35:
        par = par.rstrip("。") + f"，{_figure(rng)}。"
    if rng.random() < 0.2:
        cut = rng.randrange(len(par))
        par = par[:cut] + _mask(rng) + par[cut:]
    return par


def compose(rng: random.Random, pool: Pool, *, unit: str, year: int, period: str) -> tuple[str, str]:
    """One report's (title, text): a title line, a preamble, then sections under 一、（一）一是 1. markers."""
    target = rng.randint(4_000, 25_000)
    half = "上半年" if period == "H1" else ""
    title = f"{unit}{year}年{half}宣传思想文化工作总结" + ("及下半年工作计划" if period == "H1" else "")
    lines = [title, rng.choice(pool.paragraphs)]
    size = len(title) + len(lines[1])
    top = 0
    while size < target and top < 10:
        heading = "上半年工作总结" if top == 0 and period == "H1" else rng.choice(pool.headings)
        if top == 0 and rng.random() < 0.3:
            heading = f"{year}年工作开展情况"
        lines.append(f"{CN_NUM[top]}、{heading}")
        top += 1
        for sub in range(rng.randint(2, 5)):
            if size >= target:
                break
            lines.append(f"（{CN_NUM[sub]}）{rng.choice(pool.headings)}")
            style = rng.random()
            for item in range(rng.randint(1, 4)):
                par = _decorate(rng.choice(pool.paragraphs), rng)
                if style < 0.4:
                    par = f"{CN_NUM[item]}是{par}"
                elif style < 0.6:
                    par = f"{item + 1}.{par}"
                lines.append(par)
                size += len(par)
    if period == "H1" or rng.random() < 0.5:
        lines.append(f"{CN_NUM[min(top, 9)]}、{'下半年' if period == 'H1' else str(year + 1) + '年'}工作计划")
        lines += [_decorate(rng.choice(pool.paragraphs), rng) for _ in range(rng.randint(1, 3))]
    return title, "\n".join(lines) + "\n"


def _write_docx(path: Path, text: str) -> None:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))


def generate(n: int, out: str | Path, *, seed: int = 0, shared: Path = SHARED, docx_every: int = 20) -> Path:
    """Write ``n`` reports and ``manifest.csv`` into ``out``; the same ``n`` and ``seed`` give the same files.

    Args:
        n: number of reports.
        out: output folder (created; existing report files of the same names are overwritten).
        seed: random seed.
        shared: the shared folder with the source texts.
        docx_every: every ``docx_every``-th report is written as .docx (0: none).
    Returns:
        the output folder.
    """
    rng = random.Random(seed)
    pool = load_pool(shared)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    units = make_units(rng, max(min(n, 4), -(-n // PER_UNIT)))
    first_year = [rng.randrange(len(YEARS) - PER_UNIT // 2 + 1) for _ in units]
    rows = []
    width = len(str(n))
    for i in range(n):
        u, k = i % len(units), i // len(units)   # the unit's k-th report: H1 and annual of consecutive years
        unit, level, region = units[u]
        year = YEARS[(first_year[u] + k // 2) % len(YEARS)]
        period = ("H1", "annual")[k % 2]
        title, text = compose(rng, pool, unit=unit, year=year, period=period)
        ext = "docx" if docx_every and i % docx_every == docx_every - 1 else "txt"
        name = f"r{i:0{width}d}.{ext}"
        if ext == "docx":
            _write_docx(out / name, text)
        else:
            (out / name).write_text(text, encoding="utf-8")
        rows.append({"file": name, "title": title, "unit": unit, "unit_level": level, "region": region,
                     "year": year, "period": period})
    with open(out / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        out = generate(args.reports, args.out, seed=args.seed)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"reports={args.reports}")
    print(f"out={out}")
    print(f"seconds={time.perf_counter() - started:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
