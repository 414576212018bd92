"""The whole-file writer writes Arrow's bytes of the rows as the texts' own UTF-8 would be."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from geomap.export import csv_lines, csv_rows
from geomap.outputs import _arrow_rows, _encoded_rows


@pytest.mark.parametrize("separator", ["", ",\n"])
def test_arrow_rows_are_the_texts_joined_with_their_byte_lengths(separator: str) -> None:
    rows = ["plain", "Zürich – Genève", "", "日本"]
    block, sizes = _arrow_rows(pa.array(rows, type=pa.string()).slice(0), separator)
    expected, expected_sizes = _encoded_rows(rows, separator)
    assert bytes(block) == expected
    assert sizes.tolist() == expected_sizes.tolist() == [len(r.encode()) for r in rows]


def test_arrow_rows_of_a_slice_start_at_the_slice() -> None:
    array = pa.chunked_array([pa.array(["one", "two"]), pa.array(["three"])])
    block, sizes = _arrow_rows(array.slice(1), "\n")
    assert bytes(block) == b"two\nthree"
    assert sizes.tolist() == [3, 5]


def test_csv_lines_are_the_csv_records() -> None:
    frame = pd.DataFrame(
        {
            "a": ["x,y", None, "=1+1", 'say "hi"'],
            "b": [1, None, 3, 4],
            "c": pd.Series([None] * 4, dtype=object),
        }
    )
    frame["b"] = frame["b"].astype("Int64")
    lines = csv_lines(frame)
    assert lines.to_pylist() == csv_rows(frame)
    assert csv_rows(frame)[0] == '"x,y",1,\n'
    assert csv_rows(frame)[2] == "'=1+1,3,\n"


def test_geojson_lines_escape_text_as_json_does() -> None:
    import json

    import geopandas
    import shapely

    from geomap.export import geojson_lines

    texts = ['say "hi"', "back\\slash", "bell\x07 and tab\t", "Zürich\u2028", None, "plain"]
    frame = geopandas.GeoDataFrame(
        {
            "event_id_cnty": [f"e{i}" for i in range(len(texts))],
            "notes": pd.Series(texts, dtype="str"),
            "fatalities": pd.Series([1, None, 3, 4, None, 6], dtype="Int64"),
        },
        geometry=[shapely.Point(1.5, -2.25)] * len(texts),
        crs="EPSG:4326",
    )
    lines = geojson_lines(frame, id_column="event_id_cnty").to_pylist()
    for number, line in enumerate(lines):
        fatalities = frame["fatalities"].iloc[number]
        expected = {
            "type": "Feature",
            "id": f"e{number}",
            "geometry": {"type": "Point", "coordinates": [1.5, -2.25]},
            "properties": {
                "event_id_cnty": f"e{number}",
                "notes": texts[number],
                "fatalities": None if pd.isna(fatalities) else int(fatalities),
            },
        }
        assert line == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))


def _direct_file_or_skip(path: Path) -> Any:
    from geomap.outputs import _DirectFile

    path.touch()
    try:
        return _DirectFile(path)
    except OSError:
        pytest.skip("this file system has no direct writes")


@pytest.mark.parametrize("sizes", [[0], [1], [8191, 1, 8192, 3], [20_000, 5, 40_000]])
def test_a_file_written_past_the_page_cache_holds_the_bytes_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sizes: list[int]
) -> None:
    from geomap.outputs import _DirectFile

    monkeypatch.setattr(_DirectFile, "_SIZE", 8192)  # several buffers' worth in a small test
    path = tmp_path / "rows.txt"
    parts = [bytes((n + i) % 251 for i in range(n)) for n in sizes]
    with _direct_file_or_skip(path) as handle:
        for part in parts:
            handle.write(memoryview(part))
    assert path.read_bytes() == b"".join(parts)


def test_a_refused_direct_write_is_written_as_usual(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from geomap import outputs

    monkeypatch.setattr(outputs._DirectFile, "_SIZE", 4096)
    real_write = os.write
    refused: list[int] = []

    def picky_write(fd: int, data: Any) -> int:
        import fcntl

        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT:
            refused.append(len(data))
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_write(fd, data)

    path = tmp_path / "rows.txt"
    data = bytes(range(256)) * 40
    with _direct_file_or_skip(path) as handle:
        monkeypatch.setattr(os, "write", picky_write)
        handle.write(data)
    assert refused == [4096]
    assert path.read_bytes() == data


def test_geojson_lines_of_no_rows_with_json_text_kept_in_arrow_are_none() -> None:
    import geopandas
    import shapely

    from geomap.export import geojson_lines

    frame = geopandas.GeoDataFrame(
        {
            "event_id_cnty": pd.Series(["e1"], dtype="str"),
            "qualifiers": pd.Series(['{"fatalities":"about"}'], dtype="str"),
        },
        geometry=[shapely.Point(1.5, -2.25)],
        crs="EPSG:4326",
    )
    assert len(geojson_lines(frame.iloc[:0], id_column="event_id_cnty")) == 0
    (line,) = geojson_lines(frame, id_column="event_id_cnty").to_pylist()
    assert '"qualifiers":{"fatalities":"about"}' in line


def test_float_texts_are_pythons_reprs() -> None:
    import math

    import numpy as np

    from geomap.export import float_texts

    awkward = [0.0, -0.0, 1.0, 2.5, -43.2, 1e-4, 9.99e-5, 1e-5, 1e16, 1e15, 123456789012345.0]
    awkward += [5e-324, 1.7976931348623157e308, 0.1 + 0.2, -179.999_999_9, math.inf, math.nan]
    spread = np.random.default_rng(3).standard_normal(2000) * 10.0 ** np.arange(-20, 20).repeat(50)
    numbers = np.asarray(awkward + spread.tolist())
    assert float_texts(numbers).to_pylist() == [repr(float(n)) for n in numbers]


def test_places_are_counted_once_across_events_and_flows() -> None:
    from geomap.outputs import _distinct

    events = pd.Series(["geonames:1", "geonames:2", None, "geonames:1"], dtype="str")
    flows = pd.Series(["geonames:2", "geonames:3"], dtype="str")
    assert _distinct(events, flows) == 4  # 1, 2, 3 and a missing one
    assert _distinct(events, pd.Series([], dtype=object)) == 3
    assert _distinct(events, pd.Series(["geonames:9"], dtype=object)) == 4
    assert _distinct(pd.Series([], dtype=object), pd.Series([], dtype=object)) == 0


def test_text_cells_found_in_one_scan_are_the_formula_safe_cells_quoted() -> None:
    from geomap.export import _csv_cells, _csv_text_cells, _formula_safe_column

    values = ["plain", "", None, "a,b", 'say "hi"', "line\nbreak", "cr\rinside", "\r\n=1+1"]
    values += ["=SUM(A1)", "+1", "-2", "@x", "\tx", "'quoted'", "é, ø", "x\r", "\r"]
    column = pd.Series(values, dtype="str")
    expected = _csv_cells(_formula_safe_column(column)).to_pylist()
    assert _csv_text_cells(column).to_pylist() == expected
    assert expected[6] == '"cr\ninside"' and expected[8] == "'=SUM(A1)"
