"""Incidents: sentences that report an event at a place, with dates and actors.

A sentence with an event word (explosion, strike, attack, clash, protest,
visit...) and a resolved place becomes an ``incident`` feature at the most
specific place of the sentence, preferring the place right after a locative
preposition ("near Baghdad International Airport", "in Damascus", "on Israel").
When an origin country stands before the event word ("Iranian missile strikes on
...", "Iran's attack on Israel") and the target is elsewhere, a ``strike_path``
line from origin to target is added as well.

Dates come from the same sentence (:func:`find_date`): "5 March 2024", "March
2024", "in 2003", "in April" (the latest April not after the article date, if one
is given; else the date stays None and the phrase is kept in ``date_text``), and
phrases told relative to the article's date ("yesterday", "on Monday", "last
week", "three days ago"). A past-tense sentence with no date phrase at all
(:func:`is_past_tense`) reports an event of the article's day and is dated to it.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from datetime import date, timedelta

from shapely.geometry import LineString, Point

from geodata.recognize import Recognized
from geodata.resolve import Resolution
from geodata.schema import SiteRecord

__all__ = ["EVENT_TYPES", "extract_incidents", "find_date", "is_past_tense"]

#: Event types in order of precedence (the first found in a sentence wins).
EVENT_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "explosion",
        re.compile(
            r"\b(explosions?|blasts?|bombings?|exploded|detonat\w*|"
            r"car bombs?)\b",
            re.I,
        ),
    ),
    ("airstrike", re.compile(r"\b(air ?strikes?|airstrikes?|air raids?)\b", re.I)),
    (
        "missile_strike",
        re.compile(
            r"\b(missiles?|rockets?|drones?)\b[\w\s-]{0,20}?"
            r"\b(strikes?|attacks?|fired|launched|hit)\b",
            re.I,
        ),
    ),
    ("strike", re.compile(r"\b(strikes?|struck|shelling|bombard\w*)\b", re.I)),
    ("attack", re.compile(r"\b(attacks?|attacked|assaults?|ambush\w*|raids?)\b", re.I)),
    ("clash", re.compile(r"\b(clash\w*|fighting|gunfights?|firefights?)\b", re.I)),
    ("protest", re.compile(r"\b(protests?|protesters?|demonstrations?|rall(?:y|ies))\b", re.I)),
    ("visit", re.compile(r"\b(visits?|visited|visiting|trip|tour)\b", re.I)),
)
# How an event word is tied to its place, by the words between them (rules named
# in ``_link``); a place the sentence merely also names is not the event's place.
#: A locative or target preposition right before the place: "in Damascus",
#: "near Baghdad International Airport", "strikes on Israel". Not "from" (an
#: origin: "a woman visiting from Canada"), not "with" (a party: "clashes with").
_LOCATIVE = re.compile(
    r"\b(?:near|in|at|on|outside|inside|against|targeting|across|into|over|around|off|"
    r"throughout|along)\s+(?:the\s+)?$",
    re.I,
)
#: The most characters between an event word and its place: further away, the
#: place belongs to another part of the sentence ("a woman visiting from Canada
#: died after ... on a highway in Elizabethtown").
_MAX_GAP = 60
_SPATIAL = re.compile(r"\b(?:in|at|on|near|across|into|over|inside|outside|throughout)\s+$", re.I)
#: A place named through a noun after the preposition: "in the market of Tal Afar",
#: "on the outskirts of Kyiv", "near the town of Jenin".
_LOCATIVE_OF = re.compile(
    r"\b(?:near|in|at|on|outside|inside|into|across|around|off|along)\s+(?:the\s+)?"
    r"(?:[\w-]+\s+){1,3}of\s+(?:the\s+)?$",
    re.I,
)
#: A destination, for visits only: "a visit to Baghdad", "his trip to Iraq".
_DESTINATION = re.compile(r"\b(?:to)\s+(?:the\s+)?$", re.I)
#: The event verb's object, right after it: "visited Baghdad", "attacked Kirkuk".
_OBJECT_GAP = re.compile(r"^\s+(?:the\s+)?$")
#: The place right before the event noun: "the Baghdad bombing", "a Kabul blast".
_MODIFIER_GAP = re.compile(r"^[ -]$")
_VERBS = re.compile(r"(?:ed|ing)$|^(?:struck|hit|fired|launched)$", re.I)
#: A speaker's place, not the event's: "officials in Kyiv said ...".
_SPEAKER_BEFORE = re.compile(
    r"\b(?:officials?|police|authorities|spokes\w+|ministry|sources?|residents?|"
    r"witnesses|reporters?|correspondents?|media|analysts?|diplomats?)\s+(?:in|at)\s+"
    r"(?:the\s+)?$",
    re.I,
)
_SPEECH_AFTER = re.compile(
    r"^(?:['’]s)?(?:\s+\w+){0,2}?\s+(?:said|says|say|told|reported|announced|confirmed)\b",
    re.I,
)
#: Event words that here name no event at a place (general English).
_NOT_AN_EVENT = re.compile(
    # an accident: "struck by a car", "hit by a truck"
    r"(?:struck|hit)\s+by\s+(?:a|an|the)?\s*(?:\w+\s+)?"
    r"(?:car|vehicle|truck|lorry|train|bus|van|motorist|driver|taxi|motorcycle|bicycle|"
    r"pickup|SUV|lightning|tree|falling)\b"
    # an idiom: "strike a deal", "struck a balance"
    r"|(?:strikes?|struck|striking)\s+(?:a|an)\s+(?:\w+\s+)?"
    r"(?:deal|agreement|balance|chord|tone|note|pose|bargain|compromise)\b",
    re.I,
)
#: A natural hazard as the subject of "struck"/"strikes": "an earthquake struck
#: Malatya", "floods that have struck Sindh" report a disaster, not a military strike.
_HAZARD_BEFORE = re.compile(
    r"\b(earthquake|quake|tremor|aftershock|storm|cyclone|hurricane|typhoon|tornado|"
    r"flood|flooding|wildfire|landslide|mudslide|tsunami)s?\s+(?:that\s+|which\s+)?"
    r"(?:has\s+|have\s+|had\s+)?$",
    re.I,
)
_HAZARD_TYPES = {
    "quake": "earthquake",
    "tremor": "earthquake",
    "aftershock": "earthquake",
    "cyclone": "storm",
    "hurricane": "storm",
    "typhoon": "storm",
    "tornado": "storm",
    "flooding": "flood",
    "mudslide": "landslide",
}
#: A labour strike, a form of protest: "workers went on strike", "a general strike".
_LABOUR_STRIKE = re.compile(
    r"(?:\bon|\bgeneral|\bhunger|\bnational|\bworkers['’]?|\bteachers['’]?|"
    r"\bnationwide|\bindustrial)\s+$",
    re.I,
)
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTH = (
    r"(January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_DATE_PATTERNS = (
    ("dmy", re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})\b")),
    ("mdy", re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})\b")),
    ("my", re.compile(rf"\b{_MONTH}\s+(\d{{4}})\b")),
    ("md", re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})\b(?!,?\s*\d{{4}})")),
    ("m", re.compile(rf"\b(?:in|since|during|last|this|early|late|mid-?)\s+{_MONTH}\b(?!\s+\d)")),
    ("y", re.compile(r"\b(?:in|since|during|of)\s+((?:19|20)\d{2})\b")),
)
_PLACE_KINDS_SPECIFIC = (
    "airport",
    "military_base",
    "religious_site",
    "facility",
    "border_crossing",
    "port",
    "oil_field",
    "power_plant",
)


def _month(word: str) -> int:
    return _MONTHS[word.lower().rstrip(".")]


def _valid(year: int, month: int, day: int = 1) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


#: A decade names no date: it comes after every other phrase (see :func:`find_date`).
_DECADE = re.compile(r"\b(?:in\s+)?the\s+((?:19|20)\d0s)\b")

# Phrases told relative to the article's date. Each pattern's ``text`` group is the
# phrase reported in ``date_text`` (without a leading "on", "in", "over"...).
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: A day's name that is a holiday or a historical event, not a day of this week.
_NAMED_DAY = "".join(
    f"(?<!{word} )" for word in ("Good", "Black", "Bloody", "Palm", "Easter", "Ash", "Holy")
)
_WEEKDAY = (
    # weekday names are capitalised: matched case-sensitively, their modifiers not
    r"(?<![\w-])(?:(?i:on)\s+)?"
    r"(?P<text>(?:(?i:(?P<mod>last|early|late))\s+(?:(?i:on)\s+)?)?"
    rf"{_NAMED_DAY}(?P<day>{'|'.join(_WEEKDAYS)})"
    r"(?:\s+(?i:morning|afternoon|evening|night))?)\b"
)
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_COUNT_WORDS = rf"\d{{1,3}}|{'|'.join(_NUMBER_WORDS)}"
_COUNT = rf"(?P<count>{_COUNT_WORDS})"
_UNITS = r"(?:days?|weeks?|months?|years?)"
#: "last week", not "the last week of August".
_NOT_THE = r"(?<!the )"


def _days_before(days: int):
    """Make a resolver giving the day ``days`` days before the article date."""
    return lambda article, _match: (article - timedelta(days=days)).isoformat()


def _months_before(article: date, months: int) -> str | None:
    """Give ``YYYY-MM`` of the month ``months`` months before the article's month."""
    year, month = divmod(article.year * 12 + article.month - 1 - months, 12)
    return f"{year:04d}-{month + 1:02d}" if year >= 1 else None


