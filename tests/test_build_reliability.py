"""A build that is killed, interrupted, run twice at once or cannot write loses nothing.

Each test drives ``python -m geomap build`` in a subprocess, as a user's shell would, on
articles written here in our own words.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import start_geomap

from geomap import store
from geomap.serialize import shown_source

ARTICLES = {
    "a.txt": "date 2022-01-05\n\nPolice detained at least 40 protesters in Almaty on Wednesday.\n",
    "b.txt": "date 2022-01-06\n\nRiots in Aktobe left at least 3 people dead and 25 injured.\n",
    "c.txt": "date 2022-01-07\n\nThousands of protesters gathered in Shymkent on Friday.\n",
    "d.txt": "date 2022-01-08\n\nSoldiers took back the airport in Almaty from the rioters.\n",
}
OUTPUTS = ("map.html", "events.geojson", "flows.geojson", "events.csv", "geomap.gpkg")


def _geomap(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geomap", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS if (folder / name).exists()}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Articles, a store holding article a only, and the outputs of the full build."""
    root = tmp_path_factory.mktemp("reliability")
    for name, text in ARTICLES.items():
        (root / name).write_text(text, encoding="utf-8")
    first = _geomap("build", "a.txt", "--out", "before", cwd=root)
    assert first.returncode == 0, first.stderr
    full = _geomap("build", "a.txt", "b.txt", "c.txt", "d.txt", "--out", "full", cwd=root)
    assert full.returncode == 0, full.stderr
    return root


def _fresh_copy(workspace: Path, name: str) -> Path:
    target = workspace / name
    target.mkdir()
    for output, data in _snapshot(workspace / "before").items():
        (target / output).write_bytes(data)
    return target


def _assert_old_or_new(folder: Path, workspace: Path) -> None:
    old, new = _snapshot(workspace / "before"), _snapshot(workspace / "full")
    for name in OUTPUTS:
        if name == "geomap.gpkg":
            continue
        data = (folder / name).read_bytes()
        assert data in (old[name], new[name]), f"{name} is neither the old nor the new file"
    articles = {shown_source(s) for s in store.read(folder / "geomap.gpkg").articles["source"]}
    assert articles in ({"a.txt"}, set(ARTICLES)), articles


@pytest.mark.parametrize("delay", [0.3, 1.5, 2.5, 3.5])
def test_a_build_killed_at_any_moment_leaves_old_or_new_outputs(
    workspace: Path, delay: float
) -> None:
    folder = _fresh_copy(workspace, f"killed-{delay}")
    run = start_geomap(
        "build", "a.txt", "b.txt", "c.txt", "d.txt", "--out", folder.name, cwd=workspace
    )
    time.sleep(delay)
    run.send_signal(signal.SIGKILL)
    run.communicate(timeout=60)
    _assert_old_or_new(folder, workspace)
    again = _geomap("build", "b.txt", "c.txt", "d.txt", "--out", folder.name, cwd=workspace)
    assert again.returncode == 0, again.stderr
    assert _snapshot(folder)["events.geojson"] == _snapshot(workspace / "full")["events.geojson"]
    assert not [p.name for p in folder.iterdir() if ".tmp" in p.name]


def _wait_until_started(pid: int, *, cpu_seconds: float = 1.0, limit: float = 60.0) -> None:
    """Wait until the process has used ``cpu_seconds`` of CPU: past Python's start-up and
    geomap's imports, however loaded the machine (a wall-clock second was not always enough,
    and a Ctrl-C during the interpreter's own start-up ends it before geomap runs)."""
    stat = Path(f"/proc/{pid}/stat")
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            time.sleep(1.0)  # no /proc here, or the process has ended
            return
        if (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") >= cpu_seconds:
            return
        time.sleep(0.05)


def test_an_interrupted_build_says_so_in_one_line_and_keeps_the_store(workspace: Path) -> None:
    folder = _fresh_copy(workspace, "interrupted")
    run = start_geomap(
        "build", "a.txt", "b.txt", "c.txt", "d.txt", "--out", folder.name, cwd=workspace
    )
    _wait_until_started(run.pid)
    run.send_signal(signal.SIGINT)
    _stdout, stderr = run.communicate(timeout=120)
    if run.returncode == 0:  # the build finished before the signal arrived
        _assert_old_or_new(folder, workspace)
        return
    assert run.returncode == 130
    assert "Traceback" not in stderr
    assert "interrupted" in stderr
    _assert_old_or_new(folder, workspace)


#: The geomap program with a Ctrl-C that comes as its command ends (``when``): in main's last
#: instants, or while Python shuts down after it.
_LATE_CTRL_C = """
import atexit, os, signal, sys, time
import geomap.cli as cli
when, command = sys.argv[1], cli.main
def main():
    try:
        command()
    finally:
        if when == "end":
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
cli.main = main
if when == "exit":
    atexit.register(lambda: os.kill(os.getpid(), signal.SIGINT) or time.sleep(1))
sys.argv = ["geomap", "--version"]
cli.run()
"""


@pytest.mark.parametrize("when", ["end", "exit"])
def test_a_ctrl_c_as_the_command_ends_is_no_crash(when: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _LATE_CTRL_C, when],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 130)  # never killed by the signal itself (-2)
    assert "Traceback" not in done.stderr


