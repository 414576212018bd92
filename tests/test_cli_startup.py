"""What a short ``geomap parse`` leaves out: typer's pydantic converters for values that need
no converting, and the modules only other commands use. (Its speed is printed by
``python -m bench.startup``; these tests hold the means, not the figure.)"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from conftest import run_geomap
from typer.testing import CliRunner

from geomap.cli import _app_for, _DeferredConversion, app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "kazakhstan-2022-01.en.txt"

_LOADED = """
import sys
from geomap.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("@@", " ".join(sorted(sys.modules)))
"""


def _loaded_by(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, *args], capture_output=True, text=True, check=True
    )
    return set(done.stdout.rsplit("@@", 1)[1].split())


def _typer_conversion(param: Any, value: Any, ctx: Any) -> tuple[str, Any]:
    from typer._coercion import build_runtime_param

    try:
        return "value", build_runtime_param(param.type_descriptor).coerce(value, param, ctx)
    except Exception as exc:  # the error typer gives is what the deferred one must give
        return type(exc).__name__, exc.format_message() if hasattr(exc, "format_message") else exc


def _deferred_conversion(param: Any, value: Any, ctx: Any) -> tuple[str, Any]:
    param._runtime_param = _DeferredConversion()
    try:
        return "value", param._runtime_param.coerce(value, param, ctx)
    except Exception as exc:
        return type(exc).__name__, exc.format_message() if hasattr(exc, "format_message") else exc


@pytest.mark.parametrize("command", ["parse", "geocode", "build", "export", "stats"])
@pytest.mark.parametrize(
    "value", [None, "", "en", "12", "1.5", "0", "-3", "x y", ["a.txt", "b.txt"], ("a",), 7, 2.5]
)
def test_deferred_conversion_gives_what_typer_gives(command: str, value: Any) -> None:
    group = typer.main.get_command(app)
    sub = group.commands[command]  # type: ignore[attr-defined]
    ctx = sub.make_context(command, ["--help"], resilient_parsing=True)
    for param in sub.get_params(ctx):
        if not hasattr(param, "type_descriptor"):
            continue
        expected = _typer_conversion(param, value, ctx)
        got = _deferred_conversion(param, value, ctx)
        assert got == expected, (param.name, value)
        assert type(got[1]) is type(expected[1]), (param.name, value)


def test_deferred_conversion_hands_other_values_to_typer() -> None:
    group = typer.main.get_command(app)
    geocode = group.commands["geocode"]  # type: ignore[attr-defined]
    ctx = geocode.make_context("geocode", ["--help"], resilient_parsing=True)
    limit = next(p for p in geocode.get_params(ctx) if p.name == "limit")
    limit._runtime_param = _DeferredConversion()
    assert limit.process_value(ctx, "5") == 5
    assert not isinstance(limit._runtime_param, _DeferredConversion)  # typer's own now


def test_a_short_parse_imports_neither_pydantic_nor_the_build_stages() -> None:
    loaded = _loaded_by("parse", "--json", str(EXAMPLE))
    assert "geomap.recognise" in loaded  # it did parse
    assert not {m for m in loaded if m.split(".")[0] == "pydantic"}
    assert "typer._adapters" not in loaded
    builders = {"geomap.gazetteer.build", "geomap.gazetteer.geonames", "geomap.outputs"}
    assert not loaded & (builders | {"geomap.atomic", "rich.progress"})
    assert "rich.console" not in loaded  # JSON is printed without rich


def test_a_parse_printing_tables_draws_them_without_rich() -> None:
    loaded = _loaded_by("parse", str(EXAMPLE))
    assert "geomap.terminal" in loaded  # it did print tables
    assert not {"rich.console", "rich.table", "rich.progress"} & loaded
    assert "geomap.serialize" not in loaded  # the JSON of an article is not made for tables


def test_a_parse_with_options_converts_them_as_before() -> None:
    loaded = _loaded_by("parse", "--json", "--max-bytes", "100000", str(EXAMPLE))
    assert "typer._adapters" in loaded  # a number is converted by typer's own converter


_SAMPLES = [
    "Police dispersed the protesters outside the town hall on Tuesday evening.",
    "Politiet spredte demonstrantene utenfor rådhuset tirsdag kveld.",
    "Полиция разогнала протестующих у здания администрации во вторник вечером.",
    "Polisen skingrade demonstranterna utanför stadshuset på tisdagskvällen.",
    "ok",
]


def _classified(cache: Path) -> list[tuple[str, float]]:
    """How a fresh process's language identifier, cached in ``cache``, reads the samples."""
    script = (
        "import sys\n"
        "from geomap.ingest import _language_identifier\n"
        "for text in sys.argv[1:]:\n"
        "    print(*_language_identifier().classify(text))\n"
    )
    env = {**os.environ, "GEOMAP_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", script, *_SAMPLES],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return [
        (code, float(score)) for code, score in (line.split() for line in done.stdout.splitlines())
    ]


