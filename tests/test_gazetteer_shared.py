"""The part of a region's name that others share besides a word of the compass."""

from __future__ import annotations

import pytest

from geomap.gazetteer.build import _shared_part


@pytest.mark.parametrize(
    ("name", "shared"),
    [
        ("North Darfur", "Darfur"),
        ("Nord-Kivu", "Kivu"),
        ("Kalimantan Barat", "Kalimantan"),
        ("Matabeleland South", "Matabeleland"),
        ("Sinai del Sud", "Sinai"),  # the particle before the compass word goes with it
        ("Северный Дарфур", "Дарфур"),  # a Russian compass word, whatever its ending
        ("Darfur de Nord", "Darfur"),
        ("Shamal Darfur", "Darfur"),  # romanised Arabic
        ("Bahr el Ghazal Western", "Bahr el Ghazal"),
    ],
)
def test_a_compass_word_at_either_end_leaves_the_shared_name(name: str, shared: str) -> None:
    assert _shared_part(name) == shared


@pytest.mark.parametrize(
    "name",
    [
        "Darfur",  # one word: nothing to share
        "Centre-Est",  # two compass words
        "Upper East",  # a compass word and a word for higher
        "Northern Province",  # a type of unit
        "Sulawesi Barat Daya",  # the compass word inside, not at an end
        "North Ab",  # two letters are no name
    ],
)
def test_no_shared_name_without_a_name_beside_the_compass_word(name: str) -> None:
    assert _shared_part(name) is None
