"""What a reader asks of the map: filters, distances, uncertain places.

Pure functions of a sites GeoDataFrame (EPSG:4326); distances are geodesic on the
WGS84 ellipsoid (:mod:`geodata.geodesy`), in km.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.geodesy import (
    geodesic_many_km,
    representative_lonlat,
)
from geodata.names import normalize_name
from geodata.schema import DEFAULT_THRESHOLD, MODELLED_KINDS

__all__ = ["distances_km", "filter_sites", "uncertain"]


def uncertain(sites: gpd.GeoDataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.Series:
    """Which features are places the confidence model doubts.

    Parameters
    ----------
    sites : GeoDataFrame
        Sites with ``kind`` and ``confidence``.
    threshold : float, default :data:`geodata.schema.DEFAULT_THRESHOLD`
        Probability (0..1) below which a place is uncertain.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``sites``: a kind of :data:`geodata.schema.MODELLED_KINDS`
        with a confidence below ``threshold``. Catalogue sites, incidents and the
        places a user picked or added (confidence 1.0) are never uncertain.
    """
    return sites["kind"].isin(list(MODELLED_KINDS)) & (
        sites["confidence"].fillna(0).astype(float) < threshold
    )


def filter_sites(
    sites: gpd.GeoDataFrame,
    layers: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    min_confidence: float = 0.0,
    query: str = "",
    hide_uncertain: bool = False,
) -> gpd.GeoDataFrame:
    """Keep the features that pass every filter (the map, table and exports share it).

    Parameters
    ----------
    sites : GeoDataFrame
        Sites with ``layer``, ``kind``, ``confidence``, ``name``.
    layers, kinds : iterable of str, optional
        Allowed layer keys / kinds; None allows all.
    min_confidence : float, default 0.0
        Lowest confidence kept (0..1).
    query : str, default ""
        Case- and accent-insensitive substring of the name (empty: no filter).
    hide_uncertain : bool, default False
        Leave out the places of :func:`uncertain`.

    Returns
    -------
    GeoDataFrame
        The kept rows, index reset.
    """
    keep = sites["confidence"].fillna(0) >= float(min_confidence)
    if hide_uncertain:
        keep &= ~uncertain(sites)
    if layers is not None:
        keep &= sites["layer"].isin(list(layers))
    if kinds is not None:
        keep &= sites["kind"].isin(list(kinds))
    key = normalize_name(query or "")
    if key:
        keep &= sites["name"].map(lambda n: key in normalize_name(str(n)))
    return sites[keep].reset_index(drop=True)


def distances_km(sites: gpd.GeoDataFrame, feature_id: str) -> pd.Series:
    """Geodesic distance from one feature to every feature, in km.

    Lines and areas are measured from their representative points.

    Parameters
    ----------
    sites : GeoDataFrame
        EPSG:4326 with ``feature_id``.
    feature_id : str
        The origin feature.

    Returns
    -------
    pandas.Series
        Float km aligned with ``sites`` (NaN where a geometry is missing).

    Raises
    ------
    KeyError
        If ``feature_id`` is not in ``sites``.
    """
    rows = sites.index[sites["feature_id"] == feature_id]
    if len(rows) == 0:
        raise KeyError(feature_id)
    origin = representative_lonlat(sites.geometry.loc[rows[0]])
    points = [representative_lonlat(g) for g in sites.geometry]
    out = np.full(len(sites), np.nan)
    valid = [i for i, p in enumerate(points) if p is not None]
    if origin is not None and valid:
        lons = np.array([points[i][0] for i in valid])  # type: ignore[index]
        lats = np.array([points[i][1] for i in valid])  # type: ignore[index]
        out[valid] = geodesic_many_km(origin[0], origin[1], lons, lats)
    return pd.Series(out, index=sites.index, name="distance_km")
