"""The map: sites layers -> a Folium map with an offline basemap and local assets.

May import ``geodata`` and ``layers.catalog``; never ``layers.files``,
``layers.app``, ``layers.cli`` or Streamlit.
"""
