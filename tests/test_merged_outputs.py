"""The outputs show merged events: an incident told by four articles is one row with four sources.

The seed article (../shared) and three short articles written for these tests report the same
death toll of the January 2022 unrest in Kazakhstan; the store keeps each article's report, the
map, the exports and ``geomap stats`` show the incident once.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import NTB_ARTICLE, require_shared, run_geomap

from geomap import join, store
from geomap.geocode import OfflineGazetteer
from geomap.ingest import IngestOptions, article_from_bytes
from geomap.pipeline import parse_article

#: Three reports of the same toll, in our own words, published after the seed article.
OWN_WORDS = {
    "toll-en.txt": (
        "date 2022-01-09\n"
        "Kazakhstan puts the death toll of the riots at 164\n\n"
        "Officials in Kazakhstan said on Sunday that 164 people were killed in the riots that "
        "swept the country this week. Most of the dead were counted in Almaty, the largest city.\n"
    ),
    "toll-nb.txt": (
        "date 2022-01-10\n"
        "Kasakhstan: 164 drepte i opptøyene\n\n"
        "Myndighetene i Kasakhstan oppgir at 164 mennesker ble drept under opptøyene i landet "
        "den siste uken. Over 5000 personer er pågrepet.\n"
    ),
    "mourning-en.txt": (
        "date 2022-01-11\n"
        "Kazakhstan mourns after a week of unrest\n\n"
        "A day of national mourning was held in Kazakhstan on Monday. According to the "
        "authorities, 164 people were killed across the country during the riots.\n"
    ),
}


@dataclass(frozen=True)
class Built:
    out: Path
    articles: tuple[Path, ...]


@pytest.fixture(scope="module")
def four_reports(tmp_path_factory: pytest.TempPathFactory) -> Built:
    seed = require_shared(NTB_ARTICLE)
    folder = tmp_path_factory.mktemp("reports")
    articles = [seed]
    for name, text in OWN_WORDS.items():
        (folder / name).write_text(text, encoding="utf-8")
        articles.append(folder / name)
    out = folder / "out"
    result = run_geomap("build", *map(str, articles), "--out", str(out))
    assert result.code == 0, result.err
    return Built(out, tuple(articles))


def killed_rows(out: Path) -> list[dict[str, Any]]:
    collection = json.loads((out / "events.geojson").read_text(encoding="utf-8"))
    return [
        f["properties"] for f in collection["features"] if f["properties"]["fatalities"] is not None
    ]


def test_a_toll_four_articles_report_is_one_event_with_four_sources(four_reports: Built) -> None:
    (event,) = killed_rows(four_reports.out)
    assert (event["location"], event["fatalities"], event["source_count"]) == ("Kazakhstan", 164, 4)
    assert event["source"].split("; ") == [a.name for a in four_reports.articles]
    assert [r["figures"]["fatalities"] for r in event["reports"]] == [164] * 4
    assert event["evidence"] == event["reports"][-1]["evidence"]  # the newest report's sentence
    assert "164 killed" in event["notes"]
    stored = store.read(four_reports.out / "geomap.gpkg").events
    assert stored["fatalities"].eq(164).sum() == 4  # the store keeps every report


def test_the_csv_gives_the_toll_once(four_reports: Built) -> None:
    text = (four_reports.out / "events.csv").read_text(encoding="utf-8")
    rows = [row for row in csv.DictReader(io.StringIO(text)) if row["fatalities"]]
    assert [(row["fatalities"], row["source_count"]) for row in rows] == [("164", "4")]


def test_stats_and_the_map_count_the_incident_once(four_reports: Built) -> None:
    store_path = str(four_reports.out / "geomap.gpkg")
    result = run_geomap("stats", "--store", store_path, "--json")
    assert result.code == 0, result.err
    counted = json.loads(result.out)
    features = json.loads((four_reports.out / "events.geojson").read_text(encoding="utf-8"))
    assert counted["events"] == len(features["features"])
    assert counted["events"] < len(store.read(four_reports.out / "geomap.gpkg").events)
    page = (four_reports.out / "map.html").read_text(encoding="utf-8")
    assert '"source_count"' in page
    assert '"Sources"' in page


def test_an_edited_article_updates_the_merged_event(four_reports: Built, tmp_path: Path) -> None:
    out = tmp_path / "out"
    articles = [tmp_path / a.name for a in four_reports.articles]
    for original, copy in zip(four_reports.articles, articles, strict=True):
        copy.write_bytes(original.read_bytes())
    assert run_geomap("build", *map(str, articles), "--out", str(out)).code == 0
    (before,) = killed_rows(out)
    newest = tmp_path / "mourning-en.txt"
    newest.write_text(
        OWN_WORDS["mourning-en.txt"].replace("164 people", "225 people"), encoding="utf-8"
    )
    assert run_geomap("build", str(newest), "--out", str(out)).code == 0
    (after,) = killed_rows(out)
    assert (after["fatalities"], after["source_count"]) == (225, 4)  # the newest report's figure
    assert after["event_id_cnty"] == before["event_id_cnty"]  # the earliest report's id
    newest.write_text("date 2022-01-11\nA quiet day in the capital.\n", encoding="utf-8")
    assert run_geomap("build", str(newest), "--out", str(out)).code == 0
    (last,) = killed_rows(out)
    assert (last["fatalities"], last["source_count"]) == (164, 3)
    assert newest.name not in last["source"]


def test_the_newest_report_gives_each_figure_with_its_qualifier() -> None:
    older = parse_text(
        "date 2022-01-08\nAt least 40 people were killed in riots in Almaty.\n", source="a.txt"
    )
    newer = parse_text(
        "date 2022-01-09\nNearly 44 people were killed in riots in Almaty.\n", source="b.txt"
    )
    per_article = join.events_frame([newer, older])
    (merged,) = join.merge_reports(per_article).to_dict("records")
    assert (merged["fatalities"], merged["source_count"]) == (44, 2)
    assert json.loads(merged["qualifiers"]) == {"fatalities": "nearly"}
    oldest_id = per_article.loc[per_article["fatalities"] == 40, "event_id_cnty"].item()
    assert merged["event_id_cnty"] == oldest_id


def test_incidents_weeks_apart_stay_two_rows() -> None:
    first = parse_text("date 2022-01-05\nRiots broke out in Almaty today.\n", source="a.txt")
    later = parse_text("date 2022-01-20\nNew riots broke out in Almaty today.\n", source="b.txt")
    merged = join.merge_reports(join.events_frame([first, later]))
    assert list(merged["source_count"]) == [1, 1]


def parse_text(text: str, *, source: str) -> Any:
    options = IngestOptions(language="en")
    article = article_from_bytes(text.encode(), source=source, options=options)
    return parse_article(article, geocoder=OfflineGazetteer())


def test_the_merged_rows_do_not_depend_on_the_order_of_the_reports(four_reports: Built) -> None:
    reports = store.read(four_reports.out / "geomap.gpkg").events
    merged = join.merge_reports(reports)
    shuffled = join.merge_reports(reports.iloc[::-1].reset_index(drop=True))
    assert merged.to_json() == shuffled.to_json()
    assert len(merged) < len(reports)


def test_a_contingent_two_articles_report_is_one_line_per_state() -> None:
    texts = (
        "date 2022-01-07\nThe CSTO, an alliance of Russia, Belarus and Armenia, "
        "sent 2,000 troops to Kazakhstan.\n",
        "date 2022-01-08\nThe CSTO alliance of Russia, Belarus and Armenia sent troops "
        "to Kazakhstan on Thursday.\n",
    )
    parsed = [parse_text(text, source=f"{i}.txt") for i, text in enumerate(texts)]
    per_article = join.flows_frame(parsed)
    merged = join.merge_flows(per_article, join.articles_frame(parsed))
    assert len(per_article) == 6
    assert sorted(merged["origin"]) == ["Armenia", "Belarus", "Russia"]
    assert set(merged["source_count"]) == {2}
    assert set(merged["source"]) == {"0.txt; 1.txt"}
    assert set(merged["flow_id"]) <= set(per_article["flow_id"])
    assert merged.geometry.geom_type.eq("LineString").all()


def test_contingents_months_apart_stay_two_lines() -> None:
    texts = (
        "date 2022-01-07\nThe CSTO alliance of Russia, Belarus and Armenia sent troops to "
        "Kazakhstan.\n",
        "date 2022-06-20\nThe CSTO alliance of Russia, Belarus and Armenia sent more troops "
        "to Kazakhstan.\n",
    )
    parsed = [parse_text(text, source=f"{i}.txt") for i, text in enumerate(texts)]
    merged = join.merge_flows(join.flows_frame(parsed), join.articles_frame(parsed))
    assert len(merged) == 6