def _years_before(article: date, years: int) -> str | None:
    """Give ``YYYY`` of the year ``years`` years before the article's year."""
    return f"{article.year - years:04d}" if article.year - years >= 1 else None


def _weekday(article: date, match: re.Match[str]) -> str:
    """Date a weekday: the article's day if it is that weekday, else the latest before.

    "last" skips the article's own day: "last Wednesday" in a Wednesday article is a
    week earlier.
    """
    back = (article.weekday() - _WEEKDAYS.index(match["day"])) % 7
    if back == 0 and (match["mod"] or "").lower() == "last":
        back = 7
    return (article - timedelta(days=back)).isoformat()


def _ago(article: date, match: re.Match[str]) -> str | None:
    """Date "three days ago", "a week ago", "two months ago", "five years ago"."""
    count = match["count"].lower()
    number = int(count) if count.isdigit() else _NUMBER_WORDS[count]
    unit = match["unit"].lower()
    if unit == "day":
        return (article - timedelta(days=number)).isoformat()
    if unit == "week":
        return (article - timedelta(weeks=number)).isoformat()
    if unit == "month":
        return _months_before(article, number)
    return _years_before(article, number)


def _monday(weeks_before: int):
    """Make a resolver giving the Monday of the article's week, ``weeks_before`` weeks back."""
    return lambda article, _match: (
        article - timedelta(days=article.weekday(), weeks=weeks_before)
    ).isoformat()


