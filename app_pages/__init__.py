"""Streamlit pages other than the Article page (``dashboard.py``).

Not named ``pages/``: Streamlit would serve each file there as a page script of
its own, beside the navigation ``dashboard.py`` declares.
"""
