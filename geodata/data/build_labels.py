"""Write ``labels.geojson``: the place names drawn on the offline basemap.

Run from the project root: ``python -m geodata.data.build_labels [--source DIR]``
(``--source`` is the folder of the Natural Earth 1:50m GeoJSON layers, by default
``../shared/data/naturalearth``). The output is a deterministic RFC 7946
FeatureCollection of Points (WGS84 longitude/latitude, 1e-3 degree grid) with four
properties per label:

``name``
    The text drawn.
``kind``
    ``ocean``, ``country``, ``capital`` (a national capital), ``city``, ``sea`` or
    ``area`` (a first-level administrative area: a state, province, governorate).
``minzoom``
    The first Leaflet zoom level at which the label may be drawn (0 = the whole
    world in 256 px; 18 = a street).
``source``
    Where the point comes from (see below).

The features are written in priority order: when two labels would overlap on
screen, the map draws the one that comes first. The order is oceans, countries,
cities (by ``minzoom``, then by population, largest first), seas, then areas (by
population).

Sources
-------
- Countries: the label point of each country in ``naturalearth/countries.geojson``
  (Natural Earth 1:50m admin-0, public domain); ``minzoom`` is Natural Earth's own
  ``MIN_LABEL`` less one (Natural Earth ranks labels for web-map zooms that start
  at one 512 px tile; Leaflet's start at one 256 px tile).
- Cities: Natural Earth 1:50m populated places (``ne_50m_populated_places_simple``,
  1,249 places chosen by cartographers for small scales), ``minzoom`` from its
  ``min_zoom`` less one; then GeoNames towns of at least
  :data:`CITY_MIN_POPULATION` people from the gazetteer (``geonames:<id>``) that
  Natural Earth lacks (Erbil, Giza), shown from zoom 6 to 8 by population.
- Areas: the first-level areas of the gazetteer (ISO 3166-2 subdivision points of
  the ``iso3166-2`` package, or the median of the area's GeoNames towns; US states
  from ``iso3166-2``), with the gazetteer entry's own ``source``.
- Seas: the curated water bodies of ``regions.geojson``, with their ``source``.
- Oceans: :data:`OCEANS`, label anchors placed for the map (not measured
  coordinates); the build checks that each lies at least
  :data:`OCEAN_MIN_DISTANCE_DEG` degrees from Natural Earth 1:50m land.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import shapely
from rapidfuzz import fuzz
from shapely.geometry import shape

from geodata.gazetteer import load_gazetteer
from geodata.geodesy import haversine_km
from geodata.names import normalize_name

DATA = Path(__file__).resolve().parent
OUT = DATA / "naturalearth" / "labels.geojson"
DEFAULT_SOURCE = DATA.parents[2] / "shared" / "data" / "naturalearth"

CITY_MIN_POPULATION = 100_000
"""GeoNames towns with fewer people are not labelled (the file stays small)."""
DUPLICATE_KM = 6.0
"""A GeoNames town this close to a Natural Earth place is the same city."""
SIMILAR_NAME_KM = 40.0
"""A GeoNames town this close to a Natural Earth place of a similar name is too."""
OCEAN_MIN_DISTANCE_DEG = 3.0
"""An ocean label anchor lies at least this far (in degrees) from any land."""

#: (name, lon, lat): anchors for the ocean names, chosen for the map in open water.
OCEANS: tuple[tuple[str, float, float], ...] = (
    ("Atlantic Ocean", -35.0, 25.0),
    ("South Atlantic Ocean", -15.0, -25.0),
    ("Pacific Ocean", -140.0, 15.0),
    ("South Pacific Ocean", -120.0, -30.0),
    ("Indian Ocean", 80.0, -20.0),
    ("Arctic Ocean", 0.0, 85.0),
    ("Southern Ocean", 60.0, -60.0),
)

_TIER = {"ocean": 0, "country": 1, "capital": 2, "city": 2, "sea": 3, "area": 4}


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(haversine_km(lon1, lat1, [lon2], [lat2])[0])


def _feature(
    name: str, kind: str, lon: float, lat: float, minzoom: int, source: str
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"name": name, "kind": kind, "minzoom": minzoom, "source": source},
        "geometry": {"type": "Point", "coordinates": [round(lon, 3), round(lat, 3)]},
    }


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def country_labels(source: Path) -> list[tuple[tuple, dict]]:
    """Country names at ``countries.geojson``'s label points, ranked by Natural Earth."""
    min_label: dict[str, tuple[float, str]] = {}
    for f in _read(source / "ne_50m_admin_0_countries.json")["features"]:
        p = f["properties"]
        for code in (p.get("ISO_A3_EH"), p.get("ISO_A3"), p.get("ADM0_A3")):
            if code and code != "-99":
                min_label.setdefault(code, (float(p["MIN_LABEL"]), p["NAME"]))
    out = []
    for f in _read(DATA / "naturalearth" / "countries.geojson")["features"]:
        p = f["properties"]
        rank, short = min_label.get(p["iso_a3"], (5.0, p["name"]))
        minzoom = max(1, math.floor(rank) - 1)
        key = (_TIER["country"], minzoom, -int(p.get("population") or 0), p["name"])
        source_text = (
            "Natural Earth 1:50m admin-0 countries: label point of countries.geojson "
            f"({p['iso_a3']})"
        )
        out.append(
            (key, _feature(short, "country", p["label_lon"], p["label_lat"], minzoom, source_text))
        )
    return out


