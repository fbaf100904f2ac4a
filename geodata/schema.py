"""The sites schema: kinds, the layer of each kind, the columns, and rows -> frame.

One module owns what a row of the sites GeoDataFrame is, so the geoparser, the
corrections, saved-map imports and the batch pipeline build the same frame:

- :data:`KINDS`, the kind vocabulary of DESIGN.md (extended, never renamed);
- :data:`LAYER_KINDS`, which kinds each map layer holds, in drawing order
  (the layers' titles, colours and icons are presentation: ``layers.catalog``);
- :data:`COLUMNS` and :class:`SiteRecord`, a row being assembled;
- :func:`records_to_rows` (records -> sorted row dicts), then :func:`rows_to_frame`
  (row dicts -> frame) or :func:`as_sites` (any GeoJSON -> frame), the ways a
  frame is made;
- :func:`candidate_dict`, a gazetteer place as a JSON-native candidate.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from geodata.recognize import Recognized

__all__ = [
    "COLUMNS",
    "DEFAULT_THRESHOLD",
    "KINDS",
    "LAYER_KEYS",
    "LAYER_KINDS",
    "MODELLED_KINDS",
    "JSONList",
    "SiteRecord",
    "as_sites",
    "candidate_dict",
    "candidate_row",
    "decode_list_columns",
    "layer_for_kind",
    "records_to_rows",
    "rows_to_frame",
    "surface_of",
]

#: The kind vocabulary of DESIGN.md, extended (never renamed).
KINDS: tuple[str, ...] = (
    "populated_place",
    "admin_area",
    "country",
    "airport",
    "military_base",
    "religious_site",
    "facility",
    "rail_line",
    "pipeline",
    "border_crossing",
    "incident",
    "natural_feature",
    # extensions
    "continent",
    "region",
    "port",
    "power_plant",
    "oil_field",
    "gas_field",
    "strike_path",
)

#: Kinds whose ``confidence`` is the calibrated probability of
#: :mod:`geodata.confidence` (places resolved from the article's words); other
#: kinds' confidence says how sure a catalogue link or an incident is.
MODELLED_KINDS: frozenset[str] = frozenset(
    {"populated_place", "admin_area", "country", "continent", "region", "natural_feature"}
)

#: A modelled place below this confidence is uncertain: hidden by default in the app,
#: drawn faint when shown.
DEFAULT_THRESHOLD = 0.5

#: Layer key -> the kinds it holds, in drawing order (areas first, incidents last).
LAYER_KINDS: dict[str, tuple[str, ...]] = {
    "countries": ("country",),
    "regions": ("continent", "region", "natural_feature"),
    "places": ("populated_place", "admin_area"),
    "airports": ("airport",),
    "military": ("military_base",),
    "religious": ("religious_site",),
    "infrastructure": (
        "facility",
        "border_crossing",
        "port",
        "power_plant",
        "oil_field",
        "gas_field",
    ),
    "routes": ("rail_line", "pipeline"),
    "incidents": ("incident", "strike_path"),
}

#: Layer keys in drawing order.
LAYER_KEYS: tuple[str, ...] = tuple(LAYER_KINDS)

_LAYER_OF_KIND = {kind: key for key, kinds in LAYER_KINDS.items() for kind in kinds}
_LAYER_ORDER = {key: i for i, key in enumerate(LAYER_KEYS)}

#: Columns of the sites GeoDataFrame, in order (DESIGN.md contract first).
COLUMNS: list[str] = [
    "feature_id",
    "name",
    "surface",
    "kind",
    "layer",
    "country_code",
    "confidence",
    "mentions",
    "evidence",
    "source",
    "note",
    "inferred",
    "alternatives",
    "place_ids",
    "event_type",
    "date",
    "date_text",
    "actors",
    "geometry",
]

#: List-valued columns (JSON arrays in files).
LIST_COLUMNS: tuple[str, ...] = ("evidence", "alternatives", "place_ids", "actors")

_DTYPES = {"mentions": "int64", "confidence": "float64", "inferred": "bool"}


def _json_default(value: Any) -> Any:
    """JSON form of the few non-JSON values a list column can hold (numpy, dates)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


