"""Names that are not places here, and the same names where they are places.

One hand-written sentence per kind of false place (geodata.nonplaces); each
asserts the exact mentions recognised. Controls use the same words as places.
"""

from __future__ import annotations

import pytest

from geodata.pipeline import Geoparser


def _names(parser: Geoparser, text: str) -> list[str]:
    return [m.name for m in parser.recognize([text])[0].mentions]


def _parsed(parser: Geoparser, text: str) -> list[tuple[str, str | None]]:
    return [(r["name"], r["country_code"]) for r in next(iter(parser.parse([text])))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # News agencies and broadcasters: "CNN" is an alternate name of Kannur,
        # "MENA" a town in Ethiopia, "Xinhua" villages in China.
        ("The minister spoke to CNN on Tuesday.", []),
        ("In a statement to CNN, the ministry denied the report.", []),
        (
            "The talks ended without agreement, the state news agency MENA reported from Cairo.",
            ["Cairo"],
        ),
        ("MENA said the minister would travel to Amman on Sunday.", ["Amman"]),
        ("The report was carried by Xinhua and the Associated Press.", []),
        # The place in a newspaper's name names the newspaper.
        ("Tom Hanley told The Moscow Times that the plant would close.", []),
    ],
)
def test_news_organisations(geoparser: Geoparser, text: str, expected: list[str]) -> None:
    assert _names(geoparser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr Cecilia Okafor, who leads the clinic, said the vaccine had arrived.", []),
        ("The award went to Mayor Paris Whitfield of the town.", []),
        ("The bill was backed by Sen. Georgia Hale and Rep. Tom Varga.", []),
        # A given name that is a country's: the NER reads the whole person's name.
        ("Mary Jordan, a nurse, said the clinic was full.", []),
        # A surname alone, once the text has named the person in full.
        ("Henry Farrin, 43, was arrested on Monday. Police said Farrin had fled.", []),
    ],
)
def test_titles_and_persons(geoparser: Geoparser, text: str, expected: list[str]) -> None:
    assert _names(geoparser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Capitalised common words: "Federal" is the Federal District of Brazil.
        ("Federal officials said the bridge would reopen next week.", []),
        ("The money came from the Federal Highway Administration.", []),
        # Institutions named after a common word or a person.
        ("The White House said the president would visit Mexico.", ["Mexico"]),
        ("The Kennedy Elementary School choir sang at the ceremony.", []),
        # Compass words alone are areas of some countries ("North" in Cameroon).
        ("Residents of the North said the road was closed.", []),
    ],
)
def test_common_words(geoparser: Geoparser, text: str, expected: list[str]) -> None:
    assert _names(geoparser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ORIGINAL STORY: Floods close schools in Kent County", ["Kent County"]),
        ("ORIGINAL STORY", []),
        # Capitals do name countries and big cities.
        ("The governor visited BAGHDAD and Basra last week.", ["BAGHDAD", "Basra"]),
    ],
)
def test_capitals(geoparser: Geoparser, text: str, expected: list[str]) -> None:
    assert _names(geoparser, text) == expected


def test_street_and_highway_names_are_not_towns(geoparser: Geoparser) -> None:
    text = "A truck overturned on North Jackson Highway near the fairgrounds."
    assert _parsed(geoparser, text) == [("North Jackson Highway", None)]
    text = "Traffic was diverted to Cooper Street and Madison Avenue."
    assert _parsed(geoparser, text) == [("Cooper Street", None), ("Madison Avenue", None)]


def test_agency_named_after_a_road_keeps_its_place(geoparser: Geoparser) -> None:
    text = "Troopers from the Kansas Highway Patrol closed the road."
    assert _names(geoparser, text) == ["Kansas"]


def test_saints_churches(geoparser: Geoparser) -> None:
    text = "Worshippers gathered at St. Peter and St. Paul churches in Cairo."
    assert _parsed(geoparser, text) == [("Cairo", "EG")]


def test_places_inside_organisation_names(geoparser: Geoparser) -> None:
    # A public body's place is its jurisdiction: taken.
    text = "A spokesman for the Houston Police Department said two men were arrested."
    assert _names(geoparser, text) == ["Houston"]


