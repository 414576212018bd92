"""How long ``geomap parse`` of one short article takes, against the import floor.

The floor is a Python process that only imports the third-party packages such a parse
imports (read from ``sys.modules`` after a real parse), with nothing of geomap's own work:
what no code of geomap's can go below. Both are timed as separate processes, CPU time
(user + system) and wall time, median of ``--runs`` (the commands taking turns in each round),
after one warm-up run of each (so that the gazetteer index, the cached language model and
word tables, and the bytecode of geomap's modules exist, as on any run after the first: the
runs ignore ``PYTHONDONTWRITEBYTECODE``, under which every run would compile geomap's
sources again while the floor's installed packages load their compiled bytecode).

The floor runs in the environment geomap's command line gives its own process
(:data:`geomap.cli.PROCESS_ENVIRONMENT`): loaded that way the packages cost less (NumPy's
OpenBLAS then starts no thread that spins for work, about 0.1 s of CPU time in any process
that imports NumPy), and no code of geomap's could go below the packages loaded that way.

A second floor imports every third-party module the parse loaded, not only the top-level
packages: some packages import most of their code only when used (typer imports pydantic
to convert options when it parses a command line; rich its console and tables). It is
printed for information; the target is the ratio to the package floor.

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

from geomap.cli import PROCESS_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[1]
_FIND_PACKAGES = """
import sys
from geomap.cli import main
sys.argv = ["geomap", "parse", sys.argv[1]]  # the command line that is timed
try:
    main()
except SystemExit:
    pass
import json
print("\\n@@" + json.dumps(list(sys.modules)))
"""


#: The environment of the timed runs: one where Python keeps the bytecode it compiles, with
#: what geomap's command line sets in its own process where the user has not set it.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_ENV = {**PROCESS_ENVIRONMENT, **_ENV}


def _loaded(article: Path) -> tuple[list[str], list[str]]:
    """Top-level third-party packages a parse of ``article`` imports, and all their modules
    it loaded, in the order it loaded them."""
    done = subprocess.run(
        [sys.executable, "-c", _FIND_PACKAGES, str(article)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=_ENV,
    )
    modules: list[str] = json.loads(done.stdout.rsplit("@@", 1)[1])
    own = set(sys.stdlib_module_names) | {"geomap", "__main__", "_distutils_hack"}
    packages = sorted({n.split(".")[0] for n in modules} - own)
    packages = [n for n in packages if not n.startswith("_")]
    return packages, [n for n in modules if n.split(".")[0] in packages]


def _import_all(modules: list[str]) -> str:
    """A program importing ``modules`` one by one; one that cannot be imported on its own (made
    by its package at run time) is skipped."""
    lines = ["import importlib", f"for name in {modules!r}:"]
    lines += [
        "    try:",
        "        importlib.import_module(name)",
        "    except Exception:",
        "        pass",
    ]
    return "\n".join(lines)


def _timed(command: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, cwd=ROOT, env=_ENV)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _medians(commands: list[list[str]], runs: int) -> list[tuple[float, float]]:
    """(CPU, wall) medians of each command over ``runs``, the commands taking turns in each
    round: on a shared machine the load then weighs on all alike, where timing one command's
    runs after the other's compared them under whatever load each batch met."""
    for command in commands:
        _timed(command)  # warm-up: caches built, files in the page cache
    times: list[list[tuple[float, float]]] = [[] for _ in commands]
    for _ in range(runs):
        for command, taken in zip(commands, times, strict=True):
            taken.append(_timed(command))
    return [
        (statistics.median(t[0] for t in taken), statistics.median(t[1] for t in taken))
        for taken in times
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--article", type=Path, default=ROOT / "examples/kazakhstan-2022-01.en.txt")
    args = parser.parse_args()
    packages, modules = _loaded(args.article)
    floor = [sys.executable, "-c", "import " + ", ".join(packages)]
    module_floor = [sys.executable, "-c", _import_all(modules)]
    parse = [sys.executable, "-m", "geomap", "parse", str(args.article)]
    (floor_cpu, floor_wall), (modules_cpu, modules_wall), (parse_cpu, parse_wall) = _medians(
        [floor, module_floor, parse], args.runs
    )
    print(f"packages imported by the parse ({len(packages)}): {', '.join(packages)}")
    print(f"{'':28}{'CPU s':>8}{'wall s':>8}")
    print(f"{'import floor':28}{floor_cpu:8.3f}{floor_wall:8.3f}")
    print(f"{'geomap parse':28}{parse_cpu:8.3f}{parse_wall:8.3f}")
    print(f"{'ratio (target <= 1.3)':28}{parse_cpu / floor_cpu:8.2f}{parse_wall / floor_wall:8.2f}")
    print(f"{f'module floor ({len(modules)} modules)':28}{modules_cpu:8.3f}{modules_wall:8.3f}")
    print(
        f"{'ratio to the module floor':28}{parse_cpu / modules_cpu:8.2f}{parse_wall / modules_wall:8.2f}"
    )
    print(f"(median of {args.runs} runs each; machine load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
