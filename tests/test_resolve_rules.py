"""One hand-written sentence per disambiguation rule of the resolver."""

from __future__ import annotations

import math

import numpy as np
import pytest

from geodata.confidence import CONFIDENCE_FEATURES, confidence_features
from geodata.gazetteer import Place
from geodata.pipeline import Geoparser
from geodata.recognize import Mention, Recognized
from geodata.resolve import FEATURES, _support, is_partial, rank_candidates, resolve


@pytest.fixture(scope="module")
def parser(small_geoparser: Geoparser) -> Geoparser:
    return small_geoparser


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _parse(parser: Geoparser, text: str) -> list[dict]:
    return next(iter(parser.parse([text])))


def _find(records: list[dict], name: str) -> dict:
    found = [r for r in records if r["name"] == name]
    assert found, f"{name!r} not recognised in {[r['name'] for r in records]}"
    return found[0]


def test_state_qualifier(parser: Geoparser) -> None:
    records = _parse(parser, "The county fair opened on Saturday in Paris, Texas, after rain.")
    paris = _find(records, "Paris")
    assert paris["country_code"] == "US"
    assert _km(paris["lat"], paris["lon"], 33.66, -95.55) < 50


def test_ap_abbreviation_qualifier(parser: Geoparser) -> None:
    records = _parse(parser, "A new bridge was dedicated in Alexandria, La., on Monday.")
    town = _find(records, "Alexandria")
    assert town["country_code"] == "US"
    assert _km(town["lat"], town["lon"], 31.31, -92.45) < 50


def test_country_context(parser: Geoparser) -> None:
    # Hamilton, Ontario is about three times the size of Hamilton, New Zealand: the
    # country the article names decides.
    text = (
        "Floods hit New Zealand this week. Volunteers in Hamilton filled sandbags "
        "while the army flew supplies to farms nearby."
    )
    hamilton = _find(_parse(parser, text), "Hamilton")
    assert hamilton["country_code"] == "NZ"
    assert _km(hamilton["lat"], hamilton["lon"], -37.78, 175.28) < 20


def test_first_level_area_context(parser: Geoparser) -> None:
    # Perth, Western Australia is forty times the size of Perth, Scotland.
    perth = _find(
        _parse(parser, "Storms hit Scotland this week. Crews in Perth cleared roads."), "Perth"
    )
    assert perth["country_code"] == "GB"
    assert _km(perth["lat"], perth["lon"], 56.40, -3.43) < 20


def test_demonym_names_its_country(parser: Geoparser) -> None:
    records = _parse(parser, "Kenyan officials said the harvest was better than expected.")
    demonym = _find(records, "Kenyan")
    assert demonym["demonym"] is True
    assert demonym["feature_id"] == "country:KE"


def test_religious_adjective_is_not_a_place(parser: Geoparser) -> None:
    records = _parse(parser, "Shiite pilgrims walked for days to reach the shrine.")
    assert all(r["name"] != "Shiite" for r in records)


def test_one_sense_per_discourse(parser: Geoparser) -> None:
    text = (
        "Police in Springfield, Illinois, closed two roads. Later, Springfield "
        "officials said both would reopen on Friday."
    )
    records = [r for r in _parse(parser, text) if r["name"] == "Springfield"]
    assert len(records) == 2
    assert records[0]["feature_id"] == records[1]["feature_id"]
    assert records[0]["country_code"] == "US"


def test_spatial_coherence(parser: Geoparser) -> None:
    text = (
        "The storm moved from Perth towards Fremantle and Mandurah, knocking out power "
        "along the coast."
    )
    perth = _find(_parse(parser, text), "Perth")
    assert perth["country_code"] == "AU"


def test_irbil_is_erbil_iraq(parser: Geoparser) -> None:
    records = _parse(parser, "Aid convoys waited near Irbil, in the north of Iraq, for two days.")
    irbil = _find(records, "Irbil")
    assert irbil["country_code"] == "IQ"
    assert _km(irbil["lat"], irbil["lon"], 36.19117, 44.00943) < 2


def test_unknown_place_is_unresolved(parser: Geoparser) -> None:
    text = "Hikers reached Zqxvorbania Ridge in the afternoon."
    records = _parse(parser, text)
    for record in records:
        assert text[record["start"] : record["end"]] == record["name"]
        if "Zqxvorbania" in record["name"]:
            assert record["lat"] is None and record["score"] == 0.0


