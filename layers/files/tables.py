"""Tables for spreadsheets and annotation tools: features CSV, mentions CSV and JSONL.

- :func:`to_csv`: one row per feature, for Excel, LibreOffice and pandas: UTF-8
  with a byte-order mark (Excel on Windows reads UTF-8 only with it), a
  representative ``lon``/``lat``, WKT only for points and lines (a country's
  polygon is 100,000 characters, past Excel's 32,767-character cell), list
  columns as plain words.
- :func:`mention_rows`: one row per mention of a place in the article (its
  offsets, the words, the sentence, the place chosen), the unit that
  annotation tools and other geoparsers report;
- :func:`to_mentions_csv`: those rows in Recogito's annotation export layout
  (``QUOTE_TRANSCRIPTION``, ``ANCHOR`` = ``char-offset:<n>``, ``URI``, ``LAT``,
  ``LNG`` ...), to check or continue the work in Recogito;
- :func:`to_mentions_jsonl`: those rows as JSON Lines with Mordecai 3's field
  names (``search_name``, ``start_char``, ``end_char``, ``geonameid``,
  ``feature_code``, ``country_code3``, ``admin1_name``, ``lat``, ``lon``).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
import pycountry
import shapely

from geodata.geodesy import representative_point

__all__ = [
    "EXCEL_CELL_LIMIT",
    "RECOGITO_COLUMNS",
    "feature_code",
    "mention_rows",
    "safe_cell",
    "to_csv",
    "to_mentions_csv",
    "to_mentions_jsonl",
]

#: Excel's cell limit is 32,767 characters; longer cells are cut to this, with "…".
EXCEL_CELL_LIMIT = 32_000
#: Recogito 2's annotation CSV columns, in its order.
RECOGITO_COLUMNS = (
    "UUID",
    "FILE",
    "QUOTE_TRANSCRIPTION",
    "ANCHOR",
    "TYPE",
    "URI",
    "VOCAB_LABEL",
    "VOCAB_TEMPORAL_BOUNDS",
    "LAT",
    "LNG",
    "PLACE_TYPE",
    "VERIFICATION_STATUS",
    "TAGS",
    "COMMENTS",
    "GROUP_ID",
    "GROUP_ORDER",
)
#: Kinds whose evidence is not a mention of a place (an incident's evidence
#: holds the event's words too); their places are mentioned by their own rows.
_NOT_MENTIONS = frozenset({"incident", "strike_path"})
#: GeoNames feature codes (https://www.geonames.org/export/codes.html) for our kinds.
_FEATURE_CODES = {
    "populated_place": "PPL",
    "admin_area": "ADM1",
    "country": "PCLI",
    "continent": "CONT",
    "region": "RGN",
    "natural_feature": "RGN",
    "airport": "AIRP",
    "military_base": "MILB",
    "religious_site": "RLG",
    "facility": "BLDG",
    "port": "PRT",
    "power_plant": "PS",
    "oil_field": "OILF",
    "gas_field": "GASF",
    "border_crossing": "BDRCR",
    "rail_line": "RR",
    "pipeline": "PPLN",
}
_GEONAMES_ID = re.compile(r"^geonames:(\d+)$")
_ADMIN2_ID = re.compile(r"^admin2:")


def feature_code(kind: str | None, feature_id: str | None = None, capital: bool = False) -> str:
    """Return the GeoNames feature code that matches a feature's kind.

    Parameters
    ----------
    kind : str or None
        A kind of :data:`geodata.schema.KINDS`.
    feature_id : str, optional
        Tells a second-level area (``admin2:...``, code ``ADM2``) from a first.
    capital : bool, default False
        A national capital is ``PPLC``.

    Returns
    -------
    str
        E.g. ``PPL``, ``PPLC``, ``ADM1``, ``PCLI``, ``AIRP``; "" for an unknown kind.
        Mapped from our kind: the gazetteer keeps GeoNames' class (populated
        place, area), not the finer code (``PPLA2``, ``PPLX``).
    """
    if kind == "populated_place" and capital:
        return "PPLC"
    if kind == "admin_area" and feature_id and _ADMIN2_ID.match(feature_id):
        return "ADM2"
    return _FEATURE_CODES.get(str(kind), "")


#: What makes a spreadsheet read a cell as a formula (CSV injection): an
#: article's sentence "=HYPERLINK(...)" would otherwise become a live link.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Make a text cell safe and short for a spreadsheet.

    Text that a spreadsheet would run as a formula gets a leading apostrophe
    (shown by Excel and LibreOffice as the text itself); text longer than
    :data:`EXCEL_CELL_LIMIT` is cut with an ellipsis. Numbers are left alone.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        value = "'" + value
    if len(value) > EXCEL_CELL_LIMIT:
        return value[: EXCEL_CELL_LIMIT - 1] + "…"
    return value


_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")


def _words(name: str, value: Any) -> str:
    """Write a list column's value as plain words for a spreadsheet."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):  # already JSON text (a GeoParquet batch)
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return value
    if not isinstance(value, Iterable):
        return str(value)
    items = list(value)
    if name == "evidence":
        sentences: list[str] = []
        for item in items:
            sentence = item.get("sentence") if isinstance(item, Mapping) else None
            if sentence and sentence not in sentences:
                sentences.append(sentence)
        return " | ".join(sentences)
    if name == "alternatives":
        texts = []
        for item in items:
            if not isinstance(item, Mapping):
                continue
            where = ", ".join(
                str(item[k]) for k in ("area", "country") if item.get(k) not in (None, "")
            )
            texts.append(f"{item.get('name', '')} ({where})" if where else str(item.get("name")))
        return "; ".join(texts)
    return "; ".join(str(item) for item in items)


