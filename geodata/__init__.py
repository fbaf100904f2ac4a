"""Where things are: embedded sourced data, the gazetteer and the geoparser.

The main entry point is :func:`extract_sites` (text -> sites GeoDataFrame).
"""

from geodata.sites import extract_sites

__all__ = ["extract_sites"]