def test_two_builds_at_once_on_one_folder_both_land(workspace: Path) -> None:
    folder = _fresh_copy(workspace, "concurrent")
    first = start_geomap("build", "b.txt", "--out", folder.name, cwd=workspace)
    second = start_geomap("build", "c.txt", "d.txt", "--out", folder.name, cwd=workspace)
    for run in (first, second):
        _stdout, stderr = run.communicate(timeout=240)
        assert run.returncode == 0, stderr
    articles = {shown_source(s) for s in store.read(folder / "geomap.gpkg").articles["source"]}
    assert articles == set(ARTICLES)
    assert _snapshot(folder)["events.geojson"] == _snapshot(workspace / "full")["events.geojson"]


def test_a_build_that_cannot_get_the_lock_gives_up_with_a_clear_line(workspace: Path) -> None:
    folder = _fresh_copy(workspace, "locked")
    before = _snapshot(folder)
    with (folder / ".geomap.lock").open("a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        run = subprocess.run(
            [sys.executable, "-m", "geomap", "build", "b.txt", "--out", folder.name],
            cwd=workspace,
            capture_output=True,
            text=True,
            env={**os.environ, "GEOMAP_LOCK_WAIT": "0.5"},
            timeout=120,
            check=False,
        )
    assert run.returncode == 1
    lines = [line for line in run.stderr.splitlines() if line.startswith("error")]
    assert len(lines) == 1
    assert "another geomap run" in lines[0]
    assert "Traceback" not in run.stderr
    assert _snapshot(folder) == before


def test_a_damaged_store_is_reported_and_never_overwritten(workspace: Path) -> None:
    folder = workspace / "damaged"
    folder.mkdir()
    damaged = (workspace / "before" / "geomap.gpkg").read_bytes()[:5000]
    (folder / "geomap.gpkg").write_bytes(damaged)
    run = _geomap("build", "b.txt", "--out", folder.name, cwd=workspace)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "geomap.gpkg" in run.stderr
    assert (folder / "geomap.gpkg").read_bytes() == damaged
    assert not (folder / "map.html").exists()


def test_an_output_folder_whose_parent_is_missing_is_a_clear_error(workspace: Path) -> None:
    run = _geomap("build", "a.txt", "--out", "no/such/folder", cwd=workspace)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "no/such" in run.stderr
    assert not (workspace / "no").exists()


def _main_exit_code(argv: list[str]) -> int:
    from geomap.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(argv)
    return int(stopped.value.code or 0)


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("os.fsync", OSError(28, "No space left on device")),
        ("tempfile.mkstemp", PermissionError(13, "Permission denied")),
    ],
    ids=["disk-full", "read-only-folder"],
)
def test_a_failing_write_is_one_clear_line_and_changes_nothing(
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: str,
    error: OSError,
) -> None:
    import geomap.atomic

    folder = _fresh_copy(workspace, f"failing-{target}")
    before = _snapshot(folder)
    monkeypatch.chdir(workspace)

    def fail(*_args: object, **_kwargs: object) -> None:
        raise error

    module, name = target.split(".")
    monkeypatch.setattr(getattr(geomap.atomic, module), name, fail)
    code = _main_exit_code(["build", "b.txt", "--out", folder.name])
    stderr = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in stderr
    assert error.strerror in stderr
    assert _snapshot(folder) == before
    assert not [p.name for p in folder.iterdir() if ".tmp" in p.name]


def test_a_fault_on_one_article_loses_none_of_the_others(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geomap import pipeline
    from geomap.errors import ArticleError
    from geomap.geocode import get_geocoder
    from geomap.ingest import IngestOptions

    real = pipeline.parse_article

    def faulty(article: object, **kwargs: object) -> object:
        if "Aktobe" in getattr(article, "text", ""):
            msg = "a bug"
            raise IndexError(msg)
        return real(article, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "parse_article", faulty)
    sources = [str(workspace / name) for name in ("a.txt", "b.txt", "c.txt")]
    results = pipeline.parse_many(
        sources, geocoder=get_geocoder("offline"), options=IngestOptions()
    )
    assert [type(r).__name__ for r in results] == ["ParsedArticle", "ArticleError", "ParsedArticle"]
    assert isinstance(results[1], ArticleError)
    assert "b.txt" in str(results[1]) and "IndexError" in str(results[1])
