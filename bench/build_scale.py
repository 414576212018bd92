"""``geomap build`` on many tiny articles: time and peak memory at growing sizes.

Writes N short articles (our own template sentences, a town and a count each) into a temporary
folder and runs the whole build (ingest, extract, geocode, join, store, map and exports) on the
folder, in a fresh child process per size so each peak RSS is that size's own. A build that
grows quadratically shows as a time ratio far above the size ratio.

``--add-one`` measures what issue 12 asks instead: adding one new article to stores that
already hold 0, 1,000, 10,000 and 100,000 articles (one event report each). The stores are
made from 32 parsed prototypes (each template at each town) copied under new article ids and
dates, written once by ``geomap.store.write`` and rendered once by ``geomap render`` (as a
store in use has its outputs and merged events); each child process then runs the whole build
of the one new article against its own copy of a store and prints the CPU time of the build
(``time.process_time``, so other work on the machine does not count) and its peak RSS (the
kernel's ``VmHWM``: ``ru_maxrss`` would count the memory of the bench that started it).
Target: every size within 1.5x of the empty store's time and peak RSS. The stores are made
first, then each size's build runs in turn (on its own copy of the store and outputs), so a
change in the machine's load hits every size alike; ``--repeat N`` runs that round N times
and prints the median of each figure: on a machine shared with other work one run's CPU time
can be a third above another's for the same work.

Run from the checkout root: ``python -m bench.build_scale [--sizes 1000 10000 100000]``
or ``python -m bench.build_scale --add-one [--sizes 0 1000 10000 100000] [--repeat 5]``
"""

from __future__ import annotations

import argparse
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
from pathlib import Path

TOWNS = ("Almaty", "Aktobe", "Shymkent", "Karaganda", "Taraz", "Oral", "Atyrau", "Kostanay")
TEMPLATES = (
    "Police detained at least {n} protesters in {town} on Tuesday.",
    "Riots in {town} left {n} people injured, officials said.",
    "About {n} people gathered in the centre of {town} to protest fuel prices.",
    "Rioters set fire to {n} cars in {town} overnight.",
)


def write_articles(folder: Path, count: int, *, seed: int = 3) -> int:
    """``count`` tiny dated articles; returns their total size in bytes."""
    rng = random.Random(seed)
    size = 0
    for i in range(count):
        text = rng.choice(TEMPLATES).format(n=rng.randrange(2, 900), town=rng.choice(TOWNS))
        body = f"date 2022-01-{1 + i % 28:02d}\n\n{text} Report {i}.\n"
        (folder / f"a{i:06d}.txt").write_text(body, encoding="utf-8")
        size += len(body.encode())
    return size


def child(folder: str, out: str) -> None:
    """Build the folder and print seconds and peak RSS as JSON (runs in its own process)."""
    from geomap.geocode import get_geocoder
    from geomap.ingest import IngestOptions, expand_sources
    from geomap.layers import load_layers
    from geomap.pipeline import build
    from geomap.settings import Settings

    began = time.perf_counter()
    settings = Settings.load(out_dir=out)
    report = build(
        expand_sources([folder]),
        settings=settings,
        geocoder=get_geocoder("offline"),
        options=IngestOptions(),
        specs=load_layers(),
    )
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb(), "articles": report.articles}))


