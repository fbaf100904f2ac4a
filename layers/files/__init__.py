"""Files: sites -> GeoJSON, GeoPackage, KML, CSV, standalone HTML; uploads -> articles.

May import ``geodata``, ``layers.catalog`` and ``layers.map`` (the HTML export
inlines the map's assets); never ``layers.app``, ``layers.cli`` or Streamlit.
"""
