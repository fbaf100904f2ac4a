"""Words and patterns that say a capitalised name is not a place here.

The recogniser (:mod:`geodata.recognize`) asks these questions of every candidate
span; each answers for one *kind* of false place seen in news text, from general
knowledge of English and of the news trade, never from a corpus's list of errors:

- :data:`HONORIFICS`: titles and honorifics of general English ("Dr", "Sen.",
  "Mayor"): the title is no place ("Dr" is an alternate name of Dar'a) and the
  name after it is a person's ("Gov. Georgia Smith").
- :data:`NEWS_AGENCIES`: news agencies and broadcasters (wire services as listed by
  the press agencies' own associations, and the large broadcasters), whose names or
  codes are alternate names of towns ("CNN" is Kannur's airport code, "MENA" a town
  in Ethiopia, "Xinhua" villages in China).
- :data:`NEWS_OUTLET_WORDS`: the words that end a newspaper's or broadcaster's name
  ("The Moscow Times", "Radio Pyongyang"): the place in the title names the
  outlet, not where the story happens.
- :data:`INSTITUTION_WORDS`: "Federal", "Supreme", "Congress": capitalised common
  words of institutions' names that GeoNames lists as alternate names of places.
- :data:`DIRECTION_WORDS`: compass words and their adjectives, which are first-level
  areas in some countries ("North" in Cameroon) but alone name no place in English
  text ("North Arlington Neighbors").
- :data:`STREET_WORDS`: the generic parts of street and road names: "Cooper
  Street" names a street, not the town of Cooper.
- :data:`DISEASE_WORDS`: "West Nile virus", "Marburg virus", "Lyme disease": a
  place name fused into the name of a disease.
- :data:`RELIGIOUS_BUILDING_WORDS`: "St. Peter and St. Paul churches": a saint's
  name that names a church, not a town.
"""

from __future__ import annotations

import re

__all__ = [
    "DIRECTION_WORDS",
    "DISEASE_WORDS",
    "HONORIFICS",
    "HONORIFIC_ABBREVIATIONS",
    "INSTITUTION_WORDS",
    "NEWS_AGENCIES",
    "NEWS_OUTLET_PREFIXES",
    "NEWS_OUTLET_WORDS",
    "RELIGIOUS_BUILDING_WORDS",
    "STREET_ABBREVIATIONS",
    "STREET_INSTITUTION_WORDS",
    "STREET_WORDS",
    "is_direction_word",
    "is_honorific",
]

#: Honorifics and titles written before a person's name in English news (general
#: English usage; abbreviations with or without the full stop).
HONORIFICS: frozenset[str] = frozenset(
    {
        # Courtesy titles and academic or religious honorifics
        "Mr", "Mrs", "Ms", "Mx", "Messrs", "Dr", "Prof", "Professor", "Sir", "Dame",
        "Lord", "Lady", "Rev", "Revd", "Reverend", "Fr", "Father", "Sister", "Brother",
        "Pastor", "Rabbi", "Imam", "Sheikh", "Sheik", "Mullah", "Ayatollah", "Bishop",
        "Archbishop", "Cardinal", "Pope", "Deacon",
        # Offices
        "President", "Premier", "Chancellor", "Minister", "Secretary", "Ambassador",
        "Governor", "Gov", "Senator", "Sen", "Representative", "Rep", "Congressman",
        "Congresswoman", "Assemblyman", "Assemblywoman", "Delegate", "Del", "Mayor",
        "Councilman", "Councilwoman", "Councillor", "Councilor", "Alderman", "Alderwoman",
        "Commissioner", "Comm", "Judge", "Justice", "Magistrate", "Attorney", "Atty",
        "Sheriff", "Marshal", "Constable", "Superintendent", "Supt", "Principal", "Coach",
        "Chief", "Chairman", "Chairwoman", "Speaker", "Treasurer", "Auditor",
        # Police and military ranks
        "Officer", "Deputy", "Trooper", "Detective", "Det", "Inspector", "Insp", "Sergeant",
        "Sgt", "Corporal", "Cpl", "Pvt", "Pfc", "Spc", "Lieutenant", "Lt", "Captain", "Capt",
        "Cpt", "Commander", "Cmdr", "Cdr", "Maj", "Colonel", "Col", "Brigadier", "Brig",
        "Gen", "Admiral", "Adm", "Ensign", "Airman", "Seaman", "Firefighter",
        # Royalty and nobility
        "King", "Queen", "Prince", "Princess", "Duke", "Duchess", "Earl", "Count", "Countess",
        "Baron", "Baroness", "Emir", "Sultan", "Sheikha",
    }
)  # fmt: skip
# Left out as too often adjectives or pageant titles before a place: "Miss Ohio",
# "Major Mich. utilities", "General Santos", "Private", "Crown Point".

