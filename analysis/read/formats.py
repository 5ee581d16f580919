"""Text out of .docx (a guarded zip + XML parse, with Word's automatic list numbering restored) and .pdf (pypdfium2).

Both raise :class:`~analysis.errors.UnreadableReport` naming the file and the reason; library exceptions are wrapped.
"""

from __future__ import annotations

import io
import re
import threading
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from analysis.errors import UnreadableReport

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

DOCUMENT_PART = "word/document.xml"
NUMBERING_PART = "word/numbering.xml"
STYLES_PART = "word/styles.xml"

# Zip-bomb guards for the parts that are read.
MAX_UNCOMPRESSED = 200_000_000
MAX_DOCUMENT_PART = 20_000_000
"""The largest word/document.xml parsed (a 300-page report's is a few MB): the XML tree of a part takes about ten
times its size, so a 190 MB part (45 million characters, under the expansion ratio) held 2 GB."""
MAX_RATIO = 200
RATIO_FLOOR = 1_000_000  # parts smaller than this may compress as well as they like

_DOCTYPE_RE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)

CN_DIGITS = "零一二三四五六七八九"
CN_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ENDS_MARKER = "、，,.．)）:：]】」』"


class _Unreadable(Exception):
    """Internal: a reason, turned into UnreadableReport with the path by the public functions."""


# ---------------------------------------------------------------------------------------------------------------
# DOCX


def docx_text(data: bytes, *, path: str) -> str:
    """The text of a .docx: paragraphs in body order, table cells row by row, list numbers restored.

    Word keeps automatic list numbers (一、 （一） 1.) out of the paragraph text; they are rebuilt from
    ``word/numbering.xml`` (and paragraph styles' numbering in ``word/styles.xml``) and put in front of the
    paragraph, so outline markers survive.

    Args:
        data: the file's bytes.
        path: the name used in error messages.
    Returns:
        one line per paragraph (and per table-cell paragraph).
    Raises:
        UnreadableReport: password-protected or legacy Word file, corrupt zip, zip bomb, DOCTYPE in XML,
            no document part, or no text.
    """
    try:
        return _docx_text(data)
    except _Unreadable as err:
        raise UnreadableReport(path, str(err)) from None
    except UnreadableReport:
        raise
    except Exception as err:  # noqa: BLE001 - any library failure becomes a reason naming the file
        raise UnreadableReport(path, f"corrupt .docx ({type(err).__name__}: {err})") from None


def _docx_text(data: bytes) -> str:
    if data.startswith(OLE_MAGIC):
        raise _Unreadable("password-protected or legacy Word file; save it as .docx without a password")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _Unreadable("corrupt .docx (not a valid zip)") from None
    with archive:
        names = set(archive.namelist())
        if DOCUMENT_PART not in names:
            raise _Unreadable(f"not a Word document (no {DOCUMENT_PART} in the zip)")
        parts = [name for name in (DOCUMENT_PART, NUMBERING_PART, STYLES_PART) if name in names]
        _guard_sizes(archive, parts)
        document = _parse(archive, DOCUMENT_PART)
        numbering = _Numbering.from_parts(_parse(archive, NUMBERING_PART) if NUMBERING_PART in names else None, None)
        if STYLES_PART in names and numbering.nums:
            # parsed when a paragraph first needs its style's numbering: styles.xml is often ten times the size of
            # the text (latent styles) and is needed only by styled paragraphs of a numbered document
            styles = _read_part(archive, STYLES_PART)
            numbering.pending_styles = lambda: _parse_xml(styles, STYLES_PART)
    body = document.find(f"{W}body")
    if body is None:
        raise _Unreadable("no text in document")
    lines = []
    for para in _paragraphs(body):
        text = _paragraph_text(para)
        prefix = numbering.prefix(para)  # an empty numbered paragraph still takes a number in Word
        lines.append(prefix + text if text.strip() else "")
    text = "\n".join(lines)
    if not text.strip():
        raise _Unreadable("no text in document")
    return text


