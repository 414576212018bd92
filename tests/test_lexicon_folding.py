"""The extractor's word tables are folded at import as article words are folded; the words
that fold to themselves are taken as they are, without :func:`geomap.textnorm.fold`."""

from __future__ import annotations

import types
from pathlib import Path

from geomap.extract import lexicon
from geomap.textnorm import fold

_SKIP = '_FOLDED = re.compile("[a-z0-9а-ик-я]+")'


def _tables(module: types.ModuleType) -> dict[str, object]:
    return {n: value for n, value in vars(module).items() if n.isupper() and n[0] != "_"}


def test_the_tables_are_those_folded_word_by_word() -> None:
    source = Path(lexicon.__file__).read_text(encoding="utf-8")
    assert source.count(_SKIP) == 1
    plain = types.ModuleType("plain_lexicon")
    plain.__dict__["__file__"] = lexicon.__file__
    # the same module, with every word folded by fold itself (no word skips it)
    exec(
        compile(source.replace(_SKIP, '_FOLDED = re.compile("(?!)")'), "plain", "exec"), vars(plain)
    )
    assert _tables(plain) == _tables(lexicon)
    assert len(_tables(lexicon)) > 50


def test_the_words_taken_as_they_are_fold_to_themselves() -> None:
    letters = "abcdefghijklmnopqrstuvwxyz0123456789абвгдежзиклмнопрстуфхцчшщъыьэюя"
    for letter in letters:
        assert lexicon._FOLDED.fullmatch(letter)
        assert fold(letter) == letter
        assert fold(letter * 3 + "a7") == letter * 3 + "a7"
    for other in ["й", "ё", "ø", "A", "Б", "é", "ß", "ı", "a-b", "a b", "a_b", "a'b", "ʻa", ""]:
        assert not lexicon._FOLDED.fullmatch(other), other
