"""Read report files (.txt, .docx, .pdf) into clean text: decode, clean, unwrap, and list a folder's reports.

Every failure is an :class:`~analysis.errors.UnreadableReport` whose ``str`` is ``"{path}: {reason}"``.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import UnreadableReport
from analysis.read.clean import clean_web
from analysis.read.formats import docx_text, pdf_text

SUPPORTED = (".txt", ".docx", ".pdf")
MANIFEST_NAME = "manifest.csv"

# Byte-order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

# Magic numbers of files that are certainly not plain text.
BINARY_SIGNATURES = (
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP/Office"),
    (b"PK\x05\x06", "ZIP"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE/legacy Office"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"\x7fELF", "ELF"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"{\\rtf", "RTF"),
)

# A GB18030 decode is refused when more than this share of its non-ASCII characters (plus ASCII controls)
# are unassigned, private-use or control characters: real Chinese text has almost none, while bytes of another
# encoding or a binary file that happen to be valid GB18030 land in its user-defined (private-use) areas or on
# ASCII controls.
MAX_ODD_SHARE = 0.05

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
NO_BREAK = "\u00a0\u202f"
# Spaces removed at the start and end of a line (the ideographic space U+3000 included).
LINE_SPACES = " \t\u3000\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u205f"
_DROP_RE = re.compile(f"[{re.escape(ZERO_WIDTH)}]+")  # a regex: far faster than str.translate
_NO_BREAK_RE = re.compile(f"[{re.escape(NO_BREAK)}]")  # a web page's &nbsp; separates words like a space
_UNIT_GAP_RE = re.compile(f"(?<=[0-9])[{re.escape(NO_BREAK)}]+(?=[\u4e00-\u9fff])")  # typeset 2023 年: no gap
_BREAKS_RE = re.compile("\r\n|[\r\f\v\u2028\u2029\x85]")
_PAYWALL_RE = re.compile(r"##paid(?:begin|end)##", re.IGNORECASE)
_BLANK_RUN_RE = re.compile(r"\n{3,}")

SENTENCE_FINAL = "。！？；：….!?;:．"
CLOSERS = "”’」』）)】》\"'"
OUTLINE_START_RE = re.compile(
    r"""[ \t\u3000]*(?:
        [一二三四五六七八九十百零〇两]+[、，,．.]        # 一、
      | [（(][一二三四五六七八九十百零〇]+[）)]         # （一） (一)
      | [一二三四五六七八九十]+是                       # 一是
      | 第[一二三四五六七八九十百]+[，,、：:]           # 第一，
      | \d{1,3}(?:[.．](?!\d)|[、，])                  # 1. 1、
      | [（(]\d{1,3}[）)]                              # (1)
      | [\u3220-\u3229\u2460-\u2473\u2474-\u2487\u2776-\u277f]  # ㈠ ① ⑴ ❶
      | 【
    )""",
    re.VERBOSE,
)

# Hard-wrap detection: a "full" line is at least FULL_SHARE of the 90th-percentile width.
FULL_SHARE = 0.85
MIN_LINES = 6
MIN_FULL_LINES = 4
MIN_SHARE_FULL = 0.4
MIN_SHARE_OPEN = 0.5
MAX_WRAP_WIDTH = 200  # display columns (a CJK character counts 2): wider lines are paragraphs, not a page width


@dataclass(frozen=True)
class RawReport:
    """One report file as clean text.

    Attributes:
        path: the file's path as given.
        text: the cleaned text (offsets in every table refer to it).
        format: 'txt', 'docx' or 'pdf'.
        encoding: the text encoding decided from the bytes ('utf-8', 'gb18030' …); 'docx'/'pdf' for those.
    """

    path: str
    text: str
    format: str
    encoding: str
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def removed_chars(self) -> int:
        """Characters of web debris removed before cleaning (see ``analysis.read.clean``)."""
        return sum(self.removed.values())


# ---------------------------------------------------------------------------------------------------------------
# Decoding


def decode_bytes(data: bytes, *, path: str = "<bytes>") -> tuple[str, str]:
    """Decode a text file's bytes, deciding the encoding from the bytes themselves.

    Order: a byte-order mark (UTF-8, UTF-16, UTF-32), then UTF-16 without a mark when NUL bytes alternate with
    text (as Notepad's "Unicode" saves it), then strict UTF-8, then strict GB18030 (a superset of GBK and GB2312),
    unless the bytes read far more like Chinese as UTF-16. Nothing is guessed from a few characters.

    Args:
        data: the file's bytes.
        path: the name used in error messages.
    Returns:
        (text, encoding name), e.g. ``("一、工作情况", "utf-8")``.
    Raises:
        UnreadableReport: empty, binary, or neither UTF-8 nor GB18030.
    """
    if not data.strip():
        raise UnreadableReport(path, "empty file")
    for bom, name in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as err:
                raise UnreadableReport(path, f"bytes are not valid {name.upper()} after its byte-order mark "
                                             f"(byte {err.start})") from None
            return _non_empty(text, path), name
    for magic, kind in BINARY_SIGNATURES:
        if data.startswith(magic):
            raise UnreadableReport(path, f"binary file, not text ({kind} signature)")
    if b"\x00" in data:
        found = _utf16(data)     # UTF-16 without its byte-order mark: NULs beside every ASCII character
        if found is None:
            raise UnreadableReport(path, "binary file, not text (NUL bytes)")
        return _non_empty(found[0], path), found[1]
    try:
        return _non_empty(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError as err:
        utf8_at = err.start
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as err:
        found = _utf16(data)
        if found is not None:
            return _non_empty(found[0], path), found[1]
        # Name the byte where the decoder that got further stopped: it is the likelier intended encoding.
        at = max(utf8_at, err.start)
        raise UnreadableReport(path, f"bytes are neither UTF-8 nor GB18030 (byte {at})") from None
    found = _utf16(data)         # UTF-16 Chinese without ASCII can be valid GB18030 too (as rare characters)
    if found is not None and chinese_share(found[0]) > chinese_share(text) + 0.3:
        return _non_empty(found[0], path), found[1]
    share = odd_share(text)
    if share > MAX_ODD_SHARE:
        raise UnreadableReport(path, f"bytes are neither UTF-8 nor GB18030 text (as GB18030, {share:.0%} of the "
                                     "characters are unassigned, private-use or control characters)")
    return _non_empty(text, path), "gb18030"


COMMON_HANZI = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
    "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些"
    "然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公"
    "无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将"
    "组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金"
    "增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类"
    "八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非"
    "验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效"
    "斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严宣传思想文化网络舆论新闻阵地"
    "意识形态精神文明志愿服务理论武装学习贯彻落实推进加强开展组织活动")
"""Common Chinese characters (the most frequent few hundred, and the genre's own): real report text is mostly made
of them, while bytes of another encoding read as Chinese land on rare characters."""


def chinese_share(text: str) -> float:
    """Share of the non-space characters of ``text`` that are common Chinese characters, digits or punctuation
    (CJK or ASCII): near 1 for a Chinese report, low for bytes decoded with the wrong encoding."""
    counted = good = 0
    for ch in text:
        if ch.isspace():
            continue
        counted += 1
        code = ord(ch)
        if (ch in COMMON_HANZI or ch.isdigit() or 0x21 <= code <= 0x2F or 0x3A <= code <= 0x40
                or 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF20 or 0x2010 <= code <= 0x2027):
            good += 1
    return good / counted if counted else 0.0


MIN_CHINESE_SHARE = 0.4
"""A UTF-16 reading without a byte-order mark is taken when at least this share of its characters are common
Chinese characters, digits or punctuation (a report scores 0.6-0.9; binary data or a wrong byte order far less)."""


def _utf16(data: bytes) -> tuple[str, str] | None:
    """The text of UTF-16 bytes without a byte-order mark, in the byte order that reads as Chinese text; None when
    neither does (binary data, another encoding)."""
    if len(data) % 2:
        return None
    best = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" in text or odd_share(text) > MAX_ODD_SHARE:
            continue
        share = chinese_share(text)
        if share >= MIN_CHINESE_SHARE and (best is None or share > best[0]):
            best = (share, text, codec)
    return None if best is None else (best[1], best[2])


def odd_share(text: str) -> float:
    """Share of odd characters among the non-ASCII characters and ASCII controls of ``text``.

    Odd: unassigned (Cn), private-use (Co), surrogate (Cs) or control (Cc, except tab and line breaks).
    Returns 0.0 for pure printable ASCII.
    """
    counted = odd = 0
    for ch in text:
        code = ord(ch)
        if 0x20 <= code < 0x7F or ch in "\t\n\r\f":
            continue
        counted += 1
        if unicodedata.category(ch) in ("Cn", "Co", "Cs", "Cc"):
            odd += 1
    return odd / counted if counted else 0.0


def _non_empty(text: str, path: str) -> str:
    if not _DROP_RE.sub("", text).strip():
        raise UnreadableReport(path, "empty file")
    return text


# ---------------------------------------------------------------------------------------------------------------
# Cleaning


def clean_text(text: str) -> str:
    """Keep the text a reader sees, and nothing else.

    Line breaks become LF; zero-width characters go and no-break spaces become spaces (a title and its body on one
    line of a web copy are often parted by &nbsp; alone), except between a number and the character after it
    (a typeset 2023 年); spaces (U+3000 included) at a line's start and
    its end go; ``##paidbegin##``/``##paidend##`` markers go (with their line if it is left empty); leading blank
    lines and trailing whitespace go; three or more line breaks become two. Punctuation is kept as written.
    Idempotent: ``clean_text(clean_text(t)) == clean_text(t)``.

    Args:
        text: decoded text.
    Returns:
        the cleaned text.
    """
    text = _NO_BREAK_RE.sub(" ", _UNIT_GAP_RE.sub("", _DROP_RE.sub("", _BREAKS_RE.sub("\n", text))))
    lines = []
    for line in text.split("\n"):
        if "##" in line:
            stripped, n = _remove_paywall(line)
            if n and not stripped.strip(LINE_SPACES):
                continue
            line = stripped
        lines.append(line.strip(LINE_SPACES))
    text = "\n".join(lines).lstrip("\n").rstrip()
    return _BLANK_RUN_RE.sub("\n\n", text)


def _remove_paywall(line: str) -> tuple[str, int]:
    """Remove paywall markers, again until none is left (removing one may join the halves of another)."""
    total = 0
    while True:
        line, n = _PAYWALL_RE.subn("", line)
        if not n:
            return line, total
        total += n


# ---------------------------------------------------------------------------------------------------------------
# Hard-wrapped lines (PDF)


def display_width(line: str) -> int:
    """Columns a line takes on a page: wide and full-width characters count 2, others 1."""
    return 2 * len(line) - len(_wide_re().sub("", line))


@functools.cache
def _wide_re() -> re.Pattern:
    """A regex of the runs of wide or full-width code points (Unicode's East Asian Width W and F); built once."""
    ranges, start = [], None
    for code in range(0x40000 + 1):
        wide = code < 0x40000 and unicodedata.east_asian_width(chr(code)) in "WF"
        if wide and start is None:
            start = code
        elif not wide and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}" if code - 1 > start
                          else re.escape(chr(start)))
            start = None
    return re.compile("[" + "".join(ranges) + "]+")


def _ends_sentence(line: str) -> bool:
    line = line.rstrip(LINE_SPACES).rstrip(CLOSERS)
    return bool(line) and line[-1] in SENTENCE_FINAL


def _wrap_width(widths: list[int]) -> float | None:
    """The width from which a line counts as full, or None when the text does not look hard-wrapped."""
    if len(widths) < MIN_LINES:
        return None
    ordered = sorted(widths)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    if p90 > MAX_WRAP_WIDTH or p90 == 0:
        return None
    threshold = FULL_SHARE * p90
    n_full = sum(1 for w in widths if w >= threshold)
    if n_full < MIN_FULL_LINES or n_full < MIN_SHARE_FULL * len(widths):
        return None
    return threshold


def _line_widths(lines: list[str]) -> list[int]:
    return [display_width(s) for s in (line.strip(LINE_SPACES) for line in lines) if s]


def looks_hard_wrapped(text: str) -> bool:
    """Whether the text's lines were broken at a page width (a PDF or a copy of one), not at paragraph ends.

    Hard-wrapped: at least 6 non-empty lines whose 90th-percentile width is at most 200 columns (a CJK character
    counts 2); at least 4 lines and 40% of the lines are "full" (≥ 85% of that width); and at least half of the
    full lines do not end with sentence-final punctuation (。！？；：… ! ? ; :).

    Args:
        text: clean text.
    Returns:
        True when the text looks hard-wrapped.
    """
    lines = [line.strip(LINE_SPACES) for line in text.split("\n")]
    lines = [line for line in lines if line]
    lengths = sorted(map(len, lines))
    if lengths and lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))] > MAX_WRAP_WIDTH:
        return False  # a line is at least as wide as it is long: the 90th-percentile width is over the limit
    threshold = _wrap_width([display_width(line) for line in lines])
    if threshold is None:
        return False
    full = [line for line in lines if display_width(line) >= threshold]
    n_open = sum(1 for line in full if not _ends_sentence(line))
    return n_open >= MIN_SHARE_OPEN * len(full)


