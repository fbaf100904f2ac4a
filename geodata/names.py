"""Name normalisation and small hand-written name tables (demonyms, aliases).

Everything here is pure and cheap: it is used both when the gazetteer index is
built and on every mention at query time, so both sides normalise the same way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "AP_STATE_ABBREVIATIONS",
    "COUNTRY_ALIASES",
    "DEMONYMS",
    "NON_PLACE_ADJECTIVES",
    "normalize_name",
]

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'", "ʻ": "'", "ʿ": "'", "ʾ": "'"})
_DROP = re.compile(r"[.'\u200f\u200e]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_/,]+")


@lru_cache(maxsize=200_000)
def normalize_name(name: str) -> str:
    """Return the lookup key of a place name.

    Diacritics are removed (NFKD, combining marks dropped), case is folded,
    apostrophes and full stops are dropped ("U.S." -> "us"), and hyphens,
    dashes and runs of white space become one space. Non-Latin scripts are
    kept as they are (after case folding).

    Parameters
    ----------
    name : str
        A name as written in text or in a gazetteer.

    Returns
    -------
    str
        The normalised key; empty for a name with no letters or digits.

    Examples
    --------
    >>> normalize_name("Irbīl")
    'irbil'
    >>> normalize_name("U.S.")
    'us'
    >>> normalize_name("Ain al-Asad")
    'ain al asad'
    """
    decomposed = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = _DROP.sub("", stripped.casefold())
    return _SEPARATORS.sub(" ", folded).strip()


# Common English short forms of country names that GeoNames' country table does
# not carry. Keys are written as in text; values are ISO 3166-1 alpha-2 codes.
COUNTRY_ALIASES: dict[str, str] = {
    "U.S.": "US",
    "US": "US",
    "USA": "US",
    "U.S.A.": "US",
    "United States of America": "US",
    "America": "US",
    "the States": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "Russian Federation": "RU",
    "Syria": "SY",
    "Iran": "IR",
    "Persia": "IR",
    "South Korea": "KR",
    "North Korea": "KP",
    "Korea": "KR",
    "Czech Republic": "CZ",
    "Holland": "NL",
    "the Netherlands": "NL",
    "UAE": "AE",
    "U.A.E.": "AE",
    "Emirates": "AE",
    "Ivory Coast": "CI",
    "Burma": "MM",
    "Vatican": "VA",
    "Palestine": "PS",
    "Palestinian Territories": "PS",
    "West Bank": "PS",
    "Gaza Strip": "PS",
    "Taiwan": "TW",
    "Laos": "LA",
    "Vietnam": "VN",
    "Macedonia": "MK",
    "Congo": "CD",
    "DRC": "CD",
    "Turkiye": "TR",
    "Türkiye": "TR",
}

# Demonyms and national adjectives -> ISO 3166-1 alpha-2. Written for this
# project; a demonym names a country, not a town, and is typed as a demonym.
DEMONYMS: dict[str, str] = {
    "Afghan": "AF",
    "Albanian": "AL",
    "Algerian": "DZ",
    "American": "US",
    "Angolan": "AO",
    "Argentine": "AR",
    "Argentinian": "AR",
    "Armenian": "AM",
    "Australian": "AU",
    "Austrian": "AT",
    "Azerbaijani": "AZ",
    "Bahraini": "BH",
    "Bangladeshi": "BD",
    "Belarusian": "BY",
    "Belgian": "BE",
    "Bolivian": "BO",
    "Bosnian": "BA",
    "Brazilian": "BR",
    "British": "GB",
    "Bulgarian": "BG",
    "Burmese": "MM",
    "Cambodian": "KH",
    "Cameroonian": "CM",
    "Canadian": "CA",
    "Chadian": "TD",
    "Chilean": "CL",
    "Chinese": "CN",
    "Colombian": "CO",
    "Congolese": "CD",
    "Croatian": "HR",
    "Cuban": "CU",
    "Cypriot": "CY",
    "Czech": "CZ",
    "Danish": "DK",
    "Dutch": "NL",
    "Ecuadorian": "EC",
    "Egyptian": "EG",
    "Emirati": "AE",
    "Eritrean": "ER",
    "Estonian": "EE",
    "Ethiopian": "ET",
    "Filipino": "PH",
    "Finnish": "FI",
    "French": "FR",
    "Georgian": "GE",
    "German": "DE",
    "Ghanaian": "GH",
    "Greek": "GR",
    "Guatemalan": "GT",
    "Haitian": "HT",
    "Honduran": "HN",
    "Hungarian": "HU",
    "Icelandic": "IS",
    "Indian": "IN",
    "Indonesian": "ID",
    "Iranian": "IR",
    "Iraqi": "IQ",
    "Irish": "IE",
    "Israeli": "IL",
    "Italian": "IT",
    "Jamaican": "JM",
    "Japanese": "JP",
    "Jordanian": "JO",
    "Kazakh": "KZ",
    "Kenyan": "KE",
    "Kuwaiti": "KW",
    "Kyrgyz": "KG",
    "Latvian": "LV",
    "Lebanese": "LB",
    "Libyan": "LY",
    "Lithuanian": "LT",
    "Malaysian": "MY",
    "Malian": "ML",
    "Maltese": "MT",
    "Mexican": "MX",
    "Moldovan": "MD",
    "Mongolian": "MN",
    "Moroccan": "MA",
    "Mozambican": "MZ",
    "Nepalese": "NP",
    "Nepali": "NP",
    "Nicaraguan": "NI",
    "Nigerian": "NG",
    "Nigerien": "NE",
    "North Korean": "KP",
    "Norwegian": "NO",
    "Omani": "OM",
    "Pakistani": "PK",
    "Palestinian": "PS",
    "Panamanian": "PA",
    "Paraguayan": "PY",
    "Persian": "IR",
    "Peruvian": "PE",
    "Polish": "PL",
    "Portuguese": "PT",
    "Qatari": "QA",
    "Romanian": "RO",
    "Russian": "RU",
    "Rwandan": "RW",
    "Saudi": "SA",
    "Senegalese": "SN",
    "Serbian": "RS",
    "Singaporean": "SG",
    "Slovak": "SK",
    "Slovenian": "SI",
    "Somali": "SO",
    "South African": "ZA",
    "South Korean": "KR",
    "Korean": "KR",
    "South Sudanese": "SS",
    "Spanish": "ES",
    "Sri Lankan": "LK",
    "Sudanese": "SD",
    "Swedish": "SE",
    "Swiss": "CH",
    "Syrian": "SY",
    "Taiwanese": "TW",
    "Tajik": "TJ",
    "Tanzanian": "TZ",
    "Thai": "TH",
    "Tunisian": "TN",
    "Turkish": "TR",
    "Turkmen": "TM",
    "Ugandan": "UG",
    "Ukrainian": "UA",
    "Uruguayan": "UY",
    "Uzbek": "UZ",
    "Venezuelan": "VE",
    "Vietnamese": "VN",
    "Yemeni": "YE",
    "Zambian": "ZM",
    "Zimbabwean": "ZW",
    "New Zealander": "NZ",
}

# Adjectives that spaCy tags NORP but that name no place (religions, sects,
# ideologies, ethnic groups spread over several states).
NON_PLACE_ADJECTIVES: frozenset[str] = frozenset(
    normalize_name(word)
    for word in (
        "Shiite",
        "Shia",
        "Shi'ite",
        "Sunni",
        "Muslim",
        "Islamic",
        "Islamist",
        "Christian",
        "Jewish",
        "Catholic",
        "Protestant",
        "Orthodox",
        "Hindu",
        "Buddhist",
        "Arab",
        "Arabic",
        "Kurdish",
        "Kurds",
        "Democrat",
        "Democratic",
        "Republican",
        "Republicans",
        "Democrats",
        "Western",
        "European",
        "African",
        "Asian",
        "Latino",
        "Hispanic",
        "Yazidi",
        "Druze",
        "Alawite",
        "Houthi",
        "Baloch",
        "Pashtun",
        "Tamil",
        "Sikh",
        "Evangelical",
    )
)

# AP style abbreviations of US states, as used in news datelines ("Alexandria, La.").
AP_STATE_ABBREVIATIONS: dict[str, str] = {
    "Ala.": "AL",
    "Ariz.": "AZ",
    "Ark.": "AR",
    "Calif.": "CA",
    "Colo.": "CO",
    "Conn.": "CT",
    "Del.": "DE",
    "Fla.": "FL",
    "Ga.": "GA",
    "Ill.": "IL",
    "Ind.": "IN",
    "Kan.": "KS",
    "Kans.": "KS",
    "Ky.": "KY",
    "La.": "LA",
    "Md.": "MD",
    "Mass.": "MA",
    "Mich.": "MI",
    "Minn.": "MN",
    "Miss.": "MS",
    "Mo.": "MO",
    "Mont.": "MT",
    "Neb.": "NE",
    "Nebr.": "NE",
    "Nev.": "NV",
    "N.H.": "NH",
    "N.J.": "NJ",
    "N.M.": "NM",
    "N.Y.": "NY",
    "N.C.": "NC",
    "N.D.": "ND",
    "Okla.": "OK",
    "Ore.": "OR",
    "Pa.": "PA",
    "R.I.": "RI",
    "S.C.": "SC",
    "S.D.": "SD",
    "Tenn.": "TN",
    "Tex.": "TX",
    "Vt.": "VT",
    "Va.": "VA",
    "Wash.": "WA",
    "W.Va.": "WV",
    "Wis.": "WI",
    "Wyo.": "WY",
}
