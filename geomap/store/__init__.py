"""The event store: the layers ``events``, ``flows`` and ``articles``, in a GeoPackage file.

It opens in QGIS. Updates are idempotent per article: an article already stored (same content
hash) changes nothing; an edited article (same source, new content) replaces only its own
rows. A store is changed in place, inside one transaction per update (``geomap.store.gpkg``),
so a failed or killed run leaves it as it was, and a run that adds nothing does not write it.
"""

from __future__ import annotations

from geomap.store.contents import (
    LAYERS,
    MergeResult,
    Plan,
    StoreContents,
    fingerprint,
    merge,
    plan,
)
from geomap.store.gpkg import Update, read, update, write

__all__ = [
    "LAYERS",
    "MergeResult",
    "Plan",
    "StoreContents",
    "Update",
    "fingerprint",
    "merge",
    "plan",
    "read",
    "update",
    "write",
]