def unwrap_lines(text: str) -> str:
    """Rejoin lines that a page width broke mid-sentence; headings stay at line starts.

    A line is joined to the next when the text looks hard-wrapped (:func:`looks_hard_wrapped`), the line is full
    (≥ 85% of the 90th-percentile width), it does not end with sentence-final punctuation, and the next line is
    not blank and does not start with an outline marker (一、 （一） 一是 第一， 1. 1、 (1) ㈠ 【). Short lines
    (titles, headings, paragraph ends) are never joined. Two ASCII letters or digits meeting across the break
    are separated by a space.

    Args:
        text: clean text.
    Returns:
        the text with wrapped lines joined; unchanged when it does not look hard-wrapped.
    """
    if not looks_hard_wrapped(text):
        return text
    lines = text.split("\n")
    threshold = _wrap_width(_line_widths(lines))
    assert threshold is not None  # looks_hard_wrapped said so
    out: list[str] = []
    joined = False
    for i, line in enumerate(lines):
        out.append(line.lstrip(LINE_SPACES) if joined else line)
        joined = False
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (nxt.strip(LINE_SPACES) and display_width(line.strip(LINE_SPACES)) >= threshold
                and not _ends_sentence(line) and not OUTLINE_START_RE.match(nxt)):
            tail, head = line.rstrip(LINE_SPACES), nxt.lstrip(LINE_SPACES)
            out[-1] = tail
            out.append(" " if _is_ascii_alnum(tail[-1]) and _is_ascii_alnum(head[0]) else "")
            joined = True
        else:
            out.append("\n")
    return "".join(out[:-1]) if out else text


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# ---------------------------------------------------------------------------------------------------------------
# Files and folders


