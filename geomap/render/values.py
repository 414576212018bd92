"""How a cell reads on the map: counts with separators and qualifier, dates by precision."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from geomap.serialize import COUNT_COLUMNS

#: Labels of the columns shown in popups.
LABELS = {
    "event_type": "Event type",
    "sub_event_type": "Sub-event type",
    "event_date": "Date",
    "location": "Location",
    "actor1": "Actor 1",
    "assoc_actor_1": "Associated actor",
    "actor2": "Actor 2",
    "fatalities": "Killed",
    "injured": "Injured",
    "arrested": "Detained",
    "troops": "Troops",
    "military_vehicles": "Military vehicles",
    "buildings_damaged": "Buildings attacked",
    "vehicles_damaged": "Vehicles attacked",
    "crowd_size": "Crowd",
    "notes": "Notes",
    "source": "Source",
    "source_count": "Sources",
    "actor": "Actor",
    "origin": "From",
    "destination": "To",
    "country": "Country",
    "evidence": "Evidence",
}
COUNTS = frozenset(COUNT_COLUMNS)


def display_value(row: dict[str, Any], field: str) -> str | None:
    """A cell as a person reads it: counts with separators and qualifier, dates by precision."""
    value = row.get(field)
    if absent(value):
        return None
    if field in COUNTS:
        return count_label(value, qualifiers(row.get("qualifiers")).get(field, ""))
    if field == "event_date":
        return date_label(str(value), row.get("time_precision"))
    return str(value)


def count_label(value: Any, qualifier: str) -> str:
    """*over 2,000*: a count with its separators after its qualifier."""
    return f"{qualifier} {int(value):,}".strip()


def radius_for(value: float | None, *, smallest: float, largest: float) -> float:
    """Marker radius in pixels: grows with the logarithm of the count, up to 100,000."""
    if value is None or value <= 0:
        return smallest
    share = min(1.0, math.log10(1 + value) / 5)
    return round(smallest + (largest - smallest) * share, 1)


def absent(value: Any) -> bool:
    """Whether a cell holds nothing (``None``, NA or NaN)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def qualifiers(raw: Any) -> dict[str, str]:
    """The ``qualifiers`` cell (JSON of count column → *over*, *about*...) as a dict."""
    if not raw or not isinstance(raw, str):
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def date_label(date: str, precision: Any) -> str:
    """A date as its precision allows: *2022-01*, *week of 2022-01-03* or the day."""
    if precision is not None and precision is not pd.NA and int(precision) == 3:
        return date[:7]
    if precision is not None and precision is not pd.NA and int(precision) == 2:
        return f"week of {date}"
    return date
