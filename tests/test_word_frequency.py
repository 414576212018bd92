"""Word frequencies read from the cache folder's table are wordfreq's own, to the last digit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import wordfreq

from geomap.recognise import frequency
from geomap.recognise.frequency import wordlist_language, zipf_frequency

#: Every shape of string the recognizer may ask about: plain words, several words, hyphens,
#: apostrophes straight and curly, digits, capitals, letters that case folding or NFKC
#: change, other scripts, and strings wordfreq splits into nothing.
WORDS = [
    "the", "police", "politiet", "полиция", "demonstranter", "qzxvbnmw", "new york",
    "well-known", "north-east", "a  b", "-a", "a-", "l'homme", "kazakhstan's", "almaty’s",
    "2022", "1,000", "12th", "u.s.", "Police", "POLITIET", "groß", "straße", "λέξις", "ΣΟΦΙΑ",
    "naïve", "nai\u0308ve", "ﬁre", "ǆ", "ŉ", "şehir", "șehir", "istanbul", "İstanbul",
    "日本", "東京都", "ки́ев", "ё", "е\u0308", "a_b", "e-mail", "", " ", "'", "-", "@s",
]  # fmt: skip


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder shared by the tests that only read its tables."""
    return tmp_path_factory.mktemp("tables")


@pytest.mark.parametrize("language", ["en", "nb", "tr", "de"])
def test_figures_from_the_table_are_wordfreqs_own(
    language: str, tables: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tables))
    lang = wordlist_language(language)
    assert frequency._table(lang) is not None
    for word in WORDS:
        assert zipf_frequency(word, lang) == wordfreq.zipf_frequency(word, lang), word


def test_a_languages_table_is_written_once_into_the_cache_folder(cache: Path) -> None:
    assert zipf_frequency("politi", "da") == wordfreq.zipf_frequency("politi", "da")
    (table,) = cache.glob("words-*-da.sqlite")
    written = table.stat().st_mtime_ns
    frequency._tables.clear()  # as a later run
    assert zipf_frequency("gade", "da") == wordfreq.zipf_frequency("gade", "da")
    assert table.stat().st_mtime_ns == written
    assert [p.name for p in cache.iterdir()] == [table.name]  # no temporary file left


def test_a_cache_that_cannot_be_written_leaves_the_figures_to_wordfreq(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(blocked / "cache"))
    assert frequency._table("da") is None
    for word in ("politi", "gade", "qzxvbnmw", "l'homme"):
        assert zipf_frequency(word, "da") == wordfreq.zipf_frequency(word, "da")


def test_a_long_run_reads_the_whole_table_with_the_same_figures(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(frequency, "_ONE_BY_ONE", 3)
    words = ["politi", "gade", "by", "land", "qzxvbnmw", "politi", "2022"]
    got = [zipf_frequency(word, "da") for word in words]
    table = frequency._table("da")
    assert table is not None and table._words is not None
    assert got == [wordfreq.zipf_frequency(word, "da") for word in words]


def test_the_wordlist_of_a_language_is_the_one_wordfreq_has() -> None:
    codes = set(wordfreq.available_languages()) | {"xx", "kk", "zz"}
    assert {c for c in codes if frequency._best_list(c)} == set(wordfreq.available_languages())
    assert [wordlist_language(code) for code in ("nn", "no", "sv", "kk", "zh", "ja")] == [
        "nb",
        "nb",
        "sv",
        "en",
        "en",
        "en",
    ]


def test_plain_words_are_looked_up_without_loading_wordfreq(cache: Path) -> None:
    zipf_frequency("police", "en")  # writes the table
    script = (
        "import sys\n"
        "from geomap.recognise.frequency import zipf_frequency\n"
        "print(zipf_frequency('police', 'en'), zipf_frequency('new york', 'en'))\n"
        "print('wordfreq' in sys.modules)\n"
    )
    env = {**os.environ, "GEOMAP_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    figures, loaded = done.stdout.split("\n")[:2]
    expected = [wordfreq.zipf_frequency(w, "en") for w in ("police", "new york")]
    assert figures == " ".join(map(str, expected))
    assert loaded == "False"
