"""The ``geomap`` command line: a thin layer that parses options, calls the library, prints.

Exit codes: 0 success; 1 a runtime failure (unreadable source, damaged store, failed write),
also when no source at all could be read; 2 a usage error (bad option value, unknown geocoder,
bad layer file); 3 (``geocode``, ``parse``, ``build``) some inputs gave no result, while the
others were printed or stored.
"""

# Without ``from __future__ import annotations``: typer reads the annotations of every command
# at every run, and evaluates the text of each twice; as objects they are made once, at import
# (5 ms less of a short parse). Names imported only for type checking are quoted.

import codecs
import copy
import gc
import inspect
import json
import logging
import os
import shutil
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from geomap.errors import GeomapError, UsageError
from geomap.settings import Settings

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from geomap.distributed import ClusterOptions

_F = TypeVar("_F", bound=Callable[..., Any])


_TYPE_WORDS = {"str": "TEXT", "path": "PATH", "int": "INTEGER", "float": "NUMBER", "bool": ""}


class _Command(TyperCommand):
    """A command whose help names each option's type as a word (``TEXT``, ``DIR``)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _name_types(self.get_params(ctx), ctx)
        super().format_help(ctx, formatter)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _defer_conversion(self.get_params(ctx))
        return super().parse_args(ctx, args)


class _Group(TyperGroup):
    """A command group whose help names each option's type as a word."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _name_types(self.get_params(ctx), ctx)
        super().format_help(ctx, formatter)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _defer_conversion(self.get_params(ctx))
        return super().parse_args(ctx, args)


def _defer_conversion(params: list[Any]) -> None:
    """Have typer build a parameter's converter only for a value that needs converting.

    Typer converts every value of a command line, given or not, with a pydantic type adapter
    it builds per parameter (importing and setting up pydantic: about 0.07 s of the 0.55 s of
    CPU time of a short ``geomap parse``). A value left out (``None``) or a text for a text
    parameter comes out of such an adapter as it went in; every other value, and every error,
    still goes through typer's own adapter (built on first need). Parameters of a typer
    without this hook (``_runtime_param``) are left as they are.
    """
    for param in params:
        if hasattr(param, "get_runtime_param") and getattr(param, "_runtime_param", 0) is None:
            param._runtime_param = _DeferredConversion()


class _DeferredConversion:
    """Stands in for typer's converter of one parameter until a value needs converting."""

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        many = param.multiple or param.nargs == -1
        if value is None:  # what typer's converter gives without looking at its adapter
            return () if many else None
        descriptor = param.type_descriptor
        plain = descriptor.file_annotation is None and descriptor.parameter_info.parser is None
        if plain and not many and descriptor.annotation is str and type(value) is str:
            return value
        if (
            plain
            and many
            and descriptor.annotation == list[str]
            and isinstance(value, (list, tuple))
            and all(type(item) is str for item in value)
        ):
            return list(value)
        param._runtime_param = None  # typer builds its own converter for this value
        return param.get_runtime_param().coerce(value, param=param, ctx=ctx)


def _name_types(params: list[Any], ctx: Any) -> None:
    for param in params:
        word = _type_word(param, ctx) if hasattr(param, "display_type") else None
        param.display_type_rich = lambda ctx, word=word: word


def _type_word(param: Any, ctx: Any) -> str | None:
    """An option's metavar, or its type as a word (``TEXT``, ``NUMBER``); ``None`` for a flag."""
    if param.metavar:
        return str(param.metavar)
    label = str(param.display_type(ctx)).strip("<>")
    many = label.startswith("list[")
    label = label.removeprefix("list[").removesuffix("]").split()[0]
    word = _TYPE_WORDS.get(label, label.upper())
    if not word:
        return None
    return f"{word}..." if many else word


def _help(doc: str | None) -> str:
    """A docstring as help text: each paragraph one line, for the help to wrap it."""
    text = inspect.cleandoc(doc or "")
    return "\n\n".join(" ".join(part.split()) for part in text.split("\n\n"))


