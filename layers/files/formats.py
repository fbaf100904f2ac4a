"""Writing sites to a file chosen by its extension: the one writer of the CLI and the API.

========================  ==========================  =====================================
extension                 format                      written by
========================  ==========================  =====================================
``.geojson``, ``.json``   GeoJSON (RFC 7946)          :func:`layers.files.export.to_geojson`
``.geojsonl``,            GeoJSONSeq (one Feature a   :func:`layers.files.export.to_geojsonseq`
``.geojsons``,            line)
``.ndjson``
``.gpkg``                 GeoPackage 1.2              :func:`layers.files.export.to_gpkg`
``.fgb``                  FlatGeobuf                  :func:`layers.files.export.to_fgb`
``.kml``                  KML 2.2                     :func:`layers.files.kml.to_kml`
``.csv``                  CSV (UTF-8 with BOM)        :func:`layers.files.tables.to_csv`
``.parquet``,             GeoParquet 1.1              :func:`layers.files.export.to_parquet`
``.geoparquet``
``.html``                 standalone map page         :func:`layers.files.export.to_html`
========================  ==========================  =====================================

Any other extension raises :class:`FormatError` with a one-line message that
lists these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd

__all__ = ["FORMATS", "Format", "FormatError", "format_for", "write_sites"]


class FormatError(ValueError):
    """Raised for an output path whose extension names no format newsmap writes."""


@dataclass(frozen=True)
class Format:
    """One output format.

    Attributes
    ----------
    name : str
        As GIS users know it ("GeoPackage").
    extensions : tuple of str
        Lower-case, with the dot; the first is the usual one.
    driver : str or None
        The GDAL driver that reads it (None: no GDAL driver, e.g. HTML).
    """

    name: str
    extensions: tuple[str, ...]
    driver: str | None


FORMATS: tuple[Format, ...] = (
    Format("GeoJSON", (".geojson", ".json"), "GeoJSON"),
    Format("GeoJSONSeq", (".geojsonl", ".geojsons", ".ndjson"), "GeoJSONSeq"),
    Format("GeoPackage", (".gpkg",), "GPKG"),
    Format("FlatGeobuf", (".fgb",), "FlatGeobuf"),
    Format("KML", (".kml",), "KML"),
    Format("CSV", (".csv",), "CSV"),
    Format("GeoParquet", (".parquet", ".geoparquet"), "Parquet"),
    Format("HTML map", (".html", ".htm"), None),
)
_BY_EXTENSION = {ext: fmt for fmt in FORMATS for ext in fmt.extensions}


def _choices() -> str:
    return ", ".join(f"{fmt.extensions[0]} ({fmt.name})" for fmt in FORMATS)


def format_for(path: str | Path) -> Format:
    """Return the format a path's extension names.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Format

    Raises
    ------
    FormatError
        For any other extension, naming the ones newsmap writes.

    Examples
    --------
    >>> format_for("out/sites.GPKG").name
    'GeoPackage'
    """
    suffix = Path(path).suffix.lower()
    fmt = _BY_EXTENSION.get(suffix)
    if fmt is None:
        said = f"'{suffix}'" if suffix else "no extension"
        raise FormatError(f"cannot write {Path(path).name}: {said}; newsmap writes {_choices()}")
    return fmt


def write_sites(
    sites: gpd.GeoDataFrame,
    path: str | Path,
    *,
    title: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    gazetteer: Any = None,
) -> Path:
    """Write sites to ``path`` in the format its extension names.

    Parameters
    ----------
    sites : GeoDataFrame
        A sites frame, e.g. from :func:`geodata.extract_sites` (any CRS:
        written in EPSG:4326 lon/lat degrees).
    path : str or Path
        Output file, overwritten; see the table in this module's docstring.
    title : str, optional
        The KML document's and the HTML page's title (default: the file's stem).
    metadata : mapping, optional
        What the file says about itself (default
        :func:`layers.files.export.export_metadata`: generator, "all layers",
        the article's focus). GeoJSONSeq and CSV have no place for it.
    gazetteer : geodata.gazetteer.Gazetteer, optional
        Names the towns around a local view on an HTML map
        (:func:`layers.map.render.town_labels`).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FormatError
        For an extension newsmap does not write (checked before anything is written).
    OSError
        When the file cannot be written.
    """
    from layers.files import export, kml, tables

    path = Path(path)
    fmt = format_for(path)
    title = title or path.stem
    if metadata is None:
        metadata = export.export_metadata(sites)
    if fmt.name == "GeoJSON":
        text = export.to_geojson(sites, indent=1, style=True, metadata=metadata)
        path.write_text(text + "\n", encoding="utf-8")
    elif fmt.name == "GeoJSONSeq":
        path.write_text(export.to_geojsonseq(sites), encoding="utf-8")
    elif fmt.name == "GeoPackage":
        export.to_gpkg(sites, path, metadata)
    elif fmt.name == "FlatGeobuf":
        export.to_fgb(sites, path, metadata)
    elif fmt.name == "KML":
        path.write_bytes(kml.to_kml(sites, title=title, metadata=metadata))
    elif fmt.name == "CSV":
        path.write_text(tables.to_csv(sites), encoding="utf-8", newline="")
    elif fmt.name == "GeoParquet":
        export.to_parquet(sites, path, metadata)
    else:  # HTML map
        from layers.catalog import build_layers
        from layers.map.render import render_map

        page = render_map(build_layers(sites), gazetteer=gazetteer)
        path.write_text(export.to_html(page, title=title), "utf-8")
    return path
