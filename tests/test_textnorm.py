"""Name folding and inflection bases (geomap.textnorm), without the gazetteer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geomap.textnorm import base_forms, fold

# A known bug, kept visible: fold() turns Cyrillic "й" into "и" (NFKD splits off the breve),
# so endings written with "й" in textnorm._RU_ENDINGS never match a folded key.
FOLDED_SHORT_I = pytest.mark.xfail(
    strict=True, reason="fold() maps 'й' to 'и', so the -ой/-ей/-ией/-й endings never match"
)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Alma-Ata", "alma ata"),
        ("ALMA ATA", "alma ata"),
        ("  Almaty,  ", "almaty"),
        ("Almaty's", "almatys"),
        ("Almaty’s", "almatys"),
        ("Tromsø", "tromso"),
        ("Ærø", "aero"),
        ("Straße", "strasse"),
        ("Łódź", "lodz"),
        ("Þórshöfn", "thorshofn"),
        ("São Paulo", "sao paulo"),
        ("Nur-Sultan", "nur sultan"),
        ("Алматы", "алматы"),
        ("Ёлка", "елка"),
        ("Ｔｏｋｙｏ", "tokyo"),
        ("ﬁnland", "finland"),
        ("snake_case", "snake case"),
    ],
)
def test_fold_ignores_case_accents_and_punctuation(name: str, key: str) -> None:
    assert fold(name) == key


@pytest.mark.parametrize("name", ["", " ", "\t\n", "---", "\x00\x01\x1b\x7f", "'’`"])
def test_fold_of_no_letters_is_empty(name: str) -> None:
    assert fold(name) == ""


@pytest.mark.parametrize("name", ["Alma-Ata", "Tromsø", "Казахстане", "Þórshöfn", "Ærø"])
def test_fold_is_stable_on_its_own_output(name: str) -> None:
    assert fold(fold(name)) == fold(name)


@given(st.text(max_size=200))
def test_fold_returns_single_spaced_lowercase_words(text: str) -> None:
    key = fold(text)
    assert key == key.strip()
    assert "  " not in key
    assert key == key.casefold()


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("Kasakhstans", "Kasakhstan"),
        ("Russlands", "Russland"),
        ("Almatys", "Almaty"),
        ("Almaty's", "Almaty"),
        ("Sveriges", "Sverige"),
        ("Tromsøs", "Tromsø"),
        ("Nord-Kasakhstans", "Nord-Kasakhstan"),
    ],
)
def test_base_forms_strip_scandinavian_and_english_genitive_s(inflected: str, base: str) -> None:
    assert fold(base) in base_forms(fold(inflected))


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("Казахстане", "Казахстан"),
        ("Казахстана", "Казахстан"),
        ("Казахстаном", "Казахстан"),
        ("России", "Россия"),
        ("Москве", "Москва"),
        ("Москвы", "Москва"),
        ("Москву", "Москва"),
        ("Бишкеке", "Бишкек"),
        ("Беларуси", "Беларусь"),
        pytest.param("Россией", "Россия", marks=FOLDED_SHORT_I),
        pytest.param("Украиной", "Украина", marks=FOLDED_SHORT_I),
        pytest.param("Китае", "Китай", marks=FOLDED_SHORT_I),
        pytest.param("Китая", "Китай", marks=FOLDED_SHORT_I),
    ],
)
def test_base_forms_undo_russian_case_endings(inflected: str, base: str) -> None:
    assert fold(base) in base_forms(fold(inflected))


def test_base_forms_inflect_only_the_last_word() -> None:
    assert "vest kasakhstan" in base_forms("vest kasakhstans")
    assert all(form.startswith("vest ") for form in base_forms("vest kasakhstans"))


@pytest.mark.parametrize("key", ["almaty", "almatys", "казахстане", "москве"])
def test_base_forms_never_yield_the_key_itself(key: str) -> None:
    assert key not in base_forms(key)


@pytest.mark.parametrize("key", ["", "abs", "ufa", "ея", "oss"])
def test_base_forms_leave_short_words_alone(key: str) -> None:
    assert list(base_forms(key)) == []
