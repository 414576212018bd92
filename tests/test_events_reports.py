"""One event, many reports: the seed article and three others about the same days.

The three others are the project's own-words articles in ``examples/``.
"""

from __future__ import annotations

from pathlib import Path

from geomap.extract.reports import merge_articles
from geomap.geocode import OfflineGazetteer
from geomap.ingest import IngestOptions, article_from_bytes
from geomap.pipeline import parse, parse_article
from geomap.records import ParsedArticle

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
OWN_WORDS = ("kazakhstan-2022-01.nb.txt", "kazakhstan-2022-01.en.txt", "kazakhstan-2022-01.ru.txt")


def test_four_articles_give_each_incident_once_with_all_its_sources(ntb_article: Path) -> None:
    parsed = [parse(str(ntb_article)), *(parse(str(EXAMPLES / name)) for name in OWN_WORDS)]
    merged = merge_articles(parsed)
    killed = [m for m in merged if m.event.fatalities is not None]
    assert [(m.event.place.place_id, m.event.fatalities) for m in killed] == [
        ("iso3166:KZ", 164)
    ]  # told four times, counted once
    (deaths,) = killed
    assert deaths.sources == 4
    assert all(dict(r.figures).get("fatalities") == 164 for r in deaths.reports)
    deployments = [m for m in merged if m.event.layer == "deployments"]
    assert [(m.event.actor1, m.event.troops, m.sources) for m in deployments] == [("CSTO", 2030, 4)]
    occupied = [m for m in merged if m.event.notes == "airport occupied"]
    assert [m.sources for m in occupied] == [4]


def test_the_most_recent_report_gives_the_figure() -> None:
    older = parse_text("date 2022-01-08\nAt least 40 people were killed in riots in Almaty.\n")
    newer = parse_text("date 2022-01-09\nAt least 44 people were killed in riots in Almaty.\n")
    (event,) = merge_articles([newer, older])
    assert (event.event.fatalities, event.sources) == (44, 2)
    assert [dict(r.figures)["fatalities"] for r in event.reports] == [44, 40]


def test_incidents_days_apart_stay_apart() -> None:
    first = parse_text("date 2022-01-05\nRiots broke out in Almaty today.\n")
    later = parse_text("date 2022-01-20\nRiots broke out in Almaty today.\n")
    assert len(merge_articles([first, later])) == 2


def parse_text(text: str) -> ParsedArticle:
    options = IngestOptions(language="en")
    article = article_from_bytes(text.encode(), source="report.txt", options=options)
    return parse_article(article, geocoder=OfflineGazetteer())
