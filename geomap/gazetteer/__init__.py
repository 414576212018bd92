"""The offline gazetteer: an SQLite index of place names built from data packages.

``index`` reads the built index (:class:`Gazetteer`), ``build`` makes it from the data packages
and the curated files in ``gazetteer/``, ``phrases`` reads the feature phrases.
"""

from geomap.gazetteer.build import build, fingerprint
from geomap.gazetteer.index import (
    AIRPORT,
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

__all__ = [
    "AIRPORT",
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
    "build",
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