def _unplaced(_article: date, _match: re.Match[str]) -> None:
    """Date nothing: resolver of a phrase naming no single past date (future, vague)."""
    return None


#: Relative phrases as ``(rank, pattern, resolver)``; the resolver maps the article
#: date and the match to ISO text (or None). The lowest rank found wins (day, week,
#: month, year, then phrases that cannot be dated), then the earliest in the sentence.
_RELATIVE_PATTERNS = (
    (0, re.compile(r"\b(?P<text>the\s+day\s+before\s+yesterday)\b", re.I), _days_before(2)),
    (0, re.compile(r"\b(?P<text>yesterday|last\s+night)\b", re.I), _days_before(1)),
    (
        0,
        re.compile(r"\b(?P<text>today|tonight|this\s+(?:morning|afternoon|evening))\b", re.I),
        _days_before(0),
    ),
    (0, re.compile(_WEEKDAY), _weekday),
    (0, re.compile(rf"\b(?P<text>{_COUNT}\s+(?P<unit>day|week)s?\s+ago)\b", re.I), _ago),
    (1, re.compile(r"\b(?P<text>(?:earlier\s+)?this\s+week)\b", re.I), _monday(0)),
    (1, re.compile(rf"{_NOT_THE}\b(?P<text>last\s+week)\b", re.I), _monday(1)),
    (
        1,
        re.compile(
            r"\b(?:(?:over|at|during)\s+)?(?P<text>(?:last|this|past|the)\s+weekend)\b", re.I
        ),
        _unplaced,
    ),
    (
        2,
        re.compile(r"\b(?P<text>(?:earlier\s+)?this\s+month)\b", re.I),
        lambda article, _match: _months_before(article, 0),
    ),
    (
        2,
        re.compile(rf"{_NOT_THE}\b(?P<text>last\s+month)\b", re.I),
        lambda article, _match: _months_before(article, 1),
    ),
    (2, re.compile(rf"\b(?P<text>{_COUNT}\s+(?P<unit>month)s?\s+ago)\b", re.I), _ago),
    (
        3,
        re.compile(r"\b(?P<text>(?:earlier\s+)?this\s+year)\b", re.I),
        lambda article, _match: _years_before(article, 0),
    ),
    (
        3,
        re.compile(rf"{_NOT_THE}\b(?P<text>last\s+year)\b", re.I),
        lambda article, _match: _years_before(article, 1),
    ),
    (3, re.compile(rf"\b(?P<text>{_COUNT}\s+(?P<unit>year)s?\s+ago)\b", re.I), _ago),
    # the future: "tomorrow", "next week", "next Monday", "later this month"
    (
        4,
        re.compile(
            r"\b(?P<text>tomorrow|next\s+(?:week|month|year)|later\s+this\s+(?:week|month|year)"
            rf"|(?:next|(?:this\s+)?coming)\s+(?-i:{'|'.join(_WEEKDAYS)}))\b",
            re.I,
        ),
        _unplaced,
    ),
    # vague: "in recent years", "a few days ago", "over the past two weeks", "a day later"
    (
        5,
        re.compile(
            r"\b(?:(?:in|over|during)\s+)?(?P<text>recent\s+(?:days|weeks|months|years)"
            rf"|(?:a\s+few|a\s+couple\s+of|few|several|many|some)\s+{_UNITS}\s+ago"
            # not "the last days of the war"
            rf"|the\s+(?:past|last)\s+(?:(?:few|several|couple\s+of|{_COUNT_WORDS})\s+)?"
            rf"{_UNITS}(?!\s+of\b)"
            rf"|(?:{_COUNT_WORDS}|a\s+few|several)\s+{_UNITS}\s+(?:earlier|later|before|after)"
            r"|the\s+(?:previous|preceding|following)\s+(?:day|night|week|month|year)"
            r"|the\s+(?:day|night)\s+before)\b",
            re.I,
        ),
        _unplaced,
    ),
)


