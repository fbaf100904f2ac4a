"""Resolved mentions + curated sites -> the sites GeoDataFrame, with evidence.

Three sources of features, each keeping the sentences it came from:

1. toponyms the geoparser resolved (towns, countries, named airports and sites);
2. catalogue sites linked through a kind word and a place in one sentence
   ("shrines in Karbala", "a railway ... connecting Basra to Iran", "American
   bases" in an article about Iraq: the last is marked ``inferred``);
3. incidents: sentences that report an event at a place (see :mod:`geodata.incidents`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import geopandas as gpd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geodata.catalogue import country_shapes, load_sites
from geodata.describe import place_facts
from geodata.geodesy import distance_to_geometry_km
from geodata.incidents import extract_incidents
from geodata.recognize import Recognized
from geodata.resolve import Resolution
from geodata.schema import (
    COLUMNS,
    SiteRecord,
    candidate_dict,
    records_to_rows,
    rows_to_frame,
    surface_of,
)

if TYPE_CHECKING:
    from geodata.gazetteer import Gazetteer

__all__ = ["merge_sites", "site_rows_from_parse"]

NEAR_KM = 30.0
ROUTE_SERVES_KM = 25.0
ROUTE_TOWARD_KM = 120.0
INFERRED_CONFIDENCE = 0.4

KIND_WORDS: dict[str, re.Pattern[str]] = {
    "religious_site": re.compile(
        r"\b(shrines?|mosques?|holy sites?|mausoleums?|tombs?|churches|church|synagogues?|"
        r"temples?)\b",
        re.I,
    ),
    "military_base": re.compile(
        r"\b(bases?|air ?bases?|airfields?|garrisons?|outposts?|military installations?)\b", re.I
    ),
    "airport": re.compile(r"\b(airports?)\b", re.I),
    "rail_line": re.compile(
        r"\b(railways?|railroads?|rail(?: link| line| project)?s?|"
        r"train lines?)\b",
        re.I,
    ),
    "pipeline": re.compile(r"\b(pipelines?|gas (?:imports?|supply|supplies|exports?))\b", re.I),
    "border_crossing": re.compile(r"\b(border crossings?|crossing points?)\b", re.I),
    "port": re.compile(r"\b(ports?|harbou?rs?)\b", re.I),
    "oil_field": re.compile(r"\b(oil ?fields?)\b", re.I),
}
ROUTE_KINDS = frozenset({"rail_line", "pipeline"})
AREA_KINDS = frozenset({"country", "admin_area", "continent", "region", "natural_feature"})


def _place_geometry(
    feature_id: str, kind: str, country_code: str | None, lon: float, lat: float
) -> tuple[BaseGeometry, str | None]:
    """Polygon for countries (Natural Earth), the catalogue line for routes, else a point."""
    if kind == "country" and country_code:
        shape = _country_geometries().get(country_code)
        if shape is not None:
            return shape, None
    if feature_id.startswith("site:"):
        site = _site_geometries().get(feature_id)
        if site is not None:
            return site
    return Point(lon, lat), None


@lru_cache(maxsize=1)
def _country_geometries() -> dict[str, BaseGeometry]:
    """ISO alpha-2 -> Natural Earth polygon, as a dict: ``.loc`` per mention cost 60 µs."""
    shapes = country_shapes()
    return dict(zip(shapes.index, shapes.geometry, strict=True))


@lru_cache(maxsize=1)
def _site_geometries() -> dict[str, tuple[BaseGeometry, str | None]]:
    """Catalogue id -> (geometry, note or None), as a dict (see :func:`_country_geometries`)."""
    sites = load_sites()
    return {
        str(i): (geometry, note or None)
        for i, geometry, note in zip(sites.index, sites.geometry, sites["note"], strict=True)
    }


def _record_for_resolution(res: Resolution, gazetteer: Gazetteer | None = None) -> SiteRecord:
    place = res.place
    assert place is not None
    geometry, note = _place_geometry(
        place.feature_id, place.kind, place.country_code, place.lon, place.lat
    )
    return SiteRecord(
        feature_id=place.feature_id,
        name=place.name,
        kind=place.kind,
        country_code=place.country_code,
        source=place.source,
        geometry=geometry,
        confidence=res.confidence,
        note=note or "",
        alternatives=[
            {
                **candidate_dict(c.place, score=c.score, with_source=True),
                **place_facts(c.place, gazetteer),
                "reason": c.reason,
            }
            for c in res.alternatives
        ],
    )


def _record_for_site(site_id: str, confidence: float, inferred: bool) -> SiteRecord:
    row = load_sites().loc[site_id]
    note = row["note"] or ""
    if inferred:
        note = (note + " " if note else "") + (
            "Inferred: the text names this kind of site generically, not this site."
        )
    return SiteRecord(
        feature_id=site_id,
        name=row["name"],
        kind=row["kind"],
        country_code=row["country_code"],
        source=row["source"],
        geometry=row["geometry"],
        confidence=round(float(row["confidence"]) * confidence, 4),
        note=note,
        inferred=inferred,
    )


def _serves(
    site_geometry: BaseGeometry, site_countries: Iterable[str], res: Resolution, within_km: float
) -> bool:
    """Whether a catalogue geometry is at (or, for a route, reaches) a resolved place."""
    place = res.place
    assert place is not None
    if place.kind == "country":
        if place.country_code in set(site_countries):
            return True
        shapes = country_shapes()
        if place.country_code in shapes.index:
            return bool(site_geometry.distance(shapes.loc[place.country_code, "geometry"]) < 0.05)
        return False
    if place.kind in AREA_KINDS and place.kind != "admin_area":
        return False
    return distance_to_geometry_km(place.lon, place.lat, site_geometry) <= within_km


#: A catalogue site linked to a kind word: (site id, confidence, inferred, linking mention).
_Link = tuple[str, float, bool, "Resolution | None"]


def _route_links(candidates: gpd.GeoDataFrame, places: list[Resolution]) -> list[_Link]:
    """Routes (rail lines, pipelines) that serve the sentence's places.

    A route links when it serves a place and reaches at least two of the
    sentence's places (served or lying toward its far end), or when it serves
    the only place the sentence names.
    """
    linked: list[_Link] = []
    for site_id, row in candidates.iterrows():
        countries = row["countries"] or [row["country_code"]]
        served = [r for r in places if _serves(row.geometry, countries, r, ROUTE_SERVES_KM)]
        toward = [
            r for r in places if r not in served and _serves(row.geometry, [], r, ROUTE_TOWARD_KM)
        ]
        reached = len({r.place.feature_id for r in served + toward})  # type: ignore[union-attr]
        if served and reached >= 2:
            linked.append((str(site_id), 0.85, False, served[0]))
        elif served and len(places) == 1:
            linked.append((str(site_id), 0.6, False, served[0]))
    return linked


def _site_links(
    kind: str,
    candidates: gpd.GeoDataFrame,
    places: list[Resolution],
    generic: list[str],
) -> list[_Link]:
    """Point sites near the sentence's towns; else, for bases, the generic ones."""
    towns = [
        r
        for r in places
        if r.place.kind not in AREA_KINDS or r.place.kind == "admin_area"  # type: ignore[union-attr]
    ]
    shapes = list(
        zip(candidates.index, candidates.geometry, strict=True)
    )  # not iterrows: per row a Series
    linked: list[_Link] = [
        (str(site_id), 0.8, False, res)
        for res in towns
        for site_id, geometry in shapes
        if _serves(geometry, [], res, NEAR_KM)
    ]
    if not towns and kind == "military_base":
        linked.extend((sid, INFERRED_CONFIDENCE, True, None) for sid in generic)
    return linked