def test_scores_and_alternatives(parser: Geoparser) -> None:
    records = _parse(parser, "Voters in Georgia and Paris waited for hours.")
    for record in records:
        assert 0.0 <= record["score"] <= 1.0
        assert len(record["alternatives"]) <= 5


def test_markup_does_not_hide_a_place_from_the_ner(parser: Geoparser) -> None:
    text = "Clashes near <b>Mosul</b> on Monday; <i>Kirkuk</i> stayed calm."
    records = _parse(parser, text)
    mosul = _find(records, "Mosul")
    assert text[mosul["start"] : mosul["end"]] == "Mosul"
    assert _km(mosul["lat"], mosul["lon"], 36.34, 43.13) < 20


def test_a_city_of_a_million_needs_no_context(parser: Geoparser) -> None:
    aleppo = _find(_parse(parser, "Aleppo was calm on Friday."), "Aleppo")
    assert aleppo["country_code"] == "SY"


def test_a_district_named_like_a_word_needs_context(parser: Geoparser) -> None:
    # "Central" and "Western" are names of provinces, but not places here.
    records = _parse(parser, "Central banks raised rates. Western donors met on Friday.")
    assert not [r for r in records if r["name"] in ("Central", "Western")]


def test_the_fixture_gazetteer_keeps_homonyms_and_sources(parser: Geoparser) -> None:
    # The rules above run on tests/data/gazetteer-small.json: a name keeps all its
    # places, or a disambiguation test could not fail.
    gazetteer = parser.gazetteer
    assert 1_000 < len(gazetteer) < 5_000
    paris = {p.country_code for p in gazetteer.candidates("Paris")}
    assert {"FR", "US"} <= paris
    assert len(gazetteer.candidates("Perth")) >= 2
    assert all(gazetteer.source)


def _recognized(text: str, *names: str) -> Recognized:
    """A text with the given names as GPE mentions (as the NER would span them)."""
    mentions = []
    for name in names:
        start = text.index(name)
        mentions.append(Mention(start, start + len(name), name, "GPE", 0))
    return Recognized(text, mentions, [(0, len(text))], "test")


def test_a_body_named_after_its_town_is_placed_at_the_town(parser: Geoparser) -> None:
    # Rule: an unknown name whose leading words are a known town or area ("<Town>
    # Civic Center") is placed there, and its confidence knows it was a part.
    text = "The vote was held at the Greer City Hall, not far from Spartanburg."
    recognized = _recognized(text, "Greer City Hall", "Spartanburg")
    hall, town = resolve(recognized, parser.gazetteer)
    assert hall.place is not None and hall.place.name == "Greer"
    assert hall.place.country_code == "US"
    assert _km(hall.place.lat, hall.place.lon, 34.94, -82.23) < 10
    assert is_partial(parser.gazetteer, "Greer City Hall")
    assert not is_partial(parser.gazetteer, "Spartanburg")
    features = confidence_features(recognized, [hall, town], parser.gazetteer)
    column = CONFIDENCE_FEATURES.index("partial")
    assert features[:, column].tolist() == [1.0, 0.0]


@pytest.mark.parametrize(
    "name",
    [
        "Greer Street",  # a street is not the town it is named after
        "North Bradford Lane",  # nor after a compass word
        "Mount Greer",  # "Mount" alone leads nothing
        "Greer - Highway",  # a dash is not part of a proper name
    ],
)
def test_streets_and_weak_heads_stay_unresolved(parser: Geoparser, name: str) -> None:
    text = f"Crews worked on {name} overnight."
    (resolution,) = resolve(_recognized(text, name), parser.gazetteer)
    assert resolution.place is None and resolution.score == 0.0


def test_a_county_road_is_placed_in_its_county(parser: Geoparser) -> None:
    text = "The crash closed Spartanburg County Road for an hour."
    (road,) = resolve(_recognized(text, "Spartanburg County Road"), parser.gazetteer)
    assert road.place is not None and road.place.kind == "admin_area"
    assert road.place.name.startswith("Spartanburg")


