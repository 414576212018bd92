"""CLI hygiene: every user mistake gives one clear line, the right exit code, no traceback.

The contract (``geomap/cli.py``): exit code 2 for a usage error (bad option value, unknown
geocoder or command, bad settings), 1 for a runtime failure (unreadable source, failed
write), 3 when ``parse`` or ``geocode`` printed some results but not all. The message is one
line on stderr that starts with ``error:``, names what is wrong and says what to do. A
traceback appears only with ``--debug``.

Most cases run the real entry point :func:`geomap.cli.main` in this process (fast); a few run
``python -m geomap`` in a new process, with the working folder a temporary one, as a user does.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import run_geomap as run_in_process

import geomap
from geomap.gazetteer import Gazetteer, default_index_path

EXIT_RUNTIME, EXIT_USAGE, EXIT_PARTIAL = 1, 2, 3
CHECKOUT = Path(geomap.__file__).resolve().parents[1]
ARTICLE_TEXT = (
    "Politiet i Almaty sier at fem personer ble skadd da en demonstrasjon endte i kaos i går.\n"
)
#: Words by which a message says what to do.
FIX = re.compile(
    r"check|pass |use |must|should|put |add |fix |set |write |try |split|see 'geomap|one of"
    r"|such as|known:|YYYY-MM",
    re.IGNORECASE,
)


@pytest.fixture(scope="module", autouse=True)
def _index() -> Gazetteer:
    """The built index ($GEOMAP_CACHE_DIR), built there once when missing."""
    return Gazetteer.open(default_index_path())


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run in a temporary folder (no geomap.toml), with no GEOMAP_* setting but the index's
    cache folder; root logging as it was afterwards."""
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith("GEOMAP_") and k != "GEOMAP_CACHE_DIR"]:
        monkeypatch.delenv(name)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "melding.txt"
    path.write_text(ARTICLE_TEXT, encoding="utf-8")
    return path


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the entry point as ``geomap ARGS`` and return (exit code, stdout, stderr)."""
    del capsys  # the shared runner captures the output itself
    result = run_in_process(*args)
    return result.code, result.out, result.err


def run_geomap(cwd: Path, *args: str, python: bool = False) -> subprocess.CompletedProcess[str]:
    """``python -m geomap ARGS`` (``python ARGS``) in a new process, in ``cwd``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOMAP_")}
    env |= {
        "GEOMAP_CACHE_DIR": str(default_index_path().parent),
        "PYTHONIOENCODING": "utf-8",
        # The geomap under test, not whichever one is installed.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(CHECKOUT), env.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, *args] if python else [sys.executable, "-m", "geomap", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


def one_error_line(stderr: str) -> str:
    """The single ``error:`` line of stderr; fails on a traceback or on more lines."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {lines}"
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def assert_clear(line: str, problem: str) -> None:
    assert problem.lower() in line.lower(), f"{problem!r} not named in {line!r}"
    assert FIX.search(line), f"no fix in {line!r}"


# -- usage errors: exit 2 --------------------------------------------------------------------

USAGE_MISTAKES = [
    pytest.param(["geocode", "Almaty", "--limit", "0"], "--limit", id="limit-0"),
    pytest.param(["geocode", "Almaty", "--limit", "101"], "--limit", id="limit-too-big"),
    pytest.param(["geocode", "Almaty", "--limit", "many"], "--limit", id="limit-not-a-number"),
    pytest.param(["geocode", "Almaty", "--service", "nosuch"], "nosuch", id="unknown-service"),
    pytest.param(["geocode", "Almaty", "--feature", "harbour"], "harbour", id="unknown-feature"),
    pytest.param(["geocode"], "Missing argument", id="geocode-no-query"),
    pytest.param(["geocode", "Almaty", "--bogus"], "--bogus", id="unknown-option"),
    pytest.param(["nosuch"], "nosuch", id="unknown-command"),
    pytest.param(["gazetteer", "nosuch"], "nosuch", id="unknown-gazetteer-command"),
    pytest.param(["gazetteer", "info", "--bogus"], "--bogus", id="gazetteer-unknown-option"),
    pytest.param(["parse"], "Missing argument", id="parse-no-source"),
    pytest.param(["parse", "{article}", "--date", "2022-13"], "--date", id="date-month-13"),
    pytest.param(["parse", "{article}", "--date", "13.01.2022"], "--date", id="date-dotted"),
    pytest.param(["parse", "{article}", "--timeout", "-1"], "timeout", id="timeout-negative"),
    pytest.param(["parse", "{article}", "--timeout", "0"], "timeout", id="timeout-zero"),
    pytest.param(["parse", "{article}", "--timeout", "nan"], "timeout", id="timeout-nan"),
    pytest.param(["parse", "{article}", "--timeout", "soon"], "--timeout", id="timeout-word"),
    pytest.param(["parse", "{article}", "--max-bytes", "0"], "--max-bytes", id="max-bytes-0"),
    pytest.param(["parse", "{article}", "--max-bytes", "-5"], "--max-bytes", id="max-bytes-neg"),
    pytest.param(
        ["parse", "{article}", "--max-bytes", str(10**23)], "--max-bytes", id="max-bytes-huge"
    ),
    pytest.param(["parse", "{article}", "--geocoder", "nosuch"], "nosuch", id="unknown-geocoder"),
    pytest.param(["parse", "{article}", "--language", "12"], "language", id="bad-language"),
]


def _filled(args: list[str], article: Path) -> list[str]:
    return [arg.replace("{article}", str(article)) for arg in args]


@pytest.mark.parametrize(("args", "problem"), USAGE_MISTAKES)
def test_a_usage_mistake_gives_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], article: Path, args: list[str], problem: str
) -> None:
    code, out, err = run_main(capsys, *_filled(args, article))
    assert code == EXIT_USAGE, err
    assert_clear(one_error_line(err), problem)
    assert out == ""


def test_a_bad_value_in_geomap_toml_names_the_file_and_the_setting(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "geomap.toml").write_text('timeout = "ten"\n', encoding="utf-8")
    code, _, err = run_main(capsys, "geocode", "Almaty")
    assert code == EXIT_USAGE
    line = one_error_line(err)
    assert_clear(line, "geomap.toml")
    assert "timeout" in line


def test_a_bad_setting_in_geomap_toml_gives_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "geomap.toml").write_text('timeout = "ten\n', encoding="utf-8")
    code, _, err = run_main(capsys, "geocode", "Almaty")
    assert code == EXIT_USAGE
    assert_clear(one_error_line(err), "geomap.toml")


def test_an_unknown_setting_in_geomap_toml_gives_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "geomap.toml").write_text("time_out = 5\n", encoding="utf-8")
    code, _, err = run_main(capsys, "geocode", "Almaty")
    assert code == EXIT_USAGE
    line = one_error_line(err)
    assert_clear(line, "time_out")
    assert "timeout" in line  # the known names, so the user sees the right spelling


# -- runtime failures: one line naming the source, exit 1 (or 3 beside good sources) ----------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _folder_without_articles(tmp: Path) -> str:
    folder = tmp / "empty"
    folder.mkdir()
    _write(folder / "notes.pdf", b"%PDF-1.7\n")
    _write(folder / ".hidden.txt", ARTICLE_TEXT.encode())
    return str(folder)


SOURCE_MISTAKES = [
    pytest.param(lambda tmp: str(tmp / "missing.txt"), "missing.txt", id="missing-file"),
    pytest.param(_folder_without_articles, "empty", id="no-articles"),
    pytest.param(lambda tmp: str(tmp / "nothing-*.txt"), "nothing-*.txt", id="glob-no-match"),
    pytest.param(
        lambda tmp: str(_write(tmp / "photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(200))),
        "photo.txt",
        id="binary",
    ),
    pytest.param(lambda tmp: str(_write(tmp / "blank.txt", b"\n  \n")), "blank.txt", id="blank"),
    pytest.param(
        lambda tmp: str(_write(tmp / "dated.txt", b"date 2022-02-30\nNoe skjedde i byen.\n")),
        "dated.txt",
        id="impossible-date-line",
    ),
    pytest.param(lambda _: "ftp://example.test/a.txt", "ftp", id="ftp-url"),
    pytest.param(lambda _: "", "empty name", id="empty-name"),
]


@pytest.mark.parametrize(("make", "problem"), SOURCE_MISTAKES)
def test_a_bad_source_gives_one_line_naming_it_and_no_output(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    make: Callable[[Path], str],
    problem: str,
) -> None:
    source = make(tmp_path)
    code, out, err = run_main(capsys, "parse", source)
    assert code == EXIT_RUNTIME, err
    assert_clear(one_error_line(err), problem)
    assert out == ""


def test_a_source_over_max_bytes_names_the_limit_and_the_option(
    capsys: pytest.CaptureFixture[str], article: Path
) -> None:
    code, _, err = run_main(capsys, "parse", str(article), "--max-bytes", "10")
    assert code == EXIT_RUNTIME
    line = one_error_line(err)
    assert_clear(line, article.name)
    assert "--max-bytes" in line


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_gives_one_line_naming_it(
    capsys: pytest.CaptureFixture[str], article: Path
) -> None:
    article.chmod(0)
    try:
        code, _, err = run_main(capsys, "parse", str(article))
    finally:
        article.chmod(0o644)
    assert code == EXIT_RUNTIME
    assert_clear(one_error_line(err), "permission denied")


def test_a_bad_source_beside_a_good_one_exits_3_and_prints_the_good_one(
    capsys: pytest.CaptureFixture[str], article: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.txt"
    code, out, err = run_main(capsys, "parse", str(article), str(missing), "--json")
    assert code == EXIT_PARTIAL
    assert_clear(one_error_line(err), "missing.txt")
    assert len(out.splitlines()) == 1
    assert f'"source": "{article.name}"' in out


@pytest.mark.parametrize("name", ["missing.txt", "nothing-*.txt"])
def test_parse_exits_1_when_every_source_failed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    code, out, _ = run_main(capsys, "parse", str(tmp_path / name))
    assert out == ""
    assert code == EXIT_RUNTIME


def test_build_exits_1_and_writes_nothing_when_no_source_exists(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, stdout, err = run_main(capsys, "build", str(tmp_path / "missing.txt"), "--out", str(out))
    assert code == EXIT_RUNTIME
    assert_clear(one_error_line(err), "missing.txt")
    assert stdout == ""
    assert not out.exists()


def test_build_exits_1_and_writes_nothing_when_no_source_can_be_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blank = _write(tmp_path / "blank.txt", b"\n  \n")
    out = tmp_path / "out"
    code, _, err = run_main(capsys, "build", str(blank), "--out", str(out))
    assert code == EXIT_RUNTIME
    assert_clear(one_error_line(err), "blank.txt")
    assert not out.exists()


@pytest.mark.parametrize("date", ["2022-ab", "2022-02-30"])
def test_a_bad_date_says_which_form_is_wanted(
    capsys: pytest.CaptureFixture[str], article: Path, date: str
) -> None:
    code, _, err = run_main(capsys, "parse", str(article), "--date", date)
    assert code == EXIT_USAGE
    line = one_error_line(err)
    assert "--date" in line
    assert "int()" not in line
    assert "YYYY-MM" in line


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GEOMAP_TIMEOUT", "soon"),
        ("GEOMAP_TIMEOUT", "0"),
        ("GEOMAP_MAX_BYTES", "8MB"),
        ("GEOMAP_MAX_BYTES", str(10**23)),
        ("GEOMAP_LOCK_WAIT", "-1"),
        ("GEOMAP_SELF_CONTAINED", "maybe"),
    ],
)
def test_a_bad_environment_setting_names_the_variable_and_the_fix(
    capsys: pytest.CaptureFixture[str],
    article: Path,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv(variable, value)
    code, _, err = run_main(capsys, "parse", str(article))
    assert code == EXIT_USAGE
    assert_clear(one_error_line(err), variable)


# -- as a user runs it: a new process, tracebacks only with --debug ---------------------------


def test_the_new_process_runs_the_geomap_under_test(tmp_path: Path) -> None:
    done = run_geomap(tmp_path, "-c", "import geomap; print(geomap.__file__)", python=True)
    assert Path(done.stdout.strip()).resolve() == Path(geomap.__file__).resolve()


def test_a_user_mistake_in_a_new_process_is_one_line_without_traceback(tmp_path: Path) -> None:
    done = run_geomap(tmp_path, "geocode", "Almaty", "--service", "nosuch")
    assert done.returncode == EXIT_USAGE
    assert_clear(one_error_line(done.stderr), "nosuch")
    assert done.stdout == ""


def test_a_missing_file_in_a_new_process_is_one_line_without_traceback(tmp_path: Path) -> None:
    done = run_geomap(tmp_path, "parse", "missing.txt")
    assert done.returncode == EXIT_RUNTIME
    assert_clear(one_error_line(done.stderr), "missing.txt")
    assert done.stdout == ""


def test_debug_shows_the_traceback_of_a_usage_error(tmp_path: Path) -> None:
    done = run_geomap(tmp_path, "--debug", "geocode", "Almaty", "--service", "nosuch")
    assert done.returncode != 0
    assert "Traceback (most recent call last)" in done.stderr
    assert "UsageError" in done.stderr


def test_debug_shows_the_traceback_of_a_failing_source(tmp_path: Path) -> None:
    done = run_geomap(tmp_path, "--debug", "parse", "missing.txt")
    assert done.returncode != 0
    assert "Traceback (most recent call last)" in done.stderr


def test_debug_shows_the_traceback_of_a_source_build_cannot_find(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_main(capsys, "--debug", "build", "missing.txt", "--out", "out")
    assert code == EXIT_RUNTIME
    assert "Traceback (most recent call last)" in err
    assert "SourceError" in err


def test_debug_shows_the_traceback_of_a_source_build_cannot_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _write(tmp_path / "blank.txt", b"\n  \n")
    code, _, err = run_main(capsys, "--debug", "build", "blank.txt", "--out", "out")
    assert code == EXIT_RUNTIME
    assert "Traceback (most recent call last)" in err
