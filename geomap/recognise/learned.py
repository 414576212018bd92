"""A learned place recognizer: a linear-chain CRF over geomap's tokens.

The model (``models/places.crfsuite``, shipped in the package) tags each token of a
sentence ``B`` (first word of a place name), ``I`` (a later word of it) or ``O``, from the
features of :mod:`geomap.recognise.features`. One model reads every language; the language
is one of its features. It was trained by ``scripts/train_recognizer.py`` on the corpora the
README credits. The features include what the gazetteer knows of each name, so a model is
trained against one build of the gazetteer: retrain it (two to four minutes) after the
gazetteer gains or loses many names or changes how it describes them.

Use::

    from geomap.extract.text import sentences
    from geomap.recognise.learned import PlaceTagger

    spans = PlaceTagger.default().tag(
        text, sentences(text), language="en", gazetteer=gazetteer
    )  # [TaggedSpan(start=21, end=27, confidence=0.98)] for "Troops were flown to Almaty."

Only runs of tokens around capitalised words are tagged (:class:`~geomap.recognise.features.Piece`):
a place name has one, and the rest of a text costs no time. The tagging itself (Viterbi, and
marginals for the confidence) runs on the model's weights read from its file
(:mod:`geomap.recognise.crf`); crfsuite tags only for a model file whose weights cannot be
read that way, from the features as text.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pycrfsuite  # type: ignore[import-untyped]

from geomap.errors import GeomapError
from geomap.extract.text import Sentence, Token
from geomap.gazetteer import Gazetteer
from geomap.recognise.crf import (
    LABELS,
    Model,
    Score,
    load_model,
    marginals,
    viterbi,
)
from geomap.recognise.features import Piece, Row, Vocabulary, iter_features

log = logging.getLogger(__name__)

#: The model shipped with geomap.
MODEL_PATH = Path(__file__).resolve().parent / "models" / "places.crfsuite"
BEGIN, INSIDE, OUTSIDE = "B", "I", "O"
#: Language codes read as another the model was trained on.
_LANGUAGES = {"no": "nb"}


class ModelError(GeomapError, OSError):
    """The recognizer's model file is missing or unreadable."""


@dataclass(frozen=True, slots=True)
class TaggedSpan:
    """A place name the tagger found: ``text[start:end]`` and how sure it is (0–1).

    ``confidence`` is the smallest marginal probability, over the span's tokens, of the
    label the tagger gave it: the chance that no word of the span is tagged otherwise.
    """

    start: int
    end: int
    confidence: float


class PlaceTagger:
    """Tags place names with the CRF model at ``path``; safe to share between threads.

    Use :meth:`default` for the shipped model: it is loaded once per process.
    """

    def __init__(self, path: Path = MODEL_PATH) -> None:
        self.path = path
        self._local = threading.local()
        self._model = model = load_model(path)
        #: The weights of what the model knows: tokens are then scored and tagged here
        #: (:mod:`geomap.recognise.crf`); ``None`` (every feature as text, tagged by
        #: crfsuite) for a model file whose weights cannot be read.
        self.vocabulary = Vocabulary(model.weights) if model is not None else None
        if model is None:  # crfsuite tags: fail here, not at the first article (with the
            self._open()  # weights read, crfsuite's own reading of the file, 1 ms, is unused)

    @classmethod
    def default(cls) -> PlaceTagger:
        """The tagger of the shipped model, loaded on first use."""
        return _default_tagger()

    def _open(self) -> pycrfsuite.Tagger:
        tagger: pycrfsuite.Tagger | None = getattr(self._local, "tagger", None)
        if tagger is None:
            tagger = pycrfsuite.Tagger()
            try:
                tagger.open(str(self.path))
            except (OSError, ValueError) as exc:
                msg = f"cannot read the place recognizer model {self.path}: {exc}"
                raise ModelError(msg) from exc
            self._local.tagger = tagger
        return tagger

    def tag(
        self,
        text: str,
        sentences: Sequence[Sentence],
        *,
        language: str,
        gazetteer: Gazetteer,
    ) -> list[TaggedSpan]:
        """The place names of ``text``, in text order.

        Parameters
        ----------
        text
            The article text.
        sentences
            Its sentences, from :func:`geomap.extract.text.sentences`.
        language
            The article's language code.
        gazetteer
            The gazetteer whose names are features; looked up once for the whole text.
        """
        language = _LANGUAGES.get(language, language)
        features = iter_features(
            text, sentences, language=language, gazetteer=gazetteer, vocabulary=self.vocabulary
        )
        return self.tag_features(text, sentences, features)

    def tag_features(
        self,
        text: str,
        sentences: Sequence[Sentence],
        features: Iterable[Sequence[Piece]],
    ) -> list[TaggedSpan]:
        """Like :meth:`tag`, from the pieces of each sentence (computed already, or as they
        are asked for: see :func:`~geomap.recognise.features.iter_features`)."""
        model = self._model if self.vocabulary is not None else None  # else rows of text
        found: list[TaggedSpan] = []
        for sentence, pieces in zip(sentences, features, strict=True):
            for piece in pieces:
                tokens = sentence.tokens[piece.first : piece.first + len(piece.rows)]
                if model is None:
                    found.extend(_tag_text(text, tokens, piece.rows, self._open()))
                else:
                    found.extend(_tag_scores(text, tokens, piece.rows, model))
        return found