def _add_links(
    recognized: Recognized,
    records: dict[str, SiteRecord],
    linked: list[_Link],
    word: tuple[int, int],
) -> None:
    """Add (or strengthen) the linked sites' records, with the kind word as evidence."""
    for site_id, confidence, inferred, link in linked:
        record = records.get(site_id)
        if record is None:
            record = records[site_id] = _record_for_site(site_id, confidence, inferred)
        elif not inferred and record.inferred:
            fresh = _record_for_site(site_id, confidence, False)
            record.inferred, record.note = False, fresh.note
            record.confidence = max(record.confidence, fresh.confidence)
        record.add_evidence(recognized, *word)
        if link is not None:
            record.add_evidence(recognized, link.mention.start, link.mention.end)
        record.mentions += 1


@lru_cache(maxsize=1)
def _catalogue_by_kind() -> dict[str, gpd.GeoDataFrame]:
    """Slice the catalogue by kind word, once per process.

    Slicing per sentence made a long text pay a DataFrame selection for every
    sentence and kind; slicing per article still cost 11 ms an article (a third
    of a batch worker's time outside NER), so the slices are made once.
    """
    sites = load_sites()
    return {kind: sites[sites["kind"] == kind] for kind in KIND_WORDS}


def _link_catalogue(
    recognized: Recognized,
    resolutions: list[Resolution],
    records: dict[str, SiteRecord],
    focus_countries: list[str],
) -> None:
    """Add catalogue sites named through a kind word plus a place (see module doc)."""
    by_kind = _catalogue_by_kind()
    by_sentence: dict[int, list[Resolution]] = defaultdict(list)
    for res in resolutions:
        if res.place is not None:
            by_sentence[res.mention.sentence].append(res)
    # Most articles name no kind word of most kinds: one search of the whole text
    # per kind spares a search per sentence and kind.
    kinds = [
        kind
        for kind, pattern in KIND_WORDS.items()
        if not by_kind[kind].empty and pattern.search(recognized.text) is not None
    ]
    if not kinds:
        return
    for index, (s_start, s_end) in enumerate(recognized.sentences):
        sentence = recognized.text[s_start:s_end]
        in_sentence = by_sentence.get(index, [])
        for kind in kinds:
            pattern, candidates = KIND_WORDS[kind], by_kind[kind]
            if pattern.search(sentence) is None:
                continue
            named = [r for r in in_sentence if r.place.kind == kind]  # type: ignore[union-attr]
            if named and kind not in ROUTE_KINDS:
                continue  # the sentence names the facility itself
            places = [
                r
                for r in in_sentence
                if not r.mention.is_demonym and r.place.kind not in KIND_WORDS  # type: ignore[union-attr]
            ]
            for match in pattern.finditer(sentence):
                word = (s_start + match.start(), s_start + match.end())
                if kind in ROUTE_KINDS:
                    linked = _route_links(candidates, places)
                else:
                    generic = (
                        _generic_sites(
                            recognized, in_sentence, candidates, word[0], focus_countries
                        )
                        if kind == "military_base"
                        else []
                    )
                    linked = _site_links(kind, candidates, places, generic)
                _add_links(recognized, records, linked, word)


