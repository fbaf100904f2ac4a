"""KML for Google Earth and QGIS: the map's layers, colours, words and dates.

Written with simplekml: one folder per layer (its title), one shared style per
layer (icon colour and Google Earth palette icon, line colour, translucent
fill), a description per placemark (name, kind, the article's words, the
sentence, the source of the coordinates), a ``TimeStamp`` for dated features,
and typed ``ExtendedData`` (a ``Schema`` with int, double and bool fields, so
``mentions`` is a number, not a string).

Untrusted text stays inert: the description is HTML built from escaped values,
written as XML text, so a client shows the escaped HTML. No text from the data
goes through simplekml: it writes a string holding ``<![CDATA[`` without
escaping it or anything after it, so a name could close its element and add
others (a ``NetworkLink`` that Google Earth would fetch). simplekml gets a token
per text (:class:`_Texts`), and the texts are put in the parsed tree, which
escapes them; characters XML 1.0 cannot carry (NUL, other C0 controls, U+FFFE,
U+FFFF) become U+FFFD, since no XML reader would open the file otherwise.
"""

from __future__ import annotations

import html
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import simplekml
from shapely.geometry.base import BaseGeometry

from layers.catalog import LAYER_BY_KEY, LAYERS

__all__ = ["to_kml"]

_KML_NS = "http://www.opengis.net/kml/2.2"
#: Google Earth's own palette (``mapfiles/kml/shapes``), the icons every KML
#: client knows; one per layer, so a printed map tells layers apart in grey too.
_ICONS = {
    "countries": "placemark_circle",
    "regions": "water",
    "places": "placemark_circle",
    "airports": "airports",
    "military": "target",
    "religious": "placemark_square",
    "infrastructure": "mechanic",
    "routes": "rail",
    "incidents": "caution",
}
_ICON_URL = "http://maps.google.com/mapfiles/kml/shapes/{}.png"
#: Typed fields of the ``sites`` Schema; everything else is a string. A bool is
#: written 1/0: GDAL's KML readers parse "true"/"false" as an incomplete integer.
_TYPES = {"mentions": "int", "confidence": "double", "inferred": "bool"}
_SKIP = {"geometry", "name"}


def _kml_color(css: str, alpha: int = 255) -> str:
    """``#rrggbb`` -> KML's ``aabbggrr``."""
    red, green, blue = css[1:3], css[3:5], css[5:7]
    return f"{alpha:02x}{blue}{green}{red}"


def _present(value: Any) -> bool:
    """Tell whether a value is there (not None, NaN, "" or [])."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return value not in ("", [])


def _text(value: Any) -> str:
    if isinstance(value, (list, dict)):  # JSON text, "[]" too
        return json.dumps(value, ensure_ascii=False, default=str)
    if not _present(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    return str(value)


def _description(row: Mapping[str, Any]) -> str:
    """Build an escaped HTML block: kind, the article's words, sentences, source, note."""

    def escape(value: Any) -> str:
        return html.escape(_text(value), quote=False)

    lines = [f"<b>{escape(row.get('name'))}</b>"]
    event = row.get("event_type")
    kind = _text(event if _present(event) else row.get("kind")).replace("_", " ")
    if kind:
        lines.append(f"Kind: {html.escape(kind, quote=False)}")
    if _present(row.get("date")):
        lines.append(f"Date: {escape(row.get('date'))}")
    if _present(row.get("surface")):
        lines.append(f"In the article: “{escape(row.get('surface'))}”")
    sentences: list[str] = []
    for item in row.get("evidence") or []:
        sentence = item.get("sentence") if isinstance(item, Mapping) else None
        if sentence and sentence not in sentences:
            sentences.append(sentence)
    for sentence in sentences[:3]:
        lines.append(f"<i>{html.escape(sentence, quote=False)}</i>")
    if len(sentences) > 3:
        lines.append(f"… and {len(sentences) - 3} more sentences")
    if _present(row.get("source")):
        lines.append(f"Source: {escape(row.get('source'))}")
    if _present(row.get("note")):
        lines.append(escape(row.get("note")))
    return "<br/>".join(lines)


def _rounded(coords: Any) -> list[tuple[float, float]]:
    return [(round(x, 6), round(y, 6)) for x, y, *_ in coords]


def _add_geometry(container: Any, geometry: BaseGeometry) -> Any:
    """Add ``geometry`` to a folder or MultiGeometry; return the simplekml object."""
    kind = geometry.geom_type
    if kind == "Point":
        return container.newpoint(coords=_rounded(geometry.coords))
    if kind == "LineString":
        return container.newlinestring(coords=_rounded(geometry.coords))
    if kind == "Polygon":
        return container.newpolygon(
            outerboundaryis=_rounded(geometry.exterior.coords),
            innerboundaryis=[_rounded(ring.coords) for ring in geometry.interiors],
        )
    multi = container.newmultigeometry()
    for part in geometry.geoms:
        _add_geometry(multi, part)
    return multi


