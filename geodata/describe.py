"""Candidates described for people: where a place is, what it is, why it lost.

A journalist choosing between three places called Paris needs words, not codes:
"Paris, Texas, United States · town of 25,000 · 7,400 km from the article's
other places · lost: smaller than Paris, France". This module holds the words:

- :data:`KIND_WORDS`, every kind of :data:`geodata.schema.KINDS` in plain words;
- :func:`place_facts`, the facts of a gazetteer place a person reads (its
  first-level area and country by name, its population);
- :func:`describe_candidate`, one line for a candidate dict.

Why a candidate lost is the resolver's to say (:func:`geodata.resolve.loss_reason`):
the candidate dict carries it as ``reason``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from geodata.geodesy import geodesic_many_km
from geodata.schema import KINDS

__all__ = [
    "CITY_MIN_POPULATION",
    "KIND_WORDS",
    "describe_candidate",
    "format_km",
    "format_population",
    "kind_words",
    "place_facts",
    "place_words",
]

#: Every kind in plain words (the app never shows ``populated_place``).
KIND_WORDS: dict[str, str] = {
    "populated_place": "town or city",
    "admin_area": "region or state",
    "country": "country",
    "airport": "airport",
    "military_base": "military base",
    "religious_site": "religious site",
    "facility": "facility",
    "rail_line": "railway",
    "pipeline": "pipeline",
    "border_crossing": "border crossing",
    "incident": "incident",
    "natural_feature": "natural feature",
    "continent": "continent",
    "region": "region",
    "port": "port",
    "power_plant": "power plant",
    "oil_field": "oil field",
    "gas_field": "gas field",
    "strike_path": "strike path",
}
assert set(KIND_WORDS) == set(KINDS), "every kind needs plain words"

#: A populated place with at least this many people is called a city, else a town.
CITY_MIN_POPULATION = 100_000


def kind_words(kind: str, population: int | None = None) -> str:
    """Return a kind in plain words; a populated place becomes a town or a city.

    Parameters
    ----------
    kind : str
        A kind from :data:`geodata.schema.KINDS` (others are shown with spaces).
    population : int, optional
        Inhabitants; decides "town" or "city" (unknown or 0: "town or city").

    Returns
    -------
    str

    Examples
    --------
    >>> kind_words("populated_place", 24_782)
    'town'
    >>> kind_words("admin_area")
    'region or state'
    """
    if kind == "populated_place" and population:
        return "city" if population >= CITY_MIN_POPULATION else "town"
    return KIND_WORDS.get(kind, kind.replace("_", " "))


def format_population(population: int) -> str:
    """Return a population rounded for reading: two significant figures.

    Parameters
    ----------
    population : int
        Inhabitants (> 0).

    Returns
    -------
    str

    Examples
    --------
    >>> format_population(24_782)
    '25,000'
    >>> format_population(2_138_551)
    '2.1 million'
    >>> format_population(840)
    '840'
    """
    if population >= 1_000_000:
        return f"{population / 1_000_000:.2g} million"
    if population >= 1_000:
        return f"{round(population, -len(str(population)) + 2):,}"
    return str(population)


def format_km(distance_km: float) -> str:
    """Return a distance rounded for reading (to 100 km, 10 km or 1 km).

    Parameters
    ----------
    distance_km : float
        Kilometres.

    Returns
    -------
    str

    Examples
    --------
    >>> format_km(7412.3)
    '7,400 km'
    >>> format_km(143.0)
    '140 km'
    >>> format_km(8.6)
    '9 km'
    """
    digits = -2 if distance_km >= 1000 else -1 if distance_km >= 100 else 0
    return f"{round(distance_km, digits):,.0f} km"


def place_facts(place: Any, gazetteer: Any | None) -> dict[str, Any]:
    """Return the facts of a place a person reads: area and country by name, population.

    Parameters
    ----------
    place : geodata.gazetteer.Place
        Needs ``kind``, ``country_code``, ``admin1`` and ``population``.
    gazetteer : geodata.gazetteer.Gazetteer or None
        Names the first-level area (:meth:`~geodata.gazetteer.Gazetteer.area_name`)
        and the country (:meth:`~geodata.gazetteer.Gazetteer.country_name`); None
        leaves both None.

    Returns
    -------
    dict
        ``area`` (first-level area name, or None), ``country`` (country name, or
        None), ``population`` (int, 0 when unknown). JSON-native.
    """
    if gazetteer is None:
        return {"area": None, "country": None, "population": int(place.population or 0)}
    area = gazetteer.area_name(place.country_code, place.admin1)
    return {
        "area": None if area == place.name and place.kind == "admin_area" else area,
        "country": gazetteer.country_name(place.country_code),
        "population": int(place.population or 0),
    }


def place_words(candidate: Mapping[str, Any]) -> str:
    """Name a place with its first-level area and country, repeats left out.

    Parameters
    ----------
    candidate : mapping
        ``name`` (else ``feature_id``), ``kind`` and, when known, ``area`` and
        ``country`` (names; else ``country_code``).

    Returns
    -------
    str

    Examples
    --------
    >>> place_words({"name": "Saint Peter", "kind": "populated_place",
    ...              "area": "Minnesota", "country": "United States"})
    'Saint Peter, Minnesota, United States'
    """
    name = str(candidate.get("name") or candidate.get("feature_id") or "?")
    parts = [name]
    country = candidate.get("country") or candidate.get("country_code")
    for part in (candidate.get("area"), country):
        if part and str(part) not in parts and candidate.get("kind") != "country":
            parts.append(str(part))
    return ", ".join(parts)


def _what(candidate: Mapping[str, Any]) -> str:
    """Kind and population: "town of 25,000"."""
    population = int(candidate.get("population") or 0)
    words = kind_words(str(candidate.get("kind") or ""), population)
    return f"{words} of {format_population(population)}" if population > 0 else words


def describe_candidate(
    candidate: Mapping[str, Any], others: Sequence[tuple[float, float]] = ()
) -> str:
    """Describe a candidate place in one line a person can judge.

    Parameters
    ----------
    candidate : mapping
        A candidate dict: ``name``, ``kind``, ``lon``, ``lat`` (degrees) and, when
        known, ``area``, ``country`` (names; else ``country_code``),
        ``population`` and ``reason`` (why the resolver ranked it lower), or
        ``was_choice`` (the geoparser chose it and the user picked another).
    others : sequence of (float, float)
        (lon, lat) in degrees of the article's other places; the distance shown
        is to the nearest of them (WGS84 geodesic). Empty: no distance.

    Returns
    -------
    str
        Parts joined by " · ": where, what, how far, why it lost or that it was
        the geoparser's first choice (each part only when known).

    Examples
    --------
    >>> describe_candidate(
    ...     {"name": "Paris", "kind": "populated_place", "area": "Texas",
    ...      "country": "United States", "population": 24782, "lon": -95.55, "lat": 33.66,
    ...      "reason": "smaller than Paris, France"})
    'Paris, Texas, United States · town of 25,000 · lost: smaller than Paris, France'
    """
    parts = [place_words(candidate), _what(candidate)]
    lon, lat = candidate.get("lon"), candidate.get("lat")
    if others and lon is not None and lat is not None:
        distances = geodesic_many_km(
            float(lon), float(lat), [o[0] for o in others], [o[1] for o in others]
        )
        parts.append(f"{format_km(float(distances.min()))} from the article's other places")
    if candidate.get("was_choice"):
        parts.append("the geoparser's first choice")
    elif candidate.get("reason"):
        parts.append(f"lost: {candidate['reason']}")
    return " · ".join(parts)
