"""CSV for spreadsheets: no cell an article or a file name supplies can run as a formula.

Issue 14: evidence or a source beginning with ``=``, ``+``, ``-`` or ``@`` (``=HYPERLINK(...)``)
landed as is in ``events.csv``, and spreadsheets execute it. OWASP's advice is followed: such
text cells get a leading ``'``; numbers, GeoJSON and the store keep the values unchanged.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from geomap import join
from geomap.export import FORMULA_STARTS, csv_text, geojson_text
from geomap.geocode import OfflineGazetteer
from geomap.ingest import article_from_bytes
from geomap.pipeline import parse_article

PAYLOADS = [
    '=HYPERLINK("http://127.0.0.1/x","open")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
TEXT = (
    "Police said 40 people were detained in Almaty on Thursday after the square was cleared. "
    "Troops were later seen near the airport."
)


def _source(payload: str) -> str:
    """The payload as a file name (outputs show a local file by its name, which holds no /)."""
    return payload.replace("/", "-") + ".txt"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture(scope="module")
def frames() -> dict[str, object]:
    geocoder = OfflineGazetteer()
    found = {}
    for payload in PAYLOADS:
        article = article_from_bytes(TEXT.encode(), source=_source(payload))
        found[payload] = join.events_frame([parse_article(article, geocoder=geocoder)])
    return found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_source_that_a_spreadsheet_would_run_is_prefixed_in_csv(
    frames: dict[str, object], payload: str
) -> None:
    frame = frames[payload]
    rows = _rows(csv_text(frame))  # type: ignore[arg-type]
    assert len(rows) == len(frame) > 0  # type: ignore[arg-type]
    for row in rows:
        assert row["source"] == "'" + _source(payload).replace("\r", "\n")
        assert not any(value.startswith(FORMULA_STARTS) for value in row.values())


def test_a_carriage_return_inside_a_cell_cannot_start_a_row_with_a_formula() -> None:
    import pandas as pd

    text = csv_text(pd.DataFrame({"source": ["a.txt\r=1+1", "b.txt"], "n": [1, 2]}))
    assert "\r" not in text  # unquoted, a spreadsheet starts a row there: "=1+1" would run
    assert '"a.txt\n=1+1"' in text  # quoted, the line feed stays inside the cell
    assert [r["source"] for r in _rows(text)] == ["a.txt\n=1+1", "b.txt"]


def test_numbers_keep_their_sign_and_plain_text_is_unchanged() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {"longitude": [-58.38, 76.92], "fatalities": [-0, 3], "notes": ["-", "Calm - for now"]}
    )
    rows = _rows(csv_text(frame))
    assert [r["longitude"] for r in rows] == ["-58.38", "76.92"]
    assert [r["notes"] for r in rows] == ["'-", "Calm - for now"]


def test_evidence_that_starts_a_formula_is_prefixed_but_geojson_keeps_it(
    frames: dict[str, object],
) -> None:
    import pandas as pd

    frame: pd.DataFrame = frames[PAYLOADS[0]].copy()  # type: ignore[attr-defined]
    frame["evidence"] = "=1+1"
    assert {r["evidence"] for r in _rows(csv_text(frame))} == {"'=1+1"}
    features = json.loads(geojson_text(frame, id_column="event_id_cnty"))["features"]
    assert {f["properties"]["evidence"] for f in features} == {"=1+1"}
    assert {f["properties"]["source"] for f in features} == {_source(PAYLOADS[0])}


def test_the_raw_csv_is_still_available_when_asked_for(frames: dict[str, object]) -> None:
    rows = _rows(csv_text(frames[PAYLOADS[0]], formula_safe=False))  # type: ignore[arg-type]
    assert {r["source"] for r in rows} == {_source(PAYLOADS[0])}
