"""The command line's tables: fitted to the terminal, aligned by what characters take on
screen, drawable in ASCII, and printing names as written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from geomap.terminal import display_width, render_table

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "kazakhstan-2022-01.ru.txt"


def test_wide_and_combining_characters_take_their_screen_columns() -> None:
    assert display_width("Almaty") == 6
    assert display_width("東京") == 4
    assert display_width("Zu\u0308rich") == 6  # u + combining diaeresis
    assert display_width("a\u200db") == 2  # zero-width joiner


def test_every_line_of_a_table_is_as_wide_as_the_others() -> None:
    rows = [("東京", "JP"), ("Zürich", "CH"), ("Алматы", "KZ")]
    lines = render_table(("place", "country"), rows, width=80).splitlines()
    assert {display_width(line) for line in lines} == {display_width(lines[0])}
    assert lines[0].startswith("┏") and lines[2].startswith("┡") and lines[-1].startswith("└")


def test_a_table_wider_than_the_screen_wraps_its_widest_cells_at_spaces() -> None:
    figures = "fatalities 164, injured 2000, buildings damaged 100, vehicles damaged 400"
    text = render_table(("event", "figures"), [("Riots", figures)], width=40)
    lines = text.splitlines()
    assert max(display_width(line) for line in lines) <= 40
    assert "fatalities 164," in text and "vehicles" in text
    assert " ".join(figures.split()) == " ".join(
        line.split("│")[2].strip() for line in lines[3:-1] if line.split("│")[2].strip()
    )


def test_a_word_longer_than_its_column_is_cut_within_the_word() -> None:
    text = render_table(("id",), [("x" * 50,)], width=20)
    assert max(display_width(line) for line in text.splitlines()) <= 20
    assert text.count("x") == 50


def test_a_screen_too_narrow_for_the_narrowest_columns_gets_them_whole() -> None:
    text = render_table(("a", "b"), [("abcdefghij", "klmnopqrst")], width=10)
    assert "abcdefgh" in text and "klmnopqr" in text


def test_a_table_without_a_header_is_drawn_in_light_lines_under_its_title() -> None:
    lines = render_table((), [("places", "12")], width=80, title="geomap").splitlines()
    assert lines[0] == "geomap"
    assert lines[1].startswith("┌") and "━" not in "".join(lines)


def test_an_ascii_table_holds_no_other_characters() -> None:
    text = render_table(("place",), [("Almaty",)], width=80, ascii_only=True)
    assert text.isascii()
    assert "| Almaty |" in text


@given(
    st.lists(
        st.lists(
            st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))),
            min_size=3,
            max_size=3,
        ),
        max_size=5,
    ),
    st.integers(10, 120),
)
def test_any_cells_come_out_in_lines_of_one_width(rows: list[list[str]], width: int) -> None:
    lines = render_table(("a", "b", "c"), rows, width=width).splitlines()
    assert len({display_width(line) for line in lines}) == 1


def _parsed(article: Path, **env: str) -> bytes:
    """What ``geomap parse article`` prints, run as a user runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "geomap", "parse", str(article)],
        capture_output=True,
        env={**os.environ, **env},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_parse_to_an_ascii_output_prints_ascii_tables_and_marks_what_it_cannot_show() -> None:
    printed = _parsed(EXAMPLE, PYTHONIOENCODING="ascii")
    assert printed.isascii()
    assert b"| Almaty " in printed
    assert b"?" in printed  # the Russian title


def test_a_name_that_looks_like_markup_is_printed_as_written(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    title = "[bold]Protest[/bold] in [red]Almaty[/red]"
    article.write_text(f"{title}\n\nPolice detained 20 people in Almaty.", encoding="utf-8")
    assert title.encode() in _parsed(article)
