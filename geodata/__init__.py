"""Where things are: embedded sourced data, the gazetteer and the geoparser.

The main entry point is :func:`extract_sites` (text -> sites GeoDataFrame).
"""

from __future__ import annotations

from typing import Any

__all__ = ["extract_sites"]


def __getattr__(name: str) -> Any:
    # Imported on first use: geodata.sites pulls in GeoPandas, which the geoparser
    # alone does not need (a third of a second off its cold start).
    if name == "extract_sites":
        from geodata.sites import extract_sites

        return extract_sites
    raise AttributeError(f"module 'geodata' has no attribute {name!r}")
