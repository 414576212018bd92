"""Readers for the third-party corpora in ``../shared/corpora``, with fixed train/dev parts.

The corpora are development data that may not be copied into the project: they are read at run
time from ``<checkout>/../shared/corpora`` (see that folder's README for the schemas and licences).
Training scripts and benches import this module so that they agree on what is trained on and what
is measured. ``documents(corpus, part)`` returns the documents of one part, in file order.

Corpora and parts (deterministic, fixed here once)
--------------------------------------------------
``geovirus``
    ``dev``: every article of ``geovirus/en-dev.jsonl`` (English WikiNews). Never trained on.
    Places are the annotated toponyms (label ``TOPONYM``); ``Doc.toponyms`` carries their
    coordinates and Wikipedia links.
``norne-nb``, ``norne-nn``
    ``train``: ``norne/xx-train.jsonl``; ``dev``: ``norne/xx-dev.jsonl``.
    Places: ``GPE_LOC``, ``GPE_ORG``, ``LOC``.
``swedish``
    ``swedish-ner/sv-train.jsonl``: ``dev`` is the last 15 % of its documents in file order
    (``n - floor(0.85 * n)`` documents), ``train`` the rest. Places: ``LOC``.
``factrueval``
    ``factrueval/ru-dev.jsonl``: ``dev`` is the documents whose 0-based index in the file is a
    multiple of 3, ``train`` the others. Places: ``LOC``, ``LOC_ORG``.
``gum``
    ``train``: every file of ``gum/tsv`` (WebAnno TSV 3.2). Places are the named mentions of
    entities of type ``place`` that carry a Wikipedia identity (label ``place``), outermost or
    nested alike. GUM gives the identity to pronouns and descriptions too (*it*, *the city*):
    a mention counts as named when one of its words starts with a capital letter and is no
    function word (*The*, *It*, *This*); a trailing possessive (*'s*) is cut off the span.
    The text is rebuilt from the tokens: tokens joined by single spaces, sentences by
    newlines; spans are offsets into that text and include articles (*the Netherlands*).
``events``
    ``dev``: every ``events/*.json`` text (hand-coded unrest texts in several languages), in file
    name order. Places are every toponym occurrence, labelled with its kind (``country``,
    ``region``, ``city``, ``facility``, ``other``); ``Doc.toponyms`` carries their coordinates
    (no Wikipedia link: ``wikipedia`` is empty).

``Doc.others`` holds the non-place entities (persons, organisations, …) with the corpus's label,
as negative evidence for training; for GUM the named entities of other types (label = GUM's type),
for GeoVirus and the events none.

A missing corpus folder raises :class:`CorpusMissingError` naming the folder.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2] / "shared" / "corpora"

PLACE_LABELS: dict[str, frozenset[str]] = {
    "geovirus": frozenset({"TOPONYM"}),
    "norne-nb": frozenset({"GPE_LOC", "GPE_ORG", "LOC"}),
    "norne-nn": frozenset({"GPE_LOC", "GPE_ORG", "LOC"}),
    "swedish": frozenset({"LOC"}),
    "factrueval": frozenset({"LOC", "LOC_ORG"}),
    "gum": frozenset({"place"}),
    "events": frozenset({"country", "region", "city", "facility", "other"}),
}
PARTS: dict[str, tuple[str, ...]] = {
    "geovirus": ("dev",),
    "norne-nb": ("train", "dev"),
    "norne-nn": ("train", "dev"),
    "swedish": ("train", "dev"),
    "factrueval": ("train", "dev"),
    "gum": ("train",),
    "events": ("dev",),
}
CORPORA: tuple[str, ...] = tuple(PARTS)
LANGUAGES: dict[str, str] = {
    "geovirus": "en",
    "norne-nb": "nb",
    "norne-nn": "nn",
    "swedish": "sv",
    "factrueval": "ru",
    "gum": "en",
    "events": "",  # per document
}
SWEDISH_DEV_SHARE = 0.15
FACTRUEVAL_DEV_EVERY = 3


class CorpusMissingError(FileNotFoundError):
    """A corpus folder or file of ``../shared/corpora`` is absent."""


@dataclass(frozen=True)
class Span:
    """An annotated entity: offsets into the document's text (end exclusive) and its label."""

    start: int
    end: int
    surface: str
    label: str


