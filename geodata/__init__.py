"""Where things are: embedded sourced data, the gazetteer and the geoparser.

The main entry point is :func:`extract_sites` (text -> sites GeoDataFrame).
"""

from __future__ import annotations

from typing import Any

__all__ = ["extract_sites"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the pipeline pulls in spaCy, which importing the
    # schema or the geodesy alone does not need.
    if name == "extract_sites":
        from geodata.pipeline import extract_sites

        return extract_sites
    raise AttributeError(f"module 'geodata' has no attribute {name!r}")
