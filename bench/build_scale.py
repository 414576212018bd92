"""``geomap build`` on many tiny articles: time and peak memory at growing sizes.

Writes N short articles (our own template sentences, a town and a count each) into a temporary
folder and runs the whole build (ingest, extract, geocode, join, store, map and exports) on the
folder, in a fresh child process per size so each peak RSS is that size's own. A build that
grows quadratically shows as a time ratio far above the size ratio.

Run from the checkout root: ``python -m bench.build_scale [--sizes 1000 10000 100000]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "articles": report.articles}))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
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