class JSONList(list):
    """A list whose text form is JSON: the value type of the list columns.

    GDAL's writers (``GeoDataFrame.to_file`` through pyogrio) store an object
    column's values as ``str(value)``; for a plain list that is Python's repr
    (``[{'sentence': ...``), which no JSON parser reads. A ``JSONList`` behaves
    as a list everywhere else (indexing, equality, ``json.dumps``, Parquet's
    nested types) and writes itself as JSON text, so ``sites.to_file("x.gpkg")``
    stores ``[{"sentence": ...`` and :func:`decode_list_columns` reads it back.

    Examples
    --------
    >>> str(JSONList([{"text": "Kyiv", "start": 4}]))
    '[{"text": "Kyiv", "start": 4}]'
    >>> JSONList(["a"]) == ["a"]
    True
    """

    __slots__ = ()

    def __str__(self) -> str:
        return json.dumps(self, ensure_ascii=False, default=_json_default)

    def __repr__(self) -> str:
        return self.__str__()


def _as_json_list(value: Any) -> Any:
    if isinstance(value, JSONList) or not isinstance(value, (list, tuple)):
        return value
    return JSONList(value)


def decode_list_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn the list columns of a frame read from a file back into lists.

    Files without nested values (GeoPackage, FlatGeobuf, Shapefile, KML, and
    GeoPackages written by ``GeoDataFrame.to_file``) hold :data:`LIST_COLUMNS`
    as JSON text; this parses it. (newsmap's CSV holds plain words instead,
    for spreadsheets: it is not meant to be read back.)

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        E.g. ``geopandas.read_file("sites.gpkg", layer="places")``.

    Returns
    -------
    DataFrame or GeoDataFrame
        A copy; each list column's JSON text parsed to :class:`JSONList` (a
        missing value or text that is not a JSON array becomes an empty list).

    Examples
    --------
    >>> import pandas as pd
    >>> decode_list_columns(pd.DataFrame({"actors": ['["Iran"]', None]}))["actors"].tolist()
    [["Iran"], []]
    """
    out = frame.copy()
    for name in LIST_COLUMNS:
        if name in out:
            out[name] = [_decode_list(v) for v in out[name]]
    return out


def _decode_list(value: Any) -> JSONList:
    if isinstance(value, (list, tuple)):
        return JSONList(value)
    if hasattr(value, "tolist") and not isinstance(value, str):  # a Parquet array
        return JSONList(value.tolist())
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return JSONList()
        return JSONList(parsed) if isinstance(parsed, list) else JSONList()
    return JSONList()


def surface_of(evidence: Iterable[Mapping[str, Any]]) -> str:
    """Return the article's own words for a feature: its evidence texts, in order.

    Parameters
    ----------
    evidence : iterable of dict
        Evidence items with ``text`` (the words at ``start``..``end``).

    Returns
    -------
    str
        The distinct texts joined by " / " ("St. Peter / Saint Peter"); "" when
        there are none (a place the user added).

    Examples
    --------
    >>> surface_of([{"text": "St. Peter"}, {"text": "Saint Peter"}, {"text": "St. Peter"}])
    'St. Peter / Saint Peter'
    """
    texts = [" ".join(str(item.get("text") or "").split()) for item in evidence]
    return " / ".join(dict.fromkeys(t for t in texts if t))


def layer_for_kind(kind: str) -> str:
    """Return the key of the layer that shows features of ``kind``.

    Parameters
    ----------
    kind : str
        A kind from :data:`KINDS`.

    Returns
    -------
    str
        Layer key; unknown kinds go to ``infrastructure``.

    Examples
    --------
    >>> layer_for_kind("military_base")
    'military'
    """
    return _LAYER_OF_KIND.get(kind, "infrastructure")


@dataclass
class SiteRecord:
    """A feature being assembled (one row of the sites GeoDataFrame).

    Attributes
    ----------
    feature_id, name, kind : str
        See :data:`COLUMNS`.
    country_code : str or None
        ISO 3166-1 alpha-2.
    source : str
        Where the coordinates come from.
    geometry : shapely geometry
        EPSG:4326, lon/lat degrees.
    confidence : float
        0..1.
    extra : dict
        Incident fields (``event_type``, ``date``, ``date_text``, ``actors``).
    place_ids : list of str
        The features an incident or a strike path is placed on (a strike path:
        origin, then target); empty for other kinds.
    """

    feature_id: str
    name: str
    kind: str
    country_code: str | None
    source: str
    geometry: BaseGeometry
    confidence: float
    note: str = ""
    inferred: bool = False
    evidence: list[dict[str, Any]] = field(default_factory=list)
    alternatives: list[dict[str, Any]] = field(default_factory=list)
    mentions: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    place_ids: list[str] = field(default_factory=list)
    _spans: set[tuple[int, int]] = field(default_factory=set, repr=False)

    def add_evidence(self, recognized: Recognized, start: int, end: int) -> None:
        """Record the sentence around ``text[start:end]`` (deduplicated by span)."""
        if (start, end) in self._spans:
            return
        self._spans.add((start, end))
        sentence = recognized.sentence_of(start)
        s_start, s_end = recognized.sentences[sentence]
        self.evidence.append(
            {
                "sentence": recognized.text[s_start:s_end].strip(),
                "start": start,
                "end": end,
                "text": recognized.text[start:end],
            }
        )

    def to_row(self) -> dict[str, Any]:
        """Return the record as a row dict with the keys of :data:`COLUMNS`."""
        evidence = sorted(self.evidence, key=lambda e: (e["start"], e["end"]))
        return {
            "feature_id": self.feature_id,
            "name": self.name,
            "surface": surface_of(evidence),
            "kind": self.kind,
            "layer": layer_for_kind(self.kind),
            "country_code": self.country_code,
            "confidence": round(float(min(max(self.confidence, 0.0), 1.0)), 4),
            "mentions": int(self.mentions),
            "evidence": evidence,
            "source": self.source,
            "note": self.note or "",
            "inferred": bool(self.inferred),
            "alternatives": self.alternatives,
            "place_ids": list(self.place_ids),
            "event_type": self.extra.get("event_type"),
            "date": self.extra.get("date"),
            "date_text": self.extra.get("date_text"),
            "actors": self.extra.get("actors", []),
            "geometry": self.geometry,
        }


def rows_to_frame(
    rows: Iterable[Mapping[str, Any]], columns: Iterable[str] | None = None
) -> gpd.GeoDataFrame:
    """Make a sites GeoDataFrame from row dicts, with the schema's dtypes.

    Parameters
    ----------
    rows : iterable of dict
        One dict per feature with (at least) the keys of ``columns``.
    columns : iterable of str, optional
        Column order; default :data:`COLUMNS` (pass more for extra columns such
        as ``articles``).

    Returns
    -------
    GeoDataFrame
        EPSG:4326; ``mentions`` int64, ``confidence`` float64, ``inferred`` bool,
        even when empty.
    """
    frame = pd.DataFrame(list(rows), columns=list(columns or COLUMNS))
    for name, dtype in _DTYPES.items():
        if name in frame:
            frame[name] = frame[name].astype(dtype)
    for name in LIST_COLUMNS:
        if name in frame:
            frame[name] = [_as_json_list(v) for v in frame[name]]
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def records_to_rows(records: Iterable[SiteRecord]) -> list[dict[str, Any]]:
    """Turn :class:`SiteRecord` objects into the sites table's row dicts, in display order.

    Parameters
    ----------
    records : iterable of SiteRecord
        Features of one article.

    Returns
    -------
    list of dict
        Keys of :data:`COLUMNS` (see :meth:`SiteRecord.to_row`), sorted by layer
        order, then by descending mentions, then name and id. The batch gathers
        these for a whole partition and makes one frame of them: a GeoDataFrame
        per article cost 4 ms, a sixth of the time a worker spends outside NER.
    """
    return sorted(
        (r.to_row() for r in records),
        key=lambda row: (
            _LAYER_ORDER.get(row["layer"], len(_LAYER_ORDER)),
            -row["mentions"],
            row["name"],
            row["feature_id"],
        ),
    )


def candidate_dict(
    place: Any, score: float | None = None, with_source: bool = False
) -> dict[str, Any]:
    """Describe a gazetteer place as a JSON-native candidate.

    Parameters
    ----------
    place : geodata.gazetteer.Place
        Any object with ``feature_id``, ``name``, ``kind``, ``country_code``,
        ``lon``, ``lat`` (degrees) and ``source``.
    score : float, optional
        The resolver's score, added as ``score`` when given.
    with_source : bool, default False
        Add ``source`` (where the coordinates come from).

    Returns
    -------
    dict
        ``feature_id``, ``name``, ``kind``, ``country_code``, ``lon``, ``lat``
        (degrees, 6 decimals), then ``score`` and ``source`` if asked.
    """
    out: dict[str, Any] = {
        "feature_id": place.feature_id,
        "name": place.name,
        "kind": place.kind,
        "country_code": place.country_code,
        "lon": round(place.lon, 6),
        "lat": round(place.lat, 6),
    }
    if score is not None:
        out["score"] = score
    if with_source:
        out["source"] = place.source
    return out


def candidate_row(candidate: Mapping[str, Any], note: str) -> dict[str, Any]:
    """Make a sites row from a candidate the user chose (re-picked or added).

    Parameters
    ----------
    candidate : dict
        ``feature_id``, ``lon``, ``lat`` (degrees) and optionally ``name``,
        ``kind`` (default ``populated_place``), ``country_code``, ``source``.
    note : str
        Why the row exists ("Added by the user.").

    Returns
    -------
    dict
        A row with the keys of :data:`COLUMNS`: confidence 1.0, no mentions,
        no evidence, a Point geometry.

    Raises
    ------
    KeyError, ValueError
        If ``feature_id``, ``lon`` or ``lat`` is missing or not a number.
    """
    kind = candidate.get("kind") or "populated_place"
    return {
        "feature_id": str(candidate["feature_id"]),
        "name": str(candidate.get("name") or candidate["feature_id"]),
        "surface": "",
        "kind": kind,
        "layer": layer_for_kind(kind),
        "country_code": candidate.get("country_code"),
        "confidence": 1.0,
        "mentions": 0,
        "evidence": [],
        "source": str(candidate.get("source") or "added by the user"),
        "note": note,
        "inferred": False,
        "alternatives": [],
        "place_ids": [],
        "event_type": None,
        "date": None,
        "date_text": None,
        "actors": [],
        "geometry": Point(float(candidate["lon"]), float(candidate["lat"])),
    }


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_sites(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give a GeoDataFrame read from any GeoJSON the columns of a sites frame.

    A map saved by newsmap has them all; one made elsewhere may lack any. Missing
    or unusable values get defaults: ``feature_id`` ``imported:<n>`` (made
    unique), ``name`` the id, ``kind`` ``facility`` (unknown kinds too),
    ``confidence`` 1.0 (the user's own data), ``mentions`` 0, list columns empty,
    ``inferred`` False, ``source`` "uploaded file", the rest None.

    Parameters
    ----------
    frame : GeoDataFrame
        EPSG:4326, e.g. from :func:`layers.files.export.read_geojson`.

    Returns
    -------
    GeoDataFrame
        Columns :data:`COLUMNS`, in that order, EPSG:4326.
    """
    n = len(frame)

    def column(name: str) -> list:
        return list(frame[name]) if name in frame else [None] * n

    ids = [f"imported:{i}" if _missing(v) else str(v) for i, v in enumerate(column("feature_id"))]
    seen: dict[str, int] = {}
    for i, fid in enumerate(ids):  # ids must be unique: selection and corrections use them
        seen[fid] = seen.get(fid, 0) + 1
        if seen[fid] > 1:
            ids[i] = f"{fid}#{seen[fid]}"
    out = pd.DataFrame({"feature_id": ids}, index=frame.index)
    out["name"] = [
        fid if _missing(v) else str(v) for v, fid in zip(column("name"), ids, strict=True)
    ]
    out["kind"] = [v if v in KINDS else "facility" for v in column("kind")]
    out["layer"] = [layer_for_kind(k) for k in out["kind"]]
    confidence = pd.to_numeric(pd.Series(column("confidence"), dtype=object), errors="coerce")
    out["confidence"] = confidence.fillna(1.0).clip(0.0, 1.0).astype("float64").to_numpy()
    mentions = pd.to_numeric(pd.Series(column("mentions"), dtype=object), errors="coerce")
    out["mentions"] = mentions.fillna(0).clip(lower=0).astype("int64").to_numpy()
    for name in LIST_COLUMNS:
        out[name] = [
            JSONList(
                item for item in v if isinstance(item, dict) or name in ("actors", "place_ids")
            )
            for v in map(_decode_list, column(name))
        ]
    out["place_ids"] = [JSONList(i for i in ids if isinstance(i, str)) for ids in out["place_ids"]]
    out["surface"] = [
        str(v) if isinstance(v, str) else surface_of(ev)
        for v, ev in zip(column("surface"), out["evidence"], strict=True)
    ]
    out["inferred"] = [v is True or v in (1, "true") for v in column("inferred")]
    out["source"] = ["uploaded file" if _missing(v) else str(v) for v in column("source")]
    for name in ("country_code", "note", "event_type", "date", "date_text"):
        out[name] = [None if _missing(v) else str(v) for v in column(name)]
    out["geometry"] = frame.geometry.to_numpy()
    return gpd.GeoDataFrame(out[COLUMNS], geometry="geometry", crs="EPSG:4326")