def _tag_scores(
    text: str, tokens: Sequence[Token], rows: Sequence[Row], model: Model
) -> list[TaggedSpan]:
    """The spans of a piece whose rows are the tokens' scores
    (:data:`~geomap.recognise.crf.Score`), tagged here."""
    scores = cast("list[Score]", rows)  # as iter_features makes them with a vocabulary
    path = viterbi(scores, model.transitions)
    if not any(path):  # all O, label 0: no name
        return []
    labels = [LABELS[label] for label in path]
    chances = marginals(scores, model.steps)
    sureness = [chance[label] for chance, label in zip(chances, path, strict=True)]
    return _spans(text, tokens, labels, sureness)


def _tag_text(
    text: str, tokens: Sequence[Token], rows: Sequence[Row], tagger: pycrfsuite.Tagger
) -> list[TaggedSpan]:
    """The spans of a piece whose rows are the tokens' features as text, tagged by crfsuite."""
    tagger.set(rows)
    labels = tagger.tag()
    if BEGIN not in labels and INSIDE not in labels:
        return []
    sureness = [tagger.marginal(label, index) for index, label in enumerate(labels)]
    return _spans(text, tokens, labels, sureness)


def labels_of_spans(
    tokens: Sequence[Token], spans: Sequence[tuple[int, int]]
) -> tuple[list[str], int]:
    """BIO labels of ``tokens`` for the character spans of names, and how many spans no
    token lies inside (a name that starts or ends inside a word)."""
    labels = [OUTSIDE] * len(tokens)
    missed = 0
    for start, end in sorted(spans):
        inside = [i for i, t in enumerate(tokens) if t.start >= start and t.end <= end]
        if not inside:
            missed += 1
            continue
        labels[inside[0]] = BEGIN
        for index in inside[1:]:
            labels[index] = INSIDE
    return labels, missed


def _spans(
    text: str, tokens: Sequence[Token], labels: Sequence[str], sureness: Sequence[float]
) -> list[TaggedSpan]:
    """The spans of a piece's labels, each with its confidence; ``sureness[i]`` is the
    marginal probability of ``labels[i]``."""
    found = []
    first: int | None = None
    for index, label in enumerate([*labels, OUTSIDE]):
        if first is not None and label != INSIDE:
            found.append(_span(text, tokens, sureness, first, index - 1))
            first = None
        if label == BEGIN or (label == INSIDE and first is None):
            first = index
    return found


def _span(
    text: str, tokens: Sequence[Token], sureness: Sequence[float], first: int, last: int
) -> TaggedSpan:
    confidence = min(sureness[first : last + 1])
    end = tokens[last].end
    if _abbreviation_dot(text, tokens, first, last):
        end += 1
    return TaggedSpan(tokens[first].start, end, round(confidence, 4))


def _abbreviation_dot(text: str, tokens: Sequence[Token], first: int, last: int) -> bool:
    """Whether the span is a dotted abbreviation (*U.S.*, *D.C.*) whose final dot it keeps."""
    if first == last or text[tokens[last].end : tokens[last].end + 1] != ".":
        return False
    return all(
        len(t.surface) <= 2 and t.surface[0].isupper() and text[t.end : t.end + 1] == "."
        for t in tokens[first : last + 1]
    )


@functools.cache
def _default_tagger() -> PlaceTagger:
    log.debug("loading the place recognizer model %s", MODEL_PATH)
    return PlaceTagger(MODEL_PATH)
