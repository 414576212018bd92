"""Events across sentences: who deploys, member-state flows, facility control, actors."""

from __future__ import annotations

import pytest
from conftest import Parse

from geomap.records import EventFact, ParsedArticle


def _deployments(parsed: ParsedArticle) -> list[EventFact]:
    return [e for e in parsed.events if e.layer == "deployments"]


ALLIANCE_EN = (
    "NATO is an alliance whose members include Norway, Denmark, Poland and Estonia. "
    "Leaders met in Tallinn on Friday. "
    "The alliance has sent 1,200 soldiers and 80 armoured vehicles to Estonia, officials said."
)


def test_the_alliance_in_a_later_sentence_is_the_organisation_named_before(parse: Parse) -> None:
    (deployment,) = _deployments(parse(ALLIANCE_EN, "en"))
    assert (deployment.actor1, deployment.troops, deployment.military_vehicles) == (
        "NATO",
        1200,
        80,
    )
    assert deployment.place.place_id == "iso3166:EE"


def test_norwegian_alliansen_refers_back_too(parse: Parse) -> None:
    text = (
        "NATO har blant annet Norge, Danmark og Polen som medlemmer. "
        "Ifølge regjeringen har alliansen sendt 300 soldater til Estland."
    )
    (deployment,) = _deployments(parse(text, "nb"))
    assert deployment.actor1 == "NATO"


def test_counted_deployment_without_organisation_takes_the_one_said_to_send_forces(
    parse: Parse,
) -> None:
    text = (
        "ОДКБ направила войска в Казахстан по просьбе президента. "
        "В понедельник в республику прибыли 2030 военнослужащих."
    )
    (deployment,) = _deployments(parse(text, "ru"))
    assert (deployment.actor1, deployment.troops) == ("CSTO", 2030)


def test_member_flows_come_from_the_list_in_another_sentence(parse: Parse) -> None:
    parsed = parse(ALLIANCE_EN, "en")
    origins = [f.origin.place_id for f in parsed.flows]
    assert origins == ["iso3166:NO", "iso3166:DK", "iso3166:PL"]  # not Estonia, the destination
    assert {f.destination.place_id for f in parsed.flows} == {"iso3166:EE"}
    assert all(f.troops is None and f.actor == "NATO" for f in parsed.flows)


def test_no_member_list_means_no_flows(parse: Parse) -> None:
    text = "NATO has sent 1,200 soldiers to Estonia, officials said on Friday."
    parsed = parse(text, "en")
    assert [e.actor1 for e in _deployments(parsed)] == ["NATO"]
    assert parsed.flows == ()


def test_control_of_the_airport_named_in_the_sentence_before(parse: Parse) -> None:
    text = (
        "Protesters occupied the airport in Almaty on Wednesday. "
        "Soldiers took it back two days later, and flights resumed on Friday."
    )
    airport = [e for e in parse(text, "en").events if e.layer == "infrastructure"]
    assert [(e.notes, e.place.place_id) for e in airport] == [
        ("airport occupied", "iata:ALA"),
        ("airport retaken", "iata:ALA"),
        ("airport reopened", "iata:ALA"),
    ]
    assert [e.actor1 for e in airport] == ["Protesters", "Military forces", ""]


def test_took_back_without_a_facility_nearby_is_no_event(parse: Parse) -> None:
    text = "Residents took their cars back onto the streets of Almaty on Friday."
    assert [e for e in parse(text, "en").events if e.layer == "infrastructure"] == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("According to the authorities, rioters looted 30 shops in Almaty.", "en"),
        ("Ifølge myndighetene plyndret opprørere 30 butikker i Almaty.", "nb"),
        ("По данным властей, мародеры разграбили 30 магазинов в Алматы.", "ru"),
    ],
)
def test_the_source_of_the_figures_is_no_actor(parse: Parse, text: str, language: str) -> None:
    (event,) = parse(text, language).events
    assert (event.buildings_damaged, event.actor1) == (30, "Rioters")


def test_police_cars_make_the_police_no_actor(parse: Parse) -> None:
    text = "Rioters attacked and burned 40 police cars in Almaty."
    (event,) = parse(text, "en").events
    assert (event.vehicles_damaged, event.actor1, event.actor2) == (40, "Rioters", "")
