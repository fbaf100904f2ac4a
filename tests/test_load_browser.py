"""Concurrent sessions on one server stay apart (the driver is ``tests/load.py``).

Five browser contexts in one Chromium, each its own Streamlit session, paste five
different articles at once, reject a place each and switch a layer off and on;
no session may see another's features or corrections, nor an error. The same
driver runs 40 sessions in ``benchmarks/load_bench.py``.
"""

from __future__ import annotations

import pytest

from geodata.pipeline import extract_sites
from layers.app.analysis import uncertain

from .browser import streamlit_process
from .load import ACTIONS, MAX_SESSIONS, articles, report, run_load

SESSIONS = 5


def test_each_article_maps_to_its_places(geoparser) -> None:
    """The driver's expectations hold: each article's map is its three places."""
    texts = articles(MAX_SESSIONS)
    seen: set[str] = set()
    for article in texts:
        sites = extract_sites(article.text, geoparser=geoparser)
        assert sorted(sites["name"]) == sorted(article.places), article.text
        assert not uncertain(sites).any(), sites[["name", "confidence"]]
        assert sorted(sites["kind"]) == ["country", "populated_place", "populated_place"]
        assert not (article.places & seen), article.places & seen
        seen |= article.places
    assert len(seen) == 3 * MAX_SESSIONS
    with pytest.raises(ValueError, match="sessions must be 1 to"):
        articles(MAX_SESSIONS + 1)


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_concurrent_sessions_see_only_their_own_map(tmp_path) -> None:
    with streamlit_process(tmp_path / "streamlit.log") as (process, url):
        result = run_load(url, SESSIONS, server_pid=process.pid, timeout_s=60.0)
    text = report(result)
    print(text)
    assert result.crosstalk == [], text
    assert result.errors == [], text
    assert len(result.sessions) == SESSIONS
    ids: set[str] = set()
    for session, article in zip(result.sessions, articles(SESSIONS), strict=True):
        assert session.done == list(ACTIONS), text
        assert session.own_seen == article.places
        assert set(session.feature_ids) == article.places
        prefixes = ("geonames:", "country:")
        assert all(fid.startswith(prefixes) for fid in session.feature_ids.values())
        assert set(session.latencies) == set(ACTIONS)
        assert all(0 < seconds < 60 for seconds in session.latencies.values()), session.latencies
        ids |= set(session.feature_ids.values())
    assert len(ids) == 3 * SESSIONS  # no feature id shared between two sessions' maps
    memory = result.memory
    assert memory["cold_mb"] is not None and memory["warm_mb"] is not None
    assert memory["peak_mb"] is not None
    # the warm-up loads the gazetteer and the NER pipeline: hundreds of MB
    assert memory["warm_mb"] > memory["cold_mb"] + 100
    assert memory["peak_mb"] >= memory["warm_mb"]
