"""The hostile-input corpus (tests/data/hostile/payloads.txt) and the checks that it stays inert.

The corpus is read here once; tests place every payload in every surface (article
text, saved-map property values and keys, names typed by hand, uploaded file
names) and check the results with :func:`markup_problems` (escaped HTML fragments:
popups, tooltips, the highlighted article, KML descriptions) and
:func:`page_problems` (whole pages against a benign twin). The browser tests
(``tests/test_hostile_browser.py``) check the same in Chromium with the
:data:`MARKERS_JS` probe.

File format (see tests/data/hostile/README.md): one payload a line,
``<id> TAB <class> TAB <payload>``; in the payload ``\\n``, ``\\r``, ``\\t``,
``\\0`` and ``\\U{hex}`` are escapes, every other backslash is literal.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

import lxml.html
from shapely.geometry import Point

CORPUS = Path(__file__).resolve().parent / "data" / "hostile" / "payloads.txt"

#: What a live payload does (each carries its own id): a dialog, a global, a request.
MARKER_GLOBAL = "__nm_pwned_"
EVIL_HOST = "evil.example"
#: Every marker global set in a window (run in each frame).
MARKERS_JS = f"() => Object.keys(window).filter((k) => k.startsWith({MARKER_GLOBAL!r}))"

_ESCAPE = re.compile(r"\\(?:([nrt0])|U\{([0-9A-Fa-f]{1,6})\})")
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "0": "\0"}


class Payload(NamedTuple):
    """One hostile input: its id (the number its marker carries), class and text."""

    id: int
    kind: str
    text: str


def decode(escaped: str) -> str:
    r"""Turn a corpus line's payload into the string it stands for.

    >>> decode(r"a\nb\U{202E}c\u003c\1")
    'a\nb\u202ec\\u003c\\1'
    """

    def one(match: re.Match[str]) -> str:
        simple, code = match.groups()
        return _SIMPLE[simple] if simple else chr(int(code, 16))

    return _ESCAPE.sub(one, escaped)


def load_payloads(path: Path = CORPUS) -> list[Payload]:
    """Read the corpus; fail on a malformed line or a repeated id."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line:
            continue
        ident, kind, escaped = line.split("\t")
        assert int(ident) == len(out) + 1, f"line {number}: ids must count up from 1"
        out.append(Payload(int(ident), kind, decode(escaped)))
    return out


PAYLOADS = load_payloads()
TEXTS = [p.text for p in PAYLOADS]
#: Text properties of a saved map that newsmap reads (``geodata.schema.as_sites``).
TEXT_PROPERTIES = ("feature_id", "name", "source", "note", "event_type", "date", "date_text")


def batches(payloads: Iterable[Payload], size: int) -> list[list[Payload]]:
    """Split payloads into lists of ``size`` (the last one shorter)."""
    items = list(payloads)
    return [items[i : i + size] for i in range(0, len(items), size)]