def _absolute_date(
    sentence: str, article_date: date | None
) -> tuple[str | None, str | None] | None:
    """Resolve the first absolute date phrase of :data:`_DATE_PATTERNS`; None if none."""
    for kind, pattern in _DATE_PATTERNS:
        match = pattern.search(sentence)
        if not match:
            continue
        if kind == "dmy":
            day, month, year = int(match[1]), _month(match[2]), int(match[3])
            if _valid(year, month, day):
                return f"{year:04d}-{month:02d}-{day:02d}", match[0]
        elif kind == "mdy":
            month, day, year = _month(match[1]), int(match[2]), int(match[3])
            if _valid(year, month, day):
                return f"{year:04d}-{month:02d}-{day:02d}", match[0]
        elif kind == "my":
            return f"{int(match[2]):04d}-{_month(match[1]):02d}", match[0]
        elif kind in ("md", "m"):
            month = _month(match[1])
            text = match[0] if kind == "md" else match[1]
            if article_date is None:
                return None, text
            year = article_date.year if month <= article_date.month else article_date.year - 1
            if kind == "md" and _valid(year, month, int(match[2])):
                return f"{year:04d}-{month:02d}-{int(match[2]):02d}", text
            return f"{year:04d}-{month:02d}", text
        elif kind == "y":
            return match[1], match[1]
    return None


def _relative_date(
    sentence: str, article_date: date | None
) -> tuple[str | None, str | None] | None:
    """Resolve the best relative date phrase (:data:`_RELATIVE_PATTERNS`); None if none.

    A phrase inside a longer one ("yesterday" in "the day before yesterday",
    "Monday" in "next Monday") is not a phrase of its own.
    """
    found = [
        (rank, match, resolve)
        for rank, pattern, resolve in _RELATIVE_PATTERNS
        for match in pattern.finditer(sentence)
    ]
    spans = {match.span() for _, match, _ in found}
    found = [
        item
        for item in found
        if not any(
            s <= item[1].start() and item[1].end() <= e and (s, e) != item[1].span()
            for s, e in spans
        )
    ]
    if not found:
        return None
    _, match, resolve = min(found, key=lambda item: (item[0], item[1].start()))
    return (resolve(article_date, match) if article_date else None), match["text"]