def _generic_sites(
    recognized: Recognized,
    in_sentence: list[Resolution],
    candidates: gpd.GeoDataFrame,
    word_start: int,
    focus_countries: list[str],
) -> list[str]:
    """Sites for a generic reference such as "American bases".

    The user is the country of a demonym or country name right before the kind
    word; the location is a country named in the sentence other than the user,
    else the article's focus country.
    """
    user = None
    for res in in_sentence:
        gap = recognized.text[res.mention.end : word_start]
        if 0 <= word_start - res.mention.end <= 3 and not gap.strip():
            user = res.place.country_code if res.place else None
    if user is None:
        return []
    located = [
        r.place.country_code
        for r in in_sentence
        if r.place is not None and (r.place.kind == "country" or r.mention.is_demonym)
    ]
    countries = [c for c in located if c and c != user] or focus_countries[:1]
    chosen = []
    for site_id, row in candidates.iterrows():
        if row["country_code"] in countries and user in (row["used_by"] or []):
            chosen.append(str(site_id))
    return chosen


def _focus_countries(resolutions: list[Resolution]) -> list[str]:
    """Countries ordered by how often the article places things in them."""
    counts: dict[str, int] = defaultdict(int)
    for res in resolutions:
        if res.place and res.place.country_code:
            counts[res.place.country_code] += 1
    return sorted(counts, key=lambda c: (-counts[c], c))


def site_rows_from_parse(
    recognized: Recognized,
    resolutions: list[Resolution],
    article_date: date | None = None,
    gazetteer: Gazetteer | None = None,
) -> list[dict[str, Any]]:
    """Build the sites table's rows from a recognised and resolved text.

    :meth:`geodata.pipeline.Geoparser.analyse` makes a GeoDataFrame of them
    (:func:`geodata.schema.rows_to_frame`); the batch gathers the rows of a
    partition's articles into one frame.

    Parameters
    ----------
    recognized : Recognized
        Output of :func:`geodata.recognize.recognize`.
    resolutions : list of Resolution
        Output of :func:`geodata.resolve.resolve` for ``recognized``.
    article_date : datetime.date, optional
        Publication date; resolves relative dates of incidents ("in April").
    gazetteer : Gazetteer, optional
        Names the alternatives' first-level areas and countries (``area``,
        ``country``); without it they are None.

    Returns
    -------
    list of dict
        One dict per feature, keys :data:`geodata.schema.COLUMNS`, geometry a
        shapely geometry in EPSG:4326 (see :func:`geodata.schema.records_to_rows`).
    """
    records: dict[str, SiteRecord] = {}
    for res in resolutions:
        if res.place is None:
            continue
        record = records.get(res.place.feature_id)
        if record is None:
            record = records[res.place.feature_id] = _record_for_resolution(res, gazetteer)
        else:
            record.confidence = max(record.confidence, res.confidence)
        record.mentions += 1
        record.add_evidence(recognized, res.mention.start, res.mention.end)
    focus = _focus_countries(resolutions)
    _link_catalogue(recognized, resolutions, records, focus)
    for incident in extract_incidents(recognized, resolutions, records, article_date):
        records[incident.feature_id] = incident
    return records_to_rows(records.values())


def merge_sites(frames: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Merge the sites of several articles: one row per feature, all evidence kept.

    Parameters
    ----------
    frames : dict of str to GeoDataFrame
        Article name -> its sites (from :func:`extract_sites`), in display order.

    Returns
    -------
    GeoDataFrame
        Columns :data:`COLUMNS` plus ``articles`` (list of article names). Every
        evidence item gains an ``article`` key; ``mentions`` are summed and
        ``confidence`` is the highest seen. Geometry, name and source come from
        the first article that has the feature.
    """
    merged: dict[str, dict[str, Any]] = {}
    for article, frame in frames.items():
        for row in frame.to_dict("records"):
            evidence = [dict(item, article=article) for item in row["evidence"]]
            current = merged.get(row["feature_id"])
            if current is None:
                merged[row["feature_id"]] = dict(row, evidence=evidence, articles=[article])
                continue
            current["evidence"] = current["evidence"] + evidence
            current["surface"] = surface_of(current["evidence"])
            current["mentions"] = int(current["mentions"]) + int(row["mentions"])
            current["confidence"] = max(float(current["confidence"]), float(row["confidence"]))
            if article not in current["articles"]:
                current["articles"].append(article)
    return rows_to_frame(merged.values(), columns=[*COLUMNS, "articles"])
