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

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from geodata.schema import DEFAULT_THRESHOLD

__all__ = ["article_focus", "focus_of_rows"]

_PLACE_KINDS = ("populated_place", "admin_area")
_COUNTED_KINDS = ("country", *_PLACE_KINDS)
_FIELDS = ("feature_id", "name", "kind", "country_code", "mentions", "confidence")


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
    if sites is None or len(sites) == 0:
        return focus_of_rows([], threshold)
    columns = [c for c in _FIELDS if c in sites.columns]
    values = zip(*(sites[c] for c in columns), strict=True)
    rows = [dict(zip(columns, row, strict=True)) for row in values]
    return focus_of_rows(rows, threshold)


def _number(value: Any) -> float:
    """``value`` as a float; what is not a number (None, NaN, text) counts as 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(number) else number


def focus_of_rows(
    rows: Iterable[Mapping[str, Any]], threshold: float = DEFAULT_THRESHOLD
) -> dict[str, Any]:
    """:func:`article_focus` of the sites table's row dicts (no frame needed).

    The batch computes a focus per article from the rows it writes; a frame
    per article cost more than the focus itself.

    Parameters
    ----------
    rows : iterable of dict
        Sites rows with the keys ``article_focus`` reads.
    threshold : float, default :data:`geodata.schema.DEFAULT_THRESHOLD`

    Returns
    -------
    dict
        As :func:`article_focus`.
    """
    out: dict[str, Any] = {
        "country_code": None,
        "country": None,
        "country_mentions": 0,
        "place": None,
        "place_id": None,
        "place_mentions": 0,
    }
    counted = [
        row
        for row in rows
        if row.get("kind") in _COUNTED_KINDS
        and _present(row.get("country_code"))
        and _number(row.get("confidence")) >= threshold
    ]
    if not counted:
        return out
    counts: Counter[str] = Counter()
    for row in counted:
        counts[str(row["country_code"])] += max(int(_number(row.get("mentions"))), 1)
    # most_common keeps first-seen order among ties: the article's reading order
    country_code, country_mentions = counts.most_common(1)[0]
    out.update(country_code=country_code, country_mentions=int(country_mentions))
    in_country = [row for row in counted if str(row["country_code"]) == country_code]
    for row in in_country:
        if row["kind"] == "country":
            out["country"] = str(row["name"])
            break
    places = [row for row in in_country if row["kind"] in _PLACE_KINDS]
    if places:
        # max() keeps the first of equals: ties go to the article's order
        best = max(
            places,
            key=lambda row: (int(_number(row.get("mentions"))), _number(row.get("confidence"))),
        )
        out.update(
            place=str(best["name"]),
            place_id=str(best["feature_id"]),
            place_mentions=int(_number(best.get("mentions"))),
        )
    return out


def _present(value: Any) -> bool:
    """Tell a country code from a missing one (None, NaN, pandas' NA)."""
    return (
        value is not None
        and not (isinstance(value, float) and math.isnan(value))
        and (value is not pd.NA)
    )
