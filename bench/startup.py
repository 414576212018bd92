"""How long ``geomap parse`` of one short article takes, against the import floor.

The floor is a Python process that only imports the third-party packages such a parse
imports (read from ``sys.modules`` after a real parse), with nothing of geomap's own work:
what no code of geomap's can go below. Both are timed as separate processes, CPU time
(user + system) and wall time, median of ``--runs``, after one warm-up run of each (so that
the gazetteer index and the cached language model exist, as on any run after the first).

    python -m bench.startup [--runs 7] [--article examples/kazakhstan-2022-01.en.txt]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_FIND_PACKAGES = """
import sys
from geomap.cli import main
sys.argv = ["geomap", "parse", "--json", sys.argv[1]]
try:
    main()
except SystemExit:
    pass
import json
top = sorted({name.split(".")[0] for name in sys.modules})
print("\\n@@" + json.dumps(top))
"""


def _packages(article: Path) -> list[str]:
    """Top-level third-party packages a parse of ``article`` imports."""
    done = subprocess.run(
        [sys.executable, "-c", _FIND_PACKAGES, str(article)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    names: list[str] = json.loads(done.stdout.rsplit("@@", 1)[1])
    own = set(sys.stdlib_module_names) | {"geomap", "__main__", "_distutils_hack"}
    return [n for n in names if n not in own and not n.startswith("_")]


def _timed(command: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _median(command: list[str], runs: int) -> tuple[float, float]:
    _timed(command)  # warm-up: caches built, files in the page cache
    times = [_timed(command) for _ in range(runs)]
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--article", type=Path, default=ROOT / "examples/kazakhstan-2022-01.en.txt")
    args = parser.parse_args()
    packages = _packages(args.article)
    floor = [sys.executable, "-c", "import " + ", ".join(packages)]
    parse = [sys.executable, "-m", "geomap", "parse", str(args.article)]
    floor_cpu, floor_wall = _median(floor, args.runs)
    parse_cpu, parse_wall = _median(parse, args.runs)
    print(f"packages imported by the parse ({len(packages)}): {', '.join(packages)}")
    print(f"{'':24}{'CPU s':>8}{'wall s':>8}")
    print(f"{'import floor':24}{floor_cpu:8.3f}{floor_wall:8.3f}")
    print(f"{'geomap parse':24}{parse_cpu:8.3f}{parse_wall:8.3f}")
    print(f"{'ratio (target <= 1.3)':24}{parse_cpu / floor_cpu:8.2f}{parse_wall / floor_wall:8.2f}")
    print(f"(median of {args.runs} runs each; machine load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
