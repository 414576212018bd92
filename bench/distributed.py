"""``geomap build --workers N`` against a build in one process: speed-up and identical stores.

Writes N short generated articles (our own template sentences: a town, a figure, a date) into a
temporary folder, then builds the folder in a fresh child process per mode: in one process
(no Dask), and with ``--workers`` 1 and 2 (a Dask LocalCluster of worker processes). Each child
prints the wall-clock seconds of the whole build and of its parse step, its own CPU seconds and
those of its worker processes (counted when they have exited), and the machine's load average
at the start and end. The stores and outputs of every mode are then compared with the one-process
build's: they must be identical.

On a shared machine the wall-clock figures depend on what else runs; the load averages say how
busy it was. The speed-up is the one-process build's wall-clock time over the mode's.

``--phases`` also prints, for each mode, the CPU seconds (and wall-clock seconds) of the build
process in each step of :data:`PHASES`: what the one writer does after the last article is
parsed (merging, outputs, the store), and what it does while the workers parse (``rows.add``,
``draft.append``: a new store written as the rows come).

Run from the checkout root:
``python -m bench.distributed [--sizes 10000 100000] [--workers 1 2] [--phases] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from geomap.cli import PROCESS_ENVIRONMENT

TOWNS = (
    "Kyzylorda",
    "Pavlodar",
    "Semey",
    "Turkestan",
    "Zhanaozen",
    "Ekibastuz",
    "Petropavl",
    "Taldykorgan",
    "Aktau",
    "Temirtau",
)
SENTENCES = (
    "Security forces fired tear gas at {n} demonstrators outside the town hall in {town}.",
    "{n} people were arrested after clashes near the main square of {town}.",
    "Officials in {town} said {n} shops were looted during the night.",
    "A crowd of roughly {n} marched through {town} demanding lower gas prices.",
    "Hospital staff in {town} treated {n} injured people after the unrest.",
    "Soldiers sealed off the railway station in {town} as {n} protesters gathered.",
)
OUTPUTS = ("events.geojson", "flows.geojson", "events.csv", "map.html")
#: The steps of a build whose CPU seconds in the build process ``--phases`` prints: (module,
#: attribute, label). Nested steps are counted in each (``whole`` holds ``merge_reports`` and
#: ``outputs``, which holds ``map`` ...). ``draft.append`` happens while the workers parse.
PHASES = (
    ("geomap.distributed", "StoreRows.add", "rows.add"),
    ("geomap.distributed", "StoreRows.contents", "rows.contents"),
    ("geomap.store.contents", "StoreContents.of", "rows.of"),
    ("geomap.outputs", "whole", "whole"),
    ("geomap.join", "merge_reports", "merge_reports"),
    ("geomap.join", "merge_flows", "merge_flows"),
    ("geomap.outputs", "_write", "outputs"),
    ("geomap.render", "render_map", "map"),
    ("geomap.outputs", "_write_rows", "geojson+csv"),
    ("geomap.outputs", "keep", "keep"),
    ("geomap.store.gpkg", "write", "gpkg.write"),
    ("geomap.store.gpkg", "Draft._append", "draft.append"),
    ("geomap.store.gpkg", "Draft.finish", "draft.finish"),
    ("geomap.pipeline", "_import_outputs", "imports"),
    ("geomap.store.gpkg", "plan", "plan"),
    ("geomap.pipeline", "_summary", "summary"),
    ("geomap.pipeline", "_stamp_outputs", "stamp"),
)


def write_articles(folder: Path, count: int, *, seed: int = 11) -> int:
    """``count`` short dated articles of one or two sentences; returns their size in bytes."""
    rng = random.Random(seed)
    size = 0
    for i in range(count):
        lines = [
            rng.choice(SENTENCES).format(n=rng.randrange(2, 2000), town=rng.choice(TOWNS))
            for _ in range(rng.choice((1, 1, 2)))
        ]
        body = f"date 2022-01-{1 + i % 28:02d}\n\n{' '.join(lines)} Bulletin {i}.\n"
        (folder / f"b{i:06d}.txt").write_text(body, encoding="utf-8")
        size += len(body.encode())
    return size


def _timed_phases() -> dict[str, list[float]]:
    """Wrap the functions of :data:`PHASES` so that each adds its CPU and wall-clock seconds
    (and calls) to the dict returned, by label."""
    import functools
    import importlib

    phases: dict[str, list[float]] = {}
    for module_name, attribute, label in PHASES:
        holder: Any = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            holder = getattr(holder, part)
        raw = holder.__dict__[name] if isinstance(holder, type) else getattr(holder, name)
        function = raw.__func__ if isinstance(raw, classmethod) else raw
        totals = phases.setdefault(label, [0.0, 0.0, 0])

        def timed(*args: Any, _f: Any = function, _t: list[float] = totals, **kwargs: Any) -> Any:
            began, cpu = time.perf_counter(), time.process_time()
            try:
                return _f(*args, **kwargs)
            finally:
                _t[0] += time.process_time() - cpu
                _t[1] += time.perf_counter() - began
                _t[2] += 1

        wrapped = functools.wraps(function)(timed)
        setattr(holder, name, classmethod(wrapped) if isinstance(raw, classmethod) else wrapped)
    return phases


def child(folder: str, out: str, workers: int) -> None:
    """Build the folder (``workers`` 0: in this process) and print figures as JSON."""
    from geomap import pipeline
    from geomap.geocode import get_geocoder
    from geomap.ingest import IngestOptions, expand_sources
    from geomap.layers import load_layers
    from geomap.settings import Settings

    cluster = None
    if workers:
        from geomap.distributed import ClusterOptions

        cluster = ClusterOptions(workers=workers)
    timed: dict[str, float] = {}
    real_iter_parsed = pipeline.iter_parsed

    def iter_parsed(*args: Any, **kwargs: Any) -> Iterator[Any]:
        """The parse step's own time: until the last result has come and been taken in
        (with Dask, the build takes each result in while the workers parse the next)."""
        began, cpu = time.perf_counter(), time.process_time()
        try:
            yield from real_iter_parsed(*args, **kwargs)
        finally:
            timed["parse"] = time.perf_counter() - began
            timed["parse_cpu"] = time.process_time() - cpu

    pipeline.iter_parsed = iter_parsed  # type: ignore[assignment]
    phases = _timed_phases()
    geocoder = get_geocoder("offline")
    geocoder.gazetteer.lookup("almaty")  # open the index before the clock starts
    load_start = os.getloadavg()[0]
    began, cpu = time.perf_counter(), time.process_time()
    report = pipeline.build(
        expand_sources([folder]),
        settings=Settings.load(out_dir=out),
        geocoder=geocoder,
        options=IngestOptions(),
        specs=load_layers(),
        cluster=cluster,
    )
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    workers_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = {
        "seconds": seconds,
        "parse_seconds": timed["parse"],
        "cpu": cpu,
        "parse_cpu": timed["parse_cpu"],
        "workers": workers,
        "workers_cpu": workers_cpu.ru_utime + workers_cpu.ru_stime,
        "articles": report.articles,
        "load": [load_start, os.getloadavg()[0]],
        "phases": phases,
    }
    print(json.dumps(figures))


def _build(folder: Path, out: Path, workers: int) -> dict[str, Any]:
    # the environment geomap's command line gives its own process
    env = {**PROCESS_ENVIRONMENT, **os.environ, "PYTHONPATH": str(Path.cwd())}
    result = subprocess.run(
        [sys.executable, "-m", "bench.distributed", "--child", str(folder), str(out), str(workers)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"the build with --workers {workers} failed:\n{result.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def critical_cpu(figures: dict[str, Any], *, cores: int) -> float:
    """The wall-clock seconds the build's CPU seconds allow on ``cores`` idle cores: the
    client's work after parsing, plus the longest of its own parse-step work (reading,
    sending, receiving), one worker's share of the workers' work, and all that parse-step
    work spread over the cores."""
    after_parse = figures["cpu"] - figures["parse_cpu"]
    workers = figures["workers"]
    if not workers:
        return float(figures["cpu"])
    parsing = figures["parse_cpu"] + figures["workers_cpu"]
    share = figures["workers_cpu"] / workers
    return float(after_parse + max(figures["parse_cpu"], share, parsing / cores))


def identical(one: Path, other: Path) -> bool:
    """Whether two builds' stores hold the same rows and their outputs the same bytes."""
    import pandas as pd
    from geopandas.testing import assert_geodataframe_equal

    from geomap import store

    first, second = store.read(one / "geomap.gpkg"), store.read(other / "geomap.gpkg")
    try:
        assert_geodataframe_equal(first.events, second.events)
        assert_geodataframe_equal(first.flows, second.flows)
        pd.testing.assert_frame_equal(first.articles, second.articles)
    except AssertionError:
        return False
    return all(filecmp.cmp(one / name, other / name, shallow=False) for name in OUTPUTS)