MAX_CHARS = 2_000_000
"""The most characters a report may hold (the longest government work report since 1954 has under 60,000): a longer
file is refused, as parsing it would hold the process for minutes and gigabytes."""


def too_long_reason(chars: int, *, at_least: bool = False) -> str:
    return f"报告过长：{'至少 ' if at_least else ''}{chars:,} 个字符（上限 {MAX_CHARS:,}）：请拆分后再载入"


def read_report(path: str | os.PathLike, *, max_bytes: int = 50_000_000) -> RawReport:
    """Read one report file into clean text, dispatching on its extension (.txt, .docx, .pdf).

    .txt is decoded (:func:`decode_bytes`); every format's text loses its web debris first
    (:func:`analysis.read.clean.clean_web`: HTML, pinyin glosses, viewer chunk numbers, site headers and footers,
    counted in ``RawReport.removed``) and is then cleaned. A .txt's lines are left as they are (the outline parser
    decides about hard wrapping); PDF text is also unwrapped.

    Args:
        path: the file.
        max_bytes: larger files are refused.
    Returns:
        a RawReport.
    Raises:
        UnreadableReport: naming the file and the reason, for every failure.
    """
    name = str(path)
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in SUPPORTED:
        raise UnreadableReport(name, unsupported_reason(ext))
    data = _read_bytes(p, name=name, max_bytes=max_bytes)
    if ext == ".txt":
        if len(data) > 4 * MAX_CHARS:            # no encoding takes more than four bytes a character
            raise UnreadableReport(name, too_long_reason(len(data) // 4, at_least=True))
        raw, encoding = decode_bytes(data, path=name)
        fmt = "txt"
    else:
        raw = docx_text(data, path=name) if ext == ".docx" else pdf_text(data, path=name)
        fmt = encoding = ext[1:]
    del data
    if len(raw) > MAX_CHARS:
        raise UnreadableReport(name, too_long_reason(len(raw)))
    raw, removed = clean_web(raw)
    text = clean_text(unwrap_lines(clean_text(raw))) if fmt == "pdf" else clean_text(raw)
    if not text:
        raise UnreadableReport(name, "no text left after cleaning")
    return RawReport(path=name, text=text, format=fmt, encoding=encoding, removed=removed)


def unsupported_reason(ext: str) -> str:
    """The reason given for a file whose extension ReportLens does not read."""
    shown = f"'{ext}'" if ext else "(no extension)"
    return f"unsupported file type {shown}: use .txt, .docx or .pdf"


def _read_bytes(p: Path, *, name: str, max_bytes: int) -> bytes:
    try:
        if p.is_dir():
            raise UnreadableReport(name, "is a folder, not a file")
        size = p.stat().st_size
        if size > max_bytes:
            raise UnreadableReport(name, f"file too large ({size:,} bytes; the limit is {max_bytes:,})")
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise UnreadableReport(name, "no such file") from None
    except PermissionError:
        raise UnreadableReport(name, "permission denied") from None
    except OSError as err:
        raise UnreadableReport(name, f"cannot read file ({err.strerror or err})") from None
    if len(data) > max_bytes:  # grew while being read
        raise UnreadableReport(name, f"file too large (more than {max_bytes:,} bytes)")
    return data


def _encodable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(name: str) -> str:
    """A file name as it can be shown and stored: bytes that are not UTF-8 (kept by Python as surrogates) become
    U+FFFD replacement characters."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def bad_name_reason(name: str, is_dir: bool = False) -> str:
    """Why a file (or folder) whose name is not valid UTF-8 is not loaded, with the name read as GBK when that
    reads (the usual cause: a zip made on Chinese Windows, unpacked on Linux)."""
    raw = name.encode("utf-8", "surrogateescape")
    try:
        guess = raw.decode("gb18030")
    except UnicodeDecodeError:
        guess = None
    what = "文件夹" if is_dir else "文件"
    hint = f"按 GBK 读作“{guess}”，" if guess and guess.isprintable() else ""
    return (f"{what}名不是有效的 UTF-8 编码（多见于在中文 Windows 上打包、在 Linux 上解压的压缩包），未载入"
            f"{'其中的文件' if is_dir else ''}：{hint}请改名后重新构建")


def list_reports(folder: str | os.PathLike) -> tuple[list[Path], list[tuple[str, str]]]:
    """Every report file below ``folder``, and the files that cannot be reports, with the reason.

    Recursive, sorted by relative path. Hidden files and folders (name starting with ".") and the top-level
    ``manifest.csv`` are skipped. Symlinks are kept when their target lies inside ``folder`` (a symlinked folder
    inside it is not followed: its files are listed where they really are).

    Args:
        folder: the source folder.
    Returns:
        (report paths, [(path, reason), …]); reasons: "unsupported file type …", "symlink leads outside the
        source folder", "broken symlink", "not a regular file", a name that is not UTF-8 (``bad_name_reason``;
        the path shown with replacement characters).
    """
    root = Path(folder)
    real_root = root.resolve()
    found: list[tuple[str, Path]] = []
    problems: list[tuple[str, str, str]] = []

    def walk(directory: Path, rel: str) -> None:
        try:
            entries = list(os.scandir(directory))
        except OSError as err:
            problems.append((rel, str(directory), f"cannot list folder ({err.strerror or err})"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel_path = f"{rel}/{entry.name}" if rel else entry.name
            p = directory / entry.name
            if not _encodable(entry.name):
                shown = shown_name(rel_path)
                problems.append((shown, shown, bad_name_reason(entry.name, entry.is_dir())))
                continue
            if entry.is_symlink():
                try:
                    target = p.resolve(strict=True)
                except (OSError, RuntimeError):
                    problems.append((rel_path, str(p), "broken symlink"))
                    continue
                if not target.is_relative_to(real_root):
                    problems.append((rel_path, str(p), "symlink leads outside the source folder"))
                    continue
                if target.is_dir():
                    continue
            if entry.is_dir():
                walk(p, rel_path)
            elif not entry.is_file():
                problems.append((rel_path, str(p), "not a regular file"))
            elif rel_path == MANIFEST_NAME:
                continue
            elif Path(entry.name).suffix.lower() in SUPPORTED:
                found.append((rel_path, p))
            else:
                problems.append((rel_path, str(p), unsupported_reason(Path(entry.name).suffix.lower())))

    walk(root, "")
    found.sort(key=lambda item: item[0])
    problems.sort(key=lambda item: item[0])
    return [p for _, p in found], [(shown, reason) for _, shown, reason in problems]
