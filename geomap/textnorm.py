"""Name normalisation shared by the gazetteer index and the extractor.

A name and every way of writing it fold to one *key*: case, accents and punctuation are
ignored, so ``Alma-Ata``, ``alma ata`` and ``ALMA ATA`` share the key ``alma ata``. Letters
that Unicode does not decompose (``ø``, ``æ``, ``ß``, ``ł``, ``ı``) are spelled out. An
apostrophe joins a word (``Almaty's`` → ``almatys``) except after a French or Italian elided
article (``d'Almaty`` → ``d almaty``), which :func:`base_forms` can then drop.

The gazetteer index stores folded keys: change :data:`FOLD_VERSION` with any change to
:func:`fold`, so that built indexes are rebuilt.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_SPELLED = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ß": "ss",
        "ł": "l",
        "Ł": "l",
        "ı": "i",
        "đ": "d",
        "Đ": "d",
        "þ": "th",
        "Þ": "th",
        "ʻ": "",
        "ʼ": "",
        "'": "",
        "’": "",
        "`": "",
    }
)
_NON_WORD = re.compile(r"[\W_]+")

#: Part of the gazetteer index fingerprint: change it whenever :func:`fold` changes.
FOLD_VERSION = "2"

#: Elided articles and prepositions (French, Italian, Catalan) that an apostrophe joins to the
#: next word: *d'Almaty*, *l'Ouzbékistan*, *dell'Aquila*.
ELIDED = ("d", "l", "qu", "dell", "dall", "nell", "sull", "all")
_ELISION = re.compile(rf"(?<!\w)({'|'.join(ELIDED)})['’](?=\w)", re.IGNORECASE)


def fold(name: str) -> str:
    """Return the lookup key of ``name``.

    Examples
    --------
    >>> fold("Alma-Ata")
    'alma ata'
    >>> fold("Tromsø")
    'tromso'
    >>> fold("Алматы")
    'алматы'
    """
    if "'" in name or "’" in name:
        name = _ELISION.sub(r"\1 ", name)
    if name.isascii():  # the common case: nothing to decompose
        return _NON_WORD.sub(" ", name.translate(_SPELLED).lower()).strip()
    decomposed = unicodedata.normalize("NFKD", name.translate(_SPELLED))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


#: Russian case endings and the nominative endings they may come from, longest first, as
#: written. Compared after folding (:data:`_RU_ENDINGS`), where ``й`` has become ``и``.
RU_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ией", ("ия",)),
    ("ии", ("ия", "ий")),
    ("ию", ("ия",)),
    ("ью", ("ь",)),
    ("ами", ("ы", "и")),
    ("ах", ("ы", "и")),
    ("ам", ("ы", "и")),
    ("ов", ("ы",)),
    ("ой", ("а", "")),
    ("ою", ("а",)),
    ("ом", ("",)),
    ("ем", ("", "ь", "й")),
    ("ей", ("я", "ь")),
    ("е", ("", "а", "я", "ь", "й")),
    ("а", ("", "ь")),
    ("я", ("ь", "й")),
    ("у", ("", "а")),
    ("ю", ("я", "ь", "й")),
    ("ы", ("а",)),
    ("и", ("а", "я", "ь")),
)
_CYRILLIC = re.compile(r"[а-я]")
_MIN_STEM = 3


def _folded_endings() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """:data:`RU_ENDINGS` folded like the keys they are compared with, no-op bases dropped."""
    table = []
    for ending, bases in RU_ENDINGS:
        folded = fold(ending)
        kept = tuple(b for b in dict.fromkeys(fold(base) for base in bases) if b != folded)
        table.append((folded, kept))
    return tuple(sorted(table, key=lambda row: -len(row[0])))


_RU_ENDINGS = _folded_endings()
#: Case endings of Russian adjectives and the nominative they come from (feminine, masculine,
#: neuter), for names of an adjective and a noun (*Свердловская область*, *Краснодарский край*).
_RU_ADJECTIVE_ENDINGS = tuple(
    (fold(ending), tuple(dict.fromkeys(fold(base) for base in bases)))
    for ending, bases in (
        ("ого", ("ый", "ий", "ое")),
        ("ому", ("ый", "ий", "ое")),
        ("его", ("ий", "ее")),
        ("ему", ("ий", "ее")),
        ("ем", ("ий", "ее")),
        ("ой", ("ая", "ой", "ый", "ий")),
        ("ую", ("ая",)),
        ("ей", ("яя",)),
        ("ом", ("ый", "ий", "ое")),
        ("ым", ("ый", "ий", "ое", "ые")),
        ("им", ("ий", "ие")),
        ("ыми", ("ые",)),
        ("ых", ("ые",)),
        ("их", ("ие",)),
    )
)
_ELIDED_WORDS = frozenset(ELIDED)


def base_forms(key: str) -> Iterator[str]:
    """Yield forms ``key`` may come from, most likely first (never ``key`` itself).

    A leading elided article goes (``d almaty`` → ``almaty``, from *d'Almaty*). Then only the
    last word is inflected: genitive ``-s`` of the Scandinavian languages and English
    (``almatys`` from *Almatys*, *Almaty's*), and the Russian case endings
    (``казахстане`` → ``казахстан``, ``россии`` → ``россия``, ``китае`` → ``китаи``, the
    folded *Китай*), with an adjective before the noun in the same case (``нижнем
    новгороде`` → ``нижнии новгород``).
    """
    seen = {key}
    for form in _forms(key):
        if form not in seen:
            seen.add(form)
            yield form


def _forms(key: str) -> Iterator[str]:
    first, space, bare = key.partition(" ")
    if space and bare and first in _ELIDED_WORDS:
        yield bare
        yield from _inflection_bases(bare)
    yield from _inflection_bases(key)


def _adjective_bases(head: str) -> Iterator[str]:
    """Nominative forms of the last word of ``head`` if it is an inflected Russian adjective."""
    before, _, word = head.rpartition(" ")
    prefix = f"{before} " if before else ""
    if not _CYRILLIC.search(word):
        return
    for ending, bases in _RU_ADJECTIVE_ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= _MIN_STEM:
            for base in bases:
                if stem + base != word:
                    yield prefix + stem + base


def _inflection_bases(key: str) -> Iterator[str]:
    head, _, last = key.rpartition(" ")
    prefix = f"{head} " if head else ""
    if _CYRILLIC.search(last):
        lasts = []
        for ending, bases in _RU_ENDINGS:
            stem = last[: -len(ending)]
            if last.endswith(ending) and len(stem) >= (_MIN_STEM if not head else 2):
                lasts += [stem + base for base in bases]
        yield from (prefix + form for form in lasts)
        # an adjective before the noun takes the case too: Мангистауской области, Нижнем
        # Новгороде (a name that is an adjective alone, Грозном, is left: most such words
        # are no name, Южного, Московскому)
        for adjective in _adjective_bases(head):
            for form in (last, *lasts):
                yield f"{adjective} {form}"
    elif last.endswith("s") and len(last) > _MIN_STEM + 1:
        yield prefix + last[:-1]
        if last.endswith("es") and len(last) > _MIN_STEM + 2:
            yield prefix + last[:-2]
