"""Which feature a click on the map means, from what streamlit-folium reports.

streamlit-folium returns, for the map it draws, the position of the last click
on the map (``last_clicked``), and for the last click on a drawn object its
position, a running count (``last_object_clicked_count``) and its tooltip's text
(``last_object_clicked_tooltip``). The map's script (``static/newsmap.js``) ends
every feature's tooltip with the feature id between :data:`REF_OPEN` and
:data:`REF_CLOSE`, and gives a click near a point or a line (on an area, or on
the bare map) to that feature. So a click names its feature by id: an incident
drawn over the place it happened at is told from the place, and clicking the
same feature again is a new click because the count moved on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["REF_CLOSE", "REF_OPEN", "Click", "ClickMemory", "read_click", "referenced_id"]

#: Brackets around the feature id at the end of a tooltip's text (U+27E6, U+27E7).
REF_OPEN = "\u27e6"
REF_CLOSE = "\u27e7"
_REF = re.compile(f"{REF_OPEN}([^{REF_OPEN}{REF_CLOSE}]+){REF_CLOSE}\\s*$")


@dataclass(frozen=True)
class Click:
    """One new click on the map.

    Attributes
    ----------
    lat, lon : float
        Where, in degrees (EPSG:4326; ``lon`` within -180..180 whatever copy of
        the world was clicked).
    feature_id : str or None
        The feature clicked, as drawn (its ``feature_id`` property: braces are
        HTML entities there); None for a click on the bare map or on something
        that is not a feature (the selection halo).
    """

    lat: float
    lon: float
    feature_id: str | None


@dataclass(frozen=True)
class ClickMemory:
    """What the app last saw of one map, to tell a new click from a rerun.

    Attributes
    ----------
    map_key : str
        The map component's key: a map drawn under another key starts counting
        again from zero.
    count : int
        ``last_object_clicked_count`` as last seen.
    last_clicked : tuple of float or None
        ``last_clicked`` (lat, lon) as last seen.
    """

    map_key: str
    count: int = 0
    last_clicked: tuple[float, float] | None = None


def referenced_id(tooltip: object) -> str | None:
    """Return the feature id at the end of a tooltip's text, or None.

    Parameters
    ----------
    tooltip : object
        ``last_object_clicked_tooltip`` as reported (a str, or None).

    Returns
    -------
    str or None
        The text between the last :data:`REF_OPEN` ... :data:`REF_CLOSE` pair
        that ends the tooltip; the feature's own name cannot forge it, since the
        reference always comes after the name.
    """
    if not isinstance(tooltip, str):
        return None
    match = _REF.search(tooltip)
    return match.group(1) if match else None


def _latlon(value: Any) -> tuple[float, float] | None:
    """(lat, lon) of a reported position, the longitude brought into -180..180.

    Leaflet reports where on its unrolled plane the click was: on a copy of the
    world, or east of 180 degrees on a view across the antimeridian (Fiji), a
    longitude such as 181.5 (see :mod:`layers.map.antimeridian`).
    """
    if not isinstance(value, Mapping):
        return None
    try:
        lat, lng = float(value["lat"]), float(value["lng"])
    except (KeyError, TypeError, ValueError):
        return None
    if math.isfinite(lng) and not -180.0 <= lng <= 180.0:
        lng = (lng + 180.0) % 360.0 - 180.0
    return lat, lng


def read_click(
    state: Mapping[str, Any] | None, memory: ClickMemory | None, map_key: str
) -> tuple[Click | None, ClickMemory]:
    """Return the click that is new since ``memory`` (or None) and the new memory.

    Parameters
    ----------
    state : mapping or None
        What ``st_folium`` returned, with ``last_object_clicked``,
        ``last_object_clicked_count``, ``last_object_clicked_tooltip`` and
        ``last_clicked`` among its returned objects.
    memory : ClickMemory or None
        What the previous run saw (None on the first run).
    map_key : str
        The key the map is drawn under in this run.

    Returns
    -------
    (Click or None, ClickMemory)
        A click on a feature wins over the map click that Leaflet reports with it.
        A rerun that reports the same values as before is no click.
    """
    state = state or {}
    if memory is None or memory.map_key != map_key:
        memory = ClickMemory(map_key)
    count = state.get("last_object_clicked_count")
    count = count if isinstance(count, int) else 0
    clicked = _latlon(state.get("last_clicked"))
    new = ClickMemory(map_key, count, clicked)
    if count > memory.count:
        where = _latlon(state.get("last_object_clicked")) or clicked
        if where is not None:
            fid = referenced_id(state.get("last_object_clicked_tooltip"))
            return Click(where[0], where[1], fid), new
    if clicked is not None and clicked != memory.last_clicked:
        return Click(clicked[0], clicked[1], None), new
    return None, new
