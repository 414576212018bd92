"""Sources on disk and on stdin: expanding names, reading files, limits and messages."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import threading
from pathlib import Path

import pytest

from geomap.errors import SourceError
from geomap.ingest import IngestOptions, article_id, expand_sources, load
from geomap.records import DAY, MONTH, PubDate

NB_TEXT = (
    "Fergen fra Bodø ble innstilt i går fordi vinden var for sterk. Passasjerene måtte vente "
    "på kaia i flere timer før de fikk beskjed. Rederiet lover å sette inn ekstra avganger "
    "så snart været blir bedre.\n"
)
RU_TEXT = (
    "Вчера вечером в центре города открылась новая библиотека. Читатели пришли задолго до "
    "открытия и выстроились в длинную очередь. Директор рассказал, что в фондах уже больше "
    "двадцати тысяч книг.\n"
)


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _one_line(err: pytest.ExceptionInfo[SourceError]) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


# --- files ---------------------------------------------------------------------------------


def test_utf8_file_with_date_line_loads(tmp_path: Path) -> None:
    path = _write(tmp_path / "ferge.txt", "date 2024-02-03\nFergen innstilt\n\n" + NB_TEXT)
    article = load(str(path))
    assert article.source == str(path)
    assert article.published == PubDate(dt.date(2024, 2, 3), DAY)
    assert article.title == "Fergen innstilt"
    assert article.text == "Fergen innstilt\n\n" + NB_TEXT
    assert article.language == "nb"


@pytest.mark.parametrize(
    ("text", "encoding"), [(NB_TEXT, "cp1252"), (RU_TEXT, "cp1251"), (RU_TEXT, "koi8_r")]
)
def test_legacy_encoded_file_loads(tmp_path: Path, text: str, encoding: str) -> None:
    path = _write(tmp_path / f"{encoding}.txt", text.encode(encoding))
    article = load(str(path))
    assert article.text == text
    assert article.id == article_id(text)


def test_crlf_file_gets_the_same_id_as_lf_file(tmp_path: Path) -> None:
    lf = _write(tmp_path / "lf.txt", NB_TEXT)
    crlf = _write(tmp_path / "crlf.txt", NB_TEXT.replace("\n", "\r\n").encode("cp1252"))
    assert load(str(lf)).id == load(str(crlf)).id


def test_html_file_gives_text_title_and_date(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Ferga står | Avisa</title>"
        '<meta property="og:title" content="Ferga står">'
        '<meta property="article:published_time" content="2024-02-03T07:15:00+01:00">'
        '<link rel="stylesheet" href="https://cdn.example.com/site.css">'
        '<script src="https://cdn.example.com/app.js"></script></head>'
        '<body><header><a href="/">Forsiden</a></header><main><article><h1>Ferga står</h1>'
        + "".join(f"<p>{s}.</p>" for s in NB_TEXT.strip().rstrip(".").split(". "))
        + '<img src="https://images.example.com/ferge.jpg"></article></main></body></html>'
    )
    path = _write(tmp_path / "ferge.html", page)
    article = load(str(path))  # The autouse fixture fails any attempt to fetch those links.
    assert article.title == "Ferga står"
    assert article.published == PubDate(dt.date(2024, 2, 3), DAY)
    assert "Passasjerene måtte vente på kaia" in article.text
    assert "Forsiden" not in article.text
    assert article.language == "nb"


def test_html_file_without_body_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "tom.htm", "<html><head><title>Forsiden</title></head><body></body>")
    with pytest.raises(SourceError) as err:
        load(str(path))
    assert _one_line(err).startswith(f"{path} has no article text;")


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.txt", b"")
    with pytest.raises(SourceError) as err:
        load(str(path))
    assert _one_line(err).startswith(f"{path} is empty;")


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "photo.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(500))
    with pytest.raises(SourceError) as err:
        load(str(path))
    assert _one_line(err).startswith(f"{path} looks like a binary file, not an article;")


def test_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "long.txt", NB_TEXT * 20)
    with pytest.raises(SourceError) as err:
        load(str(path), options=IngestOptions(max_bytes=1024))
    assert _one_line(err) == (
        f"{path} is {len(NB_TEXT.encode()) * 20 / 1024:.1f} KB, over the limit of 1 KB; "
        "split it or pass --max-bytes"
    )


def test_file_at_the_limit_loads(tmp_path: Path) -> None:
    path = _write(tmp_path / "exact.txt", NB_TEXT)
    assert load(str(path), options=IngestOptions(max_bytes=path.stat().st_size)).text == NB_TEXT


def test_20_mb_file_is_refused_naming_its_size_and_the_limit(tmp_path: Path) -> None:
    # That it is refused without being read is measured in test_resource_limits.py.
    path = tmp_path / "huge.txt"
    with path.open("wb") as stream:
        stream.truncate(20 * 1024 * 1024)  # Sparse: written in no time.
    with pytest.raises(SourceError) as err:
        load(str(path))
    assert _one_line(err) == (
        f"{path} is 20 MB, over the limit of 8 MB; split it or pass --max-bytes"
    )


def _fifo_writing(path: Path, data: bytes) -> threading.Thread:
    """A named pipe at ``path`` that a thread fills with ``data``: a file whose size, as
    ``fstat`` gives it, is 0 however much it holds (as a file still being written)."""
    os.mkfifo(path)

    def write() -> None:
        # the reader may close the pipe at its limit
        with contextlib.suppress(BrokenPipeError), path.open("wb") as stream:
            stream.write(data)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    return writer


def test_file_longer_than_its_stated_size_is_read_whole(tmp_path: Path) -> None:
    writer = _fifo_writing(tmp_path / "growing.txt", NB_TEXT.encode() * 20)
    article = load(str(tmp_path / "growing.txt"))
    writer.join(5)
    assert article.text == NB_TEXT * 20


def test_file_growing_over_the_limit_is_refused(tmp_path: Path) -> None:
    writer = _fifo_writing(tmp_path / "growing.txt", b"x" * 4096)
    with pytest.raises(SourceError) as err:
        load(str(tmp_path / "growing.txt"), options=IngestOptions(max_bytes=1024))
    writer.join(5)
    assert "over the limit of 1 KB; split it or pass --max-bytes" in _one_line(err)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.txt"
    with pytest.raises(SourceError) as err:
        load(str(path))
    assert _one_line(err) == f"{path}: no such file; check the path"


def test_folder_passed_to_load_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a folder, not an article file"):
        load(str(tmp_path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "locked.txt", NB_TEXT)
    path.chmod(0)
    with pytest.raises(SourceError, match="permission denied"):
        load(str(path))


def test_shared_ntb_article_loads(ntb_article: Path) -> None:
    article = load(str(ntb_article))
    assert article.published == PubDate(dt.date(2022, 1, 1), MONTH)
    assert article.language == "nb"
    assert not article.text.lstrip().lower().startswith("date")
    assert article.title is not None
    assert article.text.startswith(article.title)


# --- stdin ---------------------------------------------------------------------------------


def test_stdin_is_read_for_dash() -> None:
    article = load("-", stdin=io.BytesIO(("date 2024-02\n" + NB_TEXT).encode("cp1252")))
    assert article.source == "-"
    assert article.text == NB_TEXT
    assert article.published == PubDate(dt.date(2024, 2, 1), MONTH)


def test_stdin_over_the_limit_is_refused() -> None:
    with pytest.raises(SourceError) as err:
        load("-", stdin=io.BytesIO(b"x" * 2048), options=IngestOptions(max_bytes=1024))
    assert _one_line(err).startswith("stdin has more than the limit of 1 KB;")


def test_empty_stdin_names_stdin() -> None:
    with pytest.raises(SourceError, match=r"^stdin is empty;"):
        load("-", stdin=io.BytesIO(b""))


# --- expanding sources ---------------------------------------------------------------------


def test_folder_becomes_its_article_files_recursively_and_sorted(tmp_path: Path) -> None:
    for name in ["b.txt", "a.md", "sub/c.html", "sub/d.htm", "sub/e.TEXT", "z.pdf", "notes"]:
        _write(tmp_path / name, "x")
    _write(tmp_path / ".git" / "f.txt", "x")
    _write(tmp_path / ".hidden.txt", "x")
    assert expand_sources([str(tmp_path)]) == [
        str(tmp_path / name) for name in ["a.md", "b.txt", "sub/c.html", "sub/d.htm", "sub/e.TEXT"]
    ]


def test_folder_files_sort_by_path_parts_not_by_characters(tmp_path: Path) -> None:
    for name in ["a-b.txt", "a/b.txt", "a/a.txt", "a0.txt"]:
        _write(tmp_path / name, "x")
    expected = sorted(tmp_path / name for name in ["a-b.txt", "a/b.txt", "a/a.txt", "a0.txt"])
    assert expand_sources([str(tmp_path)]) == [str(path) for path in expected]
    assert expected[0] == tmp_path / "a" / "a.txt"


def test_folder_follows_links_to_files_but_not_to_folders(tmp_path: Path) -> None:
    elsewhere = _write(tmp_path / "elsewhere" / "linked.txt", "x").parent
    articles = _write(tmp_path / "articles" / "own.txt", "x").parent
    (articles / "file-link.txt").symlink_to(elsewhere / "linked.txt")
    (articles / "folder-link").symlink_to(elsewhere, target_is_directory=True)
    (articles / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    assert expand_sources([str(articles)]) == [
        str(articles / "file-link.txt"),
        str(articles / "own.txt"),
    ]


def test_folder_without_articles_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "scan.pdf", b"%PDF-1.4")
    with pytest.raises(SourceError) as err:
        expand_sources([str(tmp_path)])
    assert _one_line(err).startswith(f"{tmp_path}: folder holds no article files")


def test_glob_expands_sorted(tmp_path: Path) -> None:
    for name in ["2024-03.txt", "2024-01.txt", "2023-12.txt", "2024-02.md"]:
        _write(tmp_path / name, "x")
    assert expand_sources([str(tmp_path / "2024-*.txt")]) == [
        str(tmp_path / "2024-01.txt"),
        str(tmp_path / "2024-03.txt"),
    ]


def test_recursive_glob_finds_files_in_subfolders(tmp_path: Path) -> None:
    _write(tmp_path / "a" / "one.txt", "x")
    _write(tmp_path / "a" / "b" / "two.txt", "x")
    assert expand_sources([str(tmp_path / "**" / "*.txt")]) == [
        str(tmp_path / "a" / "b" / "two.txt"),
        str(tmp_path / "a" / "one.txt"),
    ]


def test_glob_without_match_is_refused(tmp_path: Path) -> None:
    pattern = str(tmp_path / "*.txt")
    with pytest.raises(SourceError) as err:
        expand_sources([pattern])
    assert _one_line(err).startswith(f"{pattern}: no file matches this pattern;")


def test_existing_file_stays_even_with_glob_characters(tmp_path: Path) -> None:
    path = _write(tmp_path / "odd[1].txt", "x")
    assert expand_sources([str(path)]) == [str(path)]


def test_missing_path_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    with pytest.raises(SourceError) as err:
        expand_sources([str(path)])
    assert _one_line(err) == (
        f"{path}: no such file or folder; check the path (or quote a glob pattern)"
    )


def test_stdin_and_urls_pass_through_in_order_without_repeats(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", "x")
    sources = ["-", "https://example.org/a", str(path), "HTTP://example.org/b", str(path)]
    assert expand_sources(sources) == sources[:4]


def test_empty_source_name_is_refused() -> None:
    with pytest.raises(SourceError, match="an empty name was given as a source"):
        expand_sources([""])


@pytest.mark.parametrize("source", ["ftp://example.org/a.txt", "file:///etc/hosts"])
def test_other_url_schemes_are_refused(source: str) -> None:
    with pytest.raises(SourceError, match="addresses cannot be read; use an http"):
        expand_sources([source])
    with pytest.raises(SourceError, match="addresses cannot be read; use an http"):
        load(source)