def _guard_sizes(archive: zipfile.ZipFile, parts: list[str]) -> None:
    total = 0
    for name in parts:
        info = archive.getinfo(name)
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _Unreadable(f"refused: {name} expands {info.file_size // max(info.compress_size, 1)}-fold "
                              f"(more than {MAX_RATIO}); a zip bomb?")
    document = archive.getinfo(DOCUMENT_PART) if DOCUMENT_PART in parts else None
    if document is not None and document.file_size > MAX_DOCUMENT_PART:
        raise _Unreadable(f"文档正文部分过大（{DOCUMENT_PART} 展开后 {document.file_size:,} 字节，上限 "
                          f"{MAX_DOCUMENT_PART:,}）：请拆分后再载入")
    if total > MAX_UNCOMPRESSED:
        raise _Unreadable(f"refused: the document parts expand to {total:,} bytes (more than "
                          f"{MAX_UNCOMPRESSED:,}); a zip bomb?")


def _parse(archive: zipfile.ZipFile, name: str) -> ET.Element:
    return _parse_xml(_read_part(archive, name), name)


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)  # zipfile stops at the declared size and checks the CRC
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as err:
        raise _Unreadable(f"corrupt .docx (cannot unpack {name}: {err})") from None


def _parse_xml(raw: bytes, name: str) -> ET.Element:
    if _DOCTYPE_RE.search(raw):
        raise _Unreadable(f"refused: {name} has a DOCTYPE/ENTITY declaration")
    try:
        return ET.fromstring(raw)
    except ET.ParseError as err:
        raise _Unreadable(f"corrupt .docx (bad XML in {name}: {err})") from None


def _paragraphs(container: ET.Element):
    """Paragraphs in body order; tables row by row, cell by cell (nested tables included)."""
    for child in container:
        tag = child.tag
        if tag == f"{W}p":
            yield child
        elif tag == MC_FALLBACK:
            continue
        elif tag in (f"{W}tbl", f"{W}tr", f"{W}tc", f"{W}sdt", f"{W}sdtContent", f"{W}customXml",
                     f"{W}smartTag", f"{W}ins", f"{W}moveTo"):
            yield from _paragraphs(child)


def _paragraph_text(para: ET.Element) -> str:
    out: list[str] = []
    _collect(para, out)
    return "".join(out)


def _collect(elem: ET.Element, out: list[str]) -> None:
    for child in elem:
        tag = child.tag
        if tag == f"{W}t":
            out.append(child.text or "")
        elif tag == f"{W}tab":
            out.append("\t")
        elif tag in (f"{W}br", f"{W}cr"):
            out.append("\n")
        elif tag == f"{W}noBreakHyphen":
            out.append("-")
        elif tag in (MC_FALLBACK, f"{W}pPr", f"{W}rPr", f"{W}del", f"{W}moveFrom", f"{W}p"):
            continue  # duplicates, properties, deleted text, paragraphs nested in text boxes
        else:
            _collect(child, out)


def _val(elem: ET.Element | None, tag: str, default: str | None = None) -> str | None:
    if elem is None:
        return default
    found = elem.find(f"{W}{tag}")
    if found is None:
        return default
    return found.get(f"{W}val", default)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    suffix: str = "tab"
    legal: bool = False