#: The abbreviated titles among :data:`HONORIFICS`: only these may end in a full stop
#: before the name ("Sen. Smith"); "Judge. Columbus ..." ends a sentence.
HONORIFIC_ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "Mr", "Mrs", "Ms", "Mx", "Messrs", "Dr", "Prof", "Rev", "Revd", "Fr", "Gov", "Sen",
        "Rep", "Del", "Comm", "Atty", "Supt", "Det", "Insp", "Sgt", "Cpl", "Pvt", "Pfc",
        "Spc", "Lt", "Capt", "Cpt", "Cmdr", "Cdr", "Maj", "Col", "Brig", "Gen", "Adm",
    }
)  # fmt: skip

#: News agencies and broadcasters whose names or codes are also names of towns or
#: look like place codes. Wire services (national news agencies of their countries,
#: as their own sites name them) and the big broadcasters; names that are also
#: well-known places ("Petra", Jordan's agency; "Fars", Iran's) are left out.
NEWS_AGENCIES: frozenset[str] = frozenset(
    {
        "AP", "Associated Press", "Reuters", "AFP", "Agence France-Presse",
        "Agence France Presse", "UPI", "United Press International", "Xinhua", "MENA",
        "Middle East News Agency", "IRNA", "ISNA", "Mehr", "Tasnim", "TASS", "ITAR-TASS",
        "RIA Novosti", "Interfax", "Sputnik", "KCNA", "Yonhap", "Kyodo", "Jiji", "PTI",
        "IANS", "ANI", "AAP", "EFE", "ANSA", "DPA", "APA", "Anadolu", "Bernama", "Antara",
        "SANA", "WAFA", "QNA", "KUNA", "WAM", "SPA", "NINA", "Ukrinform", "Belga", "CTK",
        "PAP", "MTI", "Notimex", "Prensa Latina", "CNN", "BBC", "NBC", "CBS", "ABC", "NPR",
        "PBS", "MSNBC", "CNBC", "Fox News", "Al Jazeera", "Al-Jazeera", "Al Arabiya",
        "Al-Arabiya", "Sky News", "CCTV", "CGTN", "NHK", "RFI", "Deutsche Welle",
        "France 24", "Euronews", "Bloomberg", "Dow Jones",
    }
)  # fmt: skip

#: Last words of newspaper, magazine and broadcaster names ("The Miami Herald",
#: "Xinhua News Agency", "The Lancet" is not here: it names no place).
NEWS_OUTLET_WORDS: tuple[str, ...] = (
    "Times", "Post", "Herald", "Journal", "Tribune", "Gazette", "Chronicle", "Daily",
    "Dispatch", "Inquirer", "Courier", "Register", "Sentinel", "Telegraph", "Observer",
    "Bulletin", "Examiner", "Enquirer", "Ledger", "Star-Telegram", "Journal-Constitution",
    "Times-Picayune", "Free Press", "News Agency", "News Service", "Press Agency",
    "Daily News", "News", "Broadcasting", "Radio", "Television", "TV",
)  # fmt: skip

#: Words before a place that make it a broadcaster's name ("Radio Pyongyang").
NEWS_OUTLET_PREFIXES: tuple[str, ...] = ("Radio", "Television", "TV")

#: Compass words and their adjectives; alone they name no place in English text.
#: ("Midtown", "Downtown" are left out: they name a town's districts.)
DIRECTION_WORDS: frozenset[str] = frozenset(
    {
        "North", "South", "East", "West", "Northeast", "Northwest", "Southeast",
        "Southwest", "North-East", "North-West", "South-East", "South-West", "Northern",
        "Southern", "Eastern", "Western", "Central", "Upper", "Lower", "Middle", "Metro",
    }
)  # fmt: skip