def find_date(sentence: str, article_date: date | None = None) -> tuple[str | None, str | None]:
    """Find a date phrase in a sentence and resolve it to ISO 8601.

    Absolute phrases come first ("5 March 2024", "March 5, 2024", "January 2024",
    "in April", "in 2003"), then phrases told relative to the article date, then a
    decade ("the 1980s", never dated). Relative phrases resolve as follows (the
    most precise one wins, then the first in the sentence):

    - "today", "tonight", "this morning/afternoon/evening": the article date;
    - "yesterday", "last night": the day before; "the day before yesterday": two
      days before;
    - a weekday ("Monday", "on Monday", "last Monday", "early Monday", "late on
      Sunday", "Monday night"): the article date if it is that weekday, else the
      latest such weekday before it ("last" skips the article's own day);
    - "N days ago", "N weeks ago" (N in digits, "a"/"an" or "one" to "ten"): that
      many days (weeks) before;
    - "this week", "earlier this week": the Monday of the article's week; "last
      week": the Monday of the week before. A week is dated to its first day;
    - "this month", "last month", "N months ago": ``YYYY-MM``;
    - "this year", "last year", "N years ago": ``YYYY``.

    Phrases that name no single past day are reported with no date: the future
    ("tomorrow", "next week", "next Monday", "later this month"), the weekend ("last
    weekend", "over the weekend") and vague spans ("in recent years", "a few days
    ago", "over the past two weeks", "two days later", "the day before").

    Parameters
    ----------
    sentence : str
        One sentence.
    article_date : datetime.date, optional
        Publication date, used for a month named without a year and for relative
        phrases.

    Returns
    -------
    tuple of (str or None, str or None)
        ``(iso_date, date_text)``: ``iso_date`` is ``YYYY-MM-DD``, ``YYYY-MM`` or
        ``YYYY`` (None when the phrase cannot be placed in time, e.g. a relative
        phrase without an article date); ``date_text`` is the phrase as written
        (None when there is none).

    Examples
    --------
    >>> find_date("Iran attacked Israel in April.", date(2024, 9, 11))
    ('2024-04', 'April')
    >>> find_date("Iran attacked Israel in April.")
    (None, 'April')
    >>> find_date("The blast on 5 March 2024 killed two.")
    ('2024-03-05', '5 March 2024')

    Relative to an article of Wednesday 11 September 2024:

    >>> wednesday = date(2024, 9, 11)
    >>> find_date("A bomb exploded in Kirkuk today.", wednesday)
    ('2024-09-11', 'today')
    >>> find_date("Rockets hit the base last night.", wednesday)
    ('2024-09-10', 'last night')
    >>> find_date("Gunmen attacked a checkpoint on Monday.", wednesday)
    ('2024-09-09', 'Monday')
    >>> find_date("Protesters gathered late on Sunday.", wednesday)
    ('2024-09-08', 'late on Sunday')
    >>> find_date("A drone struck the port on Thursday.", wednesday)
    ('2024-09-05', 'Thursday')
    >>> find_date("Clashes broke out last week.", wednesday)
    ('2024-09-02', 'last week')
    >>> find_date("Clashes broke out earlier this week.", wednesday)
    ('2024-09-09', 'earlier this week')
    >>> find_date("The convoy was ambushed three days ago.", wednesday)
    ('2024-09-08', 'three days ago')
    >>> find_date("The airport was shelled last month.", wednesday)
    ('2024-08', 'last month')
    >>> find_date("The dam was bombed last year.", wednesday)
    ('2023', 'last year')
    >>> find_date("The dam was bombed on 3 May 2023, not yesterday.", wednesday)
    ('2023-05-03', '3 May 2023')
    >>> find_date("Talks resume next week.", wednesday)
    (None, 'next week')
    >>> find_date("A bomb exploded in Kirkuk yesterday.")
    (None, 'yesterday')
    """
    found = _absolute_date(sentence, article_date) or _relative_date(sentence, article_date)
    if found:
        return found
    decade = _DECADE.search(sentence)
    return (None, decade[1]) if decade else (None, None)


