"""Layer specs: ``layers/*.toml`` parsed into validated frozen :class:`LayerSpec` records.

A layer says which rows it shows (``source`` and ``where``), how it draws them (``draw``:
points, country shapes or flow lines), its style (a colour, colours per value of a column,
a radius from the first count present), its popup and tooltip fields, when it clusters, and
whether it is shown by default. Adding a layer for a new conflict needs no Python.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geomap import join
from geomap._paths import data_dir
from geomap.errors import LayerSpecError
from geomap.serialize import COUNT_COLUMNS

DRAWS = ("points", "shapes", "flows")
SOURCES = ("events", "flows")
_DEFAULT_COLOUR = "#555555"
# Matched with fullmatch: ``$`` alone also matches before a final newline (``"#ff0000\n"``).
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_ID = re.compile(r"[a-z][a-z0-9_-]{0,40}")
#: Largest value of each whole-number key: far above any real use, and small enough for the
#: map's JavaScript (exact below 2**53) and for ``float`` (a 400-digit weight overflowed it).
_INTEGER_LIMITS = {"order": 1_000_000, "cluster_over": 1_000_000_000, "style.weight": 100}
#: A key given a number of more than 40 digits: from 4,300 digits tomllib refuses to convert
#: it (Python's integer string limit) naming neither line nor key, so it is found here first.
_LONG_NUMBER = re.compile(
    r"(?:^|[{,])[ \t]*([A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')[ \t]*=[ \t]*[+-]?\d[\d_]{40,}",
    re.MULTILINE,
)
_EXACT_IN_JS = 2**53
_TABLE_HEADER = re.compile(r"^[ \t]*\[+[ \t]*([^\]\n]+?)[ \t]*\]+", re.MULTILINE)
_KEYS = frozenset(
    {"id", "title", "order", "source", "draw", "show", "cluster_over", "where", "style", "popup"}
    | {"tooltip", "split_by"}
)
_STYLE_KEYS = frozenset({"color", "color_by", "colors", "radius_by", "radius", "weight"})
_COLUMNS = {"events": join.MERGED_EVENT_COLUMNS, "flows": join.MERGED_FLOW_COLUMNS}
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


@dataclass(frozen=True, slots=True)
class Style:
    """How a layer's features look; colours are ``#rrggbb``."""

    color: str = _DEFAULT_COLOUR
    color_by: str | None = None
    colors: tuple[tuple[str, str], ...] = ()
    radius_by: tuple[str, ...] = ()
    radius: tuple[float, float] = (6.0, 6.0)
    weight: float = 2.0


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """One map layer, read from a TOML file.

    ``title`` may hold ``{value}`` placeholders of the ``split_by`` column (*{actor}
    deployment*): one layer is then drawn per distinct value.
    """

    id: str
    title: str
    source: str = "events"
    draw: str = "points"
    order: int = 100
    show: bool = True
    cluster_over: int = 0
    where: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    style: Style = field(default_factory=Style)
    popup: tuple[str, ...] = ()
    tooltip: tuple[str, ...] = ()
    split_by: str | None = None
    path: str = ""

    def title_for(self, value: Any) -> str:
        """The title of the layer drawn for one ``split_by`` value (the title itself if none)."""
        if self.split_by is None:
            return self.title
        return self.title.replace("{" + self.split_by + "}", str(value))

    def rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` (the spec's source) that its ``where`` filter keeps."""
        mask = np.ones(len(frame), dtype=bool)
        for column, allowed in self.where:
            mask &= frame[column].isin(list(allowed)).to_numpy()
        return frame[mask]


def default_layers_dir() -> Path:
    """The ``layers/`` folder shipped with geomap."""
    return data_dir("layers")


def load_layers(folder: Path | None = None) -> tuple[LayerSpec, ...]:
    """Every ``*.toml`` spec in ``folder`` (default: the shipped ones), sorted by ``order``.

    Raises
    ------
    LayerSpecError
        When the folder has no spec, or a spec is malformed (the message names the file,
        the key and what is allowed).
    """
    folder = folder or default_layers_dir()
    if not folder.is_dir():
        msg = f"the layers folder {folder} does not exist; pass --layers with a folder of *.toml"
        raise LayerSpecError(msg)
    specs = [parse_layer(path) for path in sorted(folder.glob("*.toml"))]
    if not specs:
        msg = f"the layers folder {folder} has no *.toml layer file; add one or pass --layers"
        raise LayerSpecError(msg)
    for key in ("id", "title"):
        seen: dict[str, str] = {}
        for spec in specs:
            value = getattr(spec, key)
            if value in seen:
                msg = (
                    f"layer file {spec.path}: bad {key!r}: {value!r} is also the {key} of "
                    f"{seen[value]}; give each layer its own {key}"
                )
                raise LayerSpecError(msg)
            seen[value] = spec.path
    return tuple(sorted(specs, key=lambda spec: (spec.order, spec.id)))


def parse_layer(path: Path) -> LayerSpec:
    """Read and validate one layer file.

    Raises
    ------
    LayerSpecError
        When the file is not valid TOML or a value is not allowed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"layer file {path}: {exc}; fix the file or remove it"
        raise LayerSpecError(msg) from exc
    _check_long_numbers(text, str(path))
    try:
        data = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or a number tomllib cannot convert
        reason = " ".join(str(exc).split())  # one line, whatever tomllib says
        msg = f"layer file {path}: {reason}; fix the file or remove it"
        raise LayerSpecError(msg) from exc
    return _spec(data, str(path), default_id=path.stem)


def _check_long_numbers(text: str, where: str) -> None:
    """Refuse a number of more than 40 digits, naming its key (``style.weight``).

    No key takes one (see :data:`_INTEGER_LIMITS`). Caught before tomllib, which fails on
    4,300 digits or more without naming the key; below that, ``float`` overflowed.
    """
    match = _LONG_NUMBER.search(text)
    if match is None:
        return
    key = match.group(1).strip("\"'")
    tables = list(_TABLE_HEADER.finditer(text, 0, match.start()))
    if tables:
        key = f"{tables[-1].group(1)}.{key}"
    digits = sum(c.isdigit() for c in match.group(0).split("=", 1)[1])
    _Checker(where).fail(key, f"a number of {digits:,} digits; give a small whole number")


def _spec(data: dict[str, Any], where: str, *, default_id: str) -> LayerSpec:
    check = _Checker(where)
    check.keys(data, _KEYS, "")
    source = check.choice(data.get("source", "events"), SOURCES, "source")
    columns = _COLUMNS[source]
    draw = check.choice(data.get("draw", "points"), DRAWS, "draw")
    if (draw == "flows") != (source == "flows"):
        check.fail("draw", "draw = 'flows' goes with source = 'flows' and only with it")
    spec_id = check.text(data.get("id", default_id), "id")
    if not _ID.fullmatch(spec_id):
        given = "" if "id" in data else f" (the file name gives {spec_id!r}; or set id = '...')"
        check.fail(
            "id", f"use lower-case letters, digits, '-' or '_', starting with a letter{given}"
        )
    split_by = data.get("split_by")
    if split_by is not None:
        check.column(split_by, columns, "split_by")
    title = check.text(data.get("title", spec_id), "title")
    _check_placeholders(check, title, split_by)
    return LayerSpec(
        id=spec_id,
        title=title,
        source=source,
        draw=draw,
        order=check.integer(data.get("order", 100), "order"),
        show=check.boolean(data.get("show", True), "show"),
        cluster_over=check.integer(data.get("cluster_over", 0), "cluster_over"),
        where=_where(check, data.get("where", {}), columns),
        style=_style(check, data.get("style", {}), columns),
        popup=check.columns(data.get("popup", []), columns, "popup"),
        tooltip=check.columns(data.get("tooltip", []), columns, "tooltip"),
        split_by=split_by,
        path=where,
    )


def _check_placeholders(check: _Checker, title: str, split_by: str | None) -> None:
    """Check that ``{column}`` in a title is the ``split_by`` column, and that it is there.

    Without the placeholder every split layer would get the same title, and the layer control
    would show only one of them.
    """
    for name in sorted(set(_PLACEHOLDER.findall(title)) - {split_by}):
        fix = f"split_by = '{name}' to draw one layer per {name}" if name else "a column name"
        check.fail("title", f"the placeholder {{{name}}} needs {fix}")
    if split_by is not None and "{" + split_by + "}" not in title:
        check.fail("title", f"put {{{split_by}}} in the title, e.g. '{{{split_by}}} deployment'")


def _where(
    check: _Checker, table: Any, columns: tuple[str, ...]
) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    if not isinstance(table, dict):
        check.fail("where", "write a table such as [where] layer = ['incidents']")
    result = []
    for column, values in sorted(table.items()):
        check.column(column, columns, f"where.{column}")
        allowed = values if isinstance(values, list) else [values]
        if not allowed or not all(
            isinstance(v, str) or (isinstance(v, int) and abs(v) < _EXACT_IN_JS) for v in allowed
        ):
            check.fail(f"where.{column}", "give a list of strings or whole numbers below 2**53")
        result.append((column, tuple(allowed)))
    return tuple(result)


def _style(check: _Checker, table: Any, columns: tuple[str, ...]) -> Style:
    if not isinstance(table, dict):
        check.fail("style", "write a table such as [style] color = '#c0392b'")
    check.keys(table, _STYLE_KEYS, "style.")
    colors = table.get("colors", {})
    if not isinstance(colors, dict):
        check.fail("style.colors", "write a table of value = '#rrggbb'")
    color_by = table.get("color_by")
    if color_by is not None:
        check.column(color_by, columns, "style.color_by")
    radius = table.get("radius", [6, 6])
    if (
        not isinstance(radius, list)
        or len(radius) != 2
        or not all(isinstance(r, int | float) and 0 < r <= 100 for r in radius)
        or radius[0] > radius[1]
    ):
        check.fail("style.radius", "give [smallest, largest] in pixels, e.g. [6, 24]")
    return Style(
        color=check.colour(table.get("color", _DEFAULT_COLOUR), "style.color"),
        color_by=color_by,
        colors=tuple(
            (str(value), check.colour(colour, f"style.colors.{value}"))
            for value, colour in sorted(colors.items())
        ),
        radius_by=_radius_by(check, table.get("radius_by", []), columns),
        radius=(float(radius[0]), float(radius[1])),
        weight=float(check.integer(table.get("weight", 2), "style.weight")),
    )


def _radius_by(check: _Checker, values: Any, columns: tuple[str, ...]) -> tuple[str, ...]:
    chosen = check.columns(values, columns, "style.radius_by")
    counts = [c for c in columns if c in COUNT_COLUMNS]
    for column in chosen:
        if column not in counts:
            check.fail("style.radius_by", f"{column!r} is not a count; use {', '.join(counts)}")
    return chosen


class _Checker:
    """Validation steps that raise one clear :class:`LayerSpecError` naming file and key."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, fix: str) -> Any:
        msg = f"layer file {self.where}: bad {key!r}: {fix}"
        raise LayerSpecError(msg)

    def keys(self, table: dict[str, Any], allowed: frozenset[str], prefix: str) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            self.fail(prefix + unknown[0], f"unknown key; allowed: {', '.join(sorted(allowed))}")

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "give a non-empty string")
        return str(value)

    def integer(self, value: Any, key: str) -> int:
        top = _INTEGER_LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            self.fail(key, f"give a whole number from 0 to {top:,}")
        return int(value)

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            self.fail(key, "give true or false")
        return bool(value)

    def choice(self, value: Any, allowed: tuple[str, ...], key: str) -> str:
        if value not in allowed:
            self.fail(key, f"one of {', '.join(allowed)}")
        return str(value)

    def colour(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not _COLOUR.fullmatch(value):
            self.fail(key, "give a colour as '#rrggbb'")
        return str(value)

    def column(self, value: Any, columns: tuple[str, ...], key: str) -> str:
        if value not in columns:
            self.fail(key, f"{value!r} is not a column; known: {', '.join(columns)}")
        return str(value)

    def columns(self, values: Any, columns: tuple[str, ...], key: str) -> tuple[str, ...]:
        if not isinstance(values, list):
            self.fail(key, "give a list of column names")
        return tuple(self.column(value, columns, key) for value in values)