@dataclass
class _Numbering:
    """Word's list numbering: definitions, and the counters advanced paragraph by paragraph."""

    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId -> (abstractId, overrides)
    styles: dict[str, tuple[str | None, int | None, str | None]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    pending_styles: Callable[[], ET.Element] | None = None  # styles.xml, parsed on first need

    @classmethod
    def from_parts(cls, numbering: ET.Element | None, styles: ET.Element | None) -> _Numbering:
        out = cls()
        if numbering is not None:
            for an in numbering.findall(f"{W}abstractNum"):
                levels = {}
                for lvl in an.findall(f"{W}lvl"):
                    levels[_int(lvl.get(f"{W}ilvl"), 0)] = _Level(
                        fmt=_val(lvl, "numFmt", "decimal") or "decimal",
                        text=_val(lvl, "lvlText", "") or "",
                        start=_int(_val(lvl, "start"), 1),
                        suffix=_val(lvl, "suff", "tab") or "tab",
                        legal=lvl.find(f"{W}isLgl") is not None,
                    )
                out.abstract[an.get(f"{W}abstractNumId", "")] = levels
            for num in numbering.findall(f"{W}num"):
                overrides = {}
                for ov in num.findall(f"{W}lvlOverride"):
                    start = _val(ov, "startOverride")
                    if start is not None:
                        overrides[_int(ov.get(f"{W}ilvl"), 0)] = _int(start, 1)
                out.nums[num.get(f"{W}numId", "")] = (_val(num, "abstractNumId", "") or "", overrides)
        if styles is not None:
            out._add_styles(styles)
        return out

    def _add_styles(self, styles: ET.Element) -> None:
        for style in styles.findall(f"{W}style"):
            ppr = style.find(f"{W}pPr")
            numpr = ppr.find(f"{W}numPr") if ppr is not None else None
            num_id = _val(numpr, "numId")
            ilvl = _val(numpr, "ilvl")
            self.styles[style.get(f"{W}styleId", "")] = (
                num_id, _int(ilvl, 0) if ilvl is not None else None, _val(style, "basedOn"))

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        if style_id and self.pending_styles is not None:
            load, self.pending_styles = self.pending_styles, None
            self._add_styles(load())
        seen: set[str] = set()
        num_id = ilvl = None
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            s_num, s_lvl, based_on = self.styles[style_id]
            num_id = num_id if num_id is not None else s_num
            ilvl = ilvl if ilvl is not None else s_lvl
            if num_id is not None and ilvl is not None:
                break
            style_id = based_on
        return num_id, ilvl

    def prefix(self, para: ET.Element) -> str:
        """The rendered list number of a paragraph (advancing the counters), or ''."""
        if not self.nums:
            return ""  # no list is defined: nothing is numbered
        ppr = para.find(f"{W}pPr")
        numpr = ppr.find(f"{W}numPr") if ppr is not None else None
        num_id = _val(numpr, "numId")
        ilvl_raw = _val(numpr, "ilvl")
        ilvl = _int(ilvl_raw, 0) if ilvl_raw is not None else None
        if num_id is None or ilvl is None:
            s_num, s_lvl = self._style_numbering(_val(ppr, "pStyle"))
            num_id = num_id if num_id is not None else s_num
            ilvl = ilvl if ilvl is not None else (s_lvl or 0)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        level = levels.get(ilvl)
        if level is None:
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else overrides.get(ilvl, level.start)
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level.fmt == "bullet":
            return ""  # bullets are not outline markers

        def render(match: re.Match) -> str:
            k = int(match.group(1)) - 1
            lvl = levels.get(k, _Level())
            value = counters.get(k, overrides.get(k, lvl.start))
            return format_number(value, "decimal" if level.legal else lvl.fmt)

        shown = re.sub(r"%([1-9])", render, level.text)
        if not shown:
            return ""
        if level.suffix == "nothing" or shown[-1] in _ENDS_MARKER:
            return shown
        return shown + " "


def chinese_number(n: int, *, digits: str = CN_DIGITS, units: str = "十百千万") -> str:
    """Chinese counting: 1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 105 → 一百零五 (up to 99,999)."""
    if n <= 0:
        return digits[0]
    if n >= 100_000:
        return str(n)
    if 10 <= n < 20 and units == "十百千万":
        return units[0] + (digits[n - 10] if n > 10 else "")
    parts, zero = [], False
    for power in (4, 3, 2, 1, 0):
        d, n = divmod(n, 10 ** power)
        if d:
            if zero and parts:
                parts.append(digits[0])
            parts.append(digits[d] + (units[power - 1] if power else ""))
            zero = False
        elif parts:
            zero = True
    return "".join(parts)


def _letters(n: int, alphabet: str) -> str:
    if n <= 0:
        return str(n)
    k = len(alphabet)
    return alphabet[(n - 1) % k] * ((n - 1) // k + 1)


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out.append(sym * count)
    return "".join(out)


def _enclosed(n: int, first: int, count: int, fallback: str) -> str:
    return chr(first + n - 1) if 1 <= n <= count else fallback


def format_number(n: int, fmt: str) -> str:
    """A list counter in one of Word's number formats (w:numFmt); unknown formats fall back to decimal."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "koreanCounting"):
        return chinese_number(n)
    if fmt == "chineseLegalSimplified":
        return chinese_number(n, digits=CN_LEGAL_DIGITS, units="拾佰仟万")
    if fmt in ("ideographTraditional", "ideographEnclosedCircle"):
        return HEAVENLY_STEMS[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return EARTHLY_BRANCHES[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(CN_DIGITS[int(d)] for d in str(n))
    if fmt == "decimalEnclosedCircle":
        return _enclosed(n, 0x2460, 20, f"({n})")
    if fmt == "decimalEnclosedCircleChinese":
        return _enclosed(n, 0x2460, 20, f"({n})")
    if fmt == "decimalEnclosedParen":
        return _enclosed(n, 0x2474, 20, f"({n})")
    if fmt == "decimalEnclosedFullstop":
        return _enclosed(n, 0x2488, 20, f"{n}.")
    if fmt == "ideographLegalTraditional":
        return chinese_number(n, digits=CN_LEGAL_DIGITS, units="拾佰仟萬")
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "lowerLetter":
        return _letters(n, "abcdefghijklmnopqrstuvwxyz")
    if fmt == "upperLetter":
        return _letters(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


# ---------------------------------------------------------------------------------------------------------------
# PDF

_PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe


def pdf_text(data: bytes, *, path: str) -> str:
    """The text layer of a PDF, page by page (pypdfium2).

    Args:
        data: the file's bytes.
        path: the name used in error messages.
    Returns:
        the pages' texts in order, separated by a line break (lines as PDFium gives them).
    Raises:
        UnreadableReport: corrupt or encrypted PDF, no pages, or no text layer (a scanned PDF).
    """
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - a pinned runtime dependency
        raise UnreadableReport(path, "cannot read .pdf: pypdfium2 is not installed") from None
    if b"%PDF-" not in data[:1024]:
        raise UnreadableReport(path, "not a PDF file (no %PDF- header)")
    with _PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as err:
            message = str(err)
            if "password" in message.lower() or "security" in message.lower():
                raise UnreadableReport(path, "encrypted PDF (password required); save it without a password") \
                    from None
            raise UnreadableReport(path, f"corrupt PDF ({message})") from None
        except Exception as err:  # noqa: BLE001
            raise UnreadableReport(path, f"corrupt PDF ({type(err).__name__}: {err})") from None
        try:
            pages = _page_texts(doc, path)
        finally:
            doc.close()
    if not pages:
        raise UnreadableReport(path, "PDF has no pages")
    if not any(page.strip() for page in pages):
        raise UnreadableReport(path, "no text layer (scanned PDF?)")
    return "\n".join(pages)


def _page_texts(doc, path: str) -> list[str]:
    pages = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            try:
                textpage = page.get_textpage()
                try:
                    pages.append(textpage.get_text_range().replace("\ufffe", "").replace("\x02", ""))
                finally:
                    textpage.close()
            finally:
                page.close()
    except Exception as err:  # noqa: BLE001
        raise UnreadableReport(path, f"corrupt PDF (page {len(pages) + 1}: {type(err).__name__}: {err})") \
            from None
    return pages
