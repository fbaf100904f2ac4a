"""One hand-written sentence per disambiguation rule of the resolver."""

from __future__ import annotations

import math

import pytest

from geodata.pipeline import Geoparser


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
