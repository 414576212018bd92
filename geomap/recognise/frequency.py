"""Word frequencies on wordfreq's Zipf scale, from a compact table kept in the cache folder.

wordfreq reads a language's whole word list on the first word it is asked about (320,000
English words, about 0.12 s of CPU; 710,000 Russian words, 0.5 s), while a short
``geomap parse`` asks about a hundred words. So the first run that needs a language writes
its list once into an SQLite file of the cache folder (beside the gazetteer index and the
language model), and later runs look up only the words they ask about. A run that asks
about many words (a large build) reads the whole table into memory once.

The figures are wordfreq's own, to the last digit. A word of plain lower-case letters
(Latin, Greek or Cyrillic; one or more, separated by spaces or hyphens: nearly every word
geomap asks about) is split here as wordfreq's tokenizer splits it, in the languages whose
text wordfreq does not transliterate or respell; any other string (digits, apostrophes,
other scripts) is split by wordfreq's own tokenizer. Either way the tokens are looked up
in the table and combined by wordfreq's formula. When the cache cannot be written or read,
wordfreq answers itself, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import itertools
import logging
import math
import os
import sqlite3
import threading
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

from geomap._paths import cache_dir

log = logging.getLogger(__name__)

#: wordfreq splits these into words with jieba (zh) or MeCab (ja, ko), which geomap does not
#: install; their articles are asked about in English like any language wordfreq lacks, so a
#: Latin-script word there is still weighed and a word in their own script counts as rare.
_NEEDS_TOKENIZER = frozenset({"zh", "ja", "ko"})
#: wordfreq's ``zipf_to_freq(0)``: the frequency ``zipf_frequency`` gives a word it lacks.
_MINIMUM = 10**0.0 / 1e9
#: wordfreq's factor for each word boundary its jieba tokenizer inferred.
_INFERRED_SPACE_FACTOR = 10.0
#: Words a run looks up one by one in a language before it reads that language's whole table.
_ONE_BY_ONE = 4096
_FORMAT = 1
_SEPARATORS = str.maketrans("-", " ")


@lru_cache(maxsize=64)
def wordlist_language(language: str) -> str:
    """The wordfreq list asked for ``language``: Norwegian's for ``nn`` and ``no``, English's
    when wordfreq has none (or needs a tokenizer geomap does not install)."""
    lang = {"nn": "nb", "no": "nb"}.get(language, language)
    if lang in _NEEDS_TOKENIZER or _best_list(lang) is None:
        return "en"
    return lang


def zipf_frequency(word: str, lang: str) -> float:
    """wordfreq's ``zipf_frequency(word, lang)`` for a language of :func:`wordlist_language`."""
    table = _table(lang)
    if table is None:
        return _from_wordfreq(word, lang)
    tokens = table.plain_tokens(word)
    if tokens is None:
        from wordfreq.tokens import lossy_tokenize

        tokens = lossy_tokenize(word, lang)
        frequency = _frequency(tokens, table, digits=True)
    else:
        frequency = _frequency(tokens, table, digits=False)
    return round(math.log(frequency, 10) + 9, 2)


def _frequency(tokens: Sequence[str], table: _Table, *, digits: bool) -> float:
    """wordfreq's ``word_frequency`` of a word split into ``tokens`` (its ``_word_frequency``)."""
    if not tokens:
        return _MINIMUM
    one_over_result = 0.0
    for token in tokens:
        smashed = token
        if digits:
            from wordfreq.numbers import smash_numbers

            smashed = smash_numbers(token)
        index = table.index(smashed)
        if index is None:
            return _MINIMUM
        freq = 10 ** (-index / 100)
        if smashed != token:
            from wordfreq.numbers import digit_freq

            freq *= digit_freq(token)
        one_over_result += 1.0 / freq
    freq = 1.0 / one_over_result
    if table.jieba:
        freq *= _INFERRED_SPACE_FACTOR ** -(len(tokens) - 1)
    unrounded = max(freq, _MINIMUM)
    if unrounded == 0.0:
        return 0.0
    leading_zeroes = math.floor(-math.log(unrounded, 10))
    return round(unrounded, leading_zeroes + 3)


def _from_wordfreq(word: str, lang: str) -> float:
    """wordfreq's own answer, its table loaded once and its raw lists dropped.

    Loading a table, wordfreq also keeps the raw lists it was read from: hundreds of lists
    per language, holding every word again, which the garbage collector walks through at
    each full collection. Frequencies are read from the table alone, so the lists go.
    """
    from wordfreq import get_frequency_list
    from wordfreq import zipf_frequency as wordfreq_zipf

    loaded = get_frequency_list.cache_info().currsize
    zipf = float(wordfreq_zipf(word, lang))
    if get_frequency_list.cache_info().currsize != loaded:
        get_frequency_list.cache_clear()
    return zipf