def _command(name: str, group: typer.Typer | None = None) -> Callable[[_F], _F]:
    """Register a command whose help wraps to the terminal and shows types as words."""

    def register(func: _F) -> _F:
        target = group or app
        return target.command(name, cls=_Command, help=_help(func.__doc__))(func)

    return register


app = typer.Typer(
    name="geomap",
    help="Turn news articles about unrest into mapped, sourced events.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    cls=_Group,
    context_settings={"max_content_width": 100, "help_option_names": ["--help", "-h"]},
)
gazetteer_app = typer.Typer(
    help="Build and inspect the offline gazetteer index.", no_args_is_help=True, cls=_Group
)
app.add_typer(gazetteer_app, name="gazetteer")


class _Console:
    """A rich console, made when first used: importing rich's console takes about 12 ms of
    CPU time, which a command that prints JSON or nothing need not spend."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def made(self) -> "Console":
        """The console itself."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.made(), name)


# emoji=False: a title or a name that holds an emoji code (*:fire:*) is printed as written
# (nor is rich's table of 3,600 codes loaded, 7 ms, the first time anything is printed)
out = _Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200, emoji=False)
err = _Console(stderr=True, soft_wrap=True, emoji=False)
EXIT_RUNTIME, EXIT_USAGE, EXIT_PARTIAL, EXIT_INTERRUPTED = 1, 2, 3, 130


class _State:
    debug = False
    quiet = False


def _version(value: bool) -> None:
    if value:
        from geomap import __version__

        out.print(f"geomap {__version__}", highlight=False)
        raise typer.Exit


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show progress logs.")] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Print only errors and what was asked for (no summary)."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print geomap's version and stop."
        ),
    ] = False,
) -> None:
    _State.debug = debug
    _State.quiet = quiet and not debug
    level = (
        logging.DEBUG
        if debug
        else logging.INFO
        if verbose
        else logging.ERROR
        if quiet
        else logging.WARNING
    )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)


def _say(text: str) -> None:
    """A progress or summary line on stderr, unless ``--quiet``."""
    if not _State.quiet:
        err.print(text, highlight=False)


def _progress() -> "Progress":
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err.made(),
        transient=True,
        disable=not err.is_terminal,
    )


def _print_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None = None
) -> None:
    """Print a table on stdout, fitted to the terminal (200 columns when not a terminal)."""
    from geomap.terminal import render_table

    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 200
    box = codecs.lookup(sys.stdout.encoding or "utf-8").name.startswith("utf")
    _print_line(render_table(headers, rows, width=width, title=title, ascii_only=not box))


def _print_line(text: str) -> None:
    """Print ``text`` on stdout; a character its encoding cannot hold is shown as ``?``
    rather than failing the command."""
    encoding = sys.stdout.encoding or "utf-8"
    sys.stdout.write(text.encode(encoding, "replace").decode(encoding) + "\n")


def _gazetteer_progress(settings: Settings) -> Any:
    """A progress callback for building the index, announced once when a build starts."""
    from geomap.pipeline import index_path

    state: dict[str, Any] = {}

    def report(step: str, done: int, total: int) -> None:
        if "bar" not in state:
            _say(f"Building the gazetteer index once (at {_shown(index_path(settings))}) ...")
            state["bar"] = _progress()
            state["bar"].start()
            state["task"] = state["bar"].add_task("gazetteer", total=total)
        state["bar"].update(
            state["task"], description=f"gazetteer: {step}", completed=done, total=total
        )
        if done >= total:
            state["bar"].stop()

    return report


def _open_gazetteer(settings: Settings) -> Any:
    from geomap.gazetteer import Gazetteer
    from geomap.pipeline import index_path

    return Gazetteer.open(index_path(settings), progress=_gazetteer_progress(settings))


# -- gazetteer -----------------------------------------------------------------------------


