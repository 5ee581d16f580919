"""The word segmenter: jieba with the domain user dictionary, and the word lists and term-shape rule it applies.

The word lists live in ``analysis/resources/`` (see its README) and are plain text a person can edit:
``userdict.txt`` (jieba's ``word [freq] [tag]``), ``stopwords.txt`` and ``officialese.txt`` (one word a line),
``synonyms.txt`` (``term variant [variant …]`` a line: variants are counted as the term, 党的二十大 as 二十大) and
``acronyms.txt`` (the Latin tokens kept as terms, one a line: every other token of Latin letters without a Chinese
character is dropped: footer words, pinyin fragments, hex ids). The last two are read from the user dictionary's
folder when it has them.
A token is kept as a term when it is no mask, punctuation, whitespace or number (``2023``, ``2023年``, ``58起``,
``三次``), no single Latin letter, at least ``min_chars`` long and on neither word list (``term_is_valid``,
``Segmenter.verdicts``); user-dictionary words are always kept unless a word list names them. The parse stage
uses the segmenter to cut figures' objects; the words stage counts terms with it (``analysis.words.terms``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import re
import threading
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path
from typing import NamedTuple

from analysis.errors import BadCodebook
from analysis.parse.masks import MASK_RE

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DEFAULT_USERDICT = RESOURCES / "userdict.txt"
DEFAULT_STOPWORDS = RESOURCES / "stopwords.txt"
DEFAULT_OFFICIALESE = RESOURCES / "officialese.txt"
SYNONYMS_FILE = "synonyms.txt"
ACRONYMS_FILE = "acronyms.txt"
"""Looked up beside the user dictionary in use (the shipped ones where that folder has none)."""

_DIGITS = "0-9０-９"
_CN_NUMERALS = "零〇一二三四五六七八九十百千万亿两"
# Measure words and date units that make a number token ("2023年", "58起", "三次", "10万人") no term.
_UNITS = "年月日号时分秒次个人名位场期届篇条件起家项支批份台部本册处所元户天周岁座季度倍万亿余多"
_NUMBER_RE = re.compile(
    rf"(?:第|近|约|超|逾)?(?:[{_DIGITS}.．,，:：/\-－%％‰]*[{_DIGITS}][{_DIGITS}.．,，:：/\-－%％‰]*"
    rf"|[{_CN_NUMERALS}]+)[{_UNITS}]{{0,2}}"
    rf"|[余多万][{_UNITS.replace('元', '')}]{{1,2}}|(?:万|余|多)?(?:人次|场次|批次|户次|架次|期次|条次)"
)
# A term needs a letter: a CJK ideograph or a Latin letter (ASCII or full-width).
_LETTER_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-zＡ-Ｚａ-ｚ]")
# Mask characters and whitespace never belong to a term.
_FORBIDDEN_RE = re.compile(r"[\s*＊×_＿]")
_LATIN_LETTER_RE = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")
# X runs glued to digits ("XX60" in "雷锋在XX60周年", "20XX", "0X"): masks the mask rule leaves as codes.
_X_CODE_RE = re.compile(r"[0-9０-９.．%Xx×Ｘｘ]*[Xx×Ｘｘ][0-9０-９.．%Xx×Ｘｘ]*")
_USERDICT_TAG_RE = re.compile(r"[a-z]+")

logger = logging.getLogger(__name__)


class UserDictEntry(NamedTuple):
    """One line of a jieba user dictionary."""

    word: str
    freq: int | None
    tag: str | None


def _read_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, stripped text) of every non-blank, non-comment line; errors name the file and line."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise BadCodebook(str(path), None, f"cannot read the file ({err.strerror or err})") from err
    rows = []
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise BadCodebook(str(path), lineno, f"not UTF-8 ({err.reason})") from err
        line = line.lstrip("\ufeff").strip()
        if line and not line.startswith("#"):
            rows.append((lineno, line))
    return rows


def load_wordlist(path: str | Path) -> frozenset[str]:
    """Read a word list: one word a line, ``#`` comment lines and blank lines ignored.

    Args:
        path: a UTF-8 text file (a BOM is allowed).
    Returns:
        the words.
    Raises:
        BadCodebook: the file cannot be read, is not UTF-8, or a line holds more than one word.
    """
    words = set()
    for lineno, line in _read_lines(Path(path)):
        if len(line.split()) > 1:
            raise BadCodebook(str(path), lineno, f"one word a line expected, got {line!r}")
        words.add(line)
    return frozenset(words)


def load_synonyms(path: str | Path) -> dict[str, str]:
    """Read a synonym list: ``term variant [variant …]`` a line (spaces between), ``#`` comments allowed.

    Args:
        path: a UTF-8 text file (a BOM is allowed).
    Returns:
        variant → term.
    Raises:
        BadCodebook: naming the line, for a line without a variant, a variant listed twice, or a word that is
            both a term and a variant (chains like a → b → c are not folded).
    """
    fold: dict[str, str] = {}
    first: dict[str, int] = {}
    terms: dict[str, int] = {}
    for lineno, line in _read_lines(Path(path)):
        words = line.split()
        if len(words) < 2:
            raise BadCodebook(str(path), lineno, f"expected 'term variant [variant …]', got {line!r}")
        term, variants = words[0], words[1:]
        if term in fold:
            raise BadCodebook(str(path), lineno, f"{term!r} is a variant of {fold[term]!r} (line {first[term]})")
        terms.setdefault(term, lineno)
        for v in variants:
            if v == term or v in terms:
                raise BadCodebook(str(path), lineno, f"{v!r} is a term itself (line {terms.get(v, lineno)})")
            if v in fold:
                raise BadCodebook(str(path), lineno, f"{v!r} is listed twice (first on line {first[v]})")
            fold[v], first[v] = term, lineno
    return fold


def load_userdict(path: str | Path) -> list[UserDictEntry]:
    """Read and check a jieba user dictionary: ``word [freq] [tag]`` a line, ``#`` comments allowed.

    Args:
        path: a UTF-8 text file in jieba's format.
    Returns:
        the entries in file order.
    Raises:
        BadCodebook: naming the line, for a frequency that is not a positive integer, a tag that is not
            lowercase letters, too many fields, or a word listed twice.
    """
    entries: list[UserDictEntry] = []
    first_line: dict[str, int] = {}
    for lineno, line in _read_lines(Path(path)):
        fields = line.split()
        if len(fields) > 3:
            raise BadCodebook(str(path), lineno, f"expected 'word [freq] [tag]', got {len(fields)} fields: {line!r}")
        word, freq, tag = fields[0], None, None
        rest = fields[1:]
        if rest and rest[0].isascii() and rest[0].isdigit():
            freq = int(rest.pop(0))
            if freq == 0:
                raise BadCodebook(str(path), lineno, f"frequency 0 (force split) of {word!r} is not supported")
        if rest:
            tag = rest.pop(0)
            if not _USERDICT_TAG_RE.fullmatch(tag):
                raise BadCodebook(str(path), lineno,
                                  f"{tag!r} is neither a positive integer frequency nor a lowercase tag")
        if rest:
            raise BadCodebook(str(path), lineno, f"expected 'word [freq] [tag]', got {line!r}")
        if word in first_line:
            raise BadCodebook(str(path), lineno, f"{word!r} is listed twice (first on line {first_line[word]})")
        first_line[word] = lineno
        entries.append(UserDictEntry(word, freq, tag))
    return entries


def term_is_valid(term: str, *, min_chars: int = 2) -> bool:
    """Whether a token's shape allows it in a term table (the word lists are applied separately).

    Args:
        term: one token.
        min_chars: the shortest term kept, in characters.
    Returns:
        False for masks (and X runs glued to digits, "XX60"), whitespace, punctuation, numbers with or without a unit ("2023年", "58起", "三次"),
        single Latin letters and tokens shorter than ``min_chars``; True otherwise.
    """
    if len(term) < min_chars or _FORBIDDEN_RE.search(term) or not _LETTER_RE.search(term):
        return False
    if len(term) == 1 and _LATIN_LETTER_RE.match(term):
        return False
    return not (_NUMBER_RE.fullmatch(term) or MASK_RE.fullmatch(term) or _X_CODE_RE.fullmatch(term))


_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def is_latin_junk(term: str, acronyms: frozenset[str] = frozenset()) -> bool:
    """A token of Latin letters (with digits or punctuation) and no Chinese character that is not a known acronym:
    web-page footer words (Public, domain, false), pinyin fragments (xi, ng), hex ids. Acronyms are compared in
    upper case (``app`` is ``APP``).

    Example:
        >>> is_latin_junk("domain"), is_latin_junk("LED", frozenset({"LED"})), is_latin_junk("LED屏")
        (True, False, False)
    """
    return bool(_LATIN_LETTER_RE.search(term)) and not _CJK_RE.search(term) and term.upper() not in acronyms


def _beside(userdict: Path, name: str) -> Path:
    """``name`` in the user dictionary's folder when it is there, else the shipped one."""
    local = userdict.with_name(name)
    return local if local.is_file() else RESOURCES / name


