"""A linear-chain CRF's inference, read from a crfsuite model file: Viterbi and marginals.

crfsuite's tagger (through pycrfsuite) takes each token's features as strings, copies them
twice and looks each up in the model's attribute dictionary, for every piece of every
article: that cost more than making the features. Here the model's weights are read once
into a dictionary by attribute name, so that a token's features come to the tagger as its
:data:`Score`, summed from groups of features whose sums are remembered
(:mod:`geomap.recognise.features`); the labels and their marginal probabilities are then
those crfsuite computes from the same weights (up to the rounding of the sums' order, far
below what the labels or a confidence rounded to four decimals can tell).

A model file (crfsuite 1.x, ``lCRF``/``FOMC``) holds a header, then chunks: the features
(``FEAT``: type, source, destination, a float64 weight each; type 0 is an attribute's
weight for a label, type 1 a transition's from a label to another), the labels' and the
attributes' dictionaries (``CQDB``, names by id), and references from labels and
attributes to their features.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from geomap._paths import cache_file, keep_in_cache

log = logging.getLogger(__name__)

#: The labels of a model tagged here, in the order of their ids: any other word (0), a
#: name's first word, a later word of it. A model of other labels is left to crfsuite.
LABELS = ("O", "B", "I")
#: A token's (or a feature's) score for each label, as one number: its scores for ``B``
#: and ``I`` less its score for ``O``, as the real and imaginary parts of a complex number.
#: Adding one number to a token's scores for every label changes neither the best labels
#: nor their probabilities, so the score for ``O`` may be taken as zero; and one complex
#: number holds the other two, so that the nine groups of a token's features are summed by
#: eight additions of one object each (three times faster than summing triples of floats,
#: and a quarter of the objects read: this runs for every token tagged).
Score = complex
#: Three numbers, one per label, in the order of :data:`LABELS`.
Triple = tuple[float, float, float]

_HEADER = struct.Struct("<4sI4s9I")
_CHUNK = struct.Struct("<4sII")  # name, size, number of entries
_FEATURE = struct.Struct("<3Id")  # type, source, destination, weight
_STATE, _TRANSITION = 0, 1


@dataclass(frozen=True, slots=True)
class Model:
    """The weights of a crfsuite model of :data:`LABELS`."""

    #: Each attribute's weights, as a :data:`Score`, by attribute name.
    weights: dict[str, Score]
    #: ``transitions[i][j]``: the weight of label ``j`` following label ``i``.
    transitions: tuple[Triple, Triple, Triple]
    #: The exponentials of :attr:`transitions`.
    steps: tuple[Triple, Triple, Triple]


def read_model(path: Path) -> Model | None:
    """The weights of the crfsuite model at ``path``; ``None`` when the file is not laid out
    as crfsuite 1.x writes a linear-chain model, or its labels are not :data:`LABELS`."""
    try:
        data = path.read_bytes()
        magic, _, kind, *numbers = _HEADER.unpack_from(data, 0)
        if magic != b"lCRF" or kind != b"FOMC":
            return None
        _, _, label_count, attribute_count, features, labels, attributes, _, _ = numbers
        label_names = read_dictionary(data, labels, label_count)
        attribute_names = read_dictionary(data, attributes, attribute_count)
        name, _, count = _CHUNK.unpack_from(data, features)
        if attribute_names is None or name != b"FEAT" or label_names != list(LABELS):
            return None
        start = features + _CHUNK.size
        found = _FEATURE.iter_unpack(data[start : start + count * _FEATURE.size])
        weights = [[0.0] * label_count for _ in attribute_names]
        transitions = [[0.0] * label_count for _ in label_names]
        for kind_of, source, destination, weight in found:
            (weights if kind_of == _STATE else transitions)[source][destination] = weight
    except (OSError, struct.error, UnicodeDecodeError, ValueError, IndexError):
        log.debug("cannot read the weights of the model %s", path, exc_info=True)
        return None
    after_outside, after_begin, after_inside = (_triple(row) for row in transitions)
    return Model(
        {
            name: complex(begin - outside, inside - outside)
            for name, (outside, begin, inside) in zip(attribute_names, weights, strict=True)
        },
        (after_outside, after_begin, after_inside),
        (_exp(after_outside), _exp(after_begin), _exp(after_inside)),
    )


def load_model(path: Path) -> Model | None:
    """:func:`read_model`, remembered in the cache folder.

    Reading the weights from the model file takes about 16 ms, a tenth of a short ``geomap
    parse``'s own work; the weights kept with :mod:`marshal` load in about 2 ms. The cache
    file is named by the model file's path, size and modification time, so that a changed
    model is read again; one that cannot be read or written is read or skipped, never an
    error.
    """
    try:
        cached = cache_file("crf", path, str(_CACHE_FORMAT), suffix=".marshal")
    except OSError:
        return read_model(path)
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        weights, transitions, steps = marshal.loads(cached.read_bytes())
        if isinstance(weights, dict) and len(transitions) == len(steps) == len(LABELS):
            return Model(weights, transitions, steps)
    model = read_model(path)
    if model is not None:
        keep_in_cache(cached, marshal.dumps((model.weights, model.transitions, model.steps)))
    return model


#: The layout of the cached weights (see :func:`load_model`): change it with :class:`Model`.
_CACHE_FORMAT = 1


def _triple(row: Sequence[float]) -> Triple:
    first, second, third = row
    return first, second, third


def _exp(row: Triple) -> Triple:
    return math.exp(row[0]), math.exp(row[1]), math.exp(row[2])


def read_dictionary(data: bytes, offset: int, count: int) -> list[str] | None:
    """The names of a crfsuite ``CQDB`` dictionary of ``count`` entries at ``offset``, by id;
    ``None`` when it is not laid out so.

    The chunk's header gives, relative to the chunk, its backward array: the offset of each
    id's record (the id, the name's size with its final NUL, the name).
    """
    chunk, _, _, _, size, backward = struct.unpack_from("<4s5I", data, offset)
    if chunk != b"CQDB" or size != count:
        return None
    names = []
    for ident, record in enumerate(struct.unpack_from(f"<{size}I", data, offset + backward)):
        stored, length = struct.unpack_from("<2I", data, offset + record)
        start = offset + record + 8
        key = data[start : start + length]
        if stored != ident or not key.endswith(b"\0"):
            return None
        names.append(key[:-1].decode())
    return names


def viterbi(scores: Sequence[Score], transitions: Sequence[Triple]) -> list[int]:
    """The most likely labels of a sequence (their ids in :data:`LABELS`), from each
    token's :data:`Score`.

    Of equal scores the lowest label id wins, as in crfsuite. Written out for three labels:
    this runs for every piece of every article, and loops over labels cost more than the
    arithmetic.
    """
    (t00, t01, t02), (t10, t11, t12), (t20, t21, t22) = transitions
    a0, a1, a2 = 0.0, scores[0].real, scores[0].imag  # the best path ending on each label
    back = []  # per later token: the label before it on the best path to each label
    for score in scores[1:]:
        b0, k0 = _top(a0 + t00, a1 + t10, a2 + t20)
        b1, k1 = _top(a0 + t01, a1 + t11, a2 + t21)
        b2, k2 = _top(a0 + t02, a1 + t12, a2 + t22)
        back.append((k0, k1, k2))
        a0, a1, a2 = b0, b1 + score.real, b2 + score.imag
    path = [_top(a0, a1, a2)[1]]
    for came in reversed(back):
        path.append(came[path[-1]])
    path.reverse()
    return path


def _top(first: float, second: float, third: float) -> tuple[float, int]:
    """The largest value and its index, the first of equals."""
    if first >= second and first >= third:
        return first, 0
    if second >= third:
        return second, 1
    return third, 2


def marginals(scores: Sequence[Score], steps: Sequence[Triple]) -> list[Triple]:
    """Each token's probability of each label, by the forward-backward algorithm, from each
    token's :data:`Score`; ``steps`` are the exponentials of the transitions' weights
    (:attr:`Model.steps`).

    Each token's scores are exponentiated less their maximum, and each step is normalised:
    the probabilities are unchanged, and no exponential overflows. Written out for three
    labels, as :func:`viterbi`.
    """
    (e00, e01, e02), (e10, e11, e12), (e20, e21, e22) = steps
    states = []
    for score in scores:
        begin, inside = score.real, score.imag
        top = max(0.0, begin, inside)
        states.append((math.exp(-top), math.exp(begin - top), math.exp(inside - top)))
    f0, f1, f2 = states[0]
    forward = [_normalised(f0, f1, f2)]
    for x0, x1, x2 in states[1:]:
        f0, f1, f2 = forward[-1]
        forward.append(
            _normalised(
                (f0 * e00 + f1 * e10 + f2 * e20) * x0,
                (f0 * e01 + f1 * e11 + f2 * e21) * x1,
                (f0 * e02 + f1 * e12 + f2 * e22) * x2,
            )
        )
    backward: list[Triple] = [(1.0, 1.0, 1.0)]
    for x0, x1, x2 in reversed(states[1:]):
        b0, b1, b2 = backward[-1]
        g0, g1, g2 = x0 * b0, x1 * b1, x2 * b2
        backward.append(
            _normalised(
                e00 * g0 + e01 * g1 + e02 * g2,
                e10 * g0 + e11 * g1 + e12 * g2,
                e20 * g0 + e21 * g1 + e22 * g2,
            )
        )
    backward.reverse()
    return [
        _normalised(f0 * b0, f1 * b1, f2 * b2)
        for (f0, f1, f2), (b0, b1, b2) in zip(forward, backward, strict=True)
    ]


def _normalised(first: float, second: float, third: float) -> Triple:
    total = first + second + third
    return first / total, second / total, third / total
