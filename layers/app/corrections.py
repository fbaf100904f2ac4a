"""User corrections: reject, re-pick a candidate, add a place, edit a name or kind.

Corrections are a JSON-native dict (kept in the app's session state) applied to
the extracted sites by :func:`apply_corrections`, a pure function, so every view
and every export sees the same corrected features::

    {"rejected": [feature_id, ...],
     "repicked": {feature_id: candidate, ...},   # candidate: feature_id, name, kind,
                                                 # country_code, lon, lat, source, and
                                                 # "previous": facts of the replaced place
     "added": [candidate, ...],
     "edited": {feature_id: {"name": ..., "kind": ...}, ...}}

Keys of ``repicked`` are the ids the geoparser extracted (a second re-pick of the
same mention replaces the first). Incidents and strike paths follow the places
they are placed on (their ``place_ids``): they leave with a rejected place and
move with a re-picked one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
from shapely.geometry import LineString, Point

from geodata.describe import place_facts
from geodata.geodesy import representative_point
from geodata.schema import KINDS, candidate_dict, candidate_row, layer_for_kind, rows_to_frame

__all__ = ["apply_corrections", "empty_corrections", "facts_for", "place_to_candidate"]

#: Kinds placed on other features (through ``place_ids``).
PLACED_KINDS = frozenset({"incident", "strike_path"})


def empty_corrections() -> dict[str, Any]:
    """Return a corrections dict with nothing corrected.

    Returns
    -------
    dict
    """
    return {"rejected": [], "repicked": {}, "added": [], "edited": {}}


def place_to_candidate(place: Any, gazetteer: Any | None = None) -> dict[str, Any]:
    """Turn a gazetteer :class:`~geodata.gazetteer.Place` into a candidate dict.

    Parameters
    ----------
    place : geodata.gazetteer.Place
        The place the user chose.
    gazetteer : geodata.gazetteer.Gazetteer, optional
        When given, the candidate also gets ``area``, ``country`` and
        ``population`` (:func:`geodata.describe.place_facts`).

    Returns
    -------
    dict
        ``feature_id``, ``name``, ``kind``, ``country_code``, ``lon``, ``lat``
        (degrees), ``source``, and the facts if asked.
    """
    out = candidate_dict(place, with_source=True)
    if gazetteer is not None:
        out.update(place_facts(place, gazetteer))
    return out


def facts_for(gazetteer: Any, feature_id: str) -> dict[str, Any]:
    """Return the facts of the gazetteer place ``feature_id`` ({} if it has none).

    Parameters
    ----------
    gazetteer : geodata.gazetteer.Gazetteer
        The app's gazetteer.
    feature_id : str
        E.g. ``geonames:98182``.

    Returns
    -------
    dict
        ``area``, ``country``, ``population`` (see :func:`geodata.describe.place_facts`).
    """
    place = gazetteer.get(feature_id)
    return place_facts(place, gazetteer) if place is not None else {}


def _previous_choice(row: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    """Describe the replaced place as a candidate: it stays in the list after a re-pick."""
    point = representative_point(row["geometry"])
    return {
        "feature_id": row["feature_id"],
        "name": row["name"],
        "kind": row["kind"],
        "country_code": row["country_code"],
        "lon": round(point.x, 6) if point is not None else None,
        "lat": round(point.y, 6) if point is not None else None,
        "score": float(row["confidence"]),
        **{k: facts.get(k) for k in ("area", "country", "population") if k in facts},
        "source": row["source"],
        "was_choice": True,
    }


def _repicked_row(row: dict[str, Any], candidate: Mapping[str, Any]) -> dict[str, Any]:
    """Make the row of the place chosen instead of ``row``: same evidence and words."""
    fid = row["feature_id"]
    new = candidate_row(candidate, f"Corrected by the user (was {row['name']}, {fid}).")
    new["evidence"], new["mentions"], new["surface"] = (
        row["evidence"],
        row["mentions"],
        row.get("surface", ""),
    )
    others = [a for a in row.get("alternatives") or [] if a.get("feature_id") != new["feature_id"]]
    new["alternatives"] = [_previous_choice(row, candidate.get("previous") or {}), *others]
    return new


def _rehome(
    row: dict[str, Any], repicked: Mapping[str, Mapping[str, Any]], names: Mapping[str, str]
) -> dict[str, Any]:
    """Move an incident or strike path to the places chosen instead of its own.

    An incident's point becomes the new place's point; a strike path's origin or
    target end moves; names, ``place_ids`` and the country follow.
    """
    ids = list(row.get("place_ids") or [])
    moved = [(k, repicked[fid]) for k, fid in enumerate(ids) if fid in repicked]
    if not moved:
        return row
    row = dict(row)
    coords = list(row["geometry"].coords) if row["kind"] == "strike_path" else []
    for k, candidate in moved:
        lonlat = (float(candidate["lon"]), float(candidate["lat"]))
        if coords:
            coords[0 if k == 0 and len(ids) > 1 else -1] = lonlat
        else:
            row["geometry"] = Point(lonlat)
        if k == len(ids) - 1:
            row["country_code"] = candidate.get("country_code")
        old, new = names.get(ids[k], ""), str(candidate.get("name") or "")
        if old and new:
            row["name"] = row["name"].replace(old, new)
        ids[k] = str(candidate["feature_id"])
    if coords:
        row["geometry"] = LineString(coords)
    row["place_ids"] = ids
    row["note"] = (row.get("note") or "") + " Moved with its place, corrected by the user."
    return row


def _ids(row: Mapping[str, Any]) -> set[str]:
    """Return a row's own id and the ids of the places it is placed on."""
    return {str(row["feature_id"]), *(row.get("place_ids") or [])}