def test_diseases_named_after_places(geoparser: Geoparser) -> None:
    text = "Officials confirmed a case of West Nile virus near Dallas."
    assert _names(geoparser, text) == ["Dallas"]
    text = "Tests confirmed Marburg virus in the patient. Marburg is related to Ebola."
    assert "Marburg" not in _names(geoparser, text)
    text = "The vaccine protects against the A/California/7/2009 strain."
    assert _names(geoparser, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The same words as places.
        ("The family flew to Kannur for the wedding.", [("Kannur", "IN")]),
        (
            "The fair is held every summer in Story County, Iowa.",
            [("Story County", "US"), ("Iowa", "US")],
        ),
        ("The minister arrived in Georgia on Monday.", [("Georgia", "GE")]),
        ("The vote in Tbilisi was delayed after protests.", [("Tbilisi", "GE")]),
    ],
)
def test_controls(geoparser: Geoparser, text: str, expected: list) -> None:
    assert _parsed(geoparser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The NER calls the middle town an organisation; the list says it is a town.
        (
            "Sirens sounded in Marietta, Belpre and Parkersburg overnight.",
            ["Marietta", "Belpre", "Parkersburg"],
        ),
        (
            "Cases were reported in Kasese, Fort Portal and Bundibugyo last week.",
            ["Kasese", "Fort Portal"],
        ),
        # A listed name that is part of a person's name stays out.
        ("The committee met with Hal Rogers and Kentucky officials.", ["Kentucky"]),
        # The NER takes none of the first two provinces (an organisation, a person);
        # the list is followed from the last back to the first.
        (
            "The worst-hit provinces were Quang Nam, Thua Thien Hue and Quang Ngai, "
            "where rivers rose above record levels.",
            ["Quang Nam", "Thua Thien Hue", "Quang Ngai"],
        ),
    ],
)
def test_places_listed_with_places(geoparser: Geoparser, text: str, expected: list[str]) -> None:
    assert _names(geoparser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A town too small for phrase matching, which the NER misses, after "in".
        (
            "Customers in Taylors and parts of Spartanburg County were told to boil water.",
            ["Taylors", "Spartanburg County"],
        ),
        # The whole run of capitalised words, not the first word the NER saw.
        ("The team won in Belle Plaine on Friday night.", ["Belle Plaine"]),
        (
            "Deputies seized a meth lab near Batesburg-Leesville on Tuesday.",
            ["Batesburg-Leesville"],
        ),
        # A common word that is a hamlet far from the article's places (God, Hungary).
        (
            "A believer in God, she sang in the choir at Spartanburg County's oldest church.",
            ["Spartanburg County"],
        ),
        # Part of a longer name: a room, a school.
        (
            "Practice starts at 6 p.m. in Talla 2, across the road from Spartanburg County's "
            "fire station.",
            ["Spartanburg County"],
        ),
    ],
)
def test_small_towns_after_a_locative_word(
    geoparser: Geoparser, text: str, expected: list[str]
) -> None:
    assert _names(geoparser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A compass word leading a longer name is not a first-level area somewhere
        # (North Region, Cameroon; Western Region, Ghana).
        ("He was taken to North Fulton Regional Hospital in Atlanta.", [("Atlanta", "US")]),
        (
            "The Western Pennsylvania Kennel Association met on Friday.",
            [("Pennsylvania", "US")],
        ),
        ("He grew up in the North and moved away.", []),
        # ... unless it leads a street, which is kept whole (and not resolved).
        (
            "A crash closed North Nokomis Street and Darling Avenue.",
            [("North Nokomis Street", None), ("Darling Avenue", None)],
        ),
        # The control: a compass word inside a known name.
        ("Storms hit North Korea on Monday.", [("North Korea", "KP")]),
    ],
)
def test_compass_words(geoparser: Geoparser, text: str, expected: list) -> None:
    assert _parsed(geoparser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Places do not speak, marry or have an age: the name is a person's.
        ('"We were lucky," Petrova said.', []),
        ("The idea came after Welch told the court he had stolen nothing.", []),
        ("Officers spoke to Crolley's wife on Monday.", []),
        ("Krystal D. Hall, 19, of Gaston was arrested.", ["Gaston"]),
        # Controls: a place named after a preposition, a country as its government.
        ("A woman from Brampton said the road was closed.", ["Brampton"]),
        ("Russia said the talks would resume.", ["Russia"]),
    ],
)
def test_persons_by_context(geoparser: Geoparser, text: str, expected: list[str]) -> None:
    assert _names(geoparser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A surname named in full earlier is the person after "to" or "of" too (a
        # person is spoken to, quoted, visited): Taylor (Texas), Turner (Maine),
        # Collins (Mississippi) are towns as well.
        ("Deputy Sam Taylor led the search. The driver fled on foot, according to Taylor.", []),
        (
            "Sheriff Tom Collins took the call. The suspect was speaking to Collins from a phone.",
            [],
        ),
        # A possessive is the person's even after a locative word.
        ("Councilwoman Jane Turner lost the race by 300 votes to Turner's 2,100.", []),
        ("Ann Hopkins opened the clinic. Neighbours left flowers in Hopkins' honour.", []),
        # Controls: after "in", or with its state, the same name is the town.
        (
            "Jane Turner spoke at the meeting. Residents in Turner said the road was closed.",
            ["Turner"],
        ),
        (
            "Sam Taylor coached for years. He moved to Taylor, Texas, in 1990 and opened a "
            "shop in Taylor.",
            ["Taylor", "Texas", "Taylor"],
        ),
    ],
)
def test_surnames_named_in_full_elsewhere(
    geoparser: Geoparser, text: str, expected: list[str]
) -> None:
    assert _names(geoparser, text) == expected