class Segmenter:
    """jieba with the domain user dictionary, on its own tokenizer (never jieba's global one).

    ``engine`` is ``"rjieba"`` (jieba's algorithm and dictionary in Rust: the same tokens, ~15x faster),
    ``"jieba"`` (the Python original) or ``"auto"`` (rjieba when installed, else jieba; ``$REPORTLENS_SEGMENTER``
    overrides). The word lists are read and checked when the segmenter is made; the tokenizer with the user
    dictionary is built on the first ``segment`` call, once.
    """

    def __init__(self, userdict: str | Path | None = None, *, stopwords: str | Path | None = None,
                 officialese: str | Path | None = None, engine: str = "auto"):
        self.userdict_path = Path(userdict) if userdict is not None else DEFAULT_USERDICT
        self.stopwords_path = Path(stopwords) if stopwords is not None else DEFAULT_STOPWORDS
        self.officialese_path = Path(officialese) if officialese is not None else DEFAULT_OFFICIALESE
        self.entries = load_userdict(self.userdict_path)
        self.stopwords = load_wordlist(self.stopwords_path)
        self.officialese = load_wordlist(self.officialese_path)
        self.synonyms_path = _beside(self.userdict_path, SYNONYMS_FILE)
        self.acronyms_path = _beside(self.userdict_path, ACRONYMS_FILE)
        self.synonyms = load_synonyms(self.synonyms_path)
        self.acronyms = frozenset(w.upper() for w in load_wordlist(self.acronyms_path))
        self.words = frozenset(entry.word for entry in self.entries)
        self._drop = {True: self.stopwords | self.officialese, False: self.stopwords}
        digest = hashlib.sha1()
        for p in (self.userdict_path, self.stopwords_path, self.officialese_path, self.synonyms_path,
                  self.acronyms_path):
            digest.update(p.read_bytes())
            digest.update(b"\0")
        self.engine = _engine(engine)
        digest.update(self.engine.encode())
        self._hash = digest.hexdigest()
        self._tokenizer = None
        self._lock = threading.Lock()
        self._verdicts: dict[tuple, _Verdicts] = {}

    def __getstate__(self) -> dict:
        # Picklable for worker processes: the jieba tokenizer is rebuilt there on first use.
        return {k: v for k, v in self.__dict__.items() if k not in ("_tokenizer", "_lock", "_verdicts")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._tokenizer = None
        self._lock = threading.Lock()
        self._verdicts = {}

    def fold(self, term: str) -> str:
        """The term a token is counted as: its synonym list's term, else itself."""
        return self.synonyms.get(term, term)

    @property
    def dictionary_hash(self) -> str:
        """SHA-1 of the word lists' bytes (user dictionary, stopwords, officialese, synonyms, acronyms): changes when
        any list is edited."""
        return self._hash

    def _jieba(self):
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = _make_tokenizer(self.engine, self.entries)
        return self._tokenizer

    def segment(self, text: str) -> list[str]:
        """Raw jieba tokens of ``text`` (``lcut``, HMM on), punctuation and spaces included."""
        return self._jieba()(text)

    def verdicts(self, *, drop_officialese: bool = True, min_chars: int = 2) -> dict[str, bool]:
        """token -> whether it is kept as a term (see ``segment``), filled in as tokens are first seen.

        One dict lookup per distinct token instead of the shape rules and word lists each time.
        """
        key = (bool(drop_officialese), min_chars)
        if key not in self._verdicts:
            self._verdicts[key] = _Verdicts(self.drop_set(drop_officialese=drop_officialese), self.words, min_chars,
                                            self.acronyms)
        return self._verdicts[key]

    def drop_set(self, *, drop_officialese: bool = True) -> frozenset[str]:
        """The words removed from term tables: stopwords, plus officialese when ``drop_officialese``."""
        return self._drop[bool(drop_officialese)]


class _Verdicts(dict):
    """token -> kept as a term; a missing token is judged once by the word lists and the shape rules."""

    def __init__(self, drop: frozenset[str], words: frozenset[str], min_chars: int,
                 acronyms: frozenset[str] = frozenset()):
        super().__init__()
        self.drop, self.words, self.min_chars, self.acronyms = drop, words, min_chars, acronyms

    def __missing__(self, tok: str) -> bool:
        ok = len(tok) >= self.min_chars and tok not in self.drop and (tok in self.words or (
            term_is_valid(tok, min_chars=self.min_chars) and not is_latin_junk(tok, self.acronyms)))
        if len(self) < 2_000_000:
            self[tok] = ok
        return ok


def _engine(engine: str) -> str:
    """The segmenter engine to use for ``engine`` ("auto", "rjieba" or "jieba")."""
    if engine == "auto":
        engine = os.environ.get("REPORTLENS_SEGMENTER") or "auto"
    if engine not in ("auto", "rjieba", "jieba"):
        raise ValueError(f"unknown segmenter engine {engine!r} (rjieba or jieba)")
    if engine == "auto":
        return "rjieba" if importlib.util.find_spec("rjieba") is not None else "jieba"
    return engine


def _make_tokenizer(engine: str, entries: list[UserDictEntry]) -> Callable[[str], list[str]]:
    """A function from text to jieba tokens (HMM on) with the user dictionary added, on its own tokenizer."""
    if engine == "rjieba":
        import rjieba

        tokenizer = rjieba.Jieba()
        for entry in entries:
            tokenizer.add_word(entry.word, entry.freq, entry.tag)
        return tokenizer.cut
    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for entry in entries:
        tokenizer.add_word(entry.word, entry.freq, entry.tag)
    return partial(tokenizer.lcut, HMM=True)


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _cached_segmenter(userdict: tuple, stopwords: tuple, officialese: tuple, engine: str,
                      beside: tuple = ()) -> Segmenter:
    return Segmenter(userdict[0], stopwords=stopwords[0], officialese=officialese[0], engine=engine)


def get_segmenter(userdict: str | Path | None = None, *, stopwords: str | Path | None = None,
                  officialese: str | Path | None = None) -> Segmenter:
    """A shared Segmenter for these word-list paths (the shipped files by default).

    The cache key holds each file's path, modification time and size, so an edited list gives a new segmenter.

    Args:
        userdict: a jieba user dictionary; None for ``analysis/resources/userdict.txt``.
        stopwords: a word list; None for the shipped stopwords.
        officialese: a word list; None for the shipped officialese.
    Returns:
        the cached Segmenter.
    """
    paths = [Path(p).resolve() if p is not None else d for p, d in
             ((userdict, DEFAULT_USERDICT), (stopwords, DEFAULT_STOPWORDS), (officialese, DEFAULT_OFFICIALESE))]
    beside = tuple(_stamp(_beside(paths[0], name)) for name in (SYNONYMS_FILE, ACRONYMS_FILE))  # edits: a new one
    return _cached_segmenter(*(_stamp(p) for p in paths), _engine("auto"), beside)