def to_csv(sites: gpd.GeoDataFrame) -> str:
    """Return the sites as CSV for spreadsheets.

    Parameters
    ----------
    sites : GeoDataFrame
        A sites frame (any CRS; written in EPSG:4326 degrees).

    Returns
    -------
    str
        Starts with a byte-order mark (U+FEFF): write it as UTF-8 with no
        newline translation; rows end with CR LF. One row per
        feature; the columns of the frame, list columns as plain words
        (``evidence``: the distinct sentences joined by " | "; ``alternatives``:
        "name (area, country)" joined by "; "; ``place_ids`` and ``actors``
        joined by "; "), then ``lon``/``lat`` (a representative point, 6
        decimals) and ``wkt`` (points and lines only; empty for areas). No cell
        is longer than :data:`EXCEL_CELL_LIMIT` characters.
    """
    if sites.crs is not None and sites.crs.to_epsg() != 4326:
        sites = sites.to_crs(4326)
    geometry = sites.geometry
    table = pd.DataFrame(sites.drop(columns=geometry.name))
    for name in table.columns:
        if table[name].map(lambda v: isinstance(v, (list, tuple, dict))).any() or name in (
            "evidence",
            "alternatives",
            "place_ids",
            "actors",
        ):
            table[name] = [_words(name, v) for v in table[name]]
    points = [representative_point(g) for g in geometry]
    table["lon"] = [round(p.x, 6) if p is not None and not p.is_empty else None for p in points]
    table["lat"] = [round(p.y, 6) if p is not None and not p.is_empty else None for p in points]
    table["wkt"] = [
        shapely.to_wkt(g, rounding_precision=6)
        if g is not None
        and not g.is_empty
        and "Polygon" not in g.geom_type
        and g.geom_type != "GeometryCollection"
        else ""
        for g in geometry
    ]
    table = table.map(safe_cell)
    # CR LF ends rows (RFC 4180), so a cell holding a line end of either kind is
    # quoted: with pandas' "\n" a lone CR in a name was written bare, and every
    # reader (Excel, GDAL, Python's csv) split the row there.
    return "\ufeff" + table.to_csv(index=False, lineterminator="\r\n")


def mention_rows(
    sites: gpd.GeoDataFrame, gazetteer: Any | None = None, article: str = ""
) -> list[dict[str, Any]]:
    """Return one row per mention of a place, in the article's order.

    Parameters
    ----------
    sites : GeoDataFrame
        A sites frame (EPSG:4326) with ``evidence`` (offsets into the article).
    gazetteer : geodata.gazetteer.Gazetteer, optional
        Names the first-level area (``admin1_name``) and tells capitals; without
        it those are empty.
    article : str, default ""
        The article's name (``FILE`` in Recogito's layout).

    Returns
    -------
    list of dict
        Keys ``article``, ``start``, ``end`` (character offsets, end exclusive),
        ``text`` (the words), ``sentence``, ``feature_id``, ``name``, ``kind``,
        ``feature_code``, ``geonameid`` (int or None), ``country_code``,
        ``country_code3``, ``admin1_name``, ``lon``, ``lat`` (degrees, the
        feature's representative point), ``confidence``. Incidents are left
        out: their places have rows of their own.
    """
    rows: list[dict[str, Any]] = []
    for site in sites.to_dict("records"):
        if site.get("kind") in _NOT_MENTIONS:
            continue
        evidence = site.get("evidence")
        if isinstance(evidence, str):
            evidence = json.loads(evidence or "[]")
        if evidence is None or (isinstance(evidence, float) and math.isnan(evidence)):
            continue
        feature_id = str(site.get("feature_id") or "")
        point = representative_point(site.get("geometry"))
        place = gazetteer.get(feature_id) if gazetteer is not None else None
        admin1 = (
            gazetteer.area_name(place.country_code, place.admin1)
            if gazetteer is not None and place is not None and place.admin1
            else None
        )
        match = _GEONAMES_ID.match(feature_id)
        code = site.get("country_code")
        code = code if isinstance(code, str) else None
        country = pycountry.countries.get(alpha_2=code) if code else None
        for item in evidence:
            if not isinstance(item, Mapping) or item.get("start") is None:
                continue
            rows.append(
                {
                    "article": article,
                    "start": int(item["start"]),
                    "end": int(item["end"]),
                    "text": str(item.get("text") or ""),
                    "sentence": str(item.get("sentence") or ""),
                    "feature_id": feature_id,
                    "name": str(site.get("name") or ""),
                    "kind": site.get("kind"),
                    "feature_code": feature_code(
                        site.get("kind"), feature_id, bool(place and place.capital)
                    ),
                    "geonameid": int(match[1]) if match else None,
                    "country_code": code,
                    "country_code3": country.alpha_3 if country else None,
                    "admin1_name": admin1,
                    "lon": round(point.x, 6) if point is not None and not point.is_empty else None,
                    "lat": round(point.y, 6) if point is not None and not point.is_empty else None,
                    "confidence": float(site.get("confidence") or 0.0),
                }
            )
    rows.sort(key=lambda r: (r["start"], r["end"]))
    return rows