def peak_mb() -> float:
    """This process's peak RSS in MB: the kernel's high-water mark of its own memory.

    Not ``ru_maxrss``: on Linux that keeps the parent's RSS at the fork before ``exec``, so
    a child started by a bench that holds a big store would report the bench's memory.
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def base_store(path: Path, count: int) -> None:
    """A store of ``count`` one-report articles, copied from parsed prototypes."""
    import datetime as dt
    from dataclasses import replace

    from geomap import store
    from geomap.pipeline import parse
    from geomap.records import Article, ParsedArticle

    with tempfile.TemporaryDirectory(prefix="geomap-proto-") as tmp:
        prototypes = []
        for t, template in enumerate(TEMPLATES):
            for town in TOWNS:
                source = Path(tmp, f"p{t}{town}.txt")
                text = template.format(n=10 + t, town=town)
                source.write_text(f"date 2022-01-03\n\n{text}\n", encoding="utf-8")
                prototypes.append(parse(str(source)))
    copies = []
    for i in range(count):
        proto = prototypes[i % len(prototypes)]
        ident = f"{i:016x}"
        article = Article(
            ident,
            f"https://bench.example/{i}",
            None,
            proto.article.published,
            "en",
            proto.article.text,
        )
        day = dt.date(2022, 1, 1 + i % 28)
        events = tuple(replace(e, article_id=ident, date=day) for e in proto.events)
        flows = tuple(replace(f, article_id=ident) for f in proto.flows)
        copies.append(ParsedArticle(article, mentions=proto.mentions, events=events, flows=flows))
    store.write(path, store.StoreContents.of(copies))


def add_one_child(article: str, out: str) -> None:
    """Build one article into the store in ``out``; print CPU seconds and peak RSS as JSON."""
    from geomap.geocode import get_geocoder
    from geomap.ingest import IngestOptions
    from geomap.layers import load_layers
    from geomap.pipeline import build
    from geomap.settings import Settings

    began, wall = time.process_time(), time.perf_counter()
    settings = Settings.load(out_dir=out)
    report = build(
        [article],
        settings=settings,
        geocoder=get_geocoder("offline"),
        options=IngestOptions(),
        specs=load_layers(),
    )
    cpu, seconds = time.process_time() - began, time.perf_counter() - wall
    peak = peak_mb()
    print(
        json.dumps({"cpu": cpu, "seconds": seconds, "peak_mb": peak, "articles": report.articles})
    )


def add_one(sizes: list[int], env: dict[str, str], *, repeat: int = 1) -> None:
    """Time adding one article to stores of each size (see the module's docstring)."""
    with tempfile.TemporaryDirectory(prefix="geomap-addone-") as tmp:
        article = Path(tmp, "new.txt")
        article.write_text(
            "date 2022-02-01\n\nRiots in Taraz left 12 people injured, officials said.\n",
            encoding="utf-8",
        )
        made = {count: _store_in_use(Path(tmp, f"made{count}"), count, env) for count in sizes}
        runs: dict[int, list[dict[str, float]]] = {count: [] for count in sizes}
        for run in range(repeat):  # a run of every size in turn: the machine's load hits all
            for count in sizes:
                out = Path(tmp, f"out{count}-{run}")
                shutil.copytree(made[count], out)  # with the files' times the kept stamps hold
                result = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "bench.build_scale",
                        "--add-one-child",
                        str(article),
                        str(out),
                    ],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                runs[count].append(json.loads(result.stdout.strip().splitlines()[-1]))
                shutil.rmtree(out)
    print(f"{'stored':>9}{'CPU s':>8}{'wall s':>8}{'peak RSS MB':>13}{'x CPU':>7}{'x RSS':>7}")
    first: dict[str, float] = {}
    for count in sizes:
        figures = {
            key: statistics.median(run[key] for run in runs[count])
            for key in ("cpu", "seconds", "peak_mb")
        }
        first = first or figures
        print(
            f"{count:>9,}{figures['cpu']:>8.2f}{figures['seconds']:>8.2f}{figures['peak_mb']:>13.0f}"
            f"{figures['cpu'] / first['cpu']:>7.2f}{figures['peak_mb'] / first['peak_mb']:>7.2f}"
        )
    print("target: every size within 1.5x of the empty store (x CPU, x RSS <= 1.5)")


def _store_in_use(folder: Path, count: int, env: dict[str, str]) -> Path:
    """An output folder with a store of ``count`` articles and the outputs a store in use
    has (and the merged events kept), as ``geomap render`` leaves them."""
    folder.mkdir()
    if count:
        base_store(folder / "geomap.gpkg", count)
        subprocess.run(
            [sys.executable, "-m", "geomap", "render", "--out", str(folder)],
            capture_output=True,
            env=env,
            check=True,
        )
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--add-one", action="store_true", help="add 1 article to stores of N")
    parser.add_argument(
        "--repeat", type=int, default=1, help="with --add-one: builds per size (median printed)"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--add-one-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return
    if args.add_one_child:
        add_one_child(*args.add_one_child)
        return
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    if args.add_one:
        add_one(args.sizes or [0, 1_000, 10_000, 100_000], env, repeat=max(1, args.repeat))
        return
    args.sizes = args.sizes or [1_000, 10_000]
    print(f"{'articles':>9}{'MB':>7}{'seconds':>10}{'articles/s':>12}{'peak RSS MB':>13}")
    for count in args.sizes:
        with tempfile.TemporaryDirectory(prefix="geomap-scale-") as tmp:
            folder = Path(tmp, "articles")
            folder.mkdir()
            size = write_articles(folder, count)
            result = subprocess.run(
                [sys.executable, "-m", "bench.build_scale", "--child", str(folder), f"{tmp}/out"],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            figures = json.loads(result.stdout.strip().splitlines()[-1])
        seconds = figures["seconds"]
        print(
            f"{figures['articles']:>9,}{size / 1e6:>7.1f}{seconds:>10.1f}"
            f"{count / seconds:>12.0f}{figures['peak_mb']:>13.0f}"
        )


if __name__ == "__main__":
    main()