@_command("build", gazetteer_app)
def gazetteer_build(
    geonames: Annotated[
        list[Path] | None,
        typer.Option(
            "--geonames",
            exists=True,
            dir_okay=False,
            help="A GeoNames dump (allCountries.zip, NO.zip) to index with every feature "
            "class; repeatable.",
        ),
    ] = None,
    alternate_names: Annotated[
        Path | None,
        typer.Option(
            "--alternate-names",
            exists=True,
            dir_okay=False,
            help="GeoNames' alternateNamesV2.zip, for names in more languages.",
        ),
    ] = None,
) -> None:
    """Build the offline gazetteer index now (it is also built on first use)."""
    from geomap.gazetteer.build import build
    from geomap.pipeline import index_path

    settings = Settings.load()
    path = index_path(settings)
    with _progress() as bar:
        task = bar.add_task("gazetteer", total=6)
        build(
            path,
            progress=lambda step, done, total: bar.update(
                task, description=f"gazetteer: {step}", completed=done, total=total
            ),
            geonames=geonames or (),
            alternate_names=alternate_names,
        )
    out.print(f"Built {_shown(path)}")


@_command("info", gazetteer_app)
def gazetteer_info(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the index: places per kind, names, size, sources and location."""
    info = _open_gazetteer(Settings.load()).info()
    if as_json:
        out.print_json(data=info)
        return
    rows = [("location", _one_line(str(info["path"]), 1000))]
    rows.append(("size", f"{info['size_bytes'] / 1e6:.1f} MB"))
    rows += [(f"{kind} entries", f"{count:,}") for kind, count in sorted(info["places"].items())]
    rows.append(("names", f"{info['names']:,}"))
    for package, version in info["sources"].items():
        rows.append((f"source: {_one_line(package)}", _one_line(str(version))))
    rows.append(("build time", f"{info['built_seconds']:.1f} s"))
    _print_table((), rows, title="geomap gazetteer")


# -- geocode -------------------------------------------------------------------------------


@_command("geocode")
def geocode(
    queries: Annotated[
        list[str], typer.Argument(help="Place names, feature phrases or 'name, qualifier'.")
    ],
    country: Annotated[
        str | None,
        typer.Option(
            "--country", help="Keep only places in these ISO countries (comma-separated)."
        ),
    ] = None,
    feature: Annotated[
        str | None, typer.Option("--feature", help="Prefer this kind of place, e.g. airport.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100, help="Results per query.")] = 1,
    service: Annotated[
        str,
        typer.Option(
            "--service", metavar="NAME", help="offline (default) or a geopy service name."
        ),
    ] = "offline",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array, one element per query.")
    ] = False,
) -> None:
    """Geocode place names offline (or with a geopy service).

    Exit codes: 0 every query found a place; 3 some query found none (its row says so,
    its JSON element is null); 2 a usage error; 1 a runtime failure.
    """
    from geomap.geocode import place_of
    from geomap.pipeline import open_geocoder

    settings = Settings.load(geocoder=service)
    if feature is not None and feature not in {"airport", "city", "country", "region"}:
        msg = f"--feature {feature!r} is not one of airport, city, country, region"
        raise UsageError(msg)
    geocoder = open_geocoder(settings, progress=_gazetteer_progress(settings))
    options: dict[str, Any] = {"exactly_one": limit == 1}
    if country:
        options["country_codes"] = [c.strip().upper() for c in country.split(",") if c.strip()]
    if settings.geocoder == "offline":
        options |= {"feature": feature, "limit": limit}
    results: list[Any] = []
    for query in queries:
        answer = geocoder.geocode(query, **options) if query.strip() else None
        locations = [] if answer is None else answer if isinstance(answer, list) else [answer]
        places = [place_of(loc, service=settings.geocoder) for loc in locations[:limit]]
        results.append((query, places))
    _print_geocoded(results, limit=limit, as_json=as_json)
    if any(not places for _, places in results):
        raise typer.Exit(EXIT_PARTIAL)


def _place_json(query: str, place: Any) -> dict[str, Any]:
    return {
        "query": query,
        "place_id": place.place_id,
        "name": place.name,
        "kind": place.kind,
        "country_code": place.country_code,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "score": place.score,
    }


def _print_geocoded(results: list[tuple[str, list[Any]]], *, limit: int, as_json: bool) -> None:
    if as_json:
        data: list[Any] = []
        for query, places in results:
            items = [_place_json(query, p) for p in places]
            data.append((items or None) if limit > 1 else (items[0] if items else None))
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    rows: list[tuple[str, ...]] = []
    for query, places in results:
        shown = _one_line(query)
        if not places:
            rows.append((shown, "not found", "", "", "", "", "", ""))
        rows += [
            (
                shown,
                _one_line(place.name),
                place.kind,
                place.country_code or "",
                f"{place.latitude:.4f}",
                f"{place.longitude:.4f}",
                _one_line(place.place_id),
                f"{place.score:.2f}",
            )
            for place in places
        ]
    _print_table(("query", "name", "kind", "country", "lat", "lon", "place id", "score"), rows)


def _one_line(text: str, width: int = 60) -> str:
    """A name or query as one safe, short line: no control characters, at most ``width``
    characters (the last an ellipsis when cut)."""
    cleaned = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)
    return cleaned if len(cleaned) <= width else cleaned[: width - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _printable(text: str, width: int = 60) -> str:
    """:func:`_one_line`, for rich to print: its markup (``[red]``) escaped."""
    from rich.markup import escape

    return escape(_one_line(text, width))


def _shown(value: object) -> str:
    """A path or other user-given value, printed as it is (never read as rich markup)."""
    return _printable(str(value), 1000)


# -- entry point ---------------------------------------------------------------------------


#: What the command line sets in its process's environment before the libraries that read it
#: load, where the user has not set it:
#: - Arrow's buffers (outputs, store reads) on the C library's allocator: the default hands
#:   pages back at once, and a render of 100,000 events then spent a sixth of its CPU time
#:   faulting them in again.
#: - NumPy's OpenBLAS without threads of its own: geomap multiplies no large matrices, and
#:   OpenBLAS's thread, started when NumPy loads, spins for work for about 0.1 s of CPU time
#:   (a quarter of a short parse's). Dask sets the same for its workers.
PROCESS_ENVIRONMENT = {"ARROW_DEFAULT_MEMORY_POOL": "system", "OPENBLAS_NUM_THREADS": "1"}


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user mistakes print one line, never a traceback (unless ``--debug``)."""
    for name, value in PROCESS_ENVIRONMENT.items():  # unless the user chose otherwise
        os.environ.setdefault(name, value)
    args = sys.argv[1:] if argv is None else argv
    # The objects of the libraries and modules loaded so far live as long as the process: the
    # collector's full passes during the command need not examine them again (a short parse
    # made one, about 16 ms of its 110 ms of geomap's own CPU time). They are handed back
    # when the command ends, for the exit to be what it would be without this.
    gc.freeze()
    # The modules a command imports make tens of thousands of objects that all live on: at
    # Python's default the collector's young passes examined them (most of them twice) 29
    # times in a short parse, 5 ms of its CPU time, and found next to nothing to free. While
    # a command runs a young pass comes after 20,000 new objects instead of 700 (cyclic
    # garbage waits a little longer); at its end the objects it made join the old ones
    # (freeze, then unfreeze), so that setting the threshold back starts no pass over them.
    thresholds = gc.get_threshold()
    gc.set_threshold(_YOUNG_PASS_OBJECTS, *thresholds[1:])
    try:
        _run(args)
    finally:
        gc.freeze()
        gc.set_threshold(*thresholds)
        gc.unfreeze()


#: New objects between two young passes of the collector while a command runs (see main).
_YOUNG_PASS_OBJECTS = 20_000


def run() -> None:
    """The ``geomap`` program: :func:`main`, then the process ends. A Ctrl-C that comes once
    the command is over, while Python shuts down, is ignored: it would otherwise end the
    process by the signal (exit status -2) after its work was done and said."""
    try:
        main()
    except KeyboardInterrupt:  # in main's last instants, after the command's work
        _interrupted()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _app_for(args: list[str]) -> typer.Typer:
    """The app, with only the command ``args`` run (and the root options): at each run typer
    makes every command's options from its signature, 3 ms of a short parse for the commands
    not run. The root's help, shell completion and a name that is no command get them all.
    """
    name = next((arg for arg in args if not arg.startswith("-")), None)  # root options: flags
    chosen = [command for command in app.registered_commands if command.name == name]
    if not chosen or "_GEOMAP_COMPLETE" in os.environ:
        return app
    single = copy.copy(app)
    single.registered_commands, single.registered_groups = chosen, []
    return single


def _run(args: list[str]) -> None:
    debug = "--debug" in args
    try:
        code = _app_for(args)(args=args, prog_name="geomap", standalone_mode=False)
    except Exit as exc:
        sys.exit(exc.exit_code)
    except (Abort, KeyboardInterrupt):
        _interrupted()
    except TyperException as exc:  # click's usage errors, vendored by typer
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            out.print(ctx.get_help(), highlight=False, markup=False)
            sys.exit(0)
        command = ctx.command_path.replace("geomap", "", 1).strip() if ctx else ""
        hint = f" (see 'geomap {command} --help')".replace("  ", " ")
        err.print(
            f"[red]error:[/red] {_printable(exc.format_message(), 300)}{hint}", highlight=False
        )
        sys.exit(exc.exit_code if exc.exit_code != 1 else EXIT_USAGE)
    except GeomapError as exc:
        if debug:
            raise
        code = EXIT_USAGE if isinstance(exc, UsageError) else EXIT_RUNTIME
        err.print(f"[red]error:[/red] {_printable(str(exc), 500)}", highlight=False)
        sys.exit(code)
    if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into this code without a word
        _interrupted()
    if isinstance(code, int) and code:
        sys.exit(code)


def _interrupted() -> None:
    err.print("[red]error:[/red] interrupted; each output and the store is whole, old or new")
    sys.exit(EXIT_INTERRUPTED)


# -- parse ---------------------------------------------------------------------------------


_DateOption = Annotated[
    str | None,
    typer.Option("--date", metavar="DATE", help="Publication date, YYYY-MM or YYYY-MM-DD."),
]
_LanguageOption = Annotated[
    str | None,
    typer.Option("--language", metavar="CODE", help="Force the language (nb, en, ru …)."),
]
_GeocoderOption = Annotated[
    str | None,
    typer.Option("--geocoder", metavar="NAME", help="offline (default) or a geopy service."),
]


@_command("parse")
def parse_command(
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders, globs, URLs, or - for stdin.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per article.")
    ] = False,
    date: _DateOption = None,
    language: _LanguageOption = None,
    geocoder_name: _GeocoderOption = None,
    max_bytes: Annotated[
        int | None, typer.Option("--max-bytes", metavar="BYTES", help="Refuse larger sources.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", metavar="SECONDS", help="Seconds per URL request.")
    ] = None,
) -> None:
    """Read articles and print the places and events they report.

    Exit codes: 0 every source was read; 3 some source failed (one line each on stderr),
    the others were printed; 1 every source failed; 2 a usage error.
    """
    from geomap.pipeline import parse_many, prepare

    settings = Settings.load(geocoder=geocoder_name, max_bytes=max_bytes, timeout=timeout)
    run = prepare(
        settings,
        date=_publication_date(date),
        language=language,
        geocoder=True,
        progress=_gazetteer_progress(settings),
    )
    geocoder, options = run.geocoder, run.options
    assert geocoder is not None  # prepare(geocoder=True) opens one
    found, failed = _expanded(sources)
    printed = 0
    for result in parse_many(found, geocoder=geocoder, options=options):
        if isinstance(result, GeomapError):
            _print_error(result)
            failed = True
            continue
        if as_json:
            from geomap.serialize import parsed_to_json  # the tables need none of it

            sys.stdout.write(json.dumps(parsed_to_json(result), ensure_ascii=False) + "\n")
        else:
            _print_parsed(result)
        printed += 1
    if failed:
        raise typer.Exit(EXIT_PARTIAL if printed else EXIT_RUNTIME)


