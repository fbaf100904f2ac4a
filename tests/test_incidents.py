"""Incident dates and event sentences (hand-written sentences)."""

from __future__ import annotations

from datetime import date

import pytest

from geodata.incidents import find_date, is_past_tense
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


#: A Wednesday.
ARTICLE_DATE = date(2024, 9, 11)


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("A bomb exploded in Kirkuk today.", ("2024-09-11", "today")),
        ("Protesters gathered in Basra tonight.", ("2024-09-11", "tonight")),
        ("A drone struck the port this morning.", ("2024-09-11", "this morning")),
        ("Rockets hit the base yesterday.", ("2024-09-10", "yesterday")),
        ("Rockets hit the base last night.", ("2024-09-10", "last night")),
        (
            "The convoy was hit the day before yesterday.",
            ("2024-09-09", "the day before yesterday"),
        ),
        ("Gunmen attacked a checkpoint on Monday.", ("2024-09-09", "Monday")),
        ("Gunmen attacked a checkpoint on Wednesday.", ("2024-09-11", "Wednesday")),
        ("Gunmen attacked a checkpoint on Thursday.", ("2024-09-05", "Thursday")),
        ("Gunmen attacked a checkpoint last Monday.", ("2024-09-09", "last Monday")),
        ("Gunmen attacked a checkpoint last Wednesday.", ("2024-09-04", "last Wednesday")),
        ("Gunmen attacked a checkpoint early Monday.", ("2024-09-09", "early Monday")),
        ("Gunmen attacked a checkpoint late on Sunday.", ("2024-09-08", "late on Sunday")),
        ("Gunmen attacked a checkpoint on Monday night.", ("2024-09-09", "Monday night")),
        ("Tuesday's raid killed two.", ("2024-09-10", "Tuesday")),
        ("Clashes broke out last week.", ("2024-09-02", "last week")),
        ("Clashes broke out this week.", ("2024-09-09", "this week")),
        ("Clashes broke out earlier this week.", ("2024-09-09", "earlier this week")),
        ("The airport was shelled last month.", ("2024-08", "last month")),
        ("The airport was shelled earlier this month.", ("2024-09", "earlier this month")),
        ("The dam was bombed last year.", ("2023", "last year")),
        ("The dam was bombed this year.", ("2024", "this year")),
        ("The convoy was ambushed three days ago.", ("2024-09-08", "three days ago")),
        ("The convoy was ambushed 3 days ago.", ("2024-09-08", "3 days ago")),
        ("The convoy was ambushed a week ago.", ("2024-09-04", "a week ago")),
        ("The convoy was ambushed two months ago.", ("2024-07", "two months ago")),
        ("The convoy was ambushed ten years ago.", ("2014", "ten years ago")),
    ],
)
def test_find_date_relative_to_the_article_date(sentence, expected):
    assert find_date(sentence, ARTICLE_DATE) == expected


def test_last_month_and_last_week_cross_a_year():
    assert find_date("Shelling resumed last month.", date(2024, 1, 3)) == ("2023-12", "last month")
    assert find_date("Shelling resumed last week.", date(2024, 1, 3)) == ("2023-12-25", "last week")


@pytest.mark.parametrize(
    "sentence, expected",
    [
        # an absolute date is more precise than a relative one, wherever it stands
        ("The dam, bombed yesterday, was first hit on 3 May 2023.", ("2023-05-03", "3 May 2023")),
        ("Clashes erupted on Monday, 9 September 2024.", ("2024-09-09", "9 September 2024")),
        ("Last week's raid followed the one in April.", ("2024-04", "April")),
        # among relative phrases the most precise wins
        ("The worst attack since last year struck Kirkuk on Monday.", ("2024-09-09", "Monday")),
        # a phrase inside a longer one is not a phrase of its own
        ("Talks resume next Monday.", (None, "next Monday")),
        ("Talks resume later this week.", (None, "later this week")),
        # a decade names no date: a relative phrase beats it
        ("The worst attack since the 1980s struck Kirkuk yesterday.", ("2024-09-10", "yesterday")),
    ],
)
def test_find_date_picks_the_most_precise_phrase(sentence, expected):
    assert find_date(sentence, ARTICLE_DATE) == expected


@pytest.mark.parametrize(
    "sentence, phrase",
    [
        ("A bomb exploded in Kirkuk today.", "today"),
        ("Protesters gathered in Basra tonight.", "tonight"),
        ("A drone struck the port this afternoon.", "this afternoon"),
        ("Rockets hit the base yesterday.", "yesterday"),
        ("Rockets hit the base last night.", "last night"),
        ("The convoy was hit the day before yesterday.", "the day before yesterday"),
        ("Gunmen attacked a checkpoint on Monday.", "Monday"),
        ("Gunmen attacked a checkpoint last Monday.", "last Monday"),
        ("Gunmen attacked a checkpoint late on Sunday.", "late on Sunday"),
        ("Clashes broke out last week.", "last week"),
        ("Clashes broke out earlier this week.", "earlier this week"),
        ("The airport was shelled last month.", "last month"),
        ("The airport was shelled this month.", "this month"),
        ("The dam was bombed last year.", "last year"),
        ("The dam was bombed this year.", "this year"),
        ("The convoy was ambushed three days ago.", "three days ago"),
        ("The convoy was ambushed two months ago.", "two months ago"),
    ],
)
def test_relative_phrase_without_an_article_date_is_kept_undated(sentence, phrase):
    assert find_date(sentence) == (None, phrase)


