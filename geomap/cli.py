"""The ``geomap`` command line: a thin layer that parses options, calls the library, prints.

Exit codes: 0 success; 1 a runtime failure (unreadable source, damaged store, failed write);
2 a usage error (bad option value, unknown geocoder, bad layer file); 3 (``geocode``,
``parse``) some inputs gave no result, while the others were printed.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.exceptions import Abort, Exit, TyperException

from geomap.errors import GeomapError, UsageError
from geomap.settings import Settings

app = typer.Typer(
    name="geomap",
    help="Turn news articles about unrest into mapped, sourced events.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
gazetteer_app = typer.Typer(
    help="Build and inspect the offline gazetteer index.", no_args_is_help=True
)
app.add_typer(gazetteer_app, name="gazetteer")

out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, soft_wrap=True)
EXIT_RUNTIME, EXIT_USAGE, EXIT_PARTIAL = 1, 2, 3


class _State:
    debug = False


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show progress logs.")] = False,
) -> None:
    _State.debug = debug
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _open_gazetteer(settings: Settings) -> Any:
    from geomap.gazetteer import Gazetteer, fingerprint, stored_fingerprint

    path = _index_path(settings)
    if stored_fingerprint(path) == fingerprint():
        return Gazetteer(path)
    err.print(f"Building the gazetteer index once (at {path}) ...")
    with _progress() as bar:
        task = bar.add_task("gazetteer", total=6)

        def report(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"gazetteer: {step}", completed=done, total=total)

        return Gazetteer.open(path, progress=report)


def _index_path(settings: Settings) -> Path:
    from geomap.gazetteer import default_index_path

    return default_index_path(settings.cache_dir)


# -- gazetteer -----------------------------------------------------------------------------


@gazetteer_app.command("build")
def gazetteer_build() -> None:
    """Build the offline gazetteer index now (it is also built on first use)."""
    from geomap.gazetteer import build

    settings = Settings.load()
    path = _index_path(settings)
    with _progress() as bar:
        task = bar.add_task("gazetteer", total=6)
        build(
            path,
            progress=lambda step, done, total: bar.update(
                task, description=f"gazetteer: {step}", completed=done, total=total
            ),
        )
    out.print(f"Built {path}")


@gazetteer_app.command("info")
def gazetteer_info(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the index: places per kind, names, size, sources and location."""
    info = _open_gazetteer(Settings.load()).info()
    if as_json:
        out.print_json(data=info)
        return
    table = Table(title="geomap gazetteer", show_header=False)
    table.add_row("location", info["path"])
    table.add_row("size", f"{info['size_bytes'] / 1e6:.1f} MB")
    for kind, count in sorted(info["places"].items()):
        table.add_row(f"{kind} entries", f"{count:,}")
    table.add_row("names", f"{info['names']:,}")
    for package, version in info["sources"].items():
        table.add_row(f"source: {package}", version)
    table.add_row("build time", f"{info['built_seconds']:.1f} s")
    out.print(table)


# -- geocode -------------------------------------------------------------------------------


@app.command("geocode")
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
        str, typer.Option("--service", help="offline (default) or a geopy service name.")
    ] = "offline",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array, one element per query.")
    ] = False,
) -> None:
    """Geocode place names offline (or with a geopy service).

    Exit codes: 0 every query found a place; 3 some query found none (its row says so,
    its JSON element is null); 2 a usage error; 1 a runtime failure.
    """
    from geomap.geocode import get_geocoder, place_of

    settings = Settings.load(geocoder=service)
    if feature is not None and feature not in {"airport", "city", "country", "region"}:
        msg = f"--feature {feature!r} is not one of airport, city, country, region"
        raise UsageError(msg)
    geocoder = get_geocoder(settings.geocoder, **_geocoder_options(settings))
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


def _geocoder_options(settings: Settings) -> dict[str, Any]:
    if settings.geocoder == "offline":
        if settings.cache_dir is None:
            return {}
        return {"index_path": _index_path(settings)}
    return {"cache_dir": settings.cache_dir} if settings.cache_dir else {}


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
    table = Table("query", "name", "kind", "country", "lat", "lon", "place id", "score")
    for query, places in results:
        shown = _printable(query)
        if not places:
            table.add_row(shown, "[red]not found[/red]", "", "", "", "", "", "")
        for place in places:
            table.add_row(
                shown,
                place.name,
                place.kind,
                place.country_code or "",
                f"{place.latitude:.4f}",
                f"{place.longitude:.4f}",
                place.place_id,
                f"{place.score:.2f}",
            )
    out.print(table)


