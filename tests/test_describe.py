"""Candidates described for people: words, numbers, distances and why each lost."""

from __future__ import annotations

import numpy as np
import pytest

from geodata.describe import (
    KIND_WORDS,
    describe_candidate,
    format_km,
    format_population,
    kind_words,
    place_facts,
)
from geodata.gazetteer import Gazetteer, Place
from geodata.resolve import FEATURES, _label, loss_reason
from geodata.schema import KINDS

PARIS_TEXAS = {
    "feature_id": "geonames:4717560",
    "name": "Paris",
    "kind": "populated_place",
    "country_code": "US",
    "lon": -95.55551,
    "lat": 33.66094,
    "score": 0.0,
    "area": "Texas",
    "country": "United States",
    "population": 24782,
    "reason": "smaller than Paris, France",
}
LYON = (4.84671, 45.74846)


def _place(feature_id, name, kind, country_code, admin1, population, lon=0.0, lat=0.0) -> Place:
    return Place(
        0, feature_id, name, kind, lat, lon, country_code, population, None, admin1, False, "test"
    )


def _features(**values: float) -> np.ndarray:
    row = np.zeros(len(FEATURES))
    for name, value in values.items():
        row[FEATURES.index(name)] = value
    return row


def test_every_kind_has_plain_words():
    assert set(KIND_WORDS) == set(KINDS)
    assert all("_" not in words for words in KIND_WORDS.values())


@pytest.mark.parametrize(
    ("kind", "population", "expected"),
    [
        ("populated_place", 24_782, "town"),
        ("populated_place", 2_138_551, "city"),
        ("populated_place", 0, "town or city"),
        ("admin_area", 29_000_000, "region or state"),
        ("military_base", 0, "military base"),
        ("made_up_kind", 0, "made up kind"),
    ],
)
def test_kind_words(kind, population, expected):
    assert kind_words(kind, population) == expected


@pytest.mark.parametrize(
    ("population", "expected"),
    [(840, "840"), (9_870, "9,900"), (24_782, "25,000"), (2_138_551, "2.1 million")],
)
def test_population_is_rounded_for_reading(population, expected):
    assert format_population(population) == expected


@pytest.mark.parametrize(
    ("km", "expected"), [(0.4, "0 km"), (8.6, "9 km"), (143.0, "140 km"), (7412.3, "7,400 km")]
)
def test_distance_is_rounded_for_reading(km, expected):
    assert format_km(km) == expected


def test_paris_texas_described_with_area_population_distance_and_reason():
    # Lyon -> Paris, Texas: 8,117 km on the WGS84 ellipsoid.
    assert describe_candidate(PARIS_TEXAS, [LYON]) == (
        "Paris, Texas, United States · town of 25,000 · 8,100 km from the article's "
        "other places · lost: smaller than Paris, France"
    )


def test_distance_is_to_the_nearest_other_place():
    dallas = (-96.80667, 32.78306)  # about 150 km from Paris, Texas
    assert "150 km from the article's other places" in describe_candidate(
        PARIS_TEXAS, [LYON, dallas]
    )


def test_unknown_facts_are_left_out():
    bare = {"name": "Paris", "kind": "populated_place", "country_code": "US", "lon": 1, "lat": 2}
    assert describe_candidate(bare) == "Paris, US · town or city"


def test_a_country_is_not_named_twice():
    france = {"name": "France", "kind": "country", "country": "France", "population": 66_987_244}
    assert describe_candidate(france) == "France · country of 67 million"


def test_place_facts_name_the_area_and_country_from_the_gazetteer():
    gazetteer = Gazetteer(ROWS)
    paris = _place("geonames:4717560", "Paris", "populated_place", "US", "TX", 24_782)
    assert place_facts(paris, gazetteer) == {
        "area": "Texas",
        "country": "United States",
        "population": 24_782,
    }
    # A state is not "in" itself; a county is in its state.
    assert place_facts(gazetteer.get("geonames:4736286"), gazetteer)["area"] is None
    assert place_facts(gazetteer.get("admin2:US:texas:lamar-county"), gazetteer)["area"] == "Texas"
    assert place_facts(paris, None) == {"area": None, "country": None, "population": 24_782}


