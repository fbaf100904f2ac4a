"""How things are shown and exported: layer catalogue, Folium map, exports, CLI."""
