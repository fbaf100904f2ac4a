"""Incident dates and event sentences (hand-written sentences)."""

from __future__ import annotations

from datetime import date

import pytest

from geodata.incidents import find_date
from geodata.pipeline import extract_sites


@pytest.mark.parametrize(
    "sentence, article_date, expected",
    [
        ("The blast on 5 March 2024 killed two.", None, ("2024-03-05", "5 March 2024")),
        ("Rockets fell on March 5, 2024, near the port.", None, ("2024-03-05", "March 5, 2024")),
        ("The raid in January 2024 was the first.", None, ("2024-01", "January 2024")),
        ("Iran attacked Israel in April.", date(2024, 9, 11), ("2024-04", "April")),
        ("Iran attacked Israel in October.", date(2024, 9, 11), ("2023-10", "October")),
        ("Iran attacked Israel in April.", None, (None, "April")),
        ("US forces arrived in 2003.", None, ("2003", "2003")),
        ("It was a war of the 1980s.", None, (None, "1980s")),
        ("Nothing dated here.", None, (None, None)),
        ("A convoy was hit on 31 February 2024.", None, ("2024-02", "February 2024")),
    ],
)
def test_find_date(sentence, article_date, expected):
    assert find_date(sentence, article_date) == expected


def test_explosion_at_a_named_airport_uses_the_airport(geoparser):
    text = "A car bomb exploded near Erbil International Airport on 3 May 2023."
    sites = extract_sites(text, geoparser=geoparser)
    incident = sites[sites["kind"] == "incident"].iloc[0]
    assert incident["event_type"] == "explosion"
    assert incident["date"] == "2023-05-03"
    assert abs(incident.geometry.x - 43.9632) < 0.02 and abs(incident.geometry.y - 36.2376) < 0.02


def test_strike_from_a_country_draws_a_path(geoparser):
    text = "Turkish drones struck targets in Sulaymaniyah last week."
    sites = extract_sites(text, geoparser=geoparser)
    paths = sites[sites["kind"] == "strike_path"]
    assert len(paths) == 1
    line = paths.iloc[0].geometry
    assert line.geom_type == "LineString"
    start, end = line.coords[0], line.coords[-1]
    assert 26 < start[0] < 45 and 36 < start[1] < 42  # inside Turkey
    assert abs(end[0] - 45.43) < 0.2 and abs(end[1] - 35.56) < 0.2  # Sulaymaniyah


def test_sentence_without_event_words_has_no_incident(geoparser):
    sites = extract_sites("Basra is a port city on the Shatt al-Arab.", geoparser=geoparser)
    assert not (sites["kind"] == "incident").any()


@pytest.mark.parametrize(
    "text, code, feature_id",
    [
        ("Rockets landed near BIAP on Monday.", "BIAP", "site:orbi"),
        ("Flights from IKA were suspended.", "IKA", "airport:OIIE"),
        ("Flights to THR resumed after the strike.", "THR", "airport:OIII"),
    ],
)
def test_airport_codes_in_capitals_name_the_airport(geoparser, text, code, feature_id):
    toponyms = next(iter(geoparser.parse([text])))
    found = {t["name"]: t["feature_id"] for t in toponyms}
    assert found.get(code) == feature_id


def test_a_code_in_lower_case_is_not_an_airport(geoparser):
    toponyms = next(iter(geoparser.parse(["Ika and thr are not codes here; the dam is."])))
    assert all(t["kind"] != "airport" for t in toponyms)


def _incidents(geoparser, text: str) -> list[tuple[str, str]]:
    sites = extract_sites(text, geoparser=geoparser)
    found = sites[sites["kind"] == "incident"]
    return sorted(zip(found["event_type"], found["name"], strict=True))


# One sentence per rule of geodata.incidents._link / _events; a place the sentence
# only also names is not the event's place.
@pytest.mark.parametrize(
    "rule, text, expected",
    [
        (
            "locative",
            "A bomb exploded in Kirkuk on Friday.",
            [("explosion", "Explosion in Kirkuk")],
        ),
        (
            "locative before the event",
            "In Basra, protesters blocked the port road.",
            [("protest", "Protest in Basrah")],
        ),
        (
            "locative through a noun",
            "A bomb exploded in the market of Tal Afar.",
            [("explosion", "Explosion in Tall ‘Afar")],
        ),
        (
            "demonym after a spatial preposition",
            "Missile strikes on Syrian bases were reported.",
            [("missile_strike", "Missile strike in Syria")],
        ),
        (
            "destination of a visit",
            "The pope's visit to Mosul drew crowds.",
            [("visit", "Visit in Mosul")],
        ),
        (
            "object of an event verb",
            "Protesters attacked Nasiriyah's courthouse.",
            [("attack", "Attack in Nasiriyah")],
        ),
        (
            "modifier of an event noun",
            "The Kabul bombing killed 12 people.",
            [("explosion", "Explosion in Kabul")],
        ),
        ("no link: an origin", "A woman visiting from Canada was hurt in the crash.", []),
        ("no link: only named in the sentence", "Ties with Baghdad improved after the visit.", []),
        ("no link: a party", "Fighters clashed with Turkish troops.", []),
        ("no link: a speaker's place", "Officials in Cairo said a blast hit the port.", []),
        ("accident", "A pedestrian was struck by a car in Toronto on Monday.", []),
        ("idiom", "The two sides struck a deal in Doha.", []),
        (
            "labour strike",
            "Workers went on strike in Lagos over pay.",
            [("protest", "Protest in Lagos")],
        ),
    ],
)
def test_an_event_is_tied_to_its_place_by_structure(geoparser, rule, text, expected):
    assert _incidents(geoparser, text) == expected, rule


def test_a_place_far_along_the_sentence_is_not_the_events(geoparser):
    text = (
        "A woman visiting from Canada died after she was struck by a car on a "
        "highway in Elizabethtown, Kentucky, on Friday."
    )
    assert _incidents(geoparser, text) == []