def _expanded(sources: list[str]) -> tuple[list[str], bool]:
    """The single sources named, and whether some name failed (its line printed)."""
    from geomap.ingest import expand_sources

    found: list[str] = []
    failed = False
    for source in sources:
        try:
            found += expand_sources([source])
        except GeomapError as exc:
            _print_error(exc)
            failed = True
    return found, failed


def _print_parsed(parsed: Any) -> None:
    from geomap.records import COUNTS
    from geomap.terminal import styled_bold

    article = parsed.article
    title = _one_line(article.title or article.source, 100)
    about = _one_line(f"{article.language}, {article.published or 'no date'}, id {article.id}", 200)
    _print_line(f"{styled_bold(title, terminal=sys.stdout.isatty())}  ({about})")
    counts: dict[str, tuple[Any, int]] = {}
    for mention in parsed.mentions:
        place, seen = counts.get(mention.place.place_id, (mention.place, 0))
        counts[mention.place.place_id] = (place, seen + 1)
    places = [
        (_one_line(p.name), p.kind, p.country_code or "", str(seen), _one_line(p.place_id))
        for p, seen in counts.values()
    ]
    _print_table(("place", "kind", "country", "mentions", "place id"), places)
    events = []
    for event in parsed.events:
        figures = ", ".join(
            f"{k} {getattr(event, k)}" for k in COUNTS if getattr(event, k) is not None
        )
        events.append(
            (
                f"{event.event_type} / {event.sub_event_type}",
                _one_line(event.place.name),
                str(event.date or ""),
                _one_line(figures or event.notes, 200),
                _one_line(event.actor1),
            )
        )
    _print_table(("event", "where", "date", "figures", "actor"), events)
    for mention in parsed.unresolved:
        sys.stderr.write(f"not found: {_one_line(mention.surface)} at {mention.start}\n")


