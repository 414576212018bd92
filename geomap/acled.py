"""ACLED's conventions for the columns geomap fills from what an article says.

ACLED's codebook gives 31 columns (:data:`COLUMNS`, in its order). geomap fills each where the
article or the gazetteer tells it, and leaves the others empty rather than guess:

- ``inter1``/``inter2``: ACLED's numeric actor type (1 state forces, 5 rioters, 6 protesters,
  7 civilians, 8 external/other forces) for the actor names geomap's extractor gives;
  ``interaction`` the two codes joined, lower first (``16``; ``60`` for one actor).
- ``civilian_targeting``: ``"Civilian targeting"`` when the second actor is civilians.
- ``iso``: the ISO 3166-1 numeric code (Kazakhstan 398), as ACLED writes it.
- ``region``: ACLED's region of the country (UN M49 subregions with ACLED's merges).
- ``tags``: ``crowd size=...`` for protests and riots, ACLED's wording when none is given.
- ``timestamp``: the article's publication date as Unix time (ACLED: when the row was last
  changed); the same article always gives the same value.
- ``source_scale``, ``assoc_actor_2``, ``admin2``, ``admin3``: empty (not known from the text).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from urllib.parse import urlsplit, urlunsplit

#: ACLED's 31 columns, in ACLED's order.
COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

STATE, REBELS, POLITICAL_MILITIA, IDENTITY_MILITIA, RIOTERS, PROTESTERS, CIVILIANS, EXTERNAL = (
    range(1, 9)
)
#: The actor names geomap's extractor writes, by ACLED actor type.
ACTOR_TYPES = {
    "Security forces": STATE,
    "Police forces": STATE,
    "Military forces": STATE,
    "Government": STATE,
    "Rioters": RIOTERS,
    "Protesters": PROTESTERS,
    "Civilians": CIVILIANS,
    "CSTO": EXTERNAL,
}

_REGION_MEMBERS = {
    "Caucasus and Central Asia": "AM AZ GE KZ KG TJ TM UZ",
    "Middle East": "AE BH CY IL IQ IR JO KW LB OM PS QA SA SY TR YE",
    "Europe": "AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT "
    "JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK",
    "East Asia": "CN HK JP KP KR MN MO TW",
    "South Asia": "AF BD BT IN LK MV NP PK",
    "Southeast Asia": "BN ID KH LA MM MY PH SG TH TL VN",
    "Northern Africa": "DZ EG EH LY MA SD TN",
    "Western Africa": "BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG",
    "Middle Africa": "AO CD CF CG CM GA GQ ST TD",
    "Eastern Africa": "BI DJ ER ET KE KM MG MU MW MZ RE RW SC SO SS TZ UG YT ZM ZW",
    "Southern Africa": "BW LS NA SZ ZA",
    "North America": "BM CA GL PM US",
    "Central America": "BZ CR GT HN MX NI PA SV",
    "South America": "AR BO BR CL CO EC FK GF GY PE PY SR UY VE",
    "Caribbean": "AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR SX TC TT VC "
    "VG VI",
    "Oceania": "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV VU WF WS",
    "Antarctica": "AQ",
}
#: ACLED's region per ISO 3166-1 alpha-2 code.
REGIONS = {code: region for region, codes in _REGION_MEMBERS.items() for code in codes.split()}
_CROWD_TYPES = frozenset({"Protests", "Riots"})
#: Sources that name no file or address (standard input).
_STDIN = frozenset({"-", "<stdin>", "stdin"})


def actor_type(actor: str | None) -> int | None:
    """ACLED's actor type code for an actor name geomap writes; ``None`` when unknown."""
    return ACTOR_TYPES.get(actor or "")


def interaction(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED's interaction code: both actor types, lower first; one actor alone ends in 0."""
    codes = sorted(code for code in (inter1, inter2) if code is not None)
    if not codes:
        return None
    if len(codes) == 1:
        return codes[0] * 10
    return codes[0] * 10 + codes[1]


@functools.cache
def iso_numeric(alpha_2: str | None) -> int | None:
    """The ISO 3166-1 numeric code of a country (``"KZ"`` → 398), as ACLED's ``iso``."""
    if not alpha_2:
        return None
    import pycountry

    country = pycountry.countries.get(alpha_2=alpha_2.upper())
    return int(country.numeric) if country is not None else None


def region(alpha_2: str | None) -> str | None:
    """ACLED's region of a country, or ``None`` for a code it does not place."""
    return REGIONS.get((alpha_2 or "").upper())


def tags(event_type: str, crowd_size: int | None, qualifier: str | None) -> str | None:
    """ACLED's ``tags``: the crowd size of a protest or riot as reported, or ``no report``."""
    if event_type not in _CROWD_TYPES:
        return None
    if crowd_size is None:
        return "crowd size=no report"
    return f"crowd size={f'{qualifier} ' if qualifier else ''}{crowd_size}"


def timestamp(published: dt.date | None) -> int | None:
    """Unix time of midnight UTC on the publication date."""
    if published is None:
        return None
    moment = dt.datetime(published.year, published.month, published.day, tzinfo=dt.UTC)
    return int(moment.timestamp())


def public_source(source: str) -> str:
    """An article's source as shared outputs show it: never a local folder.

    A URL stays (without any user name or password in it), standard input is ``stdin``, and a
    local file contributes only its file name.
    """
    if source in _STDIN:
        return "stdin"
    if "://" in source:
        parts = urlsplit(source)
        if "@" not in parts.netloc:
            return source
        netloc = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return os.path.basename(os.path.normpath(source)) or source