def _styles() -> dict[str, simplekml.Style]:
    styles = {}
    for layer in LAYERS:
        style = simplekml.Style()
        style.iconstyle.color = _kml_color(layer.color)
        style.iconstyle.scale = 1.2 if layer.key == "incidents" else 1.0
        style.iconstyle.icon.href = _ICON_URL.format(_ICONS.get(layer.key, "placemark_circle"))
        style.labelstyle.scale = 0.8
        style.linestyle.color = _kml_color(layer.color)
        style.linestyle.width = 3 if layer.key in ("routes", "incidents") else 1.5
        style.polystyle.color = _kml_color(layer.color, alpha=0x40)
        styles[layer.key] = style  # written once, in the folder of the layer that uses it
    return styles


#: KML 2.2's order of a container's children (ogckml22.xsd): simplekml writes
#: shared styles before the name, which Google Earth accepts and the schema does not.
_ORDER = {
    "name": 0,
    "visibility": 1,
    "open": 2,
    "Snippet": 3,
    "description": 4,
    "TimeStamp": 5,
    "TimeSpan": 5,
    "styleUrl": 6,
    "Style": 7,
    "StyleMap": 7,
    "ExtendedData": 8,
    "Schema": 9,
}


#: Characters XML 1.0 cannot carry (its ``Char`` production).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class _Texts:
    """Texts kept out of simplekml: each becomes a token, put back in the parsed tree."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        token = f"nm-text-{len(self.values)}"
        self.values[token] = _NOT_XML.sub("\ufffd", text)
        return token

    def restore(self, root: ET.Element) -> None:
        for element in root.iter():
            if element.text in self.values:
                element.text = self.values[element.text]


def _schema_order(text: str, texts: _Texts) -> bytes:
    ET.register_namespace("", _KML_NS)
    ET.register_namespace("gx", "http://www.google.com/kml/ext/2.2")
    root = ET.fromstring(text)
    texts.restore(root)
    for container in root.iter():
        if container.tag.rsplit("}", 1)[-1] in ("Document", "Folder"):
            children = list(container)
            children.sort(key=lambda e: _ORDER.get(e.tag.rsplit("}", 1)[-1], 10))
            container[:] = children
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def to_kml(
    sites: gpd.GeoDataFrame, title: str = "newsmap", metadata: Mapping[str, Any] | None = None
) -> bytes:
    """Return the sites as a styled KML 2.2 document.

    Parameters
    ----------
    sites : GeoDataFrame
        A sites frame (any CRS; written in EPSG:4326 lon/lat degrees).
    title : str, default "newsmap"
        The document's name.
    metadata : mapping, optional
        :func:`layers.files.export.export_metadata`: written in the document's
        description (what it holds, the article's focus) and ExtendedData.

    Returns
    -------
    bytes
        UTF-8 KML: a folder per layer in drawing order (named by its title),
        one placemark per feature with its style, description, ``TimeStamp``
        (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, when dated) and typed
        ExtendedData (list columns as JSON text). Coordinates to 6 decimals.
    """
    if sites.crs is not None and sites.crs.to_epsg() != 4326:
        sites = sites.to_crs(4326)
    text = _Texts()
    document = simplekml.Kml(name=text(title))
    columns = [c for c in sites.columns if c not in _SKIP and c != sites.geometry.name]
    schema = document.newschema(name="newsmap_sites")
    for column in columns:
        schema.newsimplefield(name=column, type=_TYPES.get(column, "string"))
    if metadata:
        focus = metadata.get("focus") or {}
        about = ", ".join(str(v) for v in (focus.get("place"), focus.get("country")) if v)
        parts = [f"{metadata.get('generator', 'newsmap')}: {metadata.get('content', '')}"]
        if about:
            parts.append(f"Mostly about: {about}")
        document.document.description = text(html.escape(". ".join(parts)))
        for key, value in metadata.items():
            document.document.extendeddata.newdata(name=f"newsmap_{key}", value=text(_text(value)))
    styles = _styles()
    folders: dict[str, Any] = {}
    order = {layer.key: i for i, layer in enumerate(LAYERS)}
    rows = sorted(sites.to_dict("records"), key=lambda r: order.get(r.get("layer"), len(order)))
    for row in rows:  # folders in drawing order (the sort is stable within a layer)
        geometry = row.get(sites.geometry.name)
        if geometry is None or geometry.is_empty:
            continue
        layer = str(row.get("layer") or "")
        if layer not in folders:
            definition = LAYER_BY_KEY.get(layer)
            folders[layer] = document.newfolder(
                name=text(definition.title if definition else layer)
            )
        placemark = _add_geometry(folders[layer], geometry)
        placemark.name = text(_text(row.get("name")))
        placemark.description = text(_description(row))
        if layer in styles:
            placemark.style = styles[layer]  # simplekml writes the styleUrl
        if _present(row.get("date")):
            placemark.timestamp.when = text(_text(row.get("date")))
        placemark.extendeddata.schemadata.schemaurl = schema.id  # simplekml adds the "#"
        for column in columns:
            placemark.extendeddata.schemadata.newsimpledata(column, text(_text(row.get(column))))
    return _schema_order(document.kml(), text)