# -- build, render, export, open ----------------------------------------------------------

_OutOption = Annotated[
    Path | None,
    typer.Option("--out", metavar="DIR", help="Output folder (default out/).", show_default=False),
]
_StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="FILE|URL",
        help="GeoPackage store (default OUT/geomap.gpkg), or a PostGIS database "
        "postgresql://USER@HOST/DB.",
        show_default=False,
    ),
]
_LayersOption = Annotated[
    Path | None,
    typer.Option(
        "--layers", metavar="DIR", help="Folder of layer *.toml files (default: the shipped ones)."
    ),
]
_SelfContainedOption = Annotated[
    bool | None,
    typer.Option(
        "--self-contained/--online-tiles",
        help="Offer no online tiles, so the map asks for nothing at all (by default "
        "OpenStreetMap tiles are an optional base layer that falls back to offline outlines; "
        "Leaflet is always inlined).",
        show_default=False,
    ),
]
_TitleOption = Annotated[
    str | None,
    typer.Option("--title", help="The map's title (default: made from the layers' titles)."),
]


@_command("build")
def build_command(
    sources: Annotated[
        list[str] | None,
        typer.Argument(help="Files, folders, globs, URLs or -; none: the bundled example."),
    ] = None,
    out_dir: _OutOption = None,
    store_path: _StoreOption = None,
    layers_dir: _LayersOption = None,
    self_contained: _SelfContainedOption = None,
    title: _TitleOption = None,
    geocoder_name: _GeocoderOption = None,
    date: _DateOption = None,
    language: _LanguageOption = None,
    open_map: Annotated[bool, typer.Option("--open", help="Open the map when done.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            metavar="N",
            min=1,
            help="Parse on N worker processes of a Dask LocalCluster on this machine.",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            help="Parse on the running Dask cluster whose scheduler is at this address.",
        ),
    ] = None,
) -> None:
    """Add articles to the store and regenerate map.html, events.geojson, flows.geojson and
    events.csv.

    Exit codes: 0 done; 3 some source failed (one line each), the others were stored;
    1 no source could be read, or the store or an output could not be written (both left as
    they were); 2 a usage error.
    """
    from geomap.pipeline import build, prepare

    settings = Settings.load(
        out_dir=out_dir,
        store=store_path,
        layers_dir=layers_dir,
        geocoder=geocoder_name,
        self_contained=self_contained,
        title=title,
    )
    cluster = _cluster_options(workers, scheduler, timeout=settings.timeout)
    found, failed = _expanded(sources or [str(_bundled_example())])
    if not found:
        raise typer.Exit(EXIT_RUNTIME)  # nothing to read: the store and outputs stay as they are
    run = prepare(
        settings,
        date=_publication_date(date),
        language=language,
        geocoder=True,
        layers=True,
        progress=_gazetteer_progress(settings),
    )
    assert run.geocoder is not None  # prepare(geocoder=True) opens one
    with _progress() as bar:
        task = bar.add_task("articles", total=len(found))
        report = build(
            found,
            settings=settings,
            geocoder=run.geocoder,
            options=run.options,
            specs=run.specs,
            progress=lambda _source: bar.advance(task),
            cluster=cluster,
        )
    for _source, message in report.failures:
        err.print(f"[red]error:[/red] {_printable(message, 500)}", highlight=False)
    if len(report.failures) == len(found):
        raise typer.Exit(EXIT_RUNTIME)
    failed = failed or bool(report.failures)
    _print_report(report)
    _say_where_the_map_is(settings.out_dir / "map.html", opening=open_map)
    if open_map:
        _open_in_browser(settings.out_dir / "map.html")
    if failed:
        raise typer.Exit(EXIT_PARTIAL)