def _uri(row: Mapping[str, Any]) -> str:
    if row.get("geonameid"):
        return f"https://sws.geonames.org/{row['geonameid']}/"
    return str(row.get("feature_id") or "")


def to_mentions_csv(rows: list[dict[str, Any]], threshold: float = 0.5) -> str:
    """Return mention rows in Recogito's annotation CSV layout.

    Parameters
    ----------
    rows : list of dict
        From :func:`mention_rows`.
    threshold : float, default 0.5
        Mentions below this confidence are tagged ``uncertain``.

    Returns
    -------
    str
        UTF-8 text with a byte-order mark; columns :data:`RECOGITO_COLUMNS`:
        ``UUID`` (stable: derived from article, offsets and place),
        ``QUOTE_TRANSCRIPTION`` (the words), ``ANCHOR`` (``char-offset:<start>``),
        ``TYPE`` ``PLACE``, ``URI`` (the GeoNames URI, else newsmap's feature
        id), ``VOCAB_LABEL`` (the place's name), ``LAT``/``LNG`` (degrees),
        ``PLACE_TYPE`` (the GeoNames feature code), ``VERIFICATION_STATUS``
        ``UNVERIFIED`` (machine output), ``COMMENTS`` (the sentence).
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RECOGITO_COLUMNS)
    for row in rows:
        key = f"{row['article']}|{row['start']}|{row['end']}|{row['feature_id']}"
        writer.writerow(
            [
                str(uuid.uuid5(uuid.NAMESPACE_URL, "newsmap:" + key)),
                safe_cell(row["article"]),
                safe_cell(row["text"]),
                f"char-offset:{row['start']}",
                "PLACE",
                _uri(row),
                safe_cell(row["name"]),
                "",
                "" if row["lat"] is None else row["lat"],
                "" if row["lon"] is None else row["lon"],
                row["feature_code"],
                "UNVERIFIED",
                "uncertain" if row["confidence"] < threshold else "",
                safe_cell(row["sentence"]),
                "",
                "",
            ]
        )
    return "\ufeff" + out.getvalue()


def to_mentions_jsonl(rows: list[dict[str, Any]]) -> str:
    """Return mention rows as JSON Lines with Mordecai 3's field names.

    Parameters
    ----------
    rows : list of dict
        From :func:`mention_rows`.

    Returns
    -------
    str
        One JSON object per line: ``search_name``, ``start_char``, ``end_char``,
        ``place_name``, ``geonameid``, ``feature_code``, ``country_code3``,
        ``admin1_name``, ``lat``, ``lon`` (Mordecai 3's names), plus newsmap's
        ``feature_id``, ``kind``, ``country_code``, ``sentence``, ``score`` (the
        calibrated confidence) and ``article``.
    """
    lines = []
    for row in rows:
        record = {
            "search_name": row["text"],
            "start_char": row["start"],
            "end_char": row["end"],
            "place_name": row["name"],
            "geonameid": row["geonameid"],
            "feature_code": row["feature_code"],
            "country_code3": row["country_code3"],
            "admin1_name": row["admin1_name"],
            "lat": row["lat"],
            "lon": row["lon"],
            "feature_id": row["feature_id"],
            "kind": row["kind"],
            "country_code": row["country_code"],
            "sentence": row["sentence"],
            "score": row["confidence"],
            "article": row["article"],
        }
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(lines)