def test_a_part_placed_name_does_not_pull_the_others(parser: Geoparser) -> None:
    # "Paris Civic Center" is placed at Paris (France, the largest Paris) on weak
    # evidence: it must not be an anchor that draws Springfield towards France.
    text = "Anglers from Springfield met at Paris Civic Center before dawn."
    recognized = _recognized(text, "Springfield", "Paris Civic Center")
    groups, ranked = rank_candidates(recognized, parser.gazetteer)
    (key,) = [k for k, indices in groups.items() if indices == [0]]
    features, places = ranked[key]
    assert len(places) > 1
    assert features[:, FEATURES.index("proximity")].tolist() == [0.0] * len(places)
    shop = resolve(recognized, parser.gazetteer)[1]
    assert shop.place is not None and shop.place.name == "Paris"


def test_one_word_before_a_name_needs_a_generic_word(parser: Geoparser) -> None:
    # "Maya Harden" and "Paris Hilton" are people; "Paris Marina" is a place there.
    text = "Maya Harden and Paris Hilton sailed from Paris Marina."
    resolutions = resolve(
        _recognized(text, "Maya Harden", "Paris Hilton", "Paris Marina"), parser.gazetteer
    )
    assert [r.place is None for r in resolutions] == [True, True, False]


def _place(
    name: str, lon: float, lat: float, kind: str = "populated_place", prefix: str = "test"
) -> Place:
    return Place(
        0, f"{prefix}:{name}:{lon}", name, kind, lat, lon, "US", 1000, None, None, False, ""
    )


def test_support_adds_the_belief_of_the_other_names_nearby() -> None:
    # Rule: a candidate is supported by each other name's most believed candidate in
    # its own or a neighbouring one-degree cell; a name never supports itself (nor
    # its qualified twin), and the grid wraps at the antimeridian.
    here, far = _place("Alexandria", -95.4, 45.9), _place("Alexandria", 29.9, 31.2)
    county = _place("Douglas County", -95.5, 45.9, "admin_area", "admin2")  # a county
    east, west = _place("Taveuni", 179.9, -16.8), _place("Lomaloma", -179.9, -17.3)
    candidates = {
        ("alexandria", None): [here, far],
        ("alexandria", ("US", "MN")): [here],
        ("douglas county", None): [county],
        ("taveuni", None): [east],
        ("lomaloma", None): [west],
    }
    belief = {
        ("alexandria", None): np.array([0.3, 0.7]),
        ("alexandria", ("US", "MN")): np.array([1.0]),
        ("douglas county", None): np.array([0.6]),
        ("taveuni", None): np.array([1.0]),
        ("lomaloma", None): np.array([0.5]),
    }
    support = _support(candidates, belief)
    assert support[("alexandria", None)].tolist() == pytest.approx([0.6, 0.0])
    assert support[("douglas county", None)].tolist() == pytest.approx([1.0])
    assert support[("taveuni", None)].tolist() == pytest.approx([0.5])
    assert support[("lomaloma", None)].tolist() == pytest.approx([1.0])


def test_names_that_may_be_a_state_or_country_get_no_support() -> None:
    state = _place("Oregon", -120.5, 44.0, "admin_area")
    town = _place("Oregon", -83.4, 41.6)
    toledo = _place("Toledo", -83.5, 41.7)
    support = _support(
        {("oregon", None): [state, town], ("toledo", None): [toledo]},
        {("oregon", None): np.array([0.5, 0.5]), ("toledo", None): np.array([1.0])},
    )
    assert support[("oregon", None)].tolist() == [0.0, 0.0]
    # ...nor give any: Toledo's support from the town of Oregon stays, the state's is none
    assert support[("toledo", None)].tolist() == pytest.approx([0.5])


def test_local_news_places_lie_together(parser: Geoparser) -> None:
    # No state is named: only in Minnesota do an Alexandria, a Douglas County and an
    # Osakis lie together (Alexandria, Egypt is far larger).
    text = "Crews from Alexandria and Osakis cleared roads across Douglas County."
    resolutions = resolve(
        _recognized(text, "Alexandria", "Osakis", "Douglas County"), parser.gazetteer
    )
    alexandria = resolutions[0].place
    assert alexandria is not None and alexandria.country_code == "US"
    assert _km(alexandria.lat, alexandria.lon, 45.885, -95.377) < 10