def _cluster_options(
    workers: int | None, scheduler: str | None, *, timeout: float
) -> "ClusterOptions | None":
    """Where ``--workers`` or ``--scheduler`` has the articles parsed; ``None``: here."""
    if workers is None and scheduler is None:
        return None
    from geomap.distributed import ClusterOptions

    # Dask's own loggers speak at INFO; they say only what geomap's --quiet/--verbose/--debug let
    logging.getLogger("distributed").setLevel(logging.getLogger().getEffectiveLevel())
    return ClusterOptions(workers=workers, scheduler=scheduler, connect_timeout=timeout)


@_command("render")
def render_command(
    out_dir: _OutOption = None,
    store_path: _StoreOption = None,
    layers_dir: _LayersOption = None,
    self_contained: _SelfContainedOption = None,
    title: _TitleOption = None,
) -> None:
    """Regenerate the map and exports from the store alone (after editing layers/*.toml)."""
    from geomap.pipeline import prepare, render

    settings = Settings.load(
        out_dir=out_dir,
        store=store_path,
        layers_dir=layers_dir,
        self_contained=self_contained,
        title=title,
    )
    _print_report(render(settings=settings, specs=prepare(settings, layers=True).specs))
    _say_where_the_map_is(settings.out_dir / "map.html", opening=False)