#: Words of English that name institutions and offices of government, the courts
#: and legislatures ("the Federal Highway Administration", "Superior Court",
#: "Congress"), capitalised in such names; GeoNames knows several as alternate names
#: of towns or areas ("Federal" is the Federal District of Brazil). Alone they name
#: no place.
INSTITUTION_WORDS: frozenset[str] = frozenset(
    {
        "Federal", "National", "State", "States", "Supreme", "Superior", "Royal",
        "Imperial", "Union", "Federation", "Commonwealth", "Republic", "Congress",
        "Parliament", "Senate", "Capitol", "Assembly", "Cabinet", "Council", "Court",
        "Justice", "Ministry", "Government", "Administration", "Agency", "Bureau",
        "Department", "Office", "Treasury", "Customs", "Border", "Police", "Army", "Navy",
        "Municipal", "County", "City", "District", "Regional", "Provincial", "Public",
        "Civil", "Criminal", "Circuit", "Appeals", "Crown", "Duma", "Kremlin",
    }
)  # fmt: skip

#: The generic words of street and road names (US Postal Service street suffixes
#: and their abbreviations; "Court", "Place" and "Way" are left out: "Edgar County
#: Court" is a court of law).
STREET_WORDS: tuple[str, ...] = (
    "Street", "St", "Avenue", "Ave", "Av", "Road", "Rd", "Boulevard", "Blvd", "Drive",
    "Dr", "Lane", "Ln", "Highway", "Hwy", "Parkway", "Pkwy", "Trail", "Pike", "Terrace",
    "Expressway", "Expy", "Freeway", "Fwy", "Turnpike", "Tpke", "Bypass",
)  # fmt: skip

#: The abbreviations among :data:`STREET_WORDS` (written with or without a full stop).
STREET_ABBREVIATIONS: frozenset[str] = frozenset(
    {"St", "Ave", "Av", "Rd", "Blvd", "Dr", "Ln", "Hwy", "Pkwy", "Expy", "Fwy", "Tpke"}
)

#: Words after a street word that make the whole the name of an agency ("Kansas
#: Highway Patrol", "Massachusetts Turnpike Authority"): the place leads it.
STREET_INSTITUTION_WORDS: tuple[str, ...] = (
    "Patrol", "Department", "Dept", "Administration", "Commission", "Authority",
    "Division", "Board", "Agency", "Office", "Association", "Police", "District", "Safety",
    "Program", "Project", "Fund", "Trust", "Foundation", "Company", "Co", "Corp", "Inc",
    "Construction", "Superintendent", "Engineer", "Engineers", "Maintenance",
)  # fmt: skip

#: Words that, following a place name, make it the name of a disease or pathogen.
DISEASE_WORDS: tuple[str, ...] = (
    "virus", "viruses", "ebolavirus", "fever", "disease", "flu", "influenza", "syndrome",
    "encephalitis", "strain", "pox", "plague", "measles",
)  # fmt: skip

#: Words that, following a saint's name, make it a church or a church's institution.
RELIGIOUS_BUILDING_WORDS: tuple[str, ...] = (
    "church", "churches", "cathedral", "cathedrals", "basilica", "chapel", "parish",
    "monastery", "abbey", "convent", "mission", "catholic", "lutheran", "episcopal",
    "orthodox", "coptic", "anglican", "methodist", "presbyterian", "baptist", "school",
    "academy", "hospital", "college", "university", "day", "cemetery",
)  # fmt: skip

_DOT = re.compile(r"\.$")


def is_honorific(word: str) -> bool:
    """Whether ``word`` is a title or honorific; a final full stop only after a short form.

    Examples
    --------
    >>> is_honorific("Dr"), is_honorific("Sen."), is_honorific("Judge."), is_honorific("Cairo")
    (True, True, False, False)
    """
    bare = _DOT.sub("", word)
    return bare in HONORIFICS and (bare == word or bare in HONORIFIC_ABBREVIATIONS)


def is_direction_word(name: str) -> bool:
    """Whether ``name`` is only a compass word ("North", "Eastern").

    Examples
    --------
    >>> is_direction_word("North"), is_direction_word("North Dakota")
    (True, False)
    """
    return name in DIRECTION_WORDS
