"""User corrections: reject, re-pick a candidate, add a place, edit a name or kind.

Corrections are a JSON-native dict (kept in the app's session state) applied to
the extracted sites by :func:`apply_corrections`, a pure function, so every view
and every export sees the same corrected features::

    {"rejected": [feature_id, ...],
     "repicked": {feature_id: candidate, ...},   # candidate: feature_id, name, kind,
                                                 # country_code, lon, lat, source
     "added": [candidate, ...],
     "edited": {feature_id: {"name": ..., "kind": ...}, ...}}
"""

from __future__ import annotations

import copy
from typing import Any

import geopandas as gpd

from geodata.schema import KINDS, candidate_dict, candidate_row, layer_for_kind, rows_to_frame

__all__ = ["apply_corrections", "empty_corrections", "place_to_candidate"]


def empty_corrections() -> dict[str, Any]:
    """Return a corrections dict with nothing corrected.

    Returns
    -------
    dict
    """
    return {"rejected": [], "repicked": {}, "added": [], "edited": {}}


def place_to_candidate(place: Any) -> dict[str, Any]:
    """Turn a gazetteer :class:`~geodata.gazetteer.Place` into a candidate dict.

    Parameters
    ----------
    place : geodata.gazetteer.Place
        The place the user chose.

    Returns
    -------
    dict
        ``feature_id``, ``name``, ``kind``, ``country_code``, ``lon``, ``lat``
        (degrees), ``source``.
    """
    return candidate_dict(place, with_source=True)


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
        A new frame: rejected rows dropped; re-picked rows moved to the chosen
        candidate (evidence kept, confidence 1.0, a ``note`` saying what it was);
        edits applied (``layer`` follows ``kind``); added places appended.

    Raises
    ------
    ValueError
        If an edit names a kind outside :data:`geodata.schema.KINDS`.
    """
    rows = [copy.deepcopy(r) for r in sites.to_dict("records")]
    rejected = set(corrections.get("rejected", []))
    repicked = corrections.get("repicked", {})
    edited = corrections.get("edited", {})
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        fid = row["feature_id"]
        if fid in rejected:
            continue
        if fid in repicked:
            candidate = repicked[fid]
            new = candidate_row(candidate, f"Corrected by the user (was {row['name']}, {fid}).")
            new["evidence"], new["mentions"] = row["evidence"], row["mentions"]
            row = new
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