#: Simple-past forms that tell an event happened: "was"/"were"/"had"/"did", the
#: irregular past of common news verbs and the regular past of event verbs. Left out:
#: forms mostly read as adjectives ("armed", "wounded", "injured", "targeted",
#: "alleged", "occupied"), forms that are also the present ("set", "cut", "put",
#: "beat", "spread", "read") and reporting verbs ("said", "told", "reported": "police
#: said militants attack ..." reports no past event; "said ... had" does, by "had").
_PAST_FORMS = (
    "was were had did "  # irregular, then regular
    "struck hit shot fought blew broke burnt came fell fled flew threw took began rang "
    "led held met made saw found caught brought sent lost won drove ran stood stole tore "
    "swept hid sank shook slew overran withdrew underwent arose went gave got kept dug "
    "killed exploded detonated attacked bombed shelled stormed raided ambushed clashed "
    "fired launched destroyed damaged erupted occurred happened collapsed crashed landed "
    "intercepted downed seized captured looted torched burned murdered assassinated "
    "beheaded massacred stabbed rammed hijacked arrested protested rallied marched "
    "gathered demonstrated blocked visited arrived toured retaliated bombarded pounded "
    "hammered rocked blasted claimed died invaded carried opened"
)
_PAST_VERB = re.compile(rf"(?<![\w'’-])(?:{'|'.join(_PAST_FORMS.split())})(?![\w'’-])", re.I)
#: Before a listed form, what makes it no simple past: a perfect ("has struck", "have
#: exploded": a span up to now), a present passive ("are stationed"), an infinitive
#: or modal ("to hit", "could hit") or a determiner ("the seized weapons").
_NOT_SIMPLE_PAST = re.compile(
    r"(?:\b(?:has|have|having|is|are|am|be|being|to|can|could|may|might|must|should|"
    r"a|an|the)|['’]ve|['’]s)\s+(?:(?:\w+ly|already|not|also|just|now|never|since|even|all)\s+){0,2}$",
    re.I,
)
#: The future, intentions, possibilities: the event has not (yet) happened.
_NOT_PAST = re.compile(
    r"\b(?:will|won['’]t|shall|would|wouldn['’]t|might|must|should|could|can|cannot|"
    r"can['’]t|tomorrow|upcoming|forthcoming)\b|\w['’]ll\b|\b(?-i:may)\b"
    r"|\bnext\s+(?:week|month|year|(?-i:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday))\b"
    r"|\blater\s+this\s+(?:week|month|year)\b"
    r"|\b(?:is|are|am|was|were)\s+(?:\w+ly\s+)?(?:expected|set|due|scheduled|slated|poised|"
    r"likely|unlikely|about|going|planning|preparing|threatening|bound)\s+to\b"
    r"|\b(?:is|are)\s+to\s+\w+"
    r"|\b(?:plan(?:s|ned|ning)?|(?:intend|threaten|vow|aim|want)(?:s|ed|ing)?"
    r"|(?:pledg|promis|prepar|hop|propos)(?:e|es|ed|ing)|seeks?|seeking|sought)\s+to\b",
    re.I,
)


def is_past_tense(sentence: str) -> bool:
    """Tell whether a sentence reports a past event, by its verbs (regular expressions).

    Past: a simple-past verb ("killed", "exploded", "struck", "was", "were", "had")
    that is not part of a perfect ("has struck"), a present passive ("are
    stationed"), an infinitive or a modal ("to hit", "could hit"). Not past,
    whatever else the sentence says: the future and intentions ("will", "would",
    "is expected to", "plans to", "threatens to", "tomorrow", "next week") and
    possibilities ("may", "might", "could"). Reporting verbs alone ("said", "told")
    tell nothing: the reported clause decides.

    Parameters
    ----------
    sentence : str
        One sentence.

    Returns
    -------
    bool
        True if the sentence tells of something that has happened.

    Examples
    --------
    >>> is_past_tense("A car bomb exploded in Kirkuk, killing four people.")
    True
    >>> is_past_tense("Police said a convoy had been hit near Mosul.")
    True
    >>> is_past_tense("Officials warned that militants will attack Kirkuk.")
    False
    >>> is_past_tense("Pezeshkian plans to visit Karbala.")
    False
    >>> is_past_tense("Rockets have struck the base in recent years.")
    False
    >>> is_past_tense("Protesters gather in Basra every Friday.")
    False
    """
    if _NOT_PAST.search(sentence):
        return False
    return any(
        not _NOT_SIMPLE_PAST.search(sentence[: match.start()])
        for match in _PAST_VERB.finditer(sentence)
    )


def _specificity(res: Resolution) -> int:
    kind = res.place.kind if res.place else ""
    if kind in _PLACE_KINDS_SPECIFIC:
        return 3
    if kind == "populated_place":
        return 2
    if kind in ("admin_area", "region", "natural_feature"):
        return 1
    return 0


def _link(
    recognized: Recognized, res: Resolution, event_type: str, keyword: tuple[int, int]
) -> str | None:
    """Name the rule that ties the place ``res`` to the event word at ``keyword``, if any.

    ``locative`` (a locative preposition before the place), ``destination`` ("a
    visit to"), ``object`` (the place right after an event verb: "visited
    Baghdad"), ``modifier`` (the place right before an event noun: "the Baghdad
    bombing").
    """
    text = recognized.text
    start, end = res.mention.start, res.mention.end
    before = text[max(0, start - 14) : start]
    if _SPEAKER_BEFORE.search(text[max(0, start - 40) : start]) and _SPEECH_AFTER.match(
        text[end : end + 40]
    ):
        return None  # "officials in Kyiv said"
    if res.mention.is_demonym:
        # a national adjective places an event only after a spatial preposition
        # ("strikes on Iraqi sites"); "targeting American forces" names a party
        return "locative" if _SPATIAL.search(before) else None
    if _LOCATIVE.search(before) or _LOCATIVE_OF.search(text[max(0, start - 50) : start]):
        return "locative"
    if event_type == "visit" and _DESTINATION.search(before):
        return "destination"
    word = text[keyword[0] : keyword[1]]
    if start >= keyword[1] and _VERBS.search(word) and _OBJECT_GAP.match(text[keyword[1] : start]):
        return "object"
    if end <= keyword[0] and _MODIFIER_GAP.match(text[end : keyword[0]]):
        return "modifier"
    return None


