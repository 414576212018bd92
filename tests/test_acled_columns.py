"""events.csv follows ACLED's codebook: its 31 columns in its order, filled by its conventions.

The column names are written out in ``conftest.ACLED_COLUMNS`` from ACLED's codebook, not
imported from geomap, so a change of order in geomap fails here.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from conftest import ACLED_COLUMNS
from factories import ALMATY, KAZAKHSTAN, make_article, make_event

from geomap import acled, join
from geomap.export import csv_text
from geomap.records import ParsedArticle, Place, PubDate
from geomap.serialize import shown_source, stored_source

TEXT = "Crowds gathered in the square on Wednesday and the police held 12 people."


def csv_rows(*events: object, source: str = "notes/own-words.txt") -> pd.DataFrame:
    article = make_article(TEXT, source=source, published=PubDate(dt.date(2022, 1, 6)))
    frame = join.events_frame([ParsedArticle(article, events=tuple(events))])  # type: ignore[arg-type]
    return pd.read_csv(io.StringIO(csv_text(frame)), keep_default_na=False, dtype=str)


def one_row(place: Place = ALMATY, **fields: object) -> dict[str, str]:
    article = make_article(TEXT)
    return dict(csv_rows(make_event(article, place, **fields)).iloc[0])


def test_csv_has_acleds_31_columns_in_acleds_order_then_geomaps() -> None:
    columns = list(csv_rows().columns)
    assert len(ACLED_COLUMNS) == 31
    assert columns[:31] == ACLED_COLUMNS
    assert {"country_code", "evidence", "place_id", "injured"} <= set(columns[31:])


def test_iso_is_the_numeric_country_code_and_region_is_acleds() -> None:
    row = one_row()
    assert row["iso"] == "398"
    assert row["region"] == "Caucasus and Central Asia"
    assert row["country"] == "Kazakhstan"
    assert row["country_code"] == "KZ"


def test_actor_types_and_interaction_follow_acleds_codes() -> None:
    row = one_row(actor1="Police forces", actor2="Protesters")
    assert (row["inter1"], row["inter2"], row["interaction"]) == ("1", "6", "16")
    alone = one_row(actor1="Protesters")
    assert (alone["inter1"], alone["inter2"], alone["interaction"]) == ("6", "", "60")
    unknown = one_row(actor1="Somebody")
    assert unknown["inter1"] == "" and unknown["interaction"] == ""


def test_civilian_targeting_is_marked_only_when_civilians_are_the_target() -> None:
    assert one_row(actor1="Rioters", actor2="Civilians")["civilian_targeting"] == (
        "Civilian targeting"
    )
    assert one_row(actor1="Rioters", actor2="Police forces")["civilian_targeting"] == ""


def test_a_protest_is_tagged_with_its_crowd_size_or_no_report() -> None:
    assert one_row()["tags"] == "crowd size=no report"
    sized = one_row(crowd_size=3000, qualifiers=(("crowd_size", "about"),))
    assert sized["tags"] == "crowd size=about 3000"
    other = one_row(event_type="Strategic developments", sub_event_type="Other")
    assert other["tags"] == ""


def test_fatalities_stay_empty_unless_the_text_gives_a_figure() -> None:
    assert one_row()["fatalities"] == ""  # not 0: the text said nothing about deaths
    assert one_row(fatalities=3)["fatalities"] == "3"


def test_timestamp_is_midnight_utc_of_the_publication_day() -> None:
    expected = int(dt.datetime(2022, 1, 6, tzinfo=dt.UTC).timestamp())
    assert int(one_row()["timestamp"]) == expected
    undated = make_article(TEXT)
    frame = join.events_frame([ParsedArticle(undated, events=(make_event(undated, ALMATY),))])
    assert pd.isna(frame["timestamp"][0])


def test_notes_are_one_line_naming_when_where_who_and_figures() -> None:
    row = one_row(actor1="Police forces", arrested=12, notes="")
    notes = row["notes"]
    assert "\n" not in notes
    assert notes.startswith("On 2022-01-05, Almaty:")
    assert "Police forces" in notes and "12 detained" in notes


def test_a_region_is_its_own_admin1_and_a_geonames_code_is_never_written() -> None:
    region = Place("iso3166-2:KZ-19", "Almaty Region", "region", "KZ", 45.0, 78.0, admin1="02")
    assert one_row(place=region)["admin1"] == "Almaty Region"
    coded = Place("geonames:1", "Town", "city", "KZ", 45.0, 78.0, admin1="02")
    assert one_row(place=coded)["admin1"] == ""
    assert one_row(place=KAZAKHSTAN)["admin1"] == ""


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("/home/someone/private/notes/a.txt", "a.txt"),
        ("relative/dir/b.html", "b.html"),
        ("-", "stdin"),
        ("https://news.example/story?id=4", "https://news.example/story?id=4"),
        ("https://user:secret@news.example/x", "https://news.example/x"),
    ],
)
def test_a_source_shows_the_url_or_only_the_file_name(source: str, shown: str) -> None:
    assert acled.public_source(source) == shown
    assert shown_source(stored_source(source)) == shown


def test_files_of_one_name_in_two_folders_are_stored_apart_without_the_folders() -> None:
    first, second = stored_source("/a/x/story.txt"), stored_source("/b/y/story.txt")
    assert first != second
    assert "/a/x" not in first and "/b/y" not in second
    assert stored_source("/a/x/story.txt") == first


def test_every_country_acled_places_is_a_real_iso_code() -> None:
    import pycountry

    for code in acled.REGIONS:
        if code != "XK":  # Kosovo: ACLED's own code, not in ISO 3166-1
            assert pycountry.countries.get(alpha_2=code) is not None, code
