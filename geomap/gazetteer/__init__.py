"""The offline gazetteer: an SQLite index of place names built from data packages.

``index`` reads the built index (:class:`Gazetteer`), ``build`` makes it from the data packages
and the curated files in ``gazetteer/`` (``from geomap.gazetteer.build import build``; it is
imported only to build), ``sources`` names what it is built from and fingerprints it,
``phrases`` reads the feature phrases.
"""

from geomap.gazetteer.index import (
    AIRPORT,
    ANY_LANGUAGE,
    CITY,
    CODE,
    COUNTRY,
    CURATED,
    DEMONYM,
    DISTRICT,
    FORMAT_VERSION,
    MACROREGION,
    PRIMARY,
    REGION,
    REGION_WORDS,
    Entry,
    Gazetteer,
    Named,
    Progress,
    Row,
    code_key,
    default_index_path,
    entry_of_row,
    haversine_km,
    language_flag,
    place_of_row,
    row_of,
    stored_fingerprint,
)
from geomap.gazetteer.phrases import FeaturePattern, FeaturePhrases, read_features
from geomap.gazetteer.sources import fingerprint

__all__ = [
    "AIRPORT",
    "ANY_LANGUAGE",
    "CITY",
    "CODE",
    "COUNTRY",
    "CURATED",
    "DEMONYM",
    "DISTRICT",
    "FORMAT_VERSION",
    "MACROREGION",
    "PRIMARY",
    "REGION",
    "REGION_WORDS",
    "Entry",
    "FeaturePattern",
    "FeaturePhrases",
    "Gazetteer",
    "Named",
    "Progress",
    "Row",
    "code_key",
    "default_index_path",
    "entry_of_row",
    "fingerprint",
    "haversine_km",
    "language_flag",
    "place_of_row",
    "read_features",
    "row_of",
    "stored_fingerprint",
]