def _location(
    recognized: Recognized,
    places: list[Resolution],
    event_type: str,
    keyword: tuple[int, int],
) -> Resolution | None:
    """Pick the event's place among ``places``: one tied to it by :func:`_link`.

    Within :data:`_MAX_GAP` characters of the event word; after it first ("an
    explosion near X"), then before it ("In X, a bomb exploded"); the most
    specific place, then the nearest.
    """
    linked = [
        r
        for r in places
        if max(r.mention.start - keyword[1], keyword[0] - r.mention.end) <= _MAX_GAP
        and _link(recognized, r, event_type, keyword)
    ]
    following = [r for r in linked if r.mention.start >= keyword[1]] or linked
    if not following:
        return None
    return max(following, key=lambda r: (_specificity(r), -abs(r.mention.start - keyword[0])))


def _origin(
    recognized: Recognized, places: list[Resolution], keyword_start: int, target: Resolution
) -> Resolution | None:
    """Find the origin: a country (or demonym) standing just before the event word."""
    text = recognized.text
    best = None
    for res in places:
        if res.place is None or res.place.kind != "country" or res is target:
            continue
        if res.mention.end <= keyword_start and keyword_start - res.mention.end <= 30:
            between = text[res.mention.end : keyword_start]
            if "," in between or ";" in between:
                continue
            best = res
    if best and best.place.country_code == (target.place.country_code if target.place else None):  # type: ignore[union-attr]
        return None
    return best


def _point_of(res: Resolution, records: dict[str, SiteRecord]) -> Point:
    place = res.place
    assert place is not None
    record = records.get(place.feature_id)
    if record is not None and record.geometry.geom_type == "Point":
        return record.geometry
    return Point(place.lon, place.lat)


def _actors(
    recognized: Recognized, s_start: int, s_end: int, places: list[Resolution]
) -> list[str]:
    names: list[str] = []
    for start, _end, text, label in recognized.actors:
        if s_start <= start < s_end and label in ("NORP", "ORG", "PERSON"):
            names.append(text)
    for res in places:
        if res.mention.is_demonym:
            names.append(res.mention.name)
    return list(dict.fromkeys(names))


def _incident_id(prefix: str, start: int, event_type: str, place_id: str) -> str:
    digest = hashlib.sha1(f"{start}|{event_type}|{place_id}".encode()).hexdigest()[:10]
    return f"{prefix}:{digest}"


def extract_incidents(
    recognized: Recognized,
    resolutions: list[Resolution],
    records: dict[str, SiteRecord],
    article_date: date | None = None,
) -> list[SiteRecord]:
    """Return the incident and strike-path features reported in the text.

    Parameters
    ----------
    recognized : Recognized
        The recognised text.
    resolutions : list of Resolution
        Its resolved mentions.
    records : dict of str to SiteRecord
        Features built so far (a site's own geometry is reused as the location).
    article_date : datetime.date, optional
        Publication date for relative dates.

    Returns
    -------
    list of SiteRecord
        Kind ``incident`` (Point at the place) and ``strike_path`` (LineString
        origin -> target); ids ``incident:<hash>`` / ``strike:<hash>``; extra fields
        ``event_type``, ``date``, ``date_text``, ``actors``.
    """
    out: list[SiteRecord] = []
    by_sentence: dict[int, list[Resolution]] = {}
    for res in resolutions:
        if res.place is not None:
            by_sentence.setdefault(res.mention.sentence, []).append(res)
    seen: dict[tuple[str, str], SiteRecord] = {}
    for index, (s_start, s_end) in enumerate(recognized.sentences):
        places = by_sentence.get(index)
        if not places:
            continue
        sentence = recognized.text[s_start:s_end]
        events = _events(sentence)
        for number, (event_type, m_start, m_end) in enumerate(events):
            keyword_start, keyword_end = s_start + m_start, s_start + m_end
            clause_end = s_start + events[number + 1][1] if number + 1 < len(events) else s_end
            clause_start = s_start + events[number - 1][2] if number else s_start
            in_clause = [r for r in places if clause_start <= r.mention.start < clause_end]
            target = _location(recognized, in_clause, event_type, (keyword_start, keyword_end))
            if target is None or target.place is None:
                continue
            key = (event_type, target.place.feature_id)
            if key in seen:
                seen[key].add_evidence(recognized, keyword_start, keyword_end)
                seen[key].mentions += 1
                continue
            records_added = _incident_records(
                recognized,
                places,
                records,
                event_type,
                keyword_start,
                keyword_end,
                target,
                sentence,
                article_date,
            )
            seen[key] = records_added[0]
            out.extend(records_added)
    return out


