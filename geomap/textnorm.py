"""Name normalisation shared by the gazetteer index and the extractor.

A name and every way of writing it fold to one *key*: case, accents and punctuation are
ignored, so ``Alma-Ata``, ``alma ata`` and ``ALMA ATA`` share the key ``alma ata``. Letters
that Unicode does not decompose (``ø``, ``æ``, ``ß``, ``ł``, ``ı``) are spelled out.
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
    decomposed = unicodedata.normalize("NFKD", name.translate(_SPELLED))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


#: Russian case endings and the nominative endings they may come from, longest first.
_RU_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ией", ("ия",)),
    ("ии", ("ия", "ий")),
    ("ию", ("ия",)),
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


def base_forms(key: str) -> Iterator[str]:
    """Yield forms ``key`` may be inflected from, most likely first (not ``key`` itself).

    Only the last word is inflected: genitive ``-s`` of the Scandinavian languages and
    English (``almatys`` from *Almatys*, *Almaty's*), and the Russian case endings
    (``казахстане`` → ``казахстан``, ``россии`` → ``россия``).
    """
    head, _, last = key.rpartition(" ")
    prefix = f"{head} " if head else ""
    if _CYRILLIC.search(last):
        for ending, bases in _RU_ENDINGS:
            stem = last[: -len(ending)]
            if last.endswith(ending) and len(stem) >= _MIN_STEM:
                for base in bases:
                    yield prefix + stem + base
    elif last.endswith("s") and len(last) > _MIN_STEM + 1:
        yield prefix + last[:-1]
        if last.endswith("es") and len(last) > _MIN_STEM + 2:
            yield prefix + last[:-2]
