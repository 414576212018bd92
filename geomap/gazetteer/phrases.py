"""Feature phrases (*flyplassen i {place}*): read from ``gazetteer/features.tsv``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from geomap.errors import GazetteerError
from geomap.textnorm import fold

# -- feature phrases -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeaturePattern:
    """A phrase such as *flyplassen i {place}*, as folded word alternatives around the place."""

    before: tuple[frozenset[str], ...]
    after: tuple[frozenset[str], ...]
    language: str
    feature: str

    def match(self, tokens: Sequence[str]) -> tuple[str, ...] | None:
        """The place words when ``tokens`` are this phrase around at least one word."""
        before, after = len(self.before), len(self.after)
        end = len(tokens) - after
        if end <= before:
            return None
        for i in range(before):
            if tokens[i] not in self.before[i]:
                return None
        for i in range(after):
            if tokens[end + i] not in self.after[i]:
                return None
        return tuple(tokens[before:end])


@dataclass(frozen=True, slots=True)
class FeaturePhrases:
    """Feature patterns indexed by their first word (or, without one, their last word).

    Splitting a query then tries only the few patterns its first and last words can start
    or end, in the order of ``features.tsv``.
    """

    by_first: dict[str, tuple[tuple[int, FeaturePattern], ...]]
    by_last: dict[str, tuple[tuple[int, FeaturePattern], ...]]

    @classmethod
    def of(cls, patterns: Iterable[FeaturePattern]) -> FeaturePhrases:
        """Index ``patterns``; one with no words around the place is never a phrase."""
        by_first: dict[str, list[tuple[int, FeaturePattern]]] = defaultdict(list)
        by_last: dict[str, list[tuple[int, FeaturePattern]]] = defaultdict(list)
        for order, pattern in enumerate(patterns):
            if pattern.before:
                for word in pattern.before[0]:
                    by_first[word].append((order, pattern))
            elif pattern.after:
                for word in pattern.after[-1]:
                    by_last[word].append((order, pattern))
        return cls(
            {word: tuple(found) for word, found in by_first.items()},
            {word: tuple(found) for word, found in by_last.items()},
        )

    def split(self, tokens: Sequence[str]) -> tuple[str, tuple[str, ...]] | None:
        """If the folded words are a phrase (*flyplassen i almaty*), its feature and place words."""
        if not tokens:
            return None
        first = self.by_first.get(tokens[0], ())
        last = self.by_last.get(tokens[-1], ())
        candidates = sorted(first + last) if first and last else first or last
        for _, pattern in candidates:
            place = pattern.match(tokens)
            if place is not None:
                return pattern.feature, place
        return None


def read_features(path: Path) -> Iterator[FeaturePattern]:
    """Parse ``features.tsv``."""
    for fields in _read_tsv(path):
        pattern, language, feature = fields[0], fields[1], fields[2]
        before_text, _, after_text = pattern.partition("{place}")
        yield FeaturePattern(
            before=_alternatives(before_text),
            after=_alternatives(after_text),
            language=language,
            feature=feature,
        )


def _alternatives(text: str) -> tuple[frozenset[str], ...]:
    words = []
    for word in text.split():
        options = frozenset(k for option in word.split("|") for k in fold(option).split())
        if options:
            words.append(options)
    return tuple(words)


def _read_tsv(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:
                msg = f"{path.name} line {number}: expected tab-separated fields, got {line!r}"
                raise GazetteerError(msg)
            yield fields