def _events(sentence: str) -> list[tuple[str, int, int]]:
    """Event words of a sentence as (type, start, end), by position, without overlaps.

    Accidents and idioms (``_NOT_AN_EVENT``) are dropped; a labour strike is a protest;
    a hazard that "struck" (an earthquake, floods) is typed by the hazard.
    """
    found: list[tuple[str, int, int]] = []
    for event_type, pattern in EVENT_TYPES:
        for match in pattern.finditer(sentence):
            if any(match.start() < e and s < match.end() for _, s, e in found):
                continue
            if _NOT_AN_EVENT.match(sentence, match.start()):
                continue
            kind = event_type
            hazard = _HAZARD_BEFORE.search(sentence[: match.start()])
            if kind == "strike" and hazard:
                noun = hazard[1].lower()
                kind = _HAZARD_TYPES.get(noun, noun)
            elif kind == "strike" and _LABOUR_STRIKE.search(sentence[: match.start()]):
                kind = "protest"
            found.append((kind, match.start(), match.end()))
    return sorted(found, key=lambda item: item[1])


def _incident_records(
    recognized: Recognized,
    places: list[Resolution],
    records: dict[str, SiteRecord],
    event_type: str,
    keyword_start: int,
    keyword_end: int,
    target: Resolution,
    sentence: str,
    article_date: date | None,
) -> list[SiteRecord]:
    """Build the incident at ``target`` and, for strikes with an origin, the strike path."""
    assert target.place is not None
    s_start, s_end = recognized.sentences[target.mention.sentence]
    out: list[SiteRecord] = []
    iso_date, date_text = find_date(sentence, article_date)
    if iso_date is None and date_text is None and article_date and is_past_tense(sentence):
        # a past event told with no date at all: the news of the article's day
        iso_date = article_date.isoformat()
    actors = _actors(recognized, s_start, s_end, places)
    extra = {"event_type": event_type, "date": iso_date, "date_text": date_text, "actors": actors}
    point = _point_of(target, records)
    label = event_type.replace("_", " ")
    incident = SiteRecord(
        feature_id=_incident_id("incident", s_start, event_type, target.place.feature_id),
        name=f"{label.capitalize()} near {target.place.name}"
        if target.place.kind in _PLACE_KINDS_SPECIFIC
        else f"{label.capitalize()} in {target.place.name}",
        kind="incident",
        country_code=target.place.country_code,
        source=f"location: {target.place.source}",
        geometry=point,
        confidence=round(0.7 * target.confidence, 4),
        note="Event reported in the text; located at the place it names.",
        mentions=1,
        extra=extra,
        place_ids=[target.place.feature_id],
    )
    incident.add_evidence(recognized, keyword_start, keyword_end)
    incident.add_evidence(recognized, target.mention.start, target.mention.end)
    out.append(incident)
    if event_type in ("airstrike", "missile_strike", "strike", "attack"):
        origin = _origin(recognized, places, keyword_start, target)
        if origin is not None and origin.place is not None:
            start_point = Point(origin.place.lon, origin.place.lat)
            path = SiteRecord(
                feature_id=_incident_id(
                    "strike", s_start, event_type, origin.place.feature_id + target.place.feature_id
                ),
                name=f"{label.capitalize()}: {origin.place.name} to {target.place.name}",
                kind="strike_path",
                country_code=target.place.country_code,
                source=f"origin: {origin.place.source}; target: {target.place.source}",
                geometry=LineString([(start_point.x, start_point.y), (point.x, point.y)]),
                confidence=round(0.6 * min(origin.confidence, target.confidence), 4),
                note="Straight line from the origin's representative point to the target; "
                "not a flight path.",
                mentions=1,
                extra=dict(extra),
                place_ids=[origin.place.feature_id, target.place.feature_id],
            )
            path.add_evidence(recognized, origin.mention.start, origin.mention.end)
            path.add_evidence(recognized, keyword_start, keyword_end)
            path.add_evidence(recognized, target.mention.start, target.mention.end)
            out.append(path)
    return out