@dataclass(frozen=True)
class Toponym:
    """A gold toponym with its coordinates (GeoVirus, events)."""

    start: int
    end: int
    name: str
    lat: float
    lon: float
    wikipedia: str


@dataclass(frozen=True)
class Doc:
    """One document: its text, its place spans and (where known) their coordinates."""

    id: str
    lang: str
    text: str
    places: tuple[Span, ...]
    toponyms: tuple[Toponym, ...] = ()
    others: tuple[Span, ...] = ()


def documents(corpus: str, part: str, *, root: Path | None = None) -> list[Doc]:
    """The documents of one part of one corpus, in file order.

    Parameters
    ----------
    corpus
        One of :data:`CORPORA`.
    part
        ``"train"`` or ``"dev"``, as :data:`PARTS` allows for the corpus.
    root
        The ``corpora`` folder; by default ``<checkout>/../shared/corpora``.

    Raises
    ------
    CorpusMissingError
        When the corpus folder or file is absent.
    ValueError
        For an unknown corpus or part.
    """
    if corpus not in PARTS:
        msg = f"unknown corpus {corpus!r}; known: {', '.join(CORPORA)}"
        raise ValueError(msg)
    if part not in PARTS[corpus]:
        msg = f"corpus {corpus!r} has no part {part!r}; parts: {PARTS[corpus]}"
        raise ValueError(msg)
    return list(_documents(corpus, part, (root or ROOT).resolve()))


@cache
def _documents(corpus: str, part: str, root: Path) -> tuple[Doc, ...]:
    if corpus == "geovirus":
        return tuple(_geovirus(r) for r in _jsonl(root / "geovirus" / "en-dev.jsonl"))
    if corpus.startswith("norne-"):
        lang = corpus.removeprefix("norne-")
        rows = _jsonl(root / "norne" / f"{lang}-{part}.jsonl")
        return tuple(_ner(r, PLACE_LABELS[corpus]) for r in rows)
    if corpus == "swedish":
        rows = _jsonl(root / "swedish-ner" / "sv-train.jsonl")
        cut = math.floor(len(rows) * (1 - SWEDISH_DEV_SHARE))
        chosen = rows[cut:] if part == "dev" else rows[:cut]
        return tuple(_ner(r, PLACE_LABELS[corpus]) for r in chosen)
    if corpus == "factrueval":
        rows = _jsonl(root / "factrueval" / "ru-dev.jsonl")
        dev = part == "dev"
        return tuple(
            _ner(r, PLACE_LABELS[corpus])
            for i, r in enumerate(rows)
            if (i % FACTRUEVAL_DEV_EVERY == 0) == dev
        )
    if corpus == "gum":
        folder = _folder(root / "gum" / "tsv")
        return tuple(_gum(p) for p in sorted(folder.glob("*.tsv")))
    folder = _folder(root / "events")
    return tuple(_event(p) for p in sorted(folder.glob("*.json")))


def _folder(path: Path) -> Path:
    if not path.is_dir():
        msg = f"corpus folder {path} is absent (../shared/corpora beside the checkout)"
        raise CorpusMissingError(msg)
    return path


def _jsonl(path: Path) -> list[dict[str, Any]]:
    _folder(path.parent)
    if not path.is_file():
        msg = f"corpus file {path} is absent"
        raise CorpusMissingError(msg)
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _ner(row: dict[str, Any], places: frozenset[str]) -> Doc:
    spans = [Span(e["start"], e["end"], e["surface"], e["label"]) for e in row["entities"]]
    return Doc(
        id=row["id"],
        lang=row["lang"],
        text=row["text"],
        places=tuple(s for s in spans if s.label in places),
        others=tuple(s for s in spans if s.label not in places),
    )


