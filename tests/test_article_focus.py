"""The places an article is most about, and which wins a tie: the first named."""

from __future__ import annotations

from geomap.extract.events import _focus
from geomap.gazetteer import Row
from geomap.records import Mention, Place
from geomap.resolve import _Choice, _evidence


def _place(place_id: str, kind: str, country: str) -> Place:
    return Place(place_id, place_id, kind, country, 0.0, 0.0)


def _mention(place: Place, start: int) -> Mention:
    return Mention("a", start, start + 3, place.name, place.name.lower(), place=place)


def _choice(place_id: str, kind: str, country: str) -> _Choice:
    row = Row(0, place_id, place_id, kind, country, 0.0, 0.0, 1000, None, "test", None)
    return (1.0, row, (), 0.5)


def test_the_most_named_country_is_the_focus_and_a_tie_goes_to_the_first_named() -> None:
    sweden, norway = _place("se", "country", "SE"), _place("no", "country", "NO")
    oslo = _place("oslo", "city", "NO")
    mentions = [_mention(p, i * 10) for i, p in enumerate([oslo, sweden, norway, norway, sweden])]
    assert _focus(mentions) is sweden
    assert _focus(mentions[:4]) is norway


def test_without_a_country_the_most_named_place_is_the_focus() -> None:
    oslo, bergen = _place("oslo", "city", "NO"), _place("bergen", "city", "NO")
    assert _focus([_mention(bergen, 0), _mention(oslo, 10), _mention(oslo, 20)]) is oslo
    assert _focus([_mention(bergen, 0), _mention(oslo, 10)]) is bergen
    assert _focus([]) is None


def test_focus_countries_go_by_weight_and_a_tie_to_the_first_counted() -> None:
    first = [
        _choice("oslo", "city", "NO"),
        _choice("paris", "city", "FR"),
        _choice("se", "country", "SE"),
        _choice("lyon", "city", "FR"),
        _choice("de", "country", "DE"),
        None,
    ]
    # a country weighs two, a town one: SE 2, FR 2, DE 2, NO 1; FR was counted before SE
    assert _evidence(first).focus == ("FR", "SE", "DE")
