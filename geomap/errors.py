"""The one exception root of geomap and its subclasses.

Every error geomap raises on purpose is a :class:`GeomapError`. Each subclass also derives
from the builtin that fits, so callers may catch ``ValueError`` or ``OSError`` as usual.
The CLI turns a ``UsageError`` into exit code 2 and any other ``GeomapError`` into exit
code 1, with the message as one line.
"""

from __future__ import annotations


class GeomapError(Exception):
    """Root of every error geomap raises on purpose."""


class UsageError(GeomapError, ValueError):
    """The caller asked for something that cannot work (bad option, unknown name)."""


class SourceError(GeomapError, OSError):
    """An article source cannot be read: missing, unreachable, empty, binary or too large."""


class GazetteerError(GeomapError, RuntimeError):
    """The offline gazetteer index cannot be built or read."""


class GeocoderError(GeomapError, RuntimeError):
    """A geocoding service failed and no fallback could answer."""


class ArticleError(GeomapError, RuntimeError):
    """geomap itself failed on one article (a bug); the other articles are still processed."""


class LayerSpecError(UsageError):
    """A layer file in ``layers/`` is malformed."""


class StoreError(GeomapError, OSError):
    """The event store cannot be opened, read or written safely."""


class OutputError(GeomapError, OSError):
    """An output file cannot be written."""
