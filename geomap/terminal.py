"""Tables for the terminal: box-drawn, fitted to a width, aligned by what each character
takes on screen.

The command line prints its tables with these rather than with rich's: importing rich's
console and tables, and laying out two small tables with them, took about 35 ms of CPU time,
a quarter of what a short ``geomap parse`` spends of its own. rich still draws the progress
bars of long work and the command line's help.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence

#: The box characters of a table with a header, as rich's default (heavy head, light body):
#: corners and joints of each rule, and the walls of the header and body rows.
_HEAVY = {"top": "┏━┳┓", "head": "┃┃┃", "under_head": "┡━╇┩", "row": "│││", "bottom": "└─┴┘"}
#: A table without a header is drawn in light lines only.
_LIGHT_TOP = "┌─┬┐"
#: The same shapes in ASCII, for an output whose encoding has no box characters.
_ASCII = {"top": "+-++", "head": "|||", "under_head": "+=++", "row": "|||", "bottom": "+-++"}
_ASCII_LIGHT_TOP = "+-++"
#: A column is not narrowed below this many columns of the screen (or its own width).
_NARROWEST = 8


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal: two for a wide East Asian character, none for
    a combining mark or a format character (a zero-width joiner), one for any other."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int,
    title: str | None = None,
    ascii_only: bool = False,
) -> str:
    """The table as lines of text (without a final newline), at most ``width`` columns wide.

    Parameters
    ----------
    headers
        The column names; empty for a table without a header row (its columns are then
        those of the rows).
    rows
        The cells of each row, as many as there are columns.
    width
        The columns of the screen: when the table's widest cells would make it wider, the
        widest columns are narrowed (down to 8 columns each) and their cells wrapped at
        spaces, or within a word longer than the column.
    title
        A line above the table.
    ascii_only
        Draw with ``+``, ``-`` and ``|``: for an output that cannot encode box characters.
    """
    count = len(headers) if headers else max((len(row) for row in rows), default=0)
    if count == 0:
        return title or ""
    widths = _fitted(_natural_widths(headers, rows, count), width - 3 * count - 1)
    box = _ASCII if ascii_only else _HEAVY
    lines = [title] if title else []
    if headers:
        lines.append(_rule(box["top"], widths))
        lines += _row_lines(headers, widths, box["head"])
        lines.append(_rule(box["under_head"], widths))
    else:
        lines.append(_rule(_ASCII_LIGHT_TOP if ascii_only else _LIGHT_TOP, widths))
    for row in rows:
        lines += _row_lines(row, widths, box["row"])
    lines.append(_rule(box["bottom"], widths))
    return "\n".join(lines)


def _natural_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], count: int) -> list[int]:
    """Each column's width with no cell wrapped."""
    widths = [display_width(header) for header in headers] or [0] * count
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], display_width(cell))
    return widths


def _fitted(widths: list[int], room: int) -> list[int]:
    """``widths`` narrowed, the widest first, until they fit in ``room`` columns or none can
    be narrowed further."""
    fitted = list(widths)
    floors = [min(w, _NARROWEST) for w in widths]
    excess = sum(fitted) - room
    while excess > 0:
        widest = max(range(len(fitted)), key=lambda i: fitted[i] - floors[i])
        if fitted[widest] <= floors[widest]:
            break
        fitted[widest] -= 1
        excess -= 1
    return fitted


def _rule(shape: str, widths: Sequence[int]) -> str:
    left, line, joint, right = shape[0], shape[1], shape[2], shape[3]
    return left + joint.join(line * (w + 2) for w in widths) + right


def _row_lines(cells: Sequence[str], widths: Sequence[int], walls: str) -> list[str]:
    """The lines of one row: each cell wrapped to its column, the shorter ones padded."""
    left, inner, right = walls[0], walls[1], walls[2]
    wrapped = [_wrapped(cell, w) for cell, w in zip(cells, widths, strict=True)]
    height = max(len(lines) for lines in wrapped)
    lines = []
    for number in range(height):
        parts = []
        for cell_lines, w in zip(wrapped, widths, strict=True):
            text = cell_lines[number] if number < len(cell_lines) else ""
            parts.append(" " + text + " " * (w - display_width(text)) + " ")
        lines.append(left + inner.join(parts) + right)
    return lines


def _wrapped(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces where it can be."""
    if display_width(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if display_width(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        rest = word
        while display_width(rest) > width:
            head = _head(rest, width)
            lines.append(head)
            rest = rest[len(head) :]
        line = rest
    if line or not lines:
        lines.append(line)
    return lines


def _head(word: str, width: int) -> str:
    """The longest start of ``word`` that fits in ``width`` columns (at least one character)."""
    taken = 0
    for index, char in enumerate(word):
        taken += display_width(char)
        if taken > width:
            return word[: max(index, 1)]
    return word


def styled_bold(text: str, *, terminal: bool) -> str:
    """``text`` in bold on a terminal that shows colours (not under ``NO_COLOR`` or a dumb
    terminal), as it is anywhere else."""
    if not terminal or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return text
    return f"\x1b[1m{text}\x1b[0m"