@pytest.mark.parametrize(
    "sentence, phrase",
    [
        ("Iran will strike Israel tomorrow.", "tomorrow"),
        ("Talks resume next week.", "next week"),
        ("Talks resume this coming Friday.", "this coming Friday"),
        ("Protesters gathered over the weekend.", "the weekend"),
        ("Iranian missiles struck Iraqi sites in recent years.", "recent years"),
        ("A bomb exploded in Kirkuk a few days ago.", "a few days ago"),
        ("Rockets hit the base over the past two weeks.", "the past two weeks"),
        ("A second bomb exploded two days later.", "two days later"),
    ],
)
def test_phrase_naming_no_single_past_day_is_kept_undated(sentence, phrase):
    """Future, weekend and vague phrases: reported, never dated (so never the article date)."""
    assert find_date(sentence, ARTICLE_DATE) == (None, phrase)


@pytest.mark.parametrize(
    "sentence",
    [
        "Officials may strike the port.",  # "may" the modal verb is no month
        "A bomb exploded in Kirkuk on Good Friday.",  # a holiday, not this week's Friday
        "Bloody Sunday is remembered in Derry.",
        "Protesters gather in Basra on Mondays.",  # a habit, not a day
        "Fighting in the last days of the war was fierce.",
        "Fighting in the last week of August was fierce.",
    ],
)
def test_find_date_false_positives(sentence):
    assert find_date(sentence, ARTICLE_DATE) == (None, None)


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("A car bomb exploded in Kirkuk, killing four people.", True),
        ("Gunmen opened fire on a bus in Quetta.", True),
        ("The convoy was hit near Mosul.", True),
        ("A suicide bomber blew himself up at a mosque in Kabul.", True),
        ("Police said the bomb had exploded near the mosque.", True),
        ("The US-led coalition struck Mosul.", True),
        ("Officials warned that militants will attack Kirkuk.", False),
        ("Iran will strike Israel.", False),
        ("Iran would strike Israel, officials said.", False),
        ("Iran is expected to retaliate against Israel.", False),
        ("Pezeshkian plans to visit Karbala.", False),
        ("Iran threatened to strike Israel.", False),
        ("Officials may strike the port.", False),
        ("Rockets could hit the base.", False),
        ("Israeli jets have already struck Beirut.", False),  # a perfect: a span up to now
        ("Troops are stationed near the airport.", False),
        ("Armed men attack a checkpoint near Mosul.", False),  # "armed" is an adjective
        ("Police said militants attack the town every week.", False),  # "said" alone
        ("The US-led coalition strikes Mosul.", False),
    ],
)
def test_is_past_tense(sentence, expected):
    assert is_past_tense(sentence) is expected


def _incident_dates(geoparser, text: str, article_date: date | None) -> list[tuple]:
    sites = extract_sites(text, article_date=article_date, geoparser=geoparser)
    found = sites[sites["kind"] == "incident"]
    return list(zip(found["name"], found["date"], found["date_text"], strict=True))


def test_past_event_with_no_date_phrase_gets_the_article_date(geoparser):
    text = "A car bomb exploded in Kirkuk, killing four people."
    assert _incident_dates(geoparser, text, ARTICLE_DATE) == [
        ("Explosion in Kirkuk", "2024-09-11", None)
    ]


def test_past_event_without_an_article_date_stays_undated(geoparser):
    text = "A car bomb exploded in Kirkuk, killing four people."
    assert _incident_dates(geoparser, text, None) == [("Explosion in Kirkuk", None, None)]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Officials warned that militants will attack checkpoints in Kirkuk.",
            [("Attack in Kirkuk", None, None)],
        ),
        ("Iran will launch strikes on Israel.", [("Strike in Israel", None, None)]),
    ],
)
def test_future_event_is_not_dated(geoparser, text, expected):
    assert _incident_dates(geoparser, text, ARTICLE_DATE) == expected


def test_relative_date_phrase_dates_the_incident(geoparser):
    text = "A car bomb exploded in Kirkuk on Monday, killing four people."
    assert _incident_dates(geoparser, text, ARTICLE_DATE) == [
        ("Explosion in Kirkuk", "2024-09-09", "Monday")
    ]


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
        (
            "a hazard that struck",
            "A strong earthquake struck Malatya province on Monday, injuring 14 people.",
            [("earthquake", "Earthquake in Malatya")],
        ),
        (
            "floods that struck",
            "Floods that have struck Sindh displaced thousands.",
            [("flood", "Flood in Sindh")],
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
