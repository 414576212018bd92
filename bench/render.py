"""Map generation at scale: geomap's data-driven renderer against one folium.Marker per event.

Builds synthetic events (random towns' coordinates, event types, counts and an evidence
sentence each), turns them into the events frame through geomap.join, and prints generation
time, HTML size and peak memory for 10,000 and 100,000 events. In the same run, the naive
approach (one ``folium.Marker`` with a ``Popup`` per event) for 10,000 events.

Targets (issue 4): 100,000 events in ≤ 5 s and ≤ 30 MB of HTML.

Run: ``python bench/render.py [--sizes 10000 100000] [--naive 10000]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import time
from collections.abc import Callable
from typing import Any

import folium

from geomap.join import events_frame, flows_frame
from geomap.layers import load_layers
from geomap.records import DAY, Article, EventFact, ParsedArticle, Place
from geomap.render import MapOptions, render_map

TYPES = (
    ("Protests", "Peaceful protest", "Demonstrations", "incidents"),
    ("Riots", "Violent demonstration", "Demonstrations", "incidents"),
    ("Violence against civilians", "Attack", "Political violence", "incidents"),
    (
        "Strategic developments",
        "Looting/property destruction",
        "Strategic developments",
        "incidents",
    ),
    ("Strategic developments", "Arrests", "Strategic developments", "incidents"),
)
WORDS = "protesters gathered in the square as police detained dozens and shops were burned".split()


def synthetic(count: int, *, seed: int = 7) -> ParsedArticle:
    """``count`` events at random points on land-ish latitudes, spread over 60 days."""
    rng = random.Random(seed)
    start = dt.date(2022, 1, 1)
    article = Article("bench", "bench://synthetic", "synthetic", None, "en", "")
    events = []
    for i in range(count):
        event_type, sub, disorder, layer = rng.choice(TYPES)
        lat, lon = rng.uniform(-40, 60), rng.uniform(-120, 140)
        place = Place(f"bench:{i}", f"Town {i}", "city", "XX", lat, lon)
        sentence = " ".join(rng.choice(WORDS) for _ in range(18)).capitalize() + "."
        events.append(
            EventFact(
                article_id=f"a{i // 10}",
                event_type=event_type,
                sub_event_type=sub,
                disorder_type=disorder,
                place=place,
                geo_precision=1,
                evidence=sentence,
                evidence_start=i,
                evidence_end=i + len(sentence),
                date=start + dt.timedelta(days=rng.randrange(60)),
                time_precision=DAY,
                actor1="Protesters",
                fatalities=rng.choice([None, None, rng.randrange(1, 300)]),
                arrested=rng.choice([None, rng.randrange(1, 5000)]),
                layer=layer,
            )
        )
    return ParsedArticle(article=article, events=tuple(events))


def measure(run: Callable[[], str]) -> tuple[float, int, float]:
    """Seconds, bytes of HTML, and the process's peak RSS (MB) so far."""
    began = time.perf_counter()
    page = run()
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return seconds, len(page.encode("utf-8")), peak


def geomap_map(parsed: ParsedArticle) -> Callable[[], str]:
    """geomap's renderer on the events frame (what ``geomap render`` does after the store)."""
    specs = load_layers()
    began = time.perf_counter()
    events, flows = events_frame([parsed]), flows_frame([parsed])
    print(f"  (join of {len(events):,} events into the frame: {time.perf_counter() - began:.2f} s)")

    def run() -> str:
        return render_map(events, flows, specs, options=MapOptions(self_contained=True))

    return run


def naive_map(parsed: ParsedArticle) -> Callable[[], str]:
    """One folium.Marker with a Popup per event, as most folium examples do."""

    def run() -> str:
        fmap = folium.Map(location=(20, 10), zoom_start=2)
        for event in parsed.events:
            folium.Marker(
                (event.place.latitude, event.place.longitude),
                popup=folium.Popup(event.evidence),
                tooltip=event.place.name,
            ).add_to(fmap)
        return str(fmap.get_root().render())

    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--naive", type=int, default=10_000)
    args = parser.parse_args(argv)
    print(f"{'renderer':<28}{'events':>9}{'seconds':>10}{'HTML MB':>10}{'peak RSS MB':>13}")
    rows: list[tuple[str, int, Any]] = [
        ("geomap render_map", n, geomap_map(synthetic(n))) for n in args.sizes
    ]
    if args.naive:
        rows.append(("naive folium.Marker+Popup", args.naive, naive_map(synthetic(args.naive))))
    for name, count, run in rows:
        seconds, size, peak = measure(run)
        print(f"{name:<28}{count:>9,}{seconds:>10.2f}{size / 1e6:>10.1f}{peak:>13.0f}")
    print("target: 100,000 events in ≤ 5 s and ≤ 30 MB (peak RSS is the process's, cumulative)")
    export_timings(args.sizes)


def export_timings(sizes: list[int]) -> None:
    """CPU seconds of events.geojson and events.csv for the same synthetic events (issue 12:
    GeoJSON of 100,000 events in at most 2 s). CPU time, so other work on the machine does
    not count."""
    from geomap.export import csv_text, geojson_text

    print(f"{'export':<28}{'events':>9}{'CPU s':>10}{'MB':>10}")
    for count in sizes:
        events = events_frame([synthetic(count)])
        for name in ("events.geojson", "events.csv"):
            began = time.process_time()
            text = (
                geojson_text(events, id_column="event_id_cnty")
                if name == "events.geojson"
                else csv_text(events)
            )
            cpu = time.process_time() - began
            print(f"{name:<28}{count:>9,}{cpu:>10.2f}{len(text.encode()) / 1e6:>10.1f}")
    print("target: events.geojson of 100,000 events in ≤ 2 s of CPU")


if __name__ == "__main__":
    main()