class _Table:
    """One language's words and their frequency bucket (wordfreq's centibels below 1)."""

    def __init__(self, path: Path, *, plain: bool, jieba: bool) -> None:
        self.path = path
        self.plain = plain  # wordfreq leaves plain letters as they are in this language
        self.jieba = jieba
        self._local = threading.local()
        self._asked = 0
        self._words: dict[str, int] | None = None

    def plain_tokens(self, word: str) -> list[str] | None:
        """The tokens wordfreq splits ``word`` into, when it is plain letters; else ``None``.

        Plain: lower-case letters of the Latin, Greek and Cyrillic blocks that case folding
        and NFKC leave as they are, in runs separated by one space or hyphen. Between two
        such letters Unicode sees no word boundary, and wordfreq's tokenizer keeps nothing
        of a space or a hyphen.
        """
        if not self.plain or not unicodedata.is_normalized("NFKC", word):
            return None
        tokens = word.translate(_SEPARATORS).split(" ")
        for token in tokens:
            if token.isascii():  # of ASCII, the plain letters are a-z: no table to make
                if not (token.isalpha() and token.islower()):
                    return None
            elif not _plain_letters().issuperset(token):
                return None
        return tokens

    def index(self, word: str) -> int | None:
        """The word's bucket: its frequency is ``10 ** (-index / 100)``; ``None`` if unlisted."""
        words = self._words
        if words is not None:
            return words.get(word)
        self._asked += 1
        if self._asked > _ONE_BY_ONE:
            words = self._words = dict(self._db().execute("SELECT word, bucket FROM words"))
            return words.get(word)
        row = self._db().execute("SELECT bucket FROM words WHERE word = ?", (word,)).fetchone()
        return None if row is None else int(row[0])

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or self._local.pid != os.getpid():
            db = _connect(self.path)
            self._local.db, self._local.pid = db, os.getpid()
        return db


def _connect(path: Path) -> sqlite3.Connection:
    # immutable: the file is written whole under another name and renamed into place
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


_opening = threading.Lock()
_tables: dict[tuple[str | None, str], _Table | None] = {}


def _table(lang: str) -> _Table | None:
    """The table of ``lang`` in the cache folder, written first if missing; ``None`` if the
    cache cannot be written or read."""
    key = (os.environ.get("GEOMAP_CACHE_DIR"), lang)  # what cache_dir() depends on
    try:
        return _tables[key]
    except KeyError:
        table = _tables[key] = _table_in(cache_dir(), lang)
        return table


def _table_in(folder: Path, lang: str) -> _Table | None:
    path = folder / f"words-v{_FORMAT}-{_list_stamp(lang)}-{lang}.sqlite"
    with _opening:
        try:
            if not path.exists():
                _write(path, lang)
            with contextlib.closing(_connect(path)) as db:
                meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        except (OSError, sqlite3.Error) as exc:
            log.debug("word frequencies of %s not cached at %s: %s", lang, path, exc)
            return None
    if meta.get("language") != lang:
        return None
    return _Table(path, plain=meta.get("plain") == "1", jieba=meta.get("jieba") == "1")


def _write(path: Path, lang: str) -> None:
    """Write wordfreq's list of ``lang`` to ``path``, whole or not at all."""
    from wordfreq import get_frequency_list
    from wordfreq.language_info import get_language_info

    buckets = get_frequency_list(lang)
    get_frequency_list.cache_clear()
    index: dict[str, int] = {}
    for bucket, words in enumerate(buckets):
        for word in words:
            index[word] = bucket  # as wordfreq's own table: a word listed twice is the rarer
    info = get_language_info(lang)
    plain = (
        info["tokenizer"] == "regex"
        and info["transliteration"] is None
        and info["lookup_transliteration"] is None
        and not info["dotless_i"]
        and info["diacritics_under"] is None
    )
    meta = {
        "format": str(_FORMAT),
        "language": lang,
        "plain": "1" if plain else "0",
        "jieba": "1" if info["tokenizer"] == "jieba" else "0",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with contextlib.closing(sqlite3.connect(temp)) as db:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute(
                "CREATE TABLE words (word TEXT PRIMARY KEY, bucket INTEGER NOT NULL) WITHOUT ROWID"
            )
            db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
            db.executemany("INSERT INTO words VALUES (?, ?)", sorted(index.items()))
            db.commit()
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


@cache
def _plain_letters() -> frozenset[str]:
    """Lower-case letters of the Latin, Greek and Cyrillic blocks that case folding and NFKC
    keep as they are."""
    codes = itertools.chain(range(0x0530), range(0x1E00, 0x1F00))
    return frozenset(
        char
        for char in map(chr, codes)
        if unicodedata.category(char) == "Ll"
        and char.casefold() == char
        and unicodedata.is_normalized("NFKC", char)
    )


@cache
def _wordfreq_data() -> Path:
    """wordfreq's data folder, found without importing wordfreq (which takes 0.1 s)."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or spec.origin is None:
        msg = "wordfreq is not installed"
        raise ModuleNotFoundError(msg)
    return Path(spec.origin).parent / "data"


@lru_cache(maxsize=64)
def _best_list(lang: str) -> tuple[Path, os.stat_result] | None:
    """wordfreq's "best" list of ``lang`` (its large list, else its small one) and what the
    file system says of it; ``None`` when wordfreq has no list of ``lang`` (one or two
    ``stat`` calls, where listing wordfreq's data folder took 0.3 ms of a short parse)."""
    data = _wordfreq_data()
    for size in ("large", "small"):
        path = data / f"{size}_{lang}.msgpack.gz"
        with contextlib.suppress(FileNotFoundError):
            return path, path.stat()
    return None


def _list_stamp(lang: str) -> str:
    """Which of wordfreq's files the table is made from, as they are on disk: a new wordfreq
    makes a new table (where asking for wordfreq's version takes milliseconds)."""
    found = _best_list(lang)
    if found is None:
        msg = f"wordfreq has no list for {lang!r}"
        raise LookupError(msg)
    path, stat = found
    made = f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha256(made.encode()).hexdigest()[:12]
