"""The article's focus: the country and the place it is mostly about.

CLIFF-CLAVIN reports a "focus" per article (the countries, states and cities it
is about) next to its mentions; analysts filter corpora by it. Ours is computed
from the sites alone, so it works on a saved map as well as on a fresh parse:

- the **focus country** is the country with the most mentions of confident
  places in it (the country itself, its areas and its towns; incidents and
  sites do not count, they repeat places already counted);
- the **focus place** is the most mentioned confident town or first-level area
  in that country (ties: the higher confidence, then the first feature).

Written here rather than taken from a library: no maintained package computes
a focus from a GeoDataFrame of resolved places.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from geodata.schema import DEFAULT_THRESHOLD

__all__ = ["article_focus"]

_PLACE_KINDS = ("populated_place", "admin_area")
_COUNTED_KINDS = ("country", *_PLACE_KINDS)


def article_focus(sites: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Return the country and the place an article is mostly about.

    Parameters
    ----------
    sites : DataFrame or GeoDataFrame
        A sites frame (:data:`geodata.schema.COLUMNS`; at least ``kind``,
        ``country_code``, ``mentions``, ``confidence``, ``name`` and
        ``feature_id``), EPSG:4326.
    threshold : float, default :data:`geodata.schema.DEFAULT_THRESHOLD`
        Places below this confidence are not counted.

    Returns
    -------
    dict
        ``country_code`` (ISO 3166-1 alpha-2), ``country`` (its name when the
        country is itself a feature, else None), ``country_mentions`` (int),
        ``place`` (name), ``place_id`` (feature id), ``place_mentions`` (int);
        every value None (counts 0) when no confident place is named.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "feature_id": ["country:IQ", "geonames:98182", "country:IR"],
    ...     "name": ["Iraq", "Baghdad", "Iran"],
    ...     "kind": ["country", "populated_place", "country"],
    ...     "country_code": ["IQ", "IQ", "IR"],
    ...     "mentions": [2, 3, 4],
    ...     "confidence": [0.9, 0.9, 0.9],
    ... })
    >>> article_focus(frame)["country_code"], article_focus(frame)["place"]
    ('IQ', 'Baghdad')
    """
    empty: dict[str, Any] = {
        "country_code": None,
        "country": None,
        "country_mentions": 0,
        "place": None,
        "place_id": None,
        "place_mentions": 0,
    }
    if sites is None or len(sites) == 0:
        return empty
    frame = sites[
        sites["kind"].isin(_COUNTED_KINDS)
        & sites["country_code"].notna()
        & (pd.to_numeric(sites["confidence"], errors="coerce").fillna(0) >= threshold)
    ]
    if frame.empty:
        return empty
    counts: Counter[str] = Counter()
    for code, mentions in zip(frame["country_code"], frame["mentions"], strict=True):
        counts[str(code)] += max(int(mentions), 1)
    # most_common keeps first-seen order among ties: the article's reading order
    country_code, country_mentions = counts.most_common(1)[0]
    out = dict(empty, country_code=country_code, country_mentions=int(country_mentions))
    country_rows = frame[(frame["kind"] == "country") & (frame["country_code"] == country_code)]
    if len(country_rows):
        out["country"] = str(country_rows["name"].iloc[0])
    places = frame[frame["kind"].isin(_PLACE_KINDS) & (frame["country_code"] == country_code)]
    if len(places):
        ranked = places.assign(
            _m=places["mentions"].astype(int), _c=places["confidence"].astype(float)
        ).sort_values(["_m", "_c"], ascending=False, kind="stable")
        best = ranked.iloc[0]
        out.update(
            place=str(best["name"]),
            place_id=str(best["feature_id"]),
            place_mentions=int(best["mentions"]),
        )
    return out
