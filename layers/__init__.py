"""How sites are shown and exported: sites -> map, files, command line.

``layers.catalog`` (the layers' presentation), ``layers.map`` (Folium),
``layers.files`` (exports and uploads), ``layers.app`` (the app's model) and
``layers.cli``. Nothing here imports Streamlit; see ``docs/architecture.md``.
"""