def test_the_cached_language_model_reads_as_the_unpacked_one(tmp_path: Path) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from geomap.ingest import LANGUAGES

    model = LanguageIdentifier.from_model_file(MODEL_FILE)
    model.set_languages([code for code in LANGUAGES if code in model.labels])
    expected = [(str(c), float(s)) for c, s in (model.classify(t) for t in _SAMPLES)]
    assert _classified(tmp_path) == expected  # unpacked, then cached
    assert [p.suffix for p in tmp_path.glob("langid-*")] == [".bin"]
    assert _classified(tmp_path) == expected  # read from the cache


def test_the_language_model_cache_is_named_by_the_installed_version() -> None:
    import importlib.metadata

    from geomap.ingest import _language_model_cache

    version = importlib.metadata.version("py3langid")
    assert _language_model_cache().name.startswith(f"langid-{version}-")


def test_the_language_model_cache_replaces_the_numpy_files_of_before(tmp_path: Path) -> None:
    from geomap.ingest import _language_model_cache

    stem = _language_model_cache().stem
    older = [tmp_path / f"{stem}{suffix}" for suffix in (".npy", ".npz", ".states.npy")]
    other = tmp_path / "langid-0.0.1-00000000.npy"
    for path in [*older, other]:
        path.write_bytes(b"old")
    _classified(tmp_path)
    assert not any(path.exists() for path in older)
    assert other.exists()  # another version's, left alone


def test_a_damaged_language_model_cache_is_written_again(tmp_path: Path) -> None:
    first = _classified(tmp_path)
    (model,) = tmp_path.glob("langid-*.bin")
    whole = model.read_bytes()
    for damaged in (b"not a table", whole[: len(whole) // 2], whole[:40], b""):
        model.write_bytes(damaged)
        assert _classified(tmp_path) == first
        assert model.read_bytes() == whole


@pytest.mark.parametrize("args", [["--version"], ["parse", "--max-bytes", "x", "a.txt"], []])
def test_the_collector_gets_every_object_back_after_a_command(args: list[str]) -> None:
    frozen, thresholds = gc.get_freeze_count(), gc.get_threshold()
    run_geomap(*args)
    assert gc.get_freeze_count() == frozen
    assert gc.get_threshold() == thresholds


def test_installed_versions_read_as_importlib_metadata_reads_them() -> None:
    import importlib.metadata

    from geomap._versions import installed_version

    names = {dist.metadata["Name"] for dist in importlib.metadata.distributions()}
    assert len(names) > 20
    for name in sorted(names):
        assert installed_version(name) == importlib.metadata.version(name), name
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        installed_version("no-such-package-anywhere")


def test_a_command_is_run_from_an_app_holding_it_alone() -> None:
    single = _app_for(["--debug", "-q", "parse", "--json", "a.txt"])
    assert [command.name for command in single.registered_commands] == ["parse"]
    assert single.registered_callback is app.registered_callback  # the root options
    assert len(app.registered_commands) > 1  # the app itself is left whole


@pytest.mark.parametrize("args", [[], ["--help"], ["--version"], ["gazetteer", "info"], ["pars"]])
def test_the_root_a_group_or_an_unknown_name_get_the_whole_app(args: list[str]) -> None:
    assert _app_for(args) is app


def test_a_command_alone_has_the_help_and_errors_it_has_among_all() -> None:
    for args in (["parse", "--help"], ["geocode", "--limit", "x", "Almaty"]):
        alone = CliRunner().invoke(_app_for(args), args, prog_name="geomap")
        whole = CliRunner().invoke(app, args, prog_name="geomap")
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)
        assert alone.output.strip()


_THREADS = """
import os, sys
from geomap.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("@@", len(os.listdir("/proc/self/task")), os.environ.get("OPENBLAS_NUM_THREADS"))
"""


def _threads_after_parse(env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _THREADS, "parse", "--json", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout.rsplit("@@", 1)[1].split()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads listed by Linux")
def test_a_parse_runs_on_one_thread_without_numpys_spinning_one() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert _threads_after_parse(env) == ["1", "1"]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads listed by Linux")
def test_a_users_own_blas_threads_are_kept() -> None:
    _, setting = _threads_after_parse({**os.environ, "OPENBLAS_NUM_THREADS": "2"})
    assert setting == "2"