def _print_phases(rows: list[tuple[str, dict[str, Any], bool]]) -> None:
    """Each mode's CPU seconds (wall-clock in brackets) per step of :data:`PHASES`."""
    print("  steps of the build process, CPU s (wall-clock s):")
    for mode, figures, _same in rows:
        steps = "  ".join(
            f"{label} {cpu:.2f} ({wall:.2f})"
            for label, (cpu, wall, calls) in figures["phases"].items()
            if calls
        )
        print(f"  {mode:>12}: {steps}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--phases", action="store_true", help="print the build process's CPU seconds per step"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="build each mode this many times; print medians"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    cores = os.cpu_count() or 1
    print(
        f"CPUs: {cores}. seconds: wall-clock; CPU s: the build process's; workers CPU"
        " s: all its worker processes'; after parse: the build process's CPU s after parsing;"
        " critical CPU s: the client's CPU after parsing plus the"
        " longest of its parse-step CPU, one worker's share and all parse-step CPU over the"
        " cores (the wall-clock time on idle cores); CPU speed-up: the 1-process CPU over it"
    )
    print(
        f"{'articles':>9}{'mode':>12}{'seconds':>9}{'parse s':>9}{'speed-up':>9}"
        f"{'CPU s':>8}{'after parse':>12}{'workers CPU s':>14}{'critical CPU s':>15}"
        f"{'CPU speed-up':>13}"
        f"{'load':>10}{'identical':>10}"
    )
    for count in args.sizes:
        with tempfile.TemporaryDirectory(prefix="geomap-dask-") as tmp:
            folder = Path(tmp, "articles")
            folder.mkdir()
            write_articles(folder, count)
            speed_ups: dict[str, list[float]] = {}
            for number in range(args.rounds):
                rows = _round(folder, Path(tmp, f"round{number}"), args.workers, turn=number)
                _print_rows(rows, cores=cores)
                if args.phases:
                    _print_phases(rows)
                base = rows[0][1]["seconds"]
                for mode, figures, _same in rows:
                    speed_ups.setdefault(mode, []).append(base / figures["seconds"])
            if args.rounds > 1:
                _print_medians(speed_ups)


def _round(
    folder: Path, out: Path, workers: list[int], *, turn: int
) -> list[tuple[str, dict[str, Any], bool]]:
    """One build of the folder in each mode (the order reversed every other ``turn``, so that
    a machine slowing down or speeding up favours no mode), compared with the one-process
    build's; their outputs are removed after."""
    modes = [0, *workers] if turn % 2 == 0 else [*reversed(workers), 0]
    out.mkdir()
    built = {mode: _build(folder, out / f"w{mode}", mode) for mode in modes}
    rows = [("1 process", built[0], True)]
    rows += [(f"{n} workers", built[n], identical(out / "w0", out / f"w{n}")) for n in workers]
    shutil.rmtree(out)
    return rows


def _print_rows(rows: list[tuple[str, dict[str, Any], bool]], *, cores: int) -> None:
    base = rows[0][1]
    for mode, figures, same in rows:
        load = "{:.1f}-{:.1f}".format(*figures["load"])
        print(
            f"{figures['articles']:>9,}{mode:>12}{figures['seconds']:>9.1f}"
            f"{figures['parse_seconds']:>9.1f}{base['seconds'] / figures['seconds']:>8.2f}x"
            f"{figures['cpu']:>8.1f}{figures['cpu'] - figures['parse_cpu']:>12.1f}"
            f"{figures['workers_cpu']:>14.1f}"
            f"{critical_cpu(figures, cores=cores):>15.1f}"
            f"{critical_cpu(base, cores=cores) / critical_cpu(figures, cores=cores):>12.2f}x"
            f"{load:>10}"
            f"{'yes' if same else 'NO':>10}",
            flush=True,
        )


def _print_medians(speed_ups: dict[str, list[float]]) -> None:
    """Each Dask mode's median speed-up over the rounds, against one process and, for the
    others, against the first Dask mode (each round's builds divided, then the median)."""
    _, first, *others = speed_ups  # the modes, one process first
    print(f"  median of {len(speed_ups[first])} rounds:")
    for mode in (first, *others):
        against = ""
        if mode != first:
            ratios = [
                mine / theirs
                for mine, theirs in zip(speed_ups[mode], speed_ups[first], strict=True)
            ]
            against = f", {statistics.median(ratios):.2f}x against {first}"
        print(
            f"  {mode:>12}: {statistics.median(speed_ups[mode]):.2f}x against 1 process"
            f" (rounds: {', '.join(f'{x:.2f}' for x in speed_ups[mode])}){against}",
            flush=True,
        )


if __name__ == "__main__":
    main()