def spot(i: int) -> Point:
    """A distinct point for the ``i``-th feature (lon -170..169, lat -60, -50)."""
    return Point(-170 + (i % 340), -60 + (i // 340) * 10)


def saved_map(values: bool, keys: bool) -> dict:
    """A FeatureCollection with one point per payload (at :func:`spot`).

    With ``values``, every text property newsmap reads is the payload (the id
    prefixed by its index, to keep ids apart); with ``keys``, two more
    properties are named by the payload.
    """
    features = []
    for i, text in enumerate(TEXTS):
        properties: dict = {}
        if values:
            properties.update({name: text for name in (*TEXT_PROPERTIES, "kind")})
            properties["feature_id"] = f"{i}:{text}"  # ids must differ to be kept
            properties["surface"] = text
            properties["evidence"] = [{"sentence": text, "start": 0, "end": 1, "article": text}]
            properties["alternatives"] = [{"name": text, "feature_id": text, "reason": text}]
            properties["actors"] = [text]
        if keys:
            properties[text] = text
            properties[f"{text}:{i}"] = [text, {text: text}]
        geometry = {"type": "Point", "coordinates": [spot(i).x, spot(i).y]}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


# --------------------------------------------------------------------------- fragments

#: The markup newsmap itself writes into popups, tooltips, the article panel and
#: KML descriptions: tag -> attributes it may carry. Anything else came from data.
OWN_MARKUP: dict[str, set[str]] = {
    "div": {"class", "data-feature-id", "style"},
    "b": set(),
    "i": set(),
    "br": set(),
    "small": set(),
    "blockquote": {"style"},
    "mark": {"data-feature-id", "title", "style"},
    "span": {"class", "aria-hidden"},
}
_URL_ATTRS = {"href", "src", "action", "formaction", "data", "background", "srcset", "poster"}


_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _parseable(markup: str) -> str:
    # libxml2 takes only characters XML allows (no NUL, C0 controls, U+FFFE/FFFF); a
    # browser reads NUL as U+FFFD and keeps the rest as text: neither makes an element.
    return _NOT_XML.sub("\ufffd", markup)


def _elements(markup: str) -> list[lxml.html.HtmlElement]:
    root = lxml.html.fragment_fromstring(_parseable(markup) or " ", create_parent="nm-root")
    return [el for el in root.iter() if isinstance(el.tag, str) and el.tag != "nm-root"]


def markup_problems(fragment: str, own: Mapping[str, set[str]] = OWN_MARKUP) -> list[str]:
    """What in an HTML fragment newsmap did not write: elements, attributes, URLs.

    Parameters
    ----------
    fragment : str
        HTML that a browser inserts as markup (``innerHTML``, ``st.html``, KML).
    own : mapping
        Tag -> attributes newsmap writes.

    Returns
    -------
    list of str
        One line per foreign element or attribute, or script URL; empty if inert.
    """
    problems = []
    for element in _elements(fragment):
        tag = str(element.tag).lower()
        if tag not in own:
            problems.append(f"element <{tag}>")
            continue
        for name, value in element.attrib.items():
            if name.lower() not in own[tag] or name.lower().startswith("on"):
                problems.append(f"attribute {name}= on <{tag}>")
            if name.lower() in _URL_ATTRS:
                problems.append(f"URL {name}={value[:60]!r} on <{tag}>")
    return problems


def _script_url(value: str) -> bool:
    flat = re.sub(r"[\x00-\x20]+", "", html.unescape(value)).lower()
    return flat.startswith(("javascript:", "vbscript:", "data:text/html")) or EVIL_HOST in flat


def text_of(fragment: str) -> str:
    """The text an escaped fragment shows (character references decoded)."""
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


# --------------------------------------------------------------------------- whole pages


def page_shape(page: str) -> Counter:
    """Tags and (tag, attribute) pairs of a page, counted: its structure without its text."""
    root = lxml.html.document_fromstring(_parseable(page))
    shape: Counter = Counter()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        shape[element.tag] += 1
        for name in element.attrib:
            shape[(element.tag, name)] += 1
    return shape


def page_problems(page: str, benign_twin: str) -> list[str]:
    """How a page built from hostile data differs in structure from its benign twin.

    The twin is the same page built from the same rows with every hostile string
    replaced by plain words: escaped data changes no element or attribute, so the
    two have the same tags and attributes, as many of each; and no attribute
    value holds a script URL or the evil host.
    """
    hostile, benign = page_shape(page), page_shape(benign_twin)
    problems = [
        f"{key}: {hostile[key]} in the hostile page, {benign[key]} in the benign one"
        for key in sorted(set(hostile) | set(benign), key=str)
        if hostile[key] != benign[key]
    ]
    root = lxml.html.document_fromstring(_parseable(page))
    for element in root.iter():
        if isinstance(element.tag, str):
            for name, value in element.attrib.items():
                if name.lower().startswith("on") or (
                    name.lower() in _URL_ATTRS and _script_url(value)
                ):
                    problems.append(f"attribute {name}={value[:60]!r} on <{element.tag}>")
    return problems


def map_features(page: str) -> list[dict]:
    """The GeoJSON features a Folium page adds to its map (parsed from its scripts)."""
    decoder = json.JSONDecoder()
    features = []
    for match in re.finditer(r"geo_json_\w+_add\(", page):
        data, _ = decoder.raw_decode(page, match.end())
        features.extend(data.get("features", []))
    return features
