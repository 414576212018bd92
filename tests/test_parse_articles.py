"""Acceptance: the places and facts that come out of real and own-words articles."""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import serving

from geomap.pipeline import parse
from geomap.records import ParsedArticle

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MOSCOW = "geonames:524901"
KAZAKHSTAN_PLACES = {
    "iso3166:KZ",
    "geonames:1526384",
    "iata:ALA",
    "iso3166:RU",
    "iso3166:BY",
    "iso3166:AM",
    "iso3166:KG",
    "iso3166:TJ",
    "iso3166:UZ",
}


def _figures(parsed: ParsedArticle) -> dict[str, set[tuple[int, str]]]:
    found: dict[str, set[tuple[int, str]]] = {}
    for event in parsed.events:
        for column in (
            "fatalities",
            "injured",
            "arrested",
            "buildings_damaged",
            "vehicles_damaged",
            "troops",
            "military_vehicles",
        ):
            value = getattr(event, column)
            if value is not None:
                found.setdefault(column, set()).add((value, event.place.place_id))
    return found


def _assert_kazakhstan_facts(parsed: ParsedArticle) -> None:
    figures = _figures(parsed)
    assert (164, "iso3166:KZ") in figures["fatalities"]
    assert (2000, "iso3166:KZ") in figures["injured"]
    assert (8000, "iso3166:KZ") in figures["arrested"]
    assert (100, "iso3166:KZ") in figures["buildings_damaged"]
    assert (400, "iso3166:KZ") in figures["vehicles_damaged"]
    deployments = [e for e in parsed.events if e.layer == "deployments"]
    assert [(e.troops, e.military_vehicles, e.place.place_id) for e in deployments] == [
        (2030, 250, "iso3166:KZ")
    ]
    airport = [e for e in parsed.events if e.place.place_id == "iata:ALA"]
    assert {e.notes for e in airport} >= {"airport occupied"}
    assert all(
        e.date is not None and (e.date.year, e.date.month) == (2022, 1) for e in parsed.events
    )
    for event in parsed.events:
        assert parsed.article.text[event.evidence_start : event.evidence_end] == event.evidence


def test_ntb_article_resolves_exactly_its_places(ntb_article: Path) -> None:
    parsed = parse(str(ntb_article))
    assert {m.place.place_id for m in parsed.mentions if m.place} == KAZAKHSTAN_PLACES
    assert not parsed.unresolved


def test_ntb_article_people_and_headings_are_not_places(ntb_article: Path) -> None:
    parsed = parse(str(ntb_article))
    surfaces = {m.surface for m in parsed.mentions}
    assert not surfaces & {"Vladimir", "Nursultan", "Under", "Ro", "Mandag", "Søndag"}


def test_ntb_article_gives_counts_deployment_and_airport(ntb_article: Path) -> None:
    parsed = parse(str(ntb_article))
    _assert_kazakhstan_facts(parsed)
    deployment = next(e for e in parsed.events if e.layer == "deployments")
    assert deployment.actor1 == "CSTO"
    origins = {f.origin.place_id for f in parsed.flows}
    assert origins == KAZAKHSTAN_PLACES - {"iso3166:KZ", "geonames:1526384", "iata:ALA"}
    assert {f.destination.place_id for f in parsed.flows} == {"iso3166:KZ"}


@pytest.mark.parametrize(
    "name", ["kazakhstan-2022-01.nb.txt", "kazakhstan-2022-01.en.txt", "kazakhstan-2022-01.ru.txt"]
)
def test_own_words_articles_give_the_same_facts(name: str) -> None:
    parsed = parse(str(EXAMPLES / name))
    places = {m.place.place_id for m in parsed.mentions if m.place}
    assert places >= KAZAKHSTAN_PLACES
    assert places <= KAZAKHSTAN_PLACES | {MOSCOW}  # Moscow is named; "Central Asian" is no place
    _assert_kazakhstan_facts(parsed)


@pytest.mark.parametrize(
    "name", ["kazakhstan-2022-01.nb.txt", "kazakhstan-2022-01.en.txt", "kazakhstan-2022-01.ru.txt"]
)
def test_own_words_articles_give_the_deployment_by_its_alliance_and_member_flows(
    name: str,
) -> None:
    parsed = parse(str(EXAMPLES / name))
    (deployment,) = [e for e in parsed.events if e.layer == "deployments"]
    assert deployment.actor1 == "CSTO"  # the counted sentence says only "the alliance" or less
    origins = {f.origin.place_id for f in parsed.flows}
    assert origins == KAZAKHSTAN_PLACES - {"iso3166:KZ", "geonames:1526384", "iata:ALA"}
    assert all(f.troops is None for f in parsed.flows)  # no invented contingents
    airport = {e.notes for e in parsed.events if e.place.place_id == "iata:ALA"}
    assert airport >= {"airport occupied", "airport retaken", "airport reopened"}


@pytest.fixture
def served_examples() -> Iterator[str]:
    handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=str(EXAMPLES))  # noqa: E731
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None  # type: ignore[method-assign]
    with serving(handler) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


def test_html_page_served_on_loopback_gives_the_same_facts(served_examples: str) -> None:
    parsed = parse(f"{served_examples}/kazakhstan-2022-01.en.html")
    assert parsed.article.published is not None and str(parsed.article.published) == "2022-01-10"
    _assert_kazakhstan_facts(parsed)
