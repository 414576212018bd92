"""The map in a real browser: time to first render and to an interactive map.

Opens self-contained maps in Debian's headless Chromium (Playwright, no browser download,
every request other than ``file:``/``data:`` blocked) and prints, per map, the median over a few
fresh page loads of:

- *built*: the runtime (``geomapRender``) has created every layer, in ms since navigation;
- *first render*: the first frame painted after that (for a clustered layer: its first chunk);
- *all drawn*: every shown feature added (clustering done) and painted;
- *interactive*: the first programmatic ``panBy`` after that has been painted;
- *pan*/*zoom*: median and worst time from a ``panBy``/``setZoom`` to its painted frame;
- *longest task*: the longest main-thread task after *built* (how long a click may wait).

Maps: the sample article (the NTB article in ``../shared/articles``, or the bundled example
when it is absent) built with ``geomap build --self-contained``, and synthetic events (the
generator of ``bench/render.py``) rendered with :func:`geomap.render.render_map`.

Targets (issue 12, after issue 5): 1,000,000 events interactive in ≤ 3 s; the longest task
≤ 200 ms at 100,000 events and ≤ 500 ms at 1,000,000; the map file at 1,000,000 events
≤ 80 MB. Generating a synthetic map also prints the CPU time (``time.process_time``) of
``render_map``. The machine may be busy: the browser figures are wall-clock medians.

Run from the checkout root, so that its ``geomap`` is the one imported::

    python -m bench.browser [--events 100000 1000000] [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

import geomap
from geomap.join import events_frame, flows_frame
from geomap.layers import load_layers
from geomap.render import MapOptions, render_map

ROOT = Path(__file__).resolve().parents[1]
NTB_ARTICLE = ROOT.parent / "shared" / "articles" / "ntb-2022-01-kazakhstan-coup-claim.nb.txt"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TARGET_S = 3.0
TARGET_MB = 80.0  # for the map of 1,000,000 events
PANS = 10


def longest_task_target(events: int) -> float:
    """The longest main-thread task allowed, in ms: 200 up to 100,000 events, 500 beyond."""
    return 200.0 if events <= 100_000 else 500.0


#: Runs in the page before its own scripts: waits for ``window.geomap`` and times the phases.
PROBE = """
(() => {
  const B = (window.__bench = { longtasks: [] });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (error) {}
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const painted = async () => { await frame(); await frame(); return performance.now(); };
  async function run(g) {
    B.built = performance.now();
    B.firstRender = await painted();
    await g.ready;
    B.ready = performance.now();
    B.allDrawn = await painted();
    const pans = [];
    for (let i = 0; i < %(pans)d; i++) {
      const began = performance.now();
      g.map.panBy([i %% 2 ? -160 : 160, i %% 3 ? 90 : -90], { animate: false });
      pans.push((await painted()) - began);
    }
    const zooms = [];
    for (const step of [1, 1, -1, -1]) {
      const began = performance.now();
      g.map.setZoom(g.map.getZoom() + step, { animate: false });
      zooms.push((await painted()) - began);
    }
    B.interactive = B.allDrawn + pans[0];
    B.pans = pans;
    B.zooms = zooms;
    B.done = true;
  }
  addEventListener("error", (event) => { B.error = String(event.message); B.done = true; });
  let value;
  Object.defineProperty(window, "geomap", {
    configurable: true,
    get: () => value,
    set: (v) => { value = v; run(v).catch((e) => { B.error = String(e); B.done = true; }); },
  });
})();
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Write the maps into this folder.")
    args = parser.parse_args(argv)
    print(f"geomap from {Path(geomap.__file__).parent}")
    with tempfile.TemporaryDirectory(prefix="geomap-bench-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        maps: list[tuple[str, Path, int]] = [("sample article", sample_map(folder / "sample"), 0)]
        maps += [
            (f"{n:,} events", synthetic_map(folder / f"synthetic-{n}", n), n) for n in args.events
        ]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for name, path, events in maps:
                    runs = [measure(browser, path) for _ in range(args.runs)]
                    report(name, path, runs, events=events)
            finally:
                browser.close()


def sample_map(folder: Path) -> Path:
    """``geomap build --self-contained`` of the sample article, as a user runs it."""
    source = NTB_ARTICLE if NTB_ARTICLE.exists() else ROOT / "examples"
    command = [sys.executable, "-m", "geomap", "build", str(source), "--out", str(folder)]
    subprocess.run([*command, "--self-contained"], cwd=ROOT, check=True, capture_output=True)
    return folder / "map.html"


def synthetic_map(folder: Path, count: int) -> Path:
    """``count`` synthetic events over 60 days, rendered self-contained."""
    began = time.perf_counter()
    parsed = _render_bench().synthetic(count)
    events, flows = events_frame([parsed]), flows_frame([parsed])
    del parsed
    generated = time.perf_counter() - began
    cpu = time.process_time()
    html = render_map(events, flows, load_layers(), options=MapOptions(self_contained=True))
    cpu = time.process_time() - cpu
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "map.html"
    path.write_text(html, encoding="utf-8")
    print(
        f"{count:,} events: generated in {generated:.1f} s, rendered in {cpu:.1f} s of CPU, "
        f"{path.stat().st_size / 1e6:.1f} MB"
    )
    return path


def _render_bench() -> Any:
    """``bench/render.py``, whose synthetic events this benchmark shares."""
    spec = importlib.util.spec_from_file_location("geomap_bench_render", ROOT / "bench/render.py")
    if spec is None or spec.loader is None:
        msg = "bench/render.py is missing"
        raise FileNotFoundError(msg)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(browser: Browser, path: Path) -> dict[str, Any]:
    """One fresh page load of ``path``: the probe's timings (ms since navigation)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        blocked: list[str] = []
        errors: list[str] = []
        page.route("**/*", lambda route: _only_local(route, blocked))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.add_init_script(PROBE % {"pans": PANS})
        page.goto(path.as_uri(), timeout=120_000)
        page.wait_for_function("window.__bench && window.__bench.done", timeout=120_000)
        result: dict[str, Any] = page.evaluate("window.__bench")
        result["blocked"] = blocked
        result["errors"] = errors + ([result["error"]] if "error" in result else [])
        built = result.get("built", 0.0)
        result["longest"] = max(
            (d for start, d in result["longtasks"] if start + d > built), default=0.0
        )
        return result
    finally:
        context.close()


def _only_local(route: Any, blocked: list[str]) -> None:
    url = route.request.url
    if url.startswith(("file:", "data:")):
        route.continue_()
    else:
        blocked.append(url)
        route.abort()


def report(name: str, path: Path, runs: list[dict[str, Any]], *, events: int = 0) -> None:
    """Print the medians of the runs, and the target verdicts for synthetic maps."""

    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    def spread(key: str) -> str:
        values = sorted(v for run in runs for v in run[key])
        return f"{statistics.median(values):.0f}/{values[-1]:.0f} ms"

    size = path.stat().st_size / 1e6
    print(f"\n{name} ({size:.1f} MB, {len(runs)} runs, median; ms since navigation)")
    for label, key in (
        ("built", "built"),
        ("first render", "firstRender"),
        ("all drawn", "allDrawn"),
        ("interactive", "interactive"),
    ):
        print(f"  {label:<14}{median(key):>8.0f} ms")
    print(f"  {'pan':<14}{spread('pans'):>14}  (median/worst of {PANS * len(runs)})")
    print(f"  {'zoom':<14}{spread('zooms'):>14}")
    print(f"  {'longest task':<14}{median('longest'):>8.0f} ms")
    problems = sorted({e for run in runs for e in run["errors"]})
    blocked = sorted({u for run in runs for u in run["blocked"]})
    for line in problems + [f"blocked request: {u}" for u in blocked]:
        print(f"  ! {line}")
    if events:
        verdicts = [
            (f"≤ {TARGET_S:.0f} s interactive", median("interactive") / 1000 <= TARGET_S),
            (
                f"≤ {longest_task_target(events):.0f} ms longest task",
                median("longest") <= longest_task_target(events),
            ),
        ]
        if events >= 1_000_000:
            verdicts.append((f"≤ {TARGET_MB:.0f} MB file", size <= TARGET_MB))
        for label, met in verdicts:
            print(f"  target {label}: {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