def test_the_winner_is_named_by_its_state_beside_a_town_of_the_same_country():
    gazetteer = Gazetteer(ROWS)
    paris = _place("geonames:4717560", "Paris", "populated_place", "US", "TX", 24_782)
    tennessee = _place("geonames:4647963", "Paris", "populated_place", "US", "TN", 10_150)
    ontario = _place("geonames:6942553", "Paris", "populated_place", "CA", "08", 12_310)
    county = _place("admin2:US:x", "Paris", "admin_area", "US", "TN", 10_150)
    assert _label(paris, gazetteer, tennessee) == "Paris, Texas"
    assert _label(paris, gazetteer, ontario) == "Paris, United States"
    assert _label(paris, gazetteer, county) == "Paris, United States"


ROWS = [
    {
        "feature_id": "country:US",
        "name": "United States",
        "kind": "country",
        "lat": 39.8,
        "lon": -98.6,
        "country_code": "US",
        "population": 327_167_434,
        "source": "test",
        "names": ["United States"],
    },
    {
        "feature_id": "geonames:4736286",
        "name": "Texas",
        "kind": "admin_area",
        "lat": 31.3,
        "lon": -99.3,
        "country_code": "US",
        "admin1": "TX",
        "population": 22_875_689,
        "source": "test",
        "names": ["Texas"],
    },
    {
        "feature_id": "admin2:US:texas:lamar-county",
        "name": "Lamar County",
        "kind": "admin_area",
        "lat": 33.6,
        "lon": -95.6,
        "country_code": "US",
        "admin1": "TX",
        "population": 40_000,
        "source": "test",
        "names": ["Lamar County"],
    },
]


PARIS_FRANCE = _place("geonames:2988507", "Paris", "populated_place", "FR", "11", 2_138_551)
WINNER = (PARIS_FRANCE, "Paris, France")
TEXAS_TOWN = _place("geonames:4717560", "Paris", "populated_place", "US", "TX", 24_782)


@pytest.mark.parametrize(
    ("winner", "loser", "expected"),
    [
        (
            _features(population=0.91, same_name=1),
            _features(population=0.63, same_name=1),
            "smaller than Paris, France",
        ),
        (
            _features(population=0.63, qualifier=1),
            _features(population=0.91),
            "not in the state or country written after the name",
        ),
        (
            _features(population=0.6, proximity=0.9),
            _features(population=0.6, proximity=0.1),
            "farther from the article's other places",
        ),
        (
            _features(population=0.6, country_context=1),
            _features(population=0.6),
            "not in a country the article names",
        ),
        (
            _features(population=0.6),
            _features(population=0.6, neighbour_context=1),
            "next to a country the article names, not in it",
        ),
        (
            _features(population=0.6, same_name=1),
            _features(population=0.6),
            "known as \u201cParis\u201d only by another name",
        ),
        (
            _features(population=0.6),
            _features(population=0.8, seat=0, is_admin_area=1, kind_prior=0.85),
            "news usually means the city Paris, France, not the region",
        ),
    ],
)
def test_loss_reason_names_the_feature_that_decided(winner, loser, expected):
    assert loss_reason("Paris", winner, loser, WINNER, TEXAS_TOWN) == expected


def test_loss_reason_of_a_kind_says_the_kinds_in_words():
    area = _place("admin1:FR:x", "Paris", "admin_area", "FR", "11", 12_000_000)
    winner = _features(population=0.6, kind_prior=0.5)
    loser = _features(population=0.6, kind_prior=0.85, is_admin_area=1)
    assert (
        loss_reason("Paris", winner, loser, WINNER, area)
        == "a region or state is less likely here than a city"
    )