def _geovirus(row: dict[str, Any]) -> Doc:
    text: str = row["text"]
    toponyms = tuple(
        Toponym(t["start"], t["end"], t["name"], float(t["lat"]), float(t["lon"]), t["wikipedia"])
        for t in row["toponyms"]
    )
    return Doc(
        id=row["id"],
        lang="en",
        text=text,
        places=tuple(Span(t.start, t.end, text[t.start : t.end], "TOPONYM") for t in toponyms),
        toponyms=toponyms,
    )


def _event(path: Path) -> Doc:
    row = json.loads(path.read_text(encoding="utf-8"))
    places = row["places"]
    return Doc(
        id=row["id"],
        lang=row["lang"],
        text=row["text"],
        places=tuple(Span(p["start"], p["end"], p["surface"], p["kind"]) for p in places),
        toponyms=tuple(
            Toponym(p["start"], p["end"], p["name"], float(p["lat"]), float(p["lon"]), "")
            for p in places
        ),
    )


_VALUE = re.compile(r"^(.*)\[(\d+)\]$")


def _gum(path: Path) -> Doc:
    """One WebAnno TSV 3.2 file of GUM: named entities (those with an identity) as spans.

    Columns: token id, character offsets, token, entity type, information status, salience,
    identity, coreference type, coreference target. Stacked values are separated by ``|`` and
    each carries its entity number in brackets (``place[50]``), so types and identities are
    joined by that number.
    """
    pieces: list[str] = []
    offset = 0
    first_in_sentence = True
    types: dict[str, str] = {}
    identities: dict[str, str] = {}
    extent: dict[str, tuple[int, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#Text="):
            if pieces:
                pieces.append("\n")
                offset += 1
            first_in_sentence = True
            continue
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        token = cols[2]
        if not first_in_sentence:
            pieces.append(" ")
            offset += 1
        first_in_sentence = False
        start, end = offset, offset + len(token)
        pieces.append(token)
        offset = end
        for value in _values(cols[3]):
            name, number = value
            types[number] = name
            first = extent.get(number)
            extent[number] = (first[0] if first else start, end)
        for name, number in _values(cols[6]):
            identities[number] = name
    text = "".join(pieces)
    spans = sorted(
        (
            span
            for n, (s, e) in extent.items()
            if n in identities and (span := _named(text, s, e, types[n])) is not None
        ),
        key=lambda span: (span.start, -span.end),
    )
    return Doc(
        id=path.stem,
        lang="en",
        text=text,
        places=tuple(s for s in spans if s.label == "place"),
        others=tuple(s for s in spans if s.label != "place"),
    )


_FUNCTION_WORDS = frozenset(
    "a an the this that these those it its it's there here they them their we our us he him his"
    " she her i my you your which what who whom whose where one".split()
)


def _is_name_word(word: str) -> bool:
    """Whether a word can name: capitalised and no function word, or all capitals (*US*, *UK*)."""
    if len(word) > 1 and word.isupper():
        return True
    return word[:1].isupper() and word.lower() not in _FUNCTION_WORDS


def _named(text: str, start: int, end: int, label: str) -> Span | None:
    """The span as a named mention, or None when no word of it is a name.

    GUM gives an identity to every mention of a named entity, pronouns and descriptions
    (*it*, *the city*) included. A named mention has a word that starts with a capital letter
    and is no function word (*The*, *It*); a trailing possessive clitic (*'s*, *'*) is cut off.
    A word of two or more capitals is an abbreviation, never a function word (*US* is no *us*).
    """
    words = text[start:end].split(" ")
    while len(words) > 1 and words[-1] in ("'s", "'", "’s", "’"):
        words.pop()
    if not any(_is_name_word(w) for w in words):
        return None
    surface = " ".join(words)
    return Span(start, start + len(surface), surface, label)


def _values(column: str) -> list[tuple[str, str]]:
    if column in ("_", "*", ""):
        return []
    found = []
    for value in column.split("|"):
        match = _VALUE.match(value)
        if match:
            found.append((match.group(1), match.group(2)))
    return found