def apply_corrections(sites: gpd.GeoDataFrame, corrections: dict[str, Any]) -> gpd.GeoDataFrame:
    """Return ``sites`` with the user's corrections applied.

    Parameters
    ----------
    sites : GeoDataFrame
        Output of :func:`geodata.extract_sites` (EPSG:4326).
    corrections : dict
        See the module docstring; unknown feature ids are ignored.

    Returns
    -------
    GeoDataFrame
        A new frame: rejected rows dropped, with the incidents and strike paths
        placed on them; re-picked rows moved to the chosen candidate (evidence
        and ``surface`` kept, confidence 1.0, a ``note`` saying what it was, the
        replaced place first among the ``alternatives``), their incidents moved
        along; edits applied (``layer`` follows ``kind``); added places appended.

    Raises
    ------
    ValueError
        If an edit names a kind outside :data:`geodata.schema.KINDS`.
    """
    rows = [copy.deepcopy(r) for r in sites.to_dict("records")]
    rejected = set(corrections.get("rejected", []))
    repicked = corrections.get("repicked", {})
    edited = corrections.get("edited", {})
    names = {str(r["feature_id"]): str(r["name"]) for r in rows}
    out: dict[str, dict[str, Any]] = {}
    for extracted in rows:
        row = extracted
        if extracted["feature_id"] in repicked:
            row = _repicked_row(extracted, repicked[extracted["feature_id"]])
        elif extracted["kind"] in PLACED_KINDS:
            row = _rehome(extracted, repicked, names)
        if not rejected.isdisjoint(_ids(extracted) | _ids(row)):
            continue  # rejected, or placed on a rejected place (before or after a re-pick)
        key = row["feature_id"]
        if key in out:  # the chosen candidate was already a feature: merge evidence
            out[key]["evidence"] = out[key]["evidence"] + row["evidence"]
            out[key]["mentions"] = int(out[key]["mentions"]) + int(row["mentions"])
            continue
        out[key] = row
    for candidate in corrections.get("added", []):
        row = candidate_row(candidate, "Added by the user.")
        out.setdefault(row["feature_id"], row)
    for fid, changes in edited.items():
        if fid not in out:
            continue
        kind = changes.get("kind")
        if kind:
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r}")
            out[fid]["kind"], out[fid]["layer"] = kind, layer_for_kind(kind)
        if changes.get("name"):
            out[fid]["name"] = str(changes["name"])
    return rows_to_frame(out.values(), columns=list(sites.columns))