@_command("export")
def export_command(
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="geojson, csv, gpkg (a copy of the store), fgb (FlatGeobuf), parquet "
            "(GeoParquet), kml or shp (Shapefiles, one set per geometry type).",
            case_sensitive=False,
        ),
    ] = "geojson",
    target: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="File to write (default: standard output, for geojson and csv only).",
        ),
    ] = None,
    layer: Annotated[
        str, typer.Option("--layer", metavar="LAYER", help="events or flows.")
    ] = "events",
    store_path: _StoreOption = None,
) -> None:
    """Export the store's events or flows: GeoJSON (RFC 7946), CSV (ACLED's columns first),
    GeoPackage, FlatGeobuf, GeoParquet, KML or Shapefile."""
    from geomap.pipeline import export

    settings = Settings.load(store=store_path)
    done = export(settings, format_=format_.lower(), layer=layer, target=target)
    if done.text is not None:
        sys.stdout.write(done.text)
        return
    for path in done.written:
        _say(f"wrote {_shown(path)}")


@_command("stats")
def stats_command(
    store_path: _StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Count what the store holds: events per type, country and month; articles; sources."""
    from geomap.pipeline import stats

    counted = stats(Settings.load(store=store_path))
    if as_json:
        sys.stdout.write(json.dumps(counted.as_json(), ensure_ascii=False, indent=2) + "\n")
        return
    totals = [(counted.events, "event"), (counted.flows, "flow"), (counted.articles, "article")]
    out.print(
        ", ".join(f"{n:,} {noun}{'' if n == 1 else 's'}" for n, noun in totals), highlight=False
    )
    for title, rows in (
        ("events per type", counted.by_type),
        ("events per country", counted.by_country),
        ("events per month", counted.by_month),
        ("articles per source", counted.by_source),
    ):
        cells = [(_one_line(value, 200), f"{count:,}") for value, count in rows]
        _print_table((title, "count"), cells, title=title)


@_command("open")
def open_command(out_dir: _OutOption = None) -> None:
    """Open the map (OUT/map.html) in the default browser."""
    path = Settings.load(out_dir=out_dir).out_dir / "map.html"
    if not path.is_file():
        msg = f"no map at {path}; run 'geomap build' first"
        raise GeomapError(msg)
    _open_in_browser(path)


def _publication_date(date: str | None) -> Any:
    from geomap.records import PubDate

    try:
        return PubDate.parse(date) if date else None
    except ValueError as exc:
        msg = f"--date {date!r}: {exc}"
        raise UsageError(msg) from None


def _bundled_example() -> Path:
    from geomap._paths import data_dir

    return data_dir("examples") / "kazakhstan-2022-01.en.txt"


def _print_error(exc: Exception) -> None:
    """One line for a source that failed; with ``--debug`` its traceback first."""
    if _State.debug:
        err.print("".join(traceback.format_exception(exc)), highlight=False, markup=False)
    err.print(f"[red]error:[/red] {_printable(str(exc), 500)}", highlight=False)


def _print_report(report: Any) -> None:
    if _State.quiet:
        return
    rows = []
    if report.added or report.replaced or report.unchanged:
        read = (
            f"{len(report.added)} new, {len(report.replaced)} replaced, "
            f"{len(report.unchanged)} already stored"
        )
        rows.append(("articles read", read))
    rows.append(("articles in store", f"{report.articles:,}"))
    rows.append(("places", f"{report.places:,}"))
    rows += [(f"layer: {_one_line(title)}", f"{count:,}") for title, count in report.layer_rows]
    for path in report.outputs:
        rows.append(
            (_one_line(str(path), 1000), "written" if path in report.written else "unchanged")
        )
    _print_table((), rows, title="geomap")


def _say_where_the_map_is(path: Path, *, opening: bool) -> None:
    """The last line of a build: where the map is and how to open it (on stdout)."""
    if _State.quiet:
        return
    if opening:
        out.print(f"The map is {_shown(path)}; opening it in your browser.", highlight=False)
        return
    command = "geomap open" if path.parent == Path("out") else f"geomap open --out {path.parent}"
    out.print(
        f"The map is {_shown(path)}: open it in a web browser (double-click the file) "
        f"or run '{_shown(command)}'.",
        highlight=False,
    )


def _open_in_browser(path: Path) -> None:
    import webbrowser

    if not webbrowser.open(path.resolve().as_uri()):
        err.print(f"no browser found; open {_shown(path)} yourself")