def city_labels(source: Path, gazetteer: Any) -> list[tuple[tuple, dict]]:
    """Natural Earth populated places, then large GeoNames towns Natural Earth lacks."""
    out = []
    ne_points: list[tuple[float, float, str]] = []
    for f in _read(source / "ne_50m_populated_places_simple.json")["features"]:
        p = f["properties"]
        if p["featurecla"] in ("Scientific station", "Historic place"):
            continue
        lon, lat = f["geometry"]["coordinates"][:2]
        kind = "capital" if p["featurecla"].startswith("Admin-0 capital") else "city"
        minzoom = max(2, math.floor(float(p["min_zoom"])) - 1)
        key = (_TIER[kind], minzoom, -int(p["pop_max"] or 0), p["name"])
        text = f"Natural Earth 1:50m populated places ({p['name']}, {p['adm0name']})"
        out.append((key, _feature(p["name"], kind, lon, lat, minzoom, text)))
        ne_points.append((lon, lat, normalize_name(p["name"])))
    for i in range(len(gazetteer)):
        population = int(gazetteer.population[i])
        if gazetteer.kind[i] != "populated_place" or population < CITY_MIN_POPULATION:
            continue
        if not gazetteer.feature_id[i].startswith("geonames:"):
            continue
        lon, lat, name = float(gazetteer.lon[i]), float(gazetteer.lat[i]), gazetteer.name[i]
        key_name = normalize_name(name)
        duplicate = False
        for nlon, nlat, nname in ne_points:
            if abs(nlat - lat) > 0.5 or abs(nlon - lon) > 0.7:
                continue
            km = _km(lon, lat, nlon, nlat)
            if km <= DUPLICATE_KM or (km <= SIMILAR_NAME_KM and fuzz.ratio(key_name, nname) >= 75):
                duplicate = True
                break
        if duplicate:
            continue
        minzoom = 6 if population >= 500_000 else 7 if population >= 200_000 else 8
        kind = "capital" if bool(gazetteer.capital[i]) else "city"
        key = (_TIER[kind], minzoom, -population, name)
        out.append((key, _feature(name, kind, lon, lat, minzoom, gazetteer.feature_id[i])))
    return out


def area_labels(gazetteer: Any) -> list[tuple[tuple, dict]]:
    """First-level areas of the gazetteer (admin-1 areas and US states)."""
    out = []
    for i in range(len(gazetteer)):
        if gazetteer.kind[i] != "admin_area":
            continue
        fid = gazetteer.feature_id[i]
        if fid.startswith("admin2:"):
            continue
        if not fid.startswith("admin1:") and gazetteer.country_code[i] != "US":
            continue
        population = int(gazetteer.population[i])
        minzoom = 5 if population >= 1_000_000 else 6
        key = (_TIER["area"], minzoom, -population, gazetteer.name[i])
        lon, lat = float(gazetteer.lon[i]), float(gazetteer.lat[i])
        how = gazetteer.source[i]
        if "ISO 3166-2" in how or "iso3166-2" in how:
            text = f"{fid}: ISO 3166-2 subdivision point (iso3166-2 package)"
        elif "median" in how:
            text = f"{fid}: median of the area's GeoNames towns (derived)"
        else:
            text = f"{fid}: {how}"
        out.append((key, _feature(gazetteer.name[i], "area", lon, lat, minzoom, text)))
    return out


def water_labels(source: Path) -> list[tuple[tuple, dict]]:
    """Curated seas of ``regions.geojson`` and the ocean anchors of :data:`OCEANS`."""
    out = []
    for f in _read(DATA / "regions.geojson")["features"]:
        p = f["properties"]
        if p["kind"] != "natural_feature":
            continue
        lon, lat = f["geometry"]["coordinates"]
        key = (_TIER["sea"], 3, 0, p["name"])
        out.append((key, _feature(p["name"], "sea", lon, lat, 3, p["source"])))
    land = shapely.union_all(
        [shape(f["geometry"]) for f in _read(source / "ne_50m_land.json")["features"]]
    )
    for name, lon, lat in OCEANS:
        gap = land.distance(shapely.Point(lon, lat))
        if gap < OCEAN_MIN_DISTANCE_DEG:
            raise ValueError(f"{name} anchor lies {gap:.2f} degrees from land")
        text = (
            f"label anchor placed for the map (not a measured point), {gap:.1f} degrees "
            "from Natural Earth 1:50m land"
        )
        key = (_TIER["ocean"], 1, 0, name)
        out.append((key, _feature(name, "ocean", lon, lat, 1, text)))
    return out


def build(source: Path) -> dict[str, Any]:
    """Return the labels FeatureCollection, in priority order."""
    gazetteer = load_gazetteer()
    ranked = [
        *water_labels(source),
        *country_labels(source),
        *city_labels(source, gazetteer),
        *area_labels(gazetteer),
    ]
    ranked.sort(key=lambda pair: pair[0])
    return {"type": "FeatureCollection", "features": [feature for _, feature in ranked]}


def main() -> None:
    """Build the labels and write them (see the module docstring for the arguments)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    collection = build(args.source)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    # one feature per line: reviewable diffs, and still compact
    text = text.replace('},{"type":"Feature"', '},\n{"type":"Feature"')
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(collection['features'])} labels to {args.out}")


if __name__ == "__main__":
    main()