def _printable(text: str, width: int = 60) -> str:
    """A query as one safe, short line (no control characters, no rich markup)."""
    from rich.markup import escape

    cleaned = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)
    return escape(
        cleaned if len(cleaned) <= width else cleaned[: width - 1] + "\N{HORIZONTAL ELLIPSIS}"
    )


# -- entry point ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user mistakes print one line, never a traceback (unless ``--debug``)."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        code = app(args=args, prog_name="geomap", standalone_mode=False)
    except Exit as exc:
        sys.exit(exc.exit_code)
    except Abort:
        err.print(
            "[red]error:[/red] interrupted; outputs and store are as they were before this run"
        )
        sys.exit(130)
    except TyperException as exc:  # click's usage errors, vendored by typer
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            out.print(ctx.get_help(), highlight=False)
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
    except KeyboardInterrupt:
        err.print(
            "[red]error:[/red] interrupted; outputs and store are as they were before this run"
        )
        sys.exit(130)
    if isinstance(code, int) and code:
        sys.exit(code)


# -- parse ---------------------------------------------------------------------------------


@app.command("parse")
def parse_command(
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders, globs, URLs, or - for stdin.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per article.")
    ] = False,
    date: Annotated[
        str | None, typer.Option("--date", help="Publication date, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", help="Force the language (nb, en, ru …).")
    ] = None,
    geocoder_name: Annotated[
        str | None, typer.Option("--geocoder", help="offline (default) or a geopy service.")
    ] = None,
    max_bytes: Annotated[
        int | None, typer.Option("--max-bytes", help="Refuse larger sources.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Seconds per URL request.")
    ] = None,
) -> None:
    """Read articles and print the places and events they report.

    Exit codes: 0 every source was read; 3 some source failed (one line each on stderr),
    the others were printed; 2 a usage error.
    """
    from geomap.geocode import get_geocoder
    from geomap.ingest import IngestOptions, expand_sources
    from geomap.pipeline import parse_many
    from geomap.records import PubDate
    from geomap.serialize import parsed_to_json

    settings = Settings.load(geocoder=geocoder_name, max_bytes=max_bytes, timeout=timeout)
    try:
        published = PubDate.parse(date) if date else None
    except ValueError as exc:
        msg = f"--date {date!r}: {exc}"
        raise UsageError(msg) from None
    options = IngestOptions(
        timeout=settings.timeout, max_bytes=settings.max_bytes, date=published, language=language
    )
    _open_gazetteer(settings)
    geocoder = get_geocoder(settings.geocoder, **_geocoder_options(settings))
    failed = False
    found: list[str] = []
    for source in sources:
        try:
            found += expand_sources([source])
        except GeomapError as exc:
            err.print(f"[red]error:[/red] {_printable(str(exc), 500)}", highlight=False)
            failed = True
    for result in parse_many(found, geocoder=geocoder, options=options):
        if isinstance(result, GeomapError):
            err.print(f"[red]error:[/red] {_printable(str(result), 500)}", highlight=False)
            failed = True
        elif as_json:
            sys.stdout.write(json.dumps(parsed_to_json(result), ensure_ascii=False) + "\n")
        else:
            _print_parsed(result)
    if failed:
        raise typer.Exit(EXIT_PARTIAL)


def _print_parsed(parsed: Any) -> None:
    from geomap.serialize import COUNT_COLUMNS

    article = parsed.article
    title = _printable(article.title or article.source, 100)
    about = f"{article.language}, {article.published or 'no date'}, id {article.id}"
    out.print(f"[bold]{title}[/bold]  ({about})")
    places = Table("place", "kind", "country", "mentions", "place id")
    counts: dict[str, tuple[Any, int]] = {}
    for mention in parsed.mentions:
        place, seen = counts.get(mention.place.place_id, (mention.place, 0))
        counts[mention.place.place_id] = (place, seen + 1)
    for place, seen in counts.values():
        places.add_row(place.name, place.kind, place.country_code or "", str(seen), place.place_id)
    out.print(places)
    events = Table("event", "where", "date", "figures", "actor")
    for event in parsed.events:
        figures = ", ".join(
            f"{k} {getattr(event, k)}" for k in COUNT_COLUMNS if getattr(event, k) is not None
        )
        events.add_row(
            f"{event.event_type} / {event.sub_event_type}",
            event.place.name,
            str(event.date or ""),
            figures or event.notes,
            event.actor1,
        )
    out.print(events)
    for mention in parsed.unresolved:
        err.print(f"not found: {_printable(mention.surface)} at {mention.start}")
