"""Map generation at scale: geomap's data-driven renderer against one folium.Marker per event.

Builds synthetic events (random towns' coordinates, event types, counts and an evidence
sentence each), turns them into the events frame through geomap.join, and prints, per size,
the CPU time of :func:`geomap.render.render_map` (``time.process_time``: the machine may be
busy, so wall-clock time says little), the HTML size, the peak RSS while it ran (the
process's high-water mark reset just before, on Linux) and the RSS the frame held before. In
the same run, the naive approach (one ``folium.Marker`` with a ``Popup`` per event) for 10,000
events.

Targets: issue 4, 100,000 events in ≤ 5 s and ≤ 30 MB of HTML; issue 12, the map part of
``geomap render`` at 1,000,000 events well inside its ≤ 40 s CPU and ≤ 3 GiB, and a map file
of ≤ 80 MB.

``--whole N`` measures the whole ``geomap render`` command instead (store read, merged events,
map and the four outputs): the synthetic events are written to a GeoPackage store (one event
per place, ten per article), then ``geomap render`` runs on it in a child process, whose CPU
time (user + system) and peak RSS are printed. Target (issue 12): 1,000,000 events in
≤ 40 s CPU and ≤ 3 GiB.

Run: ``python bench/render.py [--sizes 10000 100000 1000000] [--naive 10000]``
or ``python bench/render.py --whole 1000000 [--phases]``
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

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


def measure(run: Callable[[], str]) -> tuple[float, int, float, float]:
    """CPU seconds, bytes of HTML, peak RSS (MB) while ``run`` ran, and RSS (MB) before it."""
    before = _reset_peak()
    began = time.process_time()
    page = run()
    seconds = time.process_time() - began
    return seconds, len(page.encode("utf-8")), _peak(), before


def _status(field: str) -> float | None:
    """A memory figure of ``/proc/self/status`` in MB (``None`` off Linux)."""
    try:
        text = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else None


def _reset_peak() -> float:
    """Reset the process's RSS high-water mark (Linux); the RSS now, in MB."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    return _status("VmRSS") or 0.0


def _peak() -> float:
    """The RSS high-water mark since :func:`_reset_peak` (Linux), else the process's, in MB."""
    peak = _status("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    parser.add_argument("--whole", type=int, nargs="+", help="time `geomap render` on N events")
    parser.add_argument(
        "--phases", action="store_true", help="with --whole: also the CPU time of each phase"
    )
    args = parser.parse_args(argv)
    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:  # as geomap's CLI runs Arrow
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    if args.whole:
        whole_render(args.whole, phases=args.phases)
        return
    print(
        f"{'renderer':<28}{'events':>10}{'CPU s':>8}{'HTML MB':>9}"
        f"{'peak RSS MB':>13}{'RSS before':>12}"
    )
    # One size at a time, its events made just before and let go after, so that each row's
    # memory is its own.
    rows: list[tuple[str, int, Callable[[ParsedArticle], Callable[[], str]]]] = [
        ("geomap render_map", n, geomap_map) for n in args.sizes
    ]
    if args.naive:
        rows.append(("naive folium.Marker+Popup", args.naive, naive_map))
    for name, count, prepare in rows:
        seconds, size, peak, before = measure(prepare(synthetic(count)))
        print(
            f"{name:<28}{count:>10,}{seconds:>8.2f}{size / 1e6:>9.1f}{peak:>13.0f}{before:>12.0f}"
        )
    print(
        "targets: 100,000 events in ≤ 5 s and ≤ 30 MB; 1,000,000 events: map part of"
        " `geomap render` ≤ 40 s CPU and ≤ 3 GiB with the store read, map file ≤ 80 MB"
    )
    print("(CPU time of render_map; peak RSS while it ran, over the frame's RSS before)")
    export_timings(args.sizes)


#: Run in the child with ``--phases``: ``geomap render`` with its phases timed (CPU user and
#: system seconds of each, printed to standard error).
_PHASES = """
import functools, os, resource, sys
from pathlib import Path
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")  # before Arrow loads, as the CLI
import geomap.cli, geomap.join, geomap.outputs, geomap.render, geomap.store

def timed(module, name):
    function = getattr(module, name)

    @functools.wraps(function)
    def run(*args, **kwargs):
        before = resource.getrusage(resource.RUSAGE_SELF)
        result = function(*args, **kwargs)
        after = resource.getrusage(resource.RUSAGE_SELF)
        label = Path(args[0]).name if name == "_write_rows" else name
        user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
        print(f"phase {label} {user:.2f} {system:.2f}", file=sys.stderr)
        return result

    setattr(module, name, run)

for module, name in [(geomap.store, "read"), (geomap.join, "merge_reports"),
                     (geomap.render, "render_map"), (geomap.outputs, "_write_rows"),
                     (geomap.outputs, "keep")]:
    timed(module, name)
geomap.cli.main(["--quiet", "render", "--out", sys.argv[1]])
"""


def whole_render(sizes: list[int], *, phases: bool = False) -> None:
    """CPU time and peak RSS of the whole ``geomap render`` on stores of the synthetic events
    (with ``phases``, also the CPU time of the store read, the merge, the map, each events
    file and the merged events kept for the next build)."""
    from geomap import store

    print(f"{'geomap render':<16}{'events':>10}{'CPU s':>8}{'peak RSS MB':>13}{'outputs MB':>12}")
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    for count in sizes:
        with tempfile.TemporaryDirectory(prefix="geomap-render-") as tmp:
            out = Path(tmp, "out")
            out.mkdir()
            parsed = synthetic(count)
            store.write(out / "geomap.gpkg", store.StoreContents.of([parsed]))
            del parsed
            command = "[sys.executable, '-m', 'geomap', '--quiet', 'render', '--out', sys.argv[1]]"
            if phases:
                command = "[sys.executable, '-c', sys.argv[2], sys.argv[1]]"
            script = (
                "import resource, subprocess, sys; "
                f"subprocess.run({command}, check=True); "
                "usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
                "print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)"
            )
            result = subprocess.run(  # a fresh process, so the figures are the command's own
                [sys.executable, "-c", script, str(out), _PHASES],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            cpu, peak = (float(v) for v in result.stdout.split())
            size = sum(
                (out / name).stat().st_size
                for name in ("map.html", "events.geojson", "flows.geojson", "events.csv")
            )
        print(f"{'':<16}{count:>10,}{cpu:>8.1f}{peak:>13.0f}{size / 1e6:>12.0f}")
        for line in result.stderr.splitlines():
            if line.startswith("phase "):
                _word, label, user, system = line.split()
                print(
                    f"{'':<18}{label:<24}{float(user):>6.2f} s user {float(system):>6.2f} s system"
                )
    print("target (issue 12): 1,000,000 events in ≤ 40 s CPU and ≤ 3 GiB peak RSS")


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
