"""The app's model without Streamlit: state, views, corrections, analysis, display.

Used by ``dashboard.py``; may import ``geodata`` and every other part of
``layers`` but ``layers.cli``; never Streamlit.
"""
